"""Engineering BOMs edited line by line (services.bom_edit, the browser's tree editor):
add, change, move, remove, each audited; a cycle refused with its items named; the
tree read back level by level; a plan takes the edited structure."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.errors import ConflictError, NotFoundError, ValidationError
from pegboard.model import AuditEntry, Bom, BomLine
from pegboard.services import bom_edit, items


@pytest.fixture
def parts(session: Session) -> Session:
    for code, kind in (("BIKE", "make"), ("FRAME", "make"), ("TUBE", "buy"), ("BOLT", "buy")):
        items.create_item(session, code, {"type": kind}, author="test")
    return session


def _lines(session: Session, item: str) -> list[tuple[int, str, float, float]]:
    tree = bom_edit.bom_tree(session, item)
    return [(ln.position, ln.component, ln.qty_per, ln.scrap_pct) for ln in tree.lines]


def test_lines_added_changed_moved_and_removed_with_audit(parts: Session) -> None:
    s = parts
    assert bom_edit.bom_tree(s, "BIKE").number is None
    assert bom_edit.add_line(s, "BIKE", component="FRAME", qty_per=1, author="ann") == 1
    assert bom_edit.add_line(s, "BIKE", component="BOLT", qty_per=4, scrap_pct=5, author="ann") == 2
    bom_edit.add_line(s, "FRAME", component="TUBE", qty_per=2.5, author="ann")
    tree = bom_edit.bom_tree(s, "BIKE")
    assert tree.number == "BOM-BIKE" and not tree.template and tree.nodes == 3
    assert [c.component for c in tree.lines[0].children] == ["TUBE"]
    assert _lines(s, "BIKE") == [(1, "FRAME", 1.0, 0.0), (2, "BOLT", 4.0, 5.0)]

    bom_edit.change_line(s, "BIKE", 2, qty_per=6, author="bob")
    assert bom_edit.move_line(s, "BIKE", 2, "up", author="bob") == 1
    assert _lines(s, "BIKE") == [(1, "BOLT", 6.0, 5.0), (2, "FRAME", 1.0, 0.0)]
    assert bom_edit.move_line(s, "BIKE", 1, "up", author="bob") == 1  # already first
    bom_edit.remove_line(s, "BIKE", 1, author="bob")
    assert _lines(s, "BIKE") == [(2, "FRAME", 1.0, 0.0)]

    trail = s.execute(
        select(AuditEntry.action, AuditEntry.author, AuditEntry.before, AuditEntry.after)
        .where(AuditEntry.entity == "bom", AuditEntry.entity_ref == "BOM-BIKE")
        .order_by(AuditEntry.id)
    ).all()
    assert [(a, who) for a, who, _b, _a in trail] == [
        ("add_line", "ann"),
        ("add_line", "ann"),
        ("change_line", "bob"),
        ("move_line", "bob"),
        ("remove_line", "bob"),
    ]
    assert trail[2].before["qty_per"] == 4.0 and trail[2].after["qty_per"] == 6.0
    assert trail[4].before == {"position": 1, "component": "BOLT", "qty_per": 6.0, "scrap_pct": 5.0}


def test_a_cycle_is_refused_naming_it_and_nothing_is_written(parts: Session) -> None:
    s = parts
    bom_edit.add_line(s, "BIKE", component="FRAME", qty_per=1, author="t")
    items.update_item(s, "TUBE", {"type": "make"}, author="t")
    bom_edit.add_line(s, "FRAME", component="TUBE", qty_per=2, author="t")
    with pytest.raises(ConflictError, match="cycle: TUBE -> BIKE -> FRAME -> TUBE") as e:
        bom_edit.add_line(s, "TUBE", component="BIKE", qty_per=1, author="t")
    assert e.value.params["cycle"] == ["TUBE", "BIKE", "FRAME", "TUBE"]
    with pytest.raises(ConflictError, match="cycle: FRAME -> FRAME"):
        bom_edit.add_line(s, "FRAME", component="FRAME", qty_per=1, author="t")
    assert s.scalar(select(Bom.id).where(Bom.number == "BOM-TUBE")) is None  # not even made
    assert _lines(s, "FRAME") == [(1, "TUBE", 2.0, 0.0)]
    # a move that would close a loop is refused the same way, and the line stays
    bom_edit.add_line(s, "BIKE", component="BOLT", qty_per=1, author="t")
    items.update_item(s, "BOLT", {"type": "make"}, author="t")
    bom_edit.add_line(s, "BOLT", component="TUBE", qty_per=1, author="t")
    with pytest.raises(ConflictError, match="cycle: TUBE -> FRAME -> TUBE"):
        bom_edit.move_line_to(s, "BIKE", 1, "TUBE", author="t")
    assert [c for _p, c, _q, _s in _lines(s, "BIKE")] == ["FRAME", "BOLT"]


def test_move_to_another_parent_keeps_quantity_and_scrap(parts: Session) -> None:
    s = parts
    bom_edit.add_line(s, "BIKE", component="FRAME", qty_per=1, author="t")
    bom_edit.add_line(s, "BIKE", component="BOLT", qty_per=4, scrap_pct=2, author="t")
    assert bom_edit.move_line_to(s, "BIKE", 2, "FRAME", author="t") == 1
    assert _lines(s, "BIKE") == [(1, "FRAME", 1.0, 0.0)]
    assert _lines(s, "FRAME") == [(1, "BOLT", 4.0, 2.0)]
    notes = s.scalars(
        select(AuditEntry.note).where(AuditEntry.entity == "bom").order_by(AuditEntry.id)
    ).all()
    assert notes[-2:] == ["moved to FRAME", "moved from BIKE line 2"]


def test_bad_input_is_refused_by_field(parts: Session) -> None:
    s = parts
    for qty, scrap, field in (
        (0, 0, "qty_per"),
        (-1, 0, "qty_per"),
        (float("nan"), 0, "qty_per"),
        (1e9, 0, "qty_per"),
        (1, -2, "scrap_pct"),
    ):
        with pytest.raises(ValidationError) as e:
            bom_edit.add_line(s, "BIKE", component="BOLT", qty_per=qty, scrap_pct=scrap, author="t")
        assert e.value.params["field"] == field
    with pytest.raises(NotFoundError, match="no item 'NOPE'"):
        bom_edit.add_line(s, "BIKE", component="NOPE", qty_per=1, author="t")
    with pytest.raises(ConflictError, match="BOLT is a buy item"):
        bom_edit.add_line(s, "BOLT", component="TUBE", qty_per=1, author="t")
    with pytest.raises(NotFoundError, match="BIKE's BOM has no line 7"):
        bom_edit.change_line(s, "BIKE", 7, qty_per=2, author="t")
    assert s.scalar(select(BomLine.id)) is None


def test_a_make_item_with_a_bom_stays_make(parts: Session) -> None:
    bom_edit.add_line(parts, "FRAME", component="TUBE", qty_per=1, author="t")
    with pytest.raises(ConflictError, match="must stay make"):
        items.update_item(parts, "FRAME", {"type": "buy"}, author="t")

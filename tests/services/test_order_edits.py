"""Hand edits to an order BOM are never silently undone (#14, item 1).

The planner adds a presence sensor to an order BOM by hand (``order bom-edit
BOM-SO-1009-1 --component SNS-PIR-010V --qty 2``); the customer then moves the
due date, or orders more. Neither change rebuilds the order BOM: a due-date change
moves dates, a quantity change resizes the production orders from the order BOM
as it is, hand edits included. Only re-configuring rebuilds from the template,
and it names the hand edits it would drop and refuses unless told to drop them;
the history then has every line it added, removed or changed, before and after.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pegboard.bundle.importer import read_bundle
from pegboard.demo import demo_path
from pegboard.errors import ConflictError, NotFoundError
from pegboard.model import (
    AuditEntry,
    Bom,
    BomLine,
    Item,
    ProductionOrder,
    ProductionStatus,
    SalesOrder,
    SalesOrderStatus,
)
from pegboard.services import audit, order_bom, order_changes, sales
from pegboard.services.company_data import replace_company

TODAY = date(2026, 11, 23)
DUE = date(2027, 1, 4)
RUN = {"length_m": "14.56", "finish": "black", "control": "dali", "emergency": "yes"}
NUMBER, TOP, BODY = "SO-1009", "BOM-SO-1009-1", "BOM-SO-1009-1.1"
SENSOR = "SNS-PIR-010V"
BODY_ITEM = f"BODY-7040-{NUMBER}-1.1"


@pytest.fixture
def configured(session: Session) -> Session:
    """SO-1009: four LR-7040 runs, configured (as the demo's example order)."""
    replace_company(session, read_bundle(demo_path("lighting")), author="import")
    number = sales.create_order(session, customer="Hartwell Construction", author="sales")
    sales.add_line(session, number, item="LR-7040", qty=4, due=DUE, author="sales")
    sales.set_status(session, number, SalesOrderStatus.CONFIRMED, author="sales")
    assert number == NUMBER
    order_bom.configure_line(session, NUMBER, 1, RUN, author="planner", today=TODAY)
    return session


@pytest.fixture
def edited(configured: Session) -> Session:
    """Three hand edits: a sensor added, the end caps removed, two more brackets; and the
    body (a configured sub-assembly) doubled."""
    edit = order_bom.edit_bom_line
    edit(configured, TOP, component=SENSOR, qty_per=2, author="planner")
    edit(configured, TOP, position=position(configured, TOP, "CAP-7040-W"), remove=True, author="p")
    edit(
        configured, TOP, position=position(configured, TOP, "BRK-MNT-7040"), qty_per=16, author="p"
    )
    body = f"BODY-7040-{NUMBER}-1.1"
    edit(configured, TOP, position=position(configured, TOP, body), qty_per=2, author="p")
    return configured


def position(session: Session, bom: str, component: str) -> int:
    with session.begin():
        return session.scalars(
            select(BomLine.position)
            .join(Bom, Bom.id == BomLine.bom_id)
            .join(Item, Item.id == BomLine.component_id)
            .where(Bom.number == bom, Item.code == component)
        ).one()


def lines(session: Session, bom: str) -> dict[str, float]:
    with session.begin():
        rows = session.execute(
            select(Item.code, BomLine.qty_per)
            .join(BomLine, BomLine.component_id == Item.id)
            .join(Bom, Bom.id == BomLine.bom_id)
            .where(Bom.number == bom)
        ).all()
    return {str(code): float(qty) for code, qty in rows}


def orders(session: Session) -> dict[str, tuple[float, date, date | None]]:
    with session.begin():
        rows = session.scalars(
            select(ProductionOrder).where(ProductionOrder.number.like("MO-1009-%"))
        )
        return {mo.number: (mo.qty, mo.due_date, mo.start_date) for mo in rows}


def edits(session: Session) -> list[str]:
    with session.begin():
        return [str(e) for e in order_bom.hand_edits(session, NUMBER, 1)]


def count(session: Session, table: Any) -> int:
    with session.begin():
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


HAND_EDITS = [
    f"{TOP}: {BODY_ITEM} 1 → 2",
    f"{TOP}: BRK-MNT-7040 14 → 16",
    f"{TOP}: CAP-7040-W × 1 removed",
    f"{TOP}: {SENSOR} × 2 added",
]


def test_the_hand_edits_are_known(configured: Session, edited: Session) -> None:
    assert sorted(edits(edited)) == HAND_EDITS


def test_a_new_due_date_moves_dates_only(edited: Session) -> None:
    before = lines(edited, TOP), lines(edited, BODY)
    was = orders(edited)
    qty_top, qty_body = was["MO-1009-1"][0], was["MO-1009-1.1"][0]
    later = date(2027, 1, 20)  # a Wednesday

    assert order_changes.change_line(edited, NUMBER, 1, due=later, author="s", today=TODAY) == []

    assert (lines(edited, TOP), lines(edited, BODY)) == before
    assert lines(edited, TOP)[SENSOR] == 2
    assert sorted(edits(edited)) == HAND_EDITS
    moved = orders(edited)
    # the run is finished on the new due date, started three working days before; the
    # body is finished when the run starts
    assert moved["MO-1009-1"] == (qty_top, later, date(2027, 1, 15))
    assert moved["MO-1009-1.1"] == (qty_body, date(2027, 1, 15), date(2027, 1, 12))
    # the history says what the change did to the work, each order before and after
    with edited.begin():
        (entry, *_) = audit.history(edited, ref=f"{NUMBER}/1", action="change")
        before, after = entry.before, entry.after
    assert before is not None and after is not None
    assert {k: before[k] for k in moved} == {k: shown(*was[k]) for k in moved}
    assert {k: after[k] for k in moved} == {k: shown(*moved[k]) for k in moved}
    assert (before["due"], after["due"]) == (DUE.isoformat(), later.isoformat())


def shown(qty: float, due: date, start: date | None) -> str:
    """A production order as the history shows it."""
    return f"qty {qty:g}, start {start}, due {due}"


def test_a_new_quantity_resizes_the_orders_from_the_order_bom_as_edited(edited: Session) -> None:
    before = lines(edited, TOP), lines(edited, BODY)
    order_changes.change_line(edited, NUMBER, 1, qty=6, author="sales", today=TODAY)
    assert (lines(edited, TOP), lines(edited, BODY)) == before
    assert sorted(edits(edited)) == HAND_EDITS
    sized = orders(edited)
    assert sized["MO-1009-1"][0] == 6
    assert sized["MO-1009-1.1"][0] == 12  # two bodies per run, by hand
    with edited.begin():
        (entry, *_) = audit.history(edited, ref=f"{NUMBER}/1", action="change")
        after = entry.after
    assert after is not None
    assert after["MO-1009-1"].startswith("qty 6, ")
    assert after["MO-1009-1.1"].startswith("qty 12, ")


def test_reconfiguring_names_the_hand_edits_and_drops_them_only_when_told(
    edited: Session,
) -> None:
    entries = count(edited, AuditEntry)
    with pytest.raises(ConflictError, match="hand edits that re-configuring drops") as refused:
        order_bom.configure_line(
            edited, NUMBER, 1, {**RUN, "emergency": "no"}, author="planner", today=TODAY
        )
    for text in HAND_EDITS:
        assert text in refused.value.message
    assert len(refused.value.params["hand_edits"]) == 4  # type: ignore[arg-type]
    assert count(edited, AuditEntry) == entries
    assert lines(edited, TOP)[SENSOR] == 2

    order_bom.configure_line(
        edited,
        NUMBER,
        1,
        {**RUN, "emergency": "no"},
        author="planner",
        today=TODAY,
        discard_edits=True,
    )
    now = lines(edited, TOP)
    assert SENSOR not in now and "SA-EMG-KIT-3H" not in now and now["CAP-7040-W"] == 1
    assert edits(edited) == []
    with edited.begin():
        (entry, *_) = audit.history(edited, ref=f"{NUMBER}/1", action="configure")
        after = entry.after
    assert after is not None
    dropped = {
        (d["component"], json.dumps(d["before"]), json.dumps(d["after"]))
        for d in after["dropped_edits"]
    }  # type: ignore[union-attr]
    assert (SENSOR, "null", json.dumps({"qty_per": 2.0, "scrap_pct": 0.0})) in dropped
    changed = {c["component"]: (c["before"], c["after"]) for c in after["lines"]}  # type: ignore[union-attr]
    assert changed[SENSOR] == ({"qty_per": 2.0, "scrap_pct": 0.0}, None)
    assert changed["SA-EMG-KIT-3H"] == ({"qty_per": 1.0, "scrap_pct": 0.0}, None)
    assert changed["CAP-7040-W"] == (None, {"qty_per": 1.0, "scrap_pct": 0.0})
    assert changed["BRK-MNT-7040"] == (
        {"qty_per": 16.0, "scrap_pct": 0.0},
        {"qty_per": 14.0, "scrap_pct": 0.0},
    )
    assert "SA-LEDMOD-2240" not in changed  # unchanged lines are not listed


def test_reconfiguring_without_hand_edits_needs_no_confirmation(configured: Session) -> None:
    assert edits(configured) == []
    order_bom.configure_line(
        configured, NUMBER, 1, {**RUN, "finish": "white"}, author="planner", today=TODAY
    )
    assert edits(configured) == []


def test_a_copied_order_bom_keeps_its_hand_edits_as_hand_edits(edited: Session) -> None:
    number = sales.create_order(edited, customer="Hartwell Construction", author="sales")
    sales.add_line(edited, number, item="LR-7040", qty=2, due=DUE, author="sales")
    order_bom.copy_order_bom(edited, TOP, number, 1, author="planner", today=TODAY)
    with edited.begin():
        copied = sorted(str(e) for e in order_bom.hand_edits(edited, number, 1))
    assert copied == sorted(
        e.replace(NUMBER, number).replace(f"{TOP}", f"BOM-{number}-1") for e in HAND_EDITS
    )


def test_an_order_bom_configured_before_its_lines_were_kept(edited: Session) -> None:
    """Configured by an earlier version, which kept only the values: the hand edits are
    found against what the template gives for them."""
    with edited.begin():
        for bom in edited.scalars(select(Bom).where(Bom.number.like(f"BOM-{NUMBER}-%"))):
            values = {k: v for k, v in (bom.configuration or {}).items() if not k.startswith("_")}
            edited.execute(update(Bom).where(Bom.id == bom.id).values(configuration=values))
    assert sorted(edits(edited)) == HAND_EDITS
    with pytest.raises(ConflictError, match=SENSOR):
        order_bom.configure_line(edited, NUMBER, 1, RUN, author="planner", today=TODAY)


def test_one_rule_for_editing_an_order_bom(edited: Session) -> None:
    """Allowed while a production order built from it is released (which is flagged),
    refused once the order is cancelled, for every adapter alike (#14, item 4)."""
    with edited.begin():
        edited.execute(
            update(ProductionOrder)
            .where(ProductionOrder.number == "MO-1009-1.1")
            .values(status=ProductionStatus.RELEASED)
        )
    order_bom.edit_bom_line(edited, BODY, position=1, qty_per=3, author="planner")
    with edited.begin():
        body = edited.scalars(
            select(ProductionOrder).where(ProductionOrder.number == "MO-1009-1.1")
        ).one()
        assert body.needs_review and "BOM-SO-1009-1.1" in body.review_note
    with pytest.raises(NotFoundError, match="SO-1001 has no order BOM"):
        order_bom.edit_bom_line(
            edited, BODY, position=1, qty_per=2, sales_order="SO-1001", author="planner"
        )
    sales.set_status(edited, "SO-1001", SalesOrderStatus.CANCELLED, author="sales")
    with edited.begin():
        number = edited.scalars(
            select(Bom.number).join(SalesOrder).where(SalesOrder.number == "SO-1001")
        ).first()
    assert number is not None
    entries = count(edited, AuditEntry)
    with pytest.raises(ConflictError, match="SO-1001 is cancelled; its order BOMs are not edited"):
        order_bom.edit_bom_line(edited, number, position=1, qty_per=2, author="planner")
    assert count(edited, AuditEntry) == entries

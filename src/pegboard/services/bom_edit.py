"""Engineering BOMs edited line by line (the browser's tree editor), with the rules of a
row of bom.csv and one more: the change is refused when it would make a cycle.

The engineering (master) BOM of an item is ``BOM-<item>``; adding its first line makes
it, removing its last leaves it empty (the item stays ``make``). A template (a BOM with
parameters) is edited as a template (``services.templates``), not here. Lines are kept in
order by ``position``; moving one up or down swaps it with its neighbour, moving it to
another parent takes it out of this BOM and adds it to that one, in one transaction.

Every change is in the audit trail (entity ``bom``, the BOM's number) with the line
before and after. A cycle is named from the component back to itself
("A -> B -> C -> A"), as the plan names one it finds in imported data.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pegboard.errors import ConflictError, NotFoundError, ValidationError
from pegboard.model import Bom, BomKind, BomLine, BomLineOption, BomParameter, Item, ItemType
from pegboard.services import audit
from pegboard.services._tx import writes

MAX_QTY = 1e9
"""A quantity per parent unit below this (bom.csv's bound)."""
MAX_DEPTH = 12
"""Levels the tree reads below the item (deeper levels say they are cut)."""
MAX_NODES = 1000
"""Lines the tree shows at most (a very wide structure is cut, and says so)."""


@dataclass
class TreeLine:
    """One line of a BOM in the tree, with its component's own lines below it."""

    position: int
    component: str
    description: str
    type: ItemType
    uom: str
    qty_per: float
    scrap_pct: float
    children: list[TreeLine] = field(default_factory=list)
    cut: bool = False
    """Its component has lines not read (``MAX_DEPTH`` or ``MAX_NODES``)."""


@dataclass(frozen=True)
class BomTree:
    item: str
    number: str | None
    """``BOM-<item>``, or ``None`` while the item has no engineering BOM."""
    template: bool
    """The BOM has parameters: a template, edited on the template editor."""
    lines: list[TreeLine]
    nodes: int
    cut: bool


def bom_number(item: str) -> str:
    return f"BOM-{item}"


def _item(session: Session, code: str, field_name: str = "item") -> Item:
    found = session.scalar(select(Item).where(Item.code == code))
    if found is None:
        raise NotFoundError(f"no item {code!r}", item=code, field=field_name)
    return found


def _engineering_bom(session: Session, item_id: int) -> Bom | None:
    return session.scalar(
        select(Bom).where(Bom.item_id == item_id, Bom.kind == BomKind.ENGINEERING)
    )


def _is_template(session: Session, bom: Bom | None) -> bool:
    if bom is None:
        return False
    return session.scalar(select(BomParameter.id).where(BomParameter.bom_id == bom.id)) is not None


def _children(session: Session, parents: set[int]) -> dict[int, set[int]]:
    """The components of these items' engineering structures (a template's choices too)."""
    out: dict[int, set[int]] = defaultdict(set)
    lines = select(Bom.item_id, BomLine.component_id).join(BomLine, BomLine.bom_id == Bom.id)
    options = (
        select(Bom.item_id, BomLineOption.component_id)
        .join(BomLine, BomLine.bom_id == Bom.id)
        .join(BomLineOption, BomLineOption.bom_line_id == BomLine.id)
    )
    for stmt in (lines, options):
        for chunk in _chunks(sorted(parents)):
            where = (Bom.kind == BomKind.ENGINEERING, Bom.item_id.in_(chunk))
            for parent, child in session.execute(stmt.where(*where)):
                out[parent].add(child)
    return out


def _chunks(ids: list[int], size: int = 1000) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _path(session: Session, start: int, goal: int) -> list[int] | None:
    """A path of components from ``start`` down to ``goal`` (both included), if any:
    read one level at a time, so only the structure below ``start`` is loaded."""
    came: dict[int, int | None] = {start: None}
    frontier = {start}
    while frontier:
        if goal in frontier:
            path = [goal]
            while (prev := came[path[-1]]) is not None:
                path.append(prev)
            return path[::-1]
        below = _children(session, frontier)
        frontier = set()
        for parent, children in below.items():
            for child in children - came.keys():
                came[child] = parent
                frontier.add(child)
    return None


def _refuse_cycle(session: Session, parent: Item, component: Item) -> None:
    """Refused when ``component`` is ``parent`` or has it somewhere below: the new line
    would close a loop, named from the parent round to itself."""
    path = _path(session, component.id, parent.id)
    if path is None:
        return
    codes = dict(session.execute(select(Item.id, Item.code).where(Item.id.in_(path))).all())
    names = [parent.code, *(codes[i] for i in path)]
    cycle = " -> ".join(names)
    raise ConflictError(
        f"{component.code} cannot go into {parent.code}: the BOM would have a cycle: {cycle}",
        cycle=names,
        field="component",
    )


def _quantity(name: str, value: float, *, positive: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValidationError(f"{name} must be a number, not {value!r}", field=name)
    if value < 0 or (positive and value == 0):
        sign = "greater than 0" if positive else "0 or more"
        raise ValidationError(f"{name} must be {sign}, not {value:g}", field=name)
    if value >= MAX_QTY:
        raise ValidationError(f"{name} is too large: {value:g}", field=name)
    return float(value)


def _line_dict(line: BomLine, component: str) -> dict[str, object]:
    return {
        "position": line.position,
        "component": component,
        "qty_per": line.qty_per,
        "scrap_pct": line.scrap_pct,
    }


def _editable(session: Session, item: Item, *, create: bool) -> Bom | None:
    """The item's engineering BOM to edit (made when ``create`` and there is none):
    refused for a template and for a buy item."""
    bom = _engineering_bom(session, item.id)
    if _is_template(session, bom):
        raise ConflictError(
            f"{item.code}'s BOM is a template (it has parameters): edit it as a template",
            item=item.code,
        )
    if bom is None and create:
        if item.type is not ItemType.MAKE:
            raise ConflictError(
                f"{item.code} is a buy item: make it a make item before giving it a BOM",
                item=item.code,
                field="component",
            )
        bom = Bom(number=bom_number(item.code), kind=BomKind.ENGINEERING, item_id=item.id)
        session.add(bom)
        try:
            session.flush()
        except IntegrityError:  # another request made it since the read above
            raise ConflictError(
                f"{item.code}'s BOM was just made by someone else: try again", item=item.code
            ) from None
    return bom


def _lines(session: Session, bom: Bom) -> list[BomLine]:
    return list(
        session.scalars(select(BomLine).where(BomLine.bom_id == bom.id).order_by(BomLine.position))
    )


def _line_at(session: Session, item: Item, position: int) -> tuple[Bom, BomLine]:
    bom = _editable(session, item, create=False)
    line = None
    if bom is not None:
        line = session.scalar(
            select(BomLine).where(BomLine.bom_id == bom.id, BomLine.position == position)
        )
    if bom is None or line is None:
        raise NotFoundError(f"{item.code}'s BOM has no line {position}", item=item.code)
    return bom, line


def _code_of(session: Session, item_id: int) -> str:
    return session.get_one(Item, item_id).code


def _add(session: Session, parent: Item, component: Item, qty: float, scrap: float) -> BomLine:
    bom = _editable(session, parent, create=True)
    assert bom is not None
    _refuse_cycle(session, parent, component)
    last = max((ln.position for ln in _lines(session, bom)), default=0)
    line = BomLine(
        bom_id=bom.id, position=last + 1, component_id=component.id, qty_per=qty, scrap_pct=scrap
    )
    session.add(line)
    session.flush()
    return line


def _audit(
    session: Session,
    item: str,
    action: str,
    *,
    author: str,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    note: str = "",
) -> None:
    """Every change of an engineering BOM is audited the same way: under the BOM's number
    (``bom_number(item)``), with what the line was and became."""
    audit.record(
        session,
        author=author,
        entity="bom",
        ref=bom_number(item),
        action=action,
        before=before,
        after=after,
        note=note,
    )


@writes
def add_line(
    session: Session,
    item: str,
    *,
    component: str,
    qty_per: float,
    scrap_pct: float = 0.0,
    author: str,
) -> int:
    """A new last line of ``item``'s engineering BOM (made if it has none); its position."""
    qty = _quantity("qty_per", qty_per, positive=True)
    scrap = _quantity("scrap_pct", scrap_pct, positive=False)
    parent = _item(session, item)
    line = _add(session, parent, _item(session, component, "component"), qty, scrap)
    _audit(session, parent.code, "add_line", after=_line_dict(line, component), author=author)
    return line.position


@writes
def change_line(
    session: Session,
    item: str,
    position: int,
    *,
    qty_per: float | None = None,
    scrap_pct: float | None = None,
    author: str,
) -> None:
    """A line's quantity per parent unit and scrap %; those not given keep theirs."""
    parent = _item(session, item)
    _bom, line = _line_at(session, parent, position)
    component = _code_of(session, line.component_id)
    before = _line_dict(line, component)
    if qty_per is not None:
        line.qty_per = _quantity("qty_per", qty_per, positive=True)
    if scrap_pct is not None:
        line.scrap_pct = _quantity("scrap_pct", scrap_pct, positive=False)
    after = _line_dict(line, component)
    if after == before:
        return
    session.flush()
    _audit(session, parent.code, "change_line", before=before, after=after, author=author)


@dataclass(frozen=True)
class LineView:
    """One line of an engineering BOM as a confirmation shows it before it is removed."""

    parent: str
    position: int
    component: str
    description: str
    uom: str
    qty_per: float
    scrap_pct: float
    lines_below: int
    """Lines of the component's own BOM (they stay: only this line goes)."""


def line_view(session: Session, item: str, position: int) -> LineView:
    """The line at ``position`` of the item's BOM (``NotFoundError`` if there is none)."""
    parent = _item(session, item)
    _bom, line = _line_at(session, parent, position)
    component = session.get_one(Item, line.component_id)
    below = _engineering_bom(session, component.id)
    return LineView(
        parent=parent.code,
        position=line.position,
        component=component.code,
        description=component.description,
        uom=component.uom,
        qty_per=line.qty_per,
        scrap_pct=line.scrap_pct,
        lines_below=0 if below is None else len(_lines(session, below)),
    )


@writes
def remove_line(session: Session, item: str, position: int, *, author: str) -> None:
    parent = _item(session, item)
    _bom, line = _line_at(session, parent, position)
    before = _line_dict(line, _code_of(session, line.component_id))
    session.delete(line)
    session.flush()
    _audit(session, parent.code, "remove_line", before=before, author=author)


@writes
def move_line(
    session: Session, item: str, position: int, direction: Literal["up", "down"], *, author: str
) -> int:
    """Swap a line with the one above or below it; its new position (the same at an end)."""
    parent = _item(session, item)
    bom, line = _line_at(session, parent, position)
    lines = _lines(session, bom)
    index = lines.index(line) + (-1 if direction == "up" else 1)
    if not 0 <= index < len(lines):
        return position
    other = lines[index]
    line.position, other.position = other.position, line.position
    session.flush()
    _audit(
        session,
        parent.code,
        "move_line",
        before={"position": position},
        after={"position": line.position, "component": _code_of(session, line.component_id)},
        author=author,
    )
    return line.position


@writes
def move_line_to(
    session: Session, item: str, position: int, new_parent: str, *, author: str
) -> int:
    """Take a line out of ``item``'s BOM and put it, quantity and scrap unchanged, last
    into ``new_parent``'s (checked for a cycle like a new line); its new position."""
    parent = _item(session, item)
    target = _item(session, new_parent, "new_parent")
    _bom, line = _line_at(session, parent, position)
    component = session.get_one(Item, line.component_id)
    before = _line_dict(line, component.code)
    if target.id == parent.id:
        return position
    moved = _add(session, target, component, line.qty_per, line.scrap_pct)
    session.delete(line)
    session.flush()
    for ref, action, values in (
        (parent.code, "remove_line", {"before": before}),
        (target.code, "add_line", {"after": _line_dict(moved, component.code)}),
    ):
        note = (
            f"moved from {parent.code} line {position}"
            if action == "add_line"
            else (f"moved to {target.code}")
        )
        _audit(session, ref, action, note=note, **values, author=author)
    return moved.position


@dataclass
class _Row:
    position: int
    component_id: int
    qty_per: float
    scrap_pct: float


def _structure(session: Session, top: int) -> tuple[dict[int, list[_Row]], dict[int, Any]]:
    """The engineering BOM lines below ``top``, by parent item, read one level at a time
    (at most ``MAX_DEPTH + 1`` levels and about ``MAX_NODES`` lines), and their items."""
    lines: dict[int, list[_Row]] = defaultdict(list)
    seen = {top}
    frontier = [top]
    read = 0
    for _level in range(MAX_DEPTH + 1):
        if not frontier or read > MAX_NODES:
            break
        found: list[int] = []
        for chunk in _chunks(frontier):
            stmt = (
                select(
                    Bom.item_id,
                    BomLine.position,
                    BomLine.component_id,
                    BomLine.qty_per,
                    BomLine.scrap_pct,
                )
                .join(BomLine, BomLine.bom_id == Bom.id)
                .where(Bom.kind == BomKind.ENGINEERING, Bom.item_id.in_(chunk))
                .order_by(Bom.item_id, BomLine.position, BomLine.id)
            )
            for parent, position, child, qty, scrap in session.execute(stmt):
                lines[parent].append(_Row(position, child, qty, scrap))
                read += 1
                if child not in seen:
                    seen.add(child)
                    found.append(child)
        frontier = found
    ids = sorted({r.component_id for rows in lines.values() for r in rows})
    items: dict[int, Any] = {}
    columns = (Item.id, Item.code, Item.description, Item.type, Item.uom)
    for chunk in _chunks(ids):  # the columns shown, not whole items: a wide tree reads many
        items.update((r.id, r) for r in session.execute(select(*columns).where(Item.id.in_(chunk))))
    return lines, items


def bom_tree(session: Session, item: str) -> BomTree:
    """The item's engineering BOM as a tree, each component's own lines below it (at
    most ``MAX_DEPTH`` levels and ``MAX_NODES`` lines; a loop in imported data is cut
    where it comes back, never followed)."""
    top = _item(session, item)
    bom = _engineering_bom(session, top.id)
    structure, items = _structure(session, top.id)
    count = 0
    cut = False

    def grow(parent_id: int, depth: int, above: frozenset[int]) -> list[TreeLine]:
        nonlocal count, cut
        out: list[TreeLine] = []
        for row in structure.get(parent_id, []):
            if count >= MAX_NODES:
                cut = True
                break
            count += 1
            child = items[row.component_id]
            node = TreeLine(
                row.position,
                child.code,
                child.description,
                child.type,
                child.uom,
                row.qty_per,
                row.scrap_pct,
            )
            below = structure.get(child.id)
            if below and (depth >= MAX_DEPTH or child.id in above):
                node.cut = cut = True
            elif below:
                node.children = grow(child.id, depth + 1, above | {child.id})
            out.append(node)
        return out

    lines = grow(top.id, 1, frozenset({top.id}))
    return BomTree(
        top.code,
        bom.number if bom is not None else None,
        _is_template(session, bom),
        lines,
        count,
        cut,
    )

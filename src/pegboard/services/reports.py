"""Reports on the current plan: what is late and why, what is short, what to release.

Every report reads the stored plan in a few set-based queries; the pegging
walks go one level per query (a sales order's structure is a few levels deep),
never one row at a time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVarTuple

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session

from pegboard.errors import NotFoundError
from pegboard.model import (
    Bom,
    BomKind,
    BomLine,
    Item,
    Pegging,
    PlanException,
    PlanLine,
    PlannedOrder,
    PlanProduction,
    PlanRun,
    ProductionOrder,
    PurchaseOrder,
    PurchaseOrderLine,
    SalesOrder,
    SalesOrderLine,
    ScheduledOrder,
)
from pegboard.services import mps_fence
from pegboard.services.plan_results import (
    current_run,
    exception_query,
    item_supply_refs,
    of_sales_order,
)
from pegboard.services.schedule import schedule_of, scheduled_held_notes

_MAKE_SUPPLY = ("planned_order", "production_order")


@dataclass
class PegNode:
    """One supply serving one demand, with what serves that supply in turn."""

    supply_type: str
    supply: str
    item: str
    qty: float
    available: date
    children: list[PegNode] = field(default_factory=list)
    held: str = ""
    """Why the finite schedule made it late, when a full work center did:
    "Powder-coating line (POWDER) full 2027-01-11 … 2027-01-22"; or that the master
    schedule's time fence holds it back."""
    fenced: bool = False
    """Held back by the master schedule's time fence: its date is the fence's, so a
    late chain ends at it (``critical_chain``)."""


@dataclass
class LineStatus:
    demand: str  # "SO/line"
    item: str
    qty: float
    due: date
    projected: date
    supplies: list[PegNode]

    @property
    def late_days(self) -> int:
        return max(0, (self.projected - self.due).days)


@dataclass(frozen=True)
class PlannedRow:
    number: str
    item: str
    description: str
    supplier: str
    qty: float
    uom: str
    release: date
    due: date
    sales_order: str
    late: bool


@dataclass(frozen=True)
class ExceptionRow:
    kind: str
    item: str
    order: str
    date: date
    sales_order: str
    message: str


def _planning_date(session: Session) -> date:
    return _current(session).planning_date


def _current(session: Session) -> PlanRun:
    run = current_run(session)
    if run is None:
        raise NotFoundError("there is no plan yet: run `pegboard plan` first")
    return run


class SupplyAvailability:
    """When each supply is available (rule 9's availability of a component), looked up
    in bulk per batch of refs: the late chain, the dispatch list and the finite schedule
    all ask it, so they agree on when material is there."""

    def __init__(self, session: Session, planning_date: date) -> None:
        self.session = session
        self.planning_date = planning_date

    def of(self, rows: list[tuple[str, str]]) -> dict[tuple[str, str], date]:
        by_type: dict[str, set[str]] = defaultdict(set)
        for supply_type, ref in rows:
            by_type[supply_type].add(ref)
        out = {("stock", ref): self.planning_date for ref in by_type.pop("stock", ())}
        for supply_type, refs in by_type.items():
            for chunk in _chunks(sorted(refs)):
                for ref, day in self.session.execute(_availability_query(supply_type, chunk)):
                    late_enough = (
                        day if supply_type == "planned_order" else max(day, self.planning_date)
                    )
                    out[(supply_type, ref)] = late_enough
        return out


def _availability_query(supply_type: str, refs: Sequence[str]) -> Select[str, date]:
    """When each supply of one type is available (rules 9 and 10): planned orders at their
    earliest completion, open production orders when the plan says their components let
    them be complete (their due date at the earliest), purchase lines at their due date.
    Where a finite schedule of the current plan completes a make order, its date is the
    schedule's (rule 10 with capacity: ``services.schedule_run``)."""
    if supply_type == "planned_order":
        return (
            select(
                PlannedOrder.number,
                func.coalesce(ScheduledOrder.available_date, PlannedOrder.earliest_completion),
            )
            .outerjoin(
                ScheduledOrder,
                (ScheduledOrder.order_ref == PlannedOrder.number)
                & (ScheduledOrder.plan_run_id == PlannedOrder.plan_run_id)
                & (ScheduledOrder.order_type == supply_type),
            )
            .where(PlannedOrder.number.in_(refs))
        )
    if supply_type == "production_order":
        return (
            select(
                ProductionOrder.number,
                func.coalesce(
                    ScheduledOrder.available_date,
                    PlanProduction.available_date,
                    ProductionOrder.due_date,
                ),
            )
            .outerjoin(PlanProduction, PlanProduction.production_order_id == ProductionOrder.id)
            .outerjoin(
                ScheduledOrder,
                (ScheduledOrder.order_ref == ProductionOrder.number)
                & (ScheduledOrder.plan_run_id == PlanProduction.plan_run_id)
                & (ScheduledOrder.order_type == supply_type),
            )
            .where(ProductionOrder.number.in_(refs))
        )
    po_ref = (
        PurchaseOrder.number + "/" + func.cast(PurchaseOrderLine.line, PurchaseOrder.number.type)
    )
    return (
        select(po_ref, PurchaseOrderLine.due_date)
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
        .where(po_ref.in_(refs))
    )


_CHUNK = 5_000
"""Values per IN list: well under every database's bind-parameter limit."""


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


@dataclass(frozen=True)
class _Chain:
    """What every level of a pegging tree reads alike, read once for the whole tree
    instead of once a level: the current plan run, whether its finite schedule is current
    (the held notes are read only then), and when each supply is available."""

    run: PlanRun
    scheduled: bool
    avail: SupplyAvailability

    @classmethod
    def read(cls, session: Session) -> _Chain:
        run = _current(session)
        scheduled = schedule_of(session, run.id) is not None
        return cls(run, scheduled, SupplyAvailability(session, run.planning_date))


def _peg_children(session: Session, demands: list[str], chain: _Chain) -> dict[str, list[PegNode]]:
    """The supplies pegged to each demand ref, with their availability."""
    rows: list[Any] = []
    for chunk in _chunks(demands):
        stmt = (
            select(
                Pegging.demand_ref, Pegging.supply_type, Pegging.supply_ref, Item.code, Pegging.qty
            )
            .join(Item, Item.id == Pegging.item_id)
            .where(Pegging.demand_ref.in_(chunk))
            .order_by(Pegging.id)
        )
        rows.extend(session.execute(stmt).all())
    supplies = [(st, ref) for _d, st, ref, _i, _q in rows]
    when = chain.avail.of(supplies)
    held = scheduled_held_notes(session, chain.run.id, supplies) if chain.scheduled else {}
    fenced = mps_fence.holds_in(session, chain.run, supplies)
    out: dict[str, list[PegNode]] = defaultdict(list)
    for demand, st, ref, item, qty in rows:
        node = PegNode(st, ref, item, qty, when.get((st, ref), chain.run.planning_date))
        node.held = held.get((st, ref), "") or fenced.get((st, ref), "")
        node.fenced = (st, ref) in fenced
        out[demand].append(node)
    return out


def _expand(session: Session, roots: list[PegNode], chain: _Chain, max_depth: int = 20) -> None:
    """Fill ``children`` of make supplies, level by level down to purchased parts."""
    frontier = [n for n in roots if n.supply_type in _MAKE_SUPPLY]
    for _ in range(max_depth):
        if not frontier:
            return
        children = _peg_children(session, sorted({n.supply for n in frontier}), chain)
        for node in frontier:
            node.children = children.get(node.supply, [])
        frontier = [c for n in frontier for c in n.children if c.supply_type in _MAKE_SUPPLY]


def sales_order_pegging(session: Session, sales_order: str) -> list[LineStatus]:
    """Each open line of ``sales_order`` with the full tree of supplies serving it."""
    chain = _Chain.read(session)
    pd = chain.run.planning_date
    stmt = (
        select(
            SalesOrderLine.line,
            Item.code,
            SalesOrderLine.qty - SalesOrderLine.shipped_qty,
            SalesOrderLine.due_date,
        )
        .join(SalesOrder, SalesOrder.id == SalesOrderLine.sales_order_id)
        .join(Item, Item.id == SalesOrderLine.item_id)
        .where(SalesOrder.number == sales_order)
        .order_by(SalesOrderLine.line)
    )
    lines = session.execute(stmt).all()
    if not lines:
        raise NotFoundError(f"no sales order {sales_order!r}", sales_order=sales_order)
    refs = [f"{sales_order}/{line}" for line, *_ in lines]
    tops = _peg_children(session, refs, chain)
    out = []
    for (_line, item, qty, due), ref in zip(lines, refs, strict=True):
        supplies = tops.get(ref, [])
        _expand(session, supplies, chain)
        projected = max((s.available for s in supplies), default=max(due, pd))
        out.append(LineStatus(ref, item, qty, due, projected, supplies))
    return out


def critical_chain(node: PegNode) -> list[PegNode]:
    """The chain of supplies that sets ``node``'s date: at each level, the latest component,
    down to the supply whose own date sets it (rule 9). Stock is available on the planning
    date, the earliest any supply can be, so a component from stock never sets a date: the
    chain ends above it, at the order that its own lead time from today or its due date
    makes late (naming a connector in stock as the reason would send a planner after the
    wrong part). A planned order the master schedule's time fence holds back ends it too:
    the fence sets its date."""
    chain = [node]
    while node.children and not node.fenced:
        node = max(node.children, key=lambda c: (c.available, c.supply))
        if node.supply_type == "stock":
            break
        chain.append(node)
    return chain


def late_orders(session: Session, *, limit: int | None = None, offset: int = 0) -> list[LineStatus]:
    """Sales-order lines projected after their due date, earliest due first, with the
    supply trees that explain them (expanded together, level by level)."""
    chain = _Chain.read(session)
    stmt = (
        select(
            PlanLine.demand_ref,
            Item.code,
            SalesOrderLine.qty - SalesOrderLine.shipped_qty,
            PlanLine.due_date,
            PlanLine.projected_date,
        )
        .join(SalesOrderLine, SalesOrderLine.id == PlanLine.sales_order_line_id)
        .join(Item, Item.id == SalesOrderLine.item_id)
        .where(PlanLine.late_days > 0)
        .order_by(PlanLine.due_date, PlanLine.demand_ref)
        .limit(limit)
        .offset(offset)
    )
    rows = session.execute(stmt).all()
    tops = _peg_children(session, [r[0] for r in rows], chain)
    _expand(session, [n for supplies in tops.values() for n in supplies], chain)
    return [
        LineStatus(ref, item, qty, due, projected or due, tops.get(ref, []))
        for ref, item, qty, due, projected in rows
    ]


def count_late(session: Session) -> int:
    stmt = select(func.count()).select_from(PlanLine).where(PlanLine.late_days > 0)
    return session.scalar(stmt) or 0


WALK_ITEMS_ABOVE = 2_000
"""Planned orders to list above which a page is found item by item (``_first_items``)."""


Cols = TypeVarTuple("Cols")


def _released(stmt: Select[*Cols], since: date | None, until: date | None) -> Select[*Cols]:
    """``stmt``'s planned orders released from ``since`` to ``until`` (either open)."""
    if until is not None:
        stmt = stmt.where(PlannedOrder.release_date <= until)
    if since is not None:
        stmt = stmt.where(PlannedOrder.release_date >= since)
    return stmt


def _planned(
    session: Session,
    kind: str,
    until: date | None,
    sales_order: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    known: int | None = None,
    since: date | None = None,
) -> list[PlannedRow]:
    """A page of the planned orders of ``kind`` to release from ``since`` to ``until``, by supplier,
    item, release day and number. When the caller knows there are many (``known``, the
    run's stored count, e.g. every planned order of a plan months old), the page's items
    are found first, so the database sorts a few items' orders, never all of them."""
    _planning_date(session)
    stmt = (
        select(
            PlannedOrder.number,
            Item.code,
            Item.description,
            Item.supplier,
            PlannedOrder.qty,
            Item.uom,
            PlannedOrder.release_date,
            PlannedOrder.due_date,
            SalesOrder.number,
            PlannedOrder.is_late,
        )
        .join(Item, Item.id == PlannedOrder.item_id)
        .outerjoin(SalesOrder, SalesOrder.id == PlannedOrder.sales_order_id)
        .where(PlannedOrder.type == kind, PlannedOrder.firmed_as.is_(None))
        .order_by(Item.supplier, Item.code, PlannedOrder.release_date, PlannedOrder.number)
    )
    stmt = _released(stmt, since, until)
    if sales_order is not None:
        stmt = stmt.where(SalesOrder.number == sales_order)
    elif limit is not None and known is not None and known > WALK_ITEMS_ABOVE:
        items = _first_items(session, kind, (since, until), limit + offset)
        stmt = stmt.where(PlannedOrder.item_id.in_(items))
    stmt = stmt.limit(limit).offset(offset)
    return [PlannedRow(*(r[:8]), r[8] or "", bool(r[9])) for r in session.execute(stmt)]


def _first_items(
    session: Session, kind: str, days: tuple[date | None, date | None], count: int
) -> list[int]:
    """The first ``count`` items, by supplier then code, with a planned order of ``kind``
    still to release in ``days`` (first, last): the first ``count`` rows of the list are
    theirs (each such item has at least one). The items are walked in that order along
    ``ix_item_supplier_code``, each asked along ``ix_planned_order_item`` (covering) and
    the walk stops at the ``count``-th: a few index probes per item, wherever the plan's
    dates are, instead of sorting every planned order of a plan whose dates are all past."""
    wanted = select(PlannedOrder.id).where(
        PlannedOrder.item_id == Item.id,
        PlannedOrder.type == kind,
        PlannedOrder.firmed_as.is_(None),
    )
    wanted = _released(wanted, *days)
    stmt = select(Item.id).where(wanted.exists()).order_by(Item.supplier, Item.code).limit(count)
    return list(session.scalars(stmt))


def buy_list(
    session: Session,
    *,
    until: date | None = None,
    limit: int | None = None,
    offset: int = 0,
    known: int | None = None,
    since: date | None = None,
) -> list[PlannedRow]:
    """Planned purchases to release from ``since`` to ``until`` (not firmed yet), by
    supplier then item (``known``: how many there are, when the caller has the run's
    count)."""
    return _planned(session, "buy", until, limit=limit, offset=offset, known=known, since=since)


def make_list(
    session: Session,
    *,
    until: date | None = None,
    limit: int | None = None,
    offset: int = 0,
    known: int | None = None,
    since: date | None = None,
) -> list[PlannedRow]:
    """Planned production to release from ``since`` to ``until`` (not firmed yet),
    ordered by item (``known``: how many there are, when the caller has the run's
    count)."""
    return _planned(session, "make", until, limit=limit, offset=offset, known=known, since=since)


def count_planned(
    session: Session, kind: str, *, until: date | None = None, since: date | None = None
) -> int:
    """Planned orders of ``kind`` still to release from ``since`` to ``until`` (firmed
    ones are not)."""
    stmt = (
        select(func.count())
        .select_from(PlannedOrder)
        .where(PlannedOrder.type == kind, PlannedOrder.firmed_as.is_(None))
    )
    return session.scalar(_released(stmt, since, until)) or 0


def _exceptions(
    session: Session,
    kinds: tuple[str, ...],
    sales_order: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[ExceptionRow]:
    _planning_date(session)
    stmt = exception_query(kinds, sales_order).limit(limit).offset(offset)
    return [ExceptionRow(k, i, o, d, so or "", m) for k, i, o, d, so, m in session.execute(stmt)]


SHORTAGE = ("shortage",)
ACTIONS = ("expedite", "defer", "cancel", "mps_short")
"""What to do to open orders and to the master schedule (``services.mps_flags``)."""


def shortages(
    session: Session,
    *,
    sales_order: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[ExceptionRow]:
    """Per sales order, what stock and open orders do not cover: still to buy or make."""
    return _exceptions(session, SHORTAGE, sales_order, limit, offset)


def actions(session: Session, *, limit: int | None = None, offset: int = 0) -> list[ExceptionRow]:
    """What to do to open orders (expedite, defer, cancel) and where the master schedule
    is short inside the time fence."""
    return _exceptions(session, ACTIONS, limit=limit, offset=offset)


def count_exceptions(
    session: Session, kinds: tuple[str, ...], *, sales_order: str | None = None
) -> int:
    stmt = select(func.count()).select_from(PlanException).where(PlanException.kind.in_(kinds))
    if sales_order is not None:
        stmt = of_sales_order(stmt, sales_order)
    return session.scalar(stmt) or 0


def all_exceptions(session: Session) -> list[ExceptionRow]:
    return _exceptions(session, ("late", "expedite", "defer", "cancel", "shortage", "mps_short"))


@dataclass
class UseNode:
    """A demand that a supply serves, and (for a parent order) what that order serves."""

    demand_type: str
    demand: str
    item: str
    qty: float
    parents: list[UseNode] = field(default_factory=list)


def where_used_supply(
    session: Session, item: str, *, max_rows: int | None = None
) -> list[tuple[str, str, float, list[UseNode]]]:
    """Each supply of ``item`` as ``(type, supply, qty, uses)``, traced up to sales orders.

    With ``max_rows``, at most that many of the item's allocations (the first ones
    of the plan) and at most that many rows per level above them are traced; the
    totals are then those of what was traced (see :func:`where_used_supply_cut`)."""
    return where_used_supply_cut(session, item, max_rows=max_rows)[0]


_CHUNK = 5_000
"""Values per IN list: well under every database's bind-parameter limit."""


def _supplied_by(
    session: Session, keys: Sequence[tuple[str, str]]
) -> list[tuple[str, str, str, str, str, float]]:
    """The pegging rows of these supplies (type, ref), in pegging order.

    Looked up by supply ref (its index) and matched on the type here: a row-value
    IN on both columns made SQLite scan the whole pegging table."""
    wanted = set(keys)
    refs = sorted({ref for _, ref in keys})
    rows: list[tuple[str, str, str, str, str, float, int]] = []
    for i in range(0, len(refs), _CHUNK):
        stmt = (
            select(
                Pegging.supply_type,
                Pegging.supply_ref,
                Pegging.demand_type,
                Pegging.demand_ref,
                Item.code,
                Pegging.qty,
                Pegging.id,
            )
            .join(Item, Item.id == Pegging.item_id)
            .where(Pegging.supply_ref.in_(refs[i : i + _CHUNK]))
        )
        rows += [r for r in session.execute(stmt) if (r[0], r[1]) in wanted]
    rows.sort(key=lambda r: r[6])
    return [(st, sref, dt, dref, code, qty) for st, sref, dt, dref, code, qty, _ in rows]


def where_used_supply_cut(
    session: Session, item: str, *, max_rows: int | None = None
) -> tuple[list[tuple[str, str, float, list[UseNode]]], bool]:
    """:func:`where_used_supply`, and whether ``max_rows`` cut the trace short."""
    _planning_date(session)
    item_id = session.scalar(select(Item.id).where(Item.code == item))
    if item_id is None:
        raise NotFoundError(f"no item {item!r}", item=item)
    columns = (
        Pegging.supply_type,
        Pegging.supply_ref,
        Pegging.demand_type,
        Pegging.demand_ref,
        Pegging.qty,
    )
    rows: list[tuple[str, str, str, str, float]]
    if max_rows is None:
        stmt = (
            select(*columns)
            .where(Pegging.item_id == item_id)
            .order_by(Pegging.supply_type, Pegging.supply_ref, Pegging.id)
        )
        rows = [(st, sref, dt, dref, qty) for st, sref, dt, dref, qty in session.execute(stmt)]
        cut = False
    else:
        # The item's rows through its supplies (index on supply ref and item), the
        # first ones in pegging order. ``id + 0``: ordered by id, SQLite would walk the
        # whole table in id order looking for them instead of using that index.
        run = current_run(session)
        found: list[Row[str, str, str, str, float, int]] = []
        if run is not None:
            refs = item_supply_refs(session, item_id, run.id)
            for i in range(0, len(refs), _CHUNK):
                found += session.execute(
                    select(*columns, Pegging.id)
                    .where(Pegging.supply_ref.in_(refs[i : i + _CHUNK]), Pegging.item_id == item_id)
                    .order_by(Pegging.id + 0)
                    .limit(max_rows + 1)
                ).all()
        found.sort(key=lambda r: r[5])
        cut = len(found) > max_rows
        found = sorted(found[:max_rows], key=lambda r: (r[0], r[1], r[5]))
        rows = [(st, sref, dt, dref, qty) for st, sref, dt, dref, qty, _id in found]
    grouped: dict[tuple[str, str], list[UseNode]] = defaultdict(list)
    totals: dict[tuple[str, str], float] = defaultdict(float)
    for st, sref, dt, dref, qty in rows:
        grouped[(st, sref)].append(UseNode(dt, dref, item, qty))
        totals[(st, sref)] += qty
    frontier = [n for uses in grouped.values() for n in uses]
    for _ in range(20):
        parents = [n for n in frontier if n.demand_type in _MAKE_SUPPLY]
        if not parents:
            break
        keys = sorted({(n.demand_type, n.demand) for n in parents})
        level = _supplied_by(session, keys)
        if max_rows is not None and len(level) > max_rows:
            cut = True
            level = level[:max_rows]
        ups: dict[tuple[str, str], list[UseNode]] = defaultdict(list)
        for st, sref, dt, dref, code, qty in level:
            ups[(st, sref)].append(UseNode(dt, dref, code, qty))
        for node in parents:
            node.parents = ups.get((node.demand_type, node.demand), [])
        frontier = [p for n in parents for p in n.parents]
    return [(st, ref, totals[(st, ref)], uses) for (st, ref), uses in grouped.items()], cut


__all__ = [
    "ExceptionRow",
    "LineStatus",
    "PegNode",
    "PlannedRow",
    "UseNode",
    "actions",
    "all_exceptions",
    "buy_list",
    "count_exceptions",
    "count_late",
    "count_planned",
    "critical_chain",
    "late_orders",
    "make_list",
    "sales_order_pegging",
    "shortages",
    "where_used_supply",
    "where_used_supply_cut",
]


@dataclass(frozen=True)
class Parent:
    """An item whose engineering BOM lists a component, and how many of it."""

    item: str
    description: str
    qty_per: float


def bom_parents(session: Session, code: str, *, limit: int) -> tuple[list[Parent], bool]:
    """Up to ``limit`` items whose engineering (master) BOM lists ``code``, by code,
    and whether there are more.

    A common fastener is in a hundred thousand BOMs (most of them orders'):
    sorting or even counting them all costs more than a page may. So the first
    ``limit`` BOM lines in the order they were written are read, then sorted."""
    component = select(Item.id).where(Item.code == code).scalar_subquery()
    stmt = (
        select(Item.code, Item.description, BomLine.qty_per)
        .select_from(BomLine)
        .join(Bom, Bom.id == BomLine.bom_id)
        .join(Item, Item.id == Bom.item_id)
        .where(
            BomLine.component_id == component,
            Bom.kind == BomKind.ENGINEERING,
            Bom.sales_order_id.is_(None),
        )
        .order_by(BomLine.id)
        .limit(limit + 1)
    )
    found = [Parent(c, d, q) for c, d, q in session.execute(stmt)]
    return sorted(found[:limit], key=lambda p: p.item), len(found) > limit

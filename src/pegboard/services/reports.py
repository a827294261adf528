"""Reports on the current plan: what is late and why, what is short, what to release.

Every report reads the stored plan in a few set-based queries; the pegging
walks go one level per query (a sales order's structure is a few levels deep),
never one row at a time.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from pegboard.errors import NotFoundError
from pegboard.model import (
    Item,
    Pegging,
    PlanException,
    PlannedOrder,
    ProductionOrder,
    PurchaseOrder,
    PurchaseOrderLine,
    SalesOrder,
    SalesOrderLine,
)
from pegboard.services.planning import current_run

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
    run = current_run(session)
    if run is None:
        raise NotFoundError("there is no plan yet: run `pegboard plan` first")
    return run.planning_date


class _Availability:
    """When each supply is available, looked up in bulk per batch of refs."""

    def __init__(self, session: Session, planning_date: date) -> None:
        self.session = session
        self.planning_date = planning_date

    def of(self, rows: list[tuple[str, str]]) -> dict[tuple[str, str], date]:
        out: dict[tuple[str, str], date] = {}
        by_type: dict[str, set[str]] = defaultdict(set)
        for supply_type, ref in rows:
            by_type[supply_type].add(ref)
        for ref in by_type.get("stock", ()):
            out[("stock", ref)] = self.planning_date
        if refs := by_type.get("planned_order"):
            stmt = select(PlannedOrder.number, PlannedOrder.earliest_completion).where(
                PlannedOrder.number.in_(refs)
            )
            out.update((("planned_order", n), d) for n, d in self.session.execute(stmt))
        if refs := by_type.get("production_order"):
            stmt2 = select(ProductionOrder.number, ProductionOrder.due_date).where(
                ProductionOrder.number.in_(refs)
            )
            out.update((("production_order", n), d) for n, d in self.session.execute(stmt2))
        if refs := by_type.get("purchase_order"):
            po_ref = (
                PurchaseOrder.number
                + "/"
                + func.cast(PurchaseOrderLine.line, PurchaseOrder.number.type)
            )
            stmt3 = (
                select(po_ref, PurchaseOrderLine.due_date)
                .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
                .where(po_ref.in_(refs))
            )
            out.update((("purchase_order", n), d) for n, d in self.session.execute(stmt3))
        return {
            k: max(v, self.planning_date) if k[0] != "planned_order" else v for k, v in out.items()
        }


def _peg_children(
    session: Session, demands: list[str], avail: _Availability
) -> dict[str, list[PegNode]]:
    """The supplies pegged to each demand ref, with their availability."""
    if not demands:
        return {}
    stmt = (
        select(Pegging.demand_ref, Pegging.supply_type, Pegging.supply_ref, Item.code, Pegging.qty)
        .join(Item, Item.id == Pegging.item_id)
        .where(Pegging.demand_ref.in_(demands))
        .order_by(Pegging.id)
    )
    rows = session.execute(stmt).all()
    when = avail.of([(st, ref) for _d, st, ref, _i, _q in rows])
    out: dict[str, list[PegNode]] = defaultdict(list)
    for demand, st, ref, item, qty in rows:
        out[demand].append(PegNode(st, ref, item, qty, when.get((st, ref), avail.planning_date)))
    return out


def _expand(
    session: Session, roots: list[PegNode], avail: _Availability, max_depth: int = 20
) -> None:
    """Fill ``children`` of make supplies, level by level down to purchased parts."""
    frontier = [n for n in roots if n.supply_type in _MAKE_SUPPLY]
    for _ in range(max_depth):
        if not frontier:
            return
        children = _peg_children(session, sorted({n.supply for n in frontier}), avail)
        for node in frontier:
            node.children = children.get(node.supply, [])
        frontier = [c for n in frontier for c in n.children if c.supply_type in _MAKE_SUPPLY]


def sales_order_pegging(session: Session, sales_order: str) -> list[LineStatus]:
    """Each open line of ``sales_order`` with the full tree of supplies serving it."""
    pd = _planning_date(session)
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
    avail = _Availability(session, pd)
    refs = [f"{sales_order}/{line}" for line, *_ in lines]
    tops = _peg_children(session, refs, avail)
    out = []
    for (_line, item, qty, due), ref in zip(lines, refs, strict=True):
        supplies = tops.get(ref, [])
        _expand(session, supplies, avail)
        projected = max((s.available for s in supplies), default=max(due, pd))
        out.append(LineStatus(ref, item, qty, due, projected, supplies))
    return out


def critical_chain(node: PegNode) -> list[PegNode]:
    """The chain of supplies that sets ``node``'s date: at each level, the latest component."""
    chain = [node]
    while node.children:
        node = max(node.children, key=lambda c: (c.available, c.supply))
        chain.append(node)
    return chain


def late_orders(session: Session) -> list[LineStatus]:
    """Every sales-order line whose projected completion is after its due date."""
    pd = _planning_date(session)
    stmt = (
        select(SalesOrder.number)
        .join(PlanException, PlanException.sales_order_id == SalesOrder.id)
        .where(PlanException.kind.in_(("late", "expedite")))
        .distinct()
        .order_by(SalesOrder.number)
    )
    numbers = session.scalars(stmt).all()
    out: list[LineStatus] = []
    for number in numbers:
        out.extend(
            line
            for line in sales_order_pegging(session, number)
            if line.projected > max(line.due, pd)
        )
    out.sort(key=lambda line: (line.due, line.demand))
    return out


def _planned(
    session: Session, kind: str, until: date | None, sales_order: str | None = None
) -> list[PlannedRow]:
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
        .where(PlannedOrder.type == kind)
        .order_by(Item.supplier, Item.code, PlannedOrder.release_date, PlannedOrder.number)
    )
    if until is not None:
        stmt = stmt.where(PlannedOrder.release_date <= until)
    if sales_order is not None:
        stmt = stmt.where(SalesOrder.number == sales_order)
    return [PlannedRow(*(r[:8]), r[8] or "", bool(r[9])) for r in session.execute(stmt)]


def buy_list(session: Session, *, until: date | None = None) -> list[PlannedRow]:
    """Planned purchases to release by ``until``, ordered by supplier then item."""
    return _planned(session, "buy", until)


def make_list(session: Session, *, until: date | None = None) -> list[PlannedRow]:
    """Planned production to release by ``until``, ordered by item."""
    return _planned(session, "make", until)


def _exceptions(
    session: Session, kinds: tuple[str, ...], sales_order: str | None = None
) -> list[ExceptionRow]:
    _planning_date(session)
    stmt = (
        select(
            PlanException.kind,
            Item.code,
            PlanException.order_ref,
            PlanException.date,
            SalesOrder.number,
            PlanException.message,
        )
        .join(Item, Item.id == PlanException.item_id)
        .outerjoin(SalesOrder, SalesOrder.id == PlanException.sales_order_id)
        .where(PlanException.kind.in_(kinds))
        .order_by(
            PlanException.date, PlanException.kind, PlanException.order_ref, SalesOrder.number
        )
    )
    if sales_order is not None:
        stmt = stmt.where(SalesOrder.number == sales_order)
    return [ExceptionRow(k, i, o, d, so or "", m) for k, i, o, d, so, m in session.execute(stmt)]


def shortages(session: Session, *, sales_order: str | None = None) -> list[ExceptionRow]:
    """Per sales order, what stock and open orders do not cover: still to buy or make."""
    return _exceptions(session, ("shortage",), sales_order)


def actions(session: Session) -> list[ExceptionRow]:
    """What to do to open orders: expedite, defer, cancel."""
    return _exceptions(session, ("expedite", "defer", "cancel"))


def all_exceptions(session: Session) -> list[ExceptionRow]:
    return _exceptions(session, ("late", "expedite", "defer", "cancel", "shortage"))


@dataclass
class UseNode:
    """A demand that a supply serves, and (for a parent order) what that order serves."""

    demand_type: str
    demand: str
    item: str
    qty: float
    parents: list[UseNode] = field(default_factory=list)


def where_used_supply(session: Session, item: str) -> list[tuple[str, str, float, list[UseNode]]]:
    """Each supply of ``item`` as ``(type, supply, qty, uses)``, traced up to sales orders."""
    _planning_date(session)
    item_id = session.scalar(select(Item.id).where(Item.code == item))
    if item_id is None:
        raise NotFoundError(f"no item {item!r}", item=item)
    stmt = (
        select(
            Pegging.supply_type,
            Pegging.supply_ref,
            Pegging.demand_type,
            Pegging.demand_ref,
            Pegging.qty,
        )
        .where(Pegging.item_id == item_id)
        .order_by(Pegging.supply_type, Pegging.supply_ref, Pegging.id)
    )
    grouped: dict[tuple[str, str], list[UseNode]] = defaultdict(list)
    totals: dict[tuple[str, str], float] = defaultdict(float)
    for st, sref, dt, dref, qty in session.execute(stmt):
        grouped[(st, sref)].append(UseNode(dt, dref, item, qty))
        totals[(st, sref)] += qty
    frontier = [n for uses in grouped.values() for n in uses]
    for _ in range(20):
        parents = [n for n in frontier if n.demand_type in _MAKE_SUPPLY]
        if not parents:
            break
        keys = sorted({(n.demand_type, n.demand) for n in parents})
        stmt2 = (
            select(
                Pegging.supply_type,
                Pegging.supply_ref,
                Pegging.demand_type,
                Pegging.demand_ref,
                Item.code,
                Pegging.qty,
            )
            .join(Item, Item.id == Pegging.item_id)
            .where(tuple_(Pegging.supply_type, Pegging.supply_ref).in_(keys))
            .order_by(Pegging.id)
        )
        ups: dict[tuple[str, str], list[UseNode]] = defaultdict(list)
        for st, sref, dt, dref, code, qty in session.execute(stmt2):
            ups[(st, sref)].append(UseNode(dt, dref, code, qty))
        for node in parents:
            node.parents = ups.get((node.demand_type, node.demand), [])
        frontier = [p for n in parents for p in n.parents]
    return [(st, ref, totals[(st, ref)], uses) for (st, ref), uses in grouped.items()]


__all__ = [
    "ExceptionRow",
    "LineStatus",
    "PegNode",
    "PlannedRow",
    "UseNode",
    "actions",
    "all_exceptions",
    "buy_list",
    "critical_chain",
    "late_orders",
    "make_list",
    "sales_order_pegging",
    "shortages",
    "where_used_supply",
]

"""What needs attention today: the dashboard's sections (late lines with the chain that
sets their date, shortages, what to release, purchase orders overdue or in transit,
production due soon), each a few rows and the count of all."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from pegboard.model import (
    Customer,
    PlanRun,
    ProductionOrder,
    PurchaseOrder,
    PurchaseOrderLine,
    SalesOrder,
)
from pegboard.model.enums import (
    ProductionStatus,
    PurchaseLineStatus,
    PurchaseOrderStatus,
)
from pegboard.services import plan_results, production, purchasing, reports
from pegboard.services.planning import current_run

ROWS = 20
"""Rows shown per section (the count says how many there are in all)."""
SHORTAGE_ROWS = 10
SOON_DAYS = 7
OPEN_PRODUCTION = (
    ProductionStatus.PLANNED,
    ProductionStatus.RELEASED,
    ProductionStatus.IN_PROGRESS,
)


@dataclass(frozen=True)
class ChainStep:
    kind: str
    supply: str
    item: str
    available: date
    held: str = ""
    """Why the finite schedule made it late, when a work center did (``PegNode.held``)."""


@dataclass(frozen=True)
class LateLine:
    demand: str
    customer: str
    item: str
    qty: float
    due: date
    projected: date
    late_days: int
    chain: list[ChainStep]

    @property
    def order(self) -> str:
        """The sales order of the line (``SO-1008`` of ``SO-1008/1``)."""
        return self.demand.rsplit("/", 1)[0]


@dataclass(frozen=True)
class OpenPurchase:
    number: str
    supplier: str
    status: str
    open_lines: int
    in_transit: int
    next_due: date | None
    overdue: bool


@dataclass
class Section:
    rows: list[Any] = field(default_factory=list)
    total: int = 0


@dataclass
class Dashboard:
    today: date
    run: PlanRun | None
    late: Section = field(default_factory=Section)
    shortages: Section = field(default_factory=Section)
    buy: Section = field(default_factory=Section)
    make: Section = field(default_factory=Section)
    purchases: Section = field(default_factory=Section)
    productions: Section = field(default_factory=Section)


_KINDS = {
    "planned_order": "planned",
    "production_order": "production",
    "purchase_order": "purchase",
}


def _customers(session: Session, orders: set[str]) -> dict[str, str]:
    stmt = (
        select(SalesOrder.number, Customer.name)
        .join(Customer, Customer.id == SalesOrder.customer_id)
        .where(SalesOrder.number.in_(orders))
    )
    return {row.number: row.name for row in session.execute(stmt)}


def _late(session: Session, run: PlanRun) -> Section:
    rows = []
    lines = reports.late_orders(session, limit=ROWS)
    customers = _customers(session, {line.demand.rsplit("/", 1)[0] for line in lines})
    for line in lines:
        chain: list[ChainStep] = []
        if line.supplies:
            latest = max(line.supplies, key=lambda s: (s.available, s.supply))
            chain = [
                ChainStep(
                    _KINDS.get(n.supply_type, n.supply_type), n.supply, n.item, n.available, n.held
                )
                for n in reports.critical_chain(latest)
            ]
        rows.append(
            LateLine(
                line.demand,
                customers.get(line.demand.rsplit("/", 1)[0], ""),
                line.item,
                line.qty,
                line.due,
                line.projected,
                (line.projected - line.due).days,
                chain,
            )
        )
    return Section(rows, plan_results.run_count_late(session, run))


def _purchases(session: Session, today: date) -> Section:
    """Open purchase orders with a line past its due date or on its way."""
    of_order = PurchaseOrderLine.purchase_order_id == PurchaseOrder.id
    overdue = exists().where(
        of_order,
        PurchaseOrderLine.status == PurchaseLineStatus.OPEN,
        PurchaseOrderLine.due_date < today,
    )
    in_transit = exists().where(of_order, PurchaseOrderLine.status == PurchaseLineStatus.IN_TRANSIT)
    transit_count = (
        select(func.count())
        .select_from(PurchaseOrderLine)
        .where(of_order, PurchaseOrderLine.status == PurchaseLineStatus.IN_TRANSIT)
        .scalar_subquery()
    )
    stmt = (
        purchasing.purchase_query()
        .add_columns(transit_count.label("in_transit"), overdue.label("overdue"))
        .where(
            PurchaseOrder.status.in_((PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.CONFIRMED)),
            or_(overdue, in_transit),
        )
    )
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    # every row has an open line, so next_due is never null (no NULLS ordering to differ)
    page = stmt.order_by(stmt.selected_columns.next_due, PurchaseOrder.number).limit(ROWS)
    rows = [
        OpenPurchase(
            r.number,
            r.supplier,
            r.status.value,
            r.open_lines,
            r.in_transit,
            r.next_due,
            bool(r.overdue),
        )
        for r in session.execute(page)
    ]
    return Section(rows, total)


def _productions(session: Session, today: date) -> Section:
    """Open production orders due within the next week (and any already overdue)."""
    stmt = production.production_query().where(
        ProductionOrder.status.in_(OPEN_PRODUCTION),
        ProductionOrder.due_date <= today + timedelta(days=SOON_DAYS),
    )
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = stmt.order_by(ProductionOrder.due_date, ProductionOrder.number).limit(ROWS)
    rows = [
        production.ProductionRow(
            r.number,
            r.item,
            r.qty,
            r.completed,
            r.status.value,
            r.start_date,
            r.due_date,
            r.sales_order or "",
        )
        for r in session.execute(page)
    ]
    return Section(rows, total)


def _to_release(session: Session, run: PlanRun, kind: str, today: date) -> Section:
    """The first planned orders of ``kind`` to release by today, by supplier then item,
    and how many there are (the run's stored count, which also tells the list whether
    to find its first rows item by item: a plan months old has every order past)."""
    total = plan_results.run_count_planned(session, run, kind, until=today)
    listed = reports.buy_list if kind == "buy" else reports.make_list
    return Section(listed(session, until=today, limit=ROWS, known=total), total)


def build(session: Session, today: date) -> Dashboard:
    board = Dashboard(today=today, run=current_run(session))
    if board.run is not None:
        run = board.run
        board.late = _late(session, run)
        board.shortages = Section(
            reports.shortages(session, limit=SHORTAGE_ROWS),
            sum(
                plan_results.run_exception_counts(session, run).get(k, 0) for k in reports.SHORTAGE
            ),
        )
        board.buy = _to_release(session, run, "buy", today)
        board.make = _to_release(session, run, "make", today)
    board.purchases = _purchases(session, today)
    board.productions = _productions(session, today)
    return board

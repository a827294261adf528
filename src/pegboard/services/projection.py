"""Projected stock of one item by date: what the current plan expects to happen to it.

Starts from on-hand stock now, adds every receipt (open purchase lines, open
production orders, and planned orders of the current plan not yet firmed) on
its due date and subtracts every requirement (open sales-order lines, what
open production orders still need of it, and what the plan's planned parent
orders will need) on its date. Dates before the planning date count on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, aliased

from pegboard.model import (
    Bom,
    BomLine,
    Item,
    Pegging,
    PlannedOrder,
    ProductionComponent,
    ProductionOrder,
    ProductionStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    SalesOrder,
    SalesOrderLine,
)
from pegboard.model.enums import OPEN_PRODUCTION_STATUSES, OPEN_PURCHASE_STATUSES
from pegboard.services.inventory import on_hand_qty
from pegboard.services.outstanding import outstanding
from pegboard.services.planning import current_run, local_today
from pegboard.services.production import bom_requirements
from pegboard.services.sales import get_item
from pegboard.services.snapshot import PLANNABLE_ORDER_STATUSES


@dataclass(frozen=True)
class Event:
    day: date
    qty: float  # + receipt, - requirement
    kind: str  # stock / purchase_order / production_order / planned_order / sales_order / component
    ref: str


@dataclass(frozen=True)
class ProjectionRow:
    day: date
    receipts: float
    requirements: float
    projected: float
    refs: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Projection:
    item: str
    plan_run: int | None  # None when there is no plan yet (planned orders then unknown)
    planning_date: date
    on_hand: float
    safety_stock: float
    rows: list[ProjectionRow]

    @property
    def lowest(self) -> float:
        return min((r.projected for r in self.rows), default=self.on_hand)


def projected_stock(session: Session, item: str) -> Projection:
    """The item's projected stock by date (see the module docstring)."""
    row = get_item(session, item)
    run = current_run(session)
    day0 = run.planning_date if run is not None else local_today()
    events = [
        *_purchase_receipts(session, row.id),
        *_production_receipts(session, row.id),
        *_sales_requirements(session, row.id),
        *_component_requirements(session, row.id),
    ]
    if run is not None:
        events += _planned(session, row.id, run.id)
    on_hand = on_hand_qty(session, row.id)
    return Projection(
        item=row.code,
        plan_run=run.id if run is not None else None,
        planning_date=day0,
        on_hand=on_hand,
        safety_stock=row.safety_stock,
        rows=_rows(events, on_hand, day0),
    )


def _rows(events: list[Event], on_hand: float, day0: date) -> list[ProjectionRow]:
    by_day: dict[date, list[Event]] = {}
    for event in events:
        by_day.setdefault(max(event.day, day0), []).append(event)
    rows = []
    level = on_hand
    for day in sorted(by_day):
        todays = by_day[day]
        receipts = float(sum(e.qty for e in todays if e.qty > 0))
        requirements = -float(sum(e.qty for e in todays if e.qty < 0))
        level += receipts - requirements
        refs = sorted({e.ref for e in todays})
        rows.append(ProjectionRow(day, _clean(receipts), _clean(requirements), _clean(level), refs))
    return rows


def _clean(qty: float) -> float:
    """Rounded away from float noise, and never ``-0.0``."""
    return round(qty, 9) + 0.0


def _purchase_receipts(session: Session, item_id: int) -> list[Event]:
    left = PurchaseOrderLine.qty - PurchaseOrderLine.received_qty
    stmt = (
        select(PurchaseOrder.number, PurchaseOrderLine.line, PurchaseOrderLine.due_date, left)
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
        .where(
            PurchaseOrderLine.item_id == item_id,
            PurchaseOrderLine.status.in_(OPEN_PURCHASE_STATUSES),
            left > 0,
        )
    )
    return [
        Event(due, float(qty), "purchase_order", f"{po}/{line}")
        for po, line, due, qty in session.execute(stmt)
    ]


def _open_orders() -> Select[ProductionOrder]:
    """Open production orders the planner counts (not those of unconfirmed sales orders)."""
    return (
        select(ProductionOrder)
        .outerjoin(SalesOrder, SalesOrder.id == ProductionOrder.sales_order_id)
        .where(
            ProductionOrder.status.in_(OPEN_PRODUCTION_STATUSES),
            ProductionOrder.qty > ProductionOrder.completed_qty,
            or_(
                ProductionOrder.status != ProductionStatus.PLANNED,
                ProductionOrder.sales_order_id.is_(None),
                SalesOrder.status.in_(PLANNABLE_ORDER_STATUSES),
            ),
        )
    )


def _production_receipts(session: Session, item_id: int) -> list[Event]:
    stmt = _open_orders().where(ProductionOrder.item_id == item_id)
    return [
        Event(mo.due_date, mo.qty - mo.completed_qty, "production_order", mo.number)
        for mo in session.scalars(stmt)
    ]


def _sales_requirements(session: Session, item_id: int) -> list[Event]:
    left = SalesOrderLine.qty - SalesOrderLine.shipped_qty
    stmt = (
        select(SalesOrder.number, SalesOrderLine.line, SalesOrderLine.due_date, left)
        .join(SalesOrder, SalesOrder.id == SalesOrderLine.sales_order_id)
        .where(
            SalesOrderLine.item_id == item_id,
            SalesOrder.status.in_(PLANNABLE_ORDER_STATUSES),
            SalesOrderLine.status.in_(PLANNABLE_ORDER_STATUSES),
            left > 0,
        )
    )
    return [
        Event(due, -float(qty), "sales_order", f"{so}/{line}")
        for so, line, due, qty in session.execute(stmt)
    ]


def _component_requirements(session: Session, item_id: int) -> list[Event]:
    """What open production orders still need of the item, on their start dates:
    their frozen component list once released, else their BOM (as the planner does)."""
    events = []
    listed = session.execute(
        select(ProductionOrder, ProductionComponent)
        .join(ProductionComponent, ProductionComponent.production_order_id == ProductionOrder.id)
        .where(
            ProductionComponent.item_id == item_id,
            ProductionOrder.status.in_(OPEN_PRODUCTION_STATUSES),
        )
    ).all()
    for mo, c in listed:
        need = float(
            outstanding(c.qty_per, mo.qty, mo.completed_qty, mo.scrapped_qty, c.issued_qty)
        )
        if need > 0 and not mo.components_issued:
            events.append(Event(_start(session, mo), -need, "component", mo.number))
    has_list = select(ProductionComponent.id).where(
        ProductionComponent.production_order_id == ProductionOrder.id
    )
    parents = (
        select(Bom.item_id)
        .join(BomLine, BomLine.bom_id == Bom.id)
        .where(BomLine.component_id == item_id)
    )
    unlisted = _open_orders().where(
        ProductionOrder.item_id.in_(parents),
        ~has_list.exists(),
        ProductionOrder.components_issued.is_(False),
    )
    for mo in session.scalars(unlisted):
        per = bom_requirements(session, mo).get(item_id, 0.0)
        if per > 0:
            need = per * (mo.qty - mo.completed_qty)
            events.append(Event(_start(session, mo), -need, "component", mo.number))
    return events


def _start(session: Session, mo: ProductionOrder) -> date:
    if mo.start_date is not None:
        return mo.start_date
    lead = session.scalar(select(Item.lead_time_days).where(Item.id == mo.item_id)) or 0
    return mo.due_date - timedelta(days=lead)


def _planned(session: Session, item_id: int, run_id: int) -> list[Event]:
    """Planned orders of the item (receipts) and what planned parents need of it."""
    mine = session.execute(
        select(PlannedOrder.number, PlannedOrder.due_date, PlannedOrder.qty).where(
            PlannedOrder.plan_run_id == run_id,
            PlannedOrder.item_id == item_id,
            PlannedOrder.firmed_as.is_(None),
        )
    ).all()
    events = [Event(due, float(qty), "planned_order", number) for number, due, qty in mine]
    parent = aliased(PlannedOrder)
    needs = session.execute(
        select(parent.number, parent.release_date, func.sum(Pegging.qty))
        .join(parent, parent.number == Pegging.demand_ref)
        .where(
            Pegging.plan_run_id == run_id,
            Pegging.item_id == item_id,
            Pegging.demand_type == "planned_order",
            parent.plan_run_id == run_id,
            parent.firmed_as.is_(None),
        )
        .group_by(parent.number, parent.release_date)
    ).all()
    events += [Event(day, -float(qty), "component", number) for number, day, qty in needs]
    return events

"""Projected stock of one item by date: what the current plan expects to happen to it.

Starts from on-hand stock now, adds every receipt (open purchase lines, open
production orders, and planned orders of the current plan not yet firmed) on
its due date and subtracts every requirement (open sales-order lines, what
open production orders still need of it, and what the plan's planned parent
orders will need) on its date. Dates before the planning date count on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from sqlalchemy import Row, Select, func, or_, select
from sqlalchemy.orm import Session

from pegboard import clock
from pegboard.model import (
    Item,
    PlannedOrder,
    PlanRun,
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
from pegboard.services.outstanding import component_per_unit, outstanding
from pegboard.services.parent_needs import parent_needs
from pegboard.services.planning import current_run
from pegboard.services.sales import get_item
from pegboard.services.snapshot import PLANNABLE_ORDER_STATUSES


@dataclass(frozen=True)
class Event:
    day: date
    qty: float  # + receipt, - requirement
    kind: str
    """purchase_order, production_order, planned_order (receipts); sales_order, component
    (an open production order's need), planned_component (planned parents' needs)."""
    ref: str
    others: int = 0
    """How many more orders this event stands for (needs summed per day in the database)."""


REFS_LISTED = 20
"""Orders named per projection row; the rest are counted."""


@dataclass(frozen=True)
class ProjectionRow:
    day: date
    receipts: float
    requirements: float
    projected: float
    refs: list[str] = field(default_factory=list)
    more_refs: int = 0
    """Orders of the day not listed in ``refs`` (at most :data:`REFS_LISTED` are)."""


@dataclass(frozen=True)
class Projection:
    item: str
    plan_run: int | None  # None when there is no plan yet (planned orders then unknown)
    planning_date: date
    on_hand: float
    safety_stock: float
    rows: list[ProjectionRow]
    events: list[Event] = field(default_factory=list)
    """Every receipt and requirement, by the day it counts (an overdue one on the
    planning date) then receipts first: the chart marks each one and links it to its order."""

    @property
    def lowest(self) -> float:
        return min((r.projected for r in self.rows), default=self.on_hand)


def projected_stock(session: Session, item: str, *, reuse: bool = False) -> Projection:
    """The item's projected stock by date (see the module docstring). ``reuse``: the
    planned parents' needs may come from an earlier read of the same plan state
    (``parent_needs``), for a reader whose transaction has written nothing."""
    row = get_item(session, item)
    run = current_run(session)
    day0 = run.planning_date if run is not None else clock.today()
    events = [
        *_purchase_receipts(session, row.id),
        *_production_receipts(session, row.id),
        *_sales_requirements(session, row.id),
        *_component_requirements(session, row.id),
    ]
    if run is not None:
        events += _planned(session, row.id, run, reuse=reuse)
    on_hand = on_hand_qty(session, row.id)
    return Projection(
        item=row.code,
        plan_run=run.id if run is not None else None,
        planning_date=day0,
        on_hand=on_hand,
        safety_stock=row.safety_stock,
        rows=_rows(events, on_hand, day0),
        events=sorted(events, key=lambda e: (max(e.day, day0), e.qty < 0, e.ref)),
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
        more = len(refs) - REFS_LISTED if len(refs) > REFS_LISTED else 0
        more += sum(e.others for e in todays)
        rows.append(
            ProjectionRow(
                day, _clean(receipts), _clean(requirements), _clean(level), refs[:REFS_LISTED], more
            )
        )
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
    their frozen component list once released, else their BOM (as the planner does).

    Set-based: the orders with their lead times, and the BOM quantities of the item,
    are read in a few queries, never one query per order; the parents' set stays in
    the database (a subquery, not a list of thousands of ids sent back to it), and
    what is still needed is worked out for all orders at once (``outstanding`` on
    arrays, the same arithmetic element by element)."""
    lead = func.coalesce(Item.lead_time_days, 0)
    listed = session.execute(
        select(
            ProductionOrder.number,
            ProductionOrder.qty,
            ProductionOrder.completed_qty,
            ProductionOrder.scrapped_qty,
            ProductionOrder.start_date,
            ProductionOrder.due_date,
            lead,
            ProductionComponent.qty_per,
            ProductionComponent.issued_qty,
        )
        .join(ProductionComponent, ProductionComponent.production_order_id == ProductionOrder.id)
        .join(Item, Item.id == ProductionOrder.item_id)
        .where(
            ProductionComponent.item_id == item_id,
            ProductionOrder.status.in_(OPEN_PRODUCTION_STATUSES),
            ProductionOrder.components_issued.is_(False),
        )
    ).all()
    events = _needs(
        [(r.number, r.qty, r.completed_qty, r.start_date, r.due_date, r[6]) for r in listed],
        [(r.qty_per, r.issued_qty, r.scrapped_qty) for r in listed],
    )
    has_list = select(ProductionComponent.id).where(
        ProductionComponent.production_order_id == ProductionOrder.id
    )
    # The parents are found from the open orders' items, never from the component's
    # BOM lines: a common fastener is in a hundred thousand BOMs. Only the items of
    # orders without a component list: a listed order's needs were read above, and
    # its item's BOMs would be read for nothing (half the parents at full size).
    made = (
        select(ProductionOrder.item_id)
        .where(
            ProductionOrder.status.in_(OPEN_PRODUCTION_STATUSES),
            ProductionOrder.components_issued.is_(False),
            ~has_list.exists(),
        )
        .distinct()
    )
    per_unit, parents = component_per_unit(session, item_id, made)
    unlisted: list[Row[str, int, int | None, float, float, date | None, date, int]] = []
    for chunk in _chunked(parents):
        unlisted += session.execute(
            _open_orders()
            .join(Item, Item.id == ProductionOrder.item_id)
            .with_only_columns(
                ProductionOrder.number,
                ProductionOrder.item_id,
                ProductionOrder.sales_order_id,
                ProductionOrder.qty,
                ProductionOrder.completed_qty,
                ProductionOrder.start_date,
                ProductionOrder.due_date,
                lead,
            )
            .where(
                ProductionOrder.item_id.in_(chunk),
                ~has_list.exists(),
                ProductionOrder.components_issued.is_(False),
            )
        ).all()
    pers = [per_unit(u.item_id, u.sales_order_id) for u in unlisted]
    using = [u for u, per in zip(unlisted, pers, strict=True) if per > 0]
    return events + _needs(
        [(u.number, u.qty, u.completed_qty, u.start_date, u.due_date, u[7]) for u in using],
        [(per, 0.0, 0.0) for per in pers if per > 0],
    )


def _needs(
    orders: Sequence[tuple[str, float, float, date | None, date, int]],
    components: Sequence[tuple[float, float, float]],
) -> list[Event]:
    """One event per order that still needs some of the component, on its start date
    (else its due date less its item's lead time). ``orders``: number, qty, completed,
    start date, due date, lead time days; ``components``, for each: its quantity per
    unit, issued, and the order's units scrapped."""
    if not orders:
        return []
    qty_per, issued, scrapped = (
        np.array(c, dtype=np.float64) for c in zip(*components, strict=True)
    )
    qty = np.array([o[1] for o in orders], dtype=np.float64)
    completed = np.array([o[2] for o in orders], dtype=np.float64)
    need = outstanding(qty_per, qty, completed, scrapped, issued)
    events = []
    for (number, _qty, _done, start, due, lead), left in zip(orders, need.tolist(), strict=True):
        if left > 0:
            day = start if start is not None else due - timedelta(days=lead or 0)
            events.append(Event(day, -left, "component", number))
    return events


_CHUNK = 5_000
"""Values per IN list: well under every database's bind-parameter limit."""


def _chunked(values: set[int]) -> list[list[int]]:
    ordered = sorted(values)
    return [ordered[i : i + _CHUNK] for i in range(0, len(ordered), _CHUNK)]


def _planned(session: Session, item_id: int, run: PlanRun, *, reuse: bool) -> list[Event]:
    """Planned orders of the item (receipts) and what planned parents need of it, per
    release day (``parent_needs``: "PL-000069 and 1,312 more")."""
    mine = session.execute(
        select(PlannedOrder.number, PlannedOrder.due_date, PlannedOrder.qty).where(
            PlannedOrder.plan_run_id == run.id,
            PlannedOrder.item_id == item_id,
            PlannedOrder.firmed_as.is_(None),
        )
    ).all()
    events = [Event(due, float(qty), "planned_order", number) for number, due, qty in mine]
    return events + [
        Event(day, -qty, "planned_component", first, others=count - 1)
        for day, qty, first, count in parent_needs(session, item_id, run, reuse=reuse)
    ]

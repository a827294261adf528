"""What the finite schedule is made from: the current plan's make orders, their
routings and the material the plan pegged to them, read in a few set-based queries.

The orders are every open production order the plan saw (``plan_production``) and
every planned make order of the plan not yet firmed, each with what remains to make.
An order's routing is chosen as its BOM is (``services.load``); operations already
finished on the shop floor are done and not scheduled again. An order may start on
the planning date at the earliest; a planned order at its release date, a planned
(not yet released) production order at its start date. It completes when its routing
is done, but not before its lead time from its start nor before the plan completes it
(``engine.schedule``): the schedule only moves dates later. Its material is what the plan
pegged to it: stock, purchase lines and bought planned orders on their availability
(rule 9), and made components — orders scheduled here too — on their scheduled
completion (``pred``). Its priority is its sales order's most urgent line's (100 without one).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pegboard.engine.capacity import WorkCenters
from pegboard.engine.schedule import ScheduleOps, ScheduleOrders
from pegboard.model import (
    Item,
    OperationProgress,
    Pegging,
    PlannedOrder,
    PlanProduction,
    PlanRun,
    ProductionOrder,
    ProductionStatus,
    SalesOrderLine,
)
from pegboard.services.load import _work_centers
from pegboard.services.reports import SupplyAvailability
from pegboard.services.routing_arrays import Expanded, RoutingArrays, expand, read_routings

EPS = 1e-6
NO_PRIORITY = 100
"""Rule 8's priority of an order that covers no sales order."""
STARTED = (ProductionStatus.RELEASED, ProductionStatus.IN_PROGRESS)
MAKE = ("production_order", "planned_order")


@dataclass(frozen=True)
class OrderRow:
    order_type: str
    ref: str
    item_id: int
    bom_id: int | None
    sales_order_id: int | None
    qty: float
    due: date
    ready: date
    released: bool
    production_order_id: int | None
    floor: date
    """When the plan completes it (rule 9): the schedule never earlier."""


@dataclass(frozen=True)
class ScheduleInput:
    run: PlanRun
    rows: list[OrderRow]
    orders: ScheduleOrders
    ops: ScheduleOps
    op_sequence: list[int]
    wcs: WorkCenters
    wc_ids: list[int]
    """Work center id of each engine position."""


def _production_orders(session: Session, run: PlanRun) -> list[OrderRow]:
    pd = run.planning_date
    out = []
    mo = ProductionOrder
    for row in session.connection().execute(
        select(
            mo.id,
            mo.number,
            mo.item_id,
            mo.bom_id,
            mo.sales_order_id,
            mo.qty - mo.completed_qty - mo.scrapped_qty,
            mo.due_date,
            mo.start_date,
            mo.status,
            PlanProduction.available_date,
        )
        .join(PlanProduction, PlanProduction.production_order_id == mo.id)
        .where(PlanProduction.plan_run_id == run.id)
        .order_by(mo.number)
    ):
        mo_id, number, item_id, bom_id, so_id, remaining, due, start, status, floor = row
        if remaining <= EPS:
            continue
        started = status in STARTED
        ready = pd if started or start is None else max(pd, start)
        out.append(
            OrderRow(
                "production_order",
                number,
                item_id,
                bom_id,
                so_id,
                remaining,
                due,
                ready,
                started,
                mo_id,
                floor,
            )
        )
    return out


def _planned_orders(session: Session, run: PlanRun) -> list[OrderRow]:
    rows = session.connection().execute(
        select(
            PlannedOrder.number,
            PlannedOrder.item_id,
            PlannedOrder.sales_order_id,
            PlannedOrder.qty,
            PlannedOrder.due_date,
            PlannedOrder.release_date,
            PlannedOrder.earliest_completion,
        )
        .where(
            PlannedOrder.plan_run_id == run.id,
            PlannedOrder.type == "make",
            PlannedOrder.firmed_as.is_(None),
        )
        .order_by(PlannedOrder.number)
    )
    return [
        OrderRow(
            "planned_order",
            number,
            item_id,
            None,
            so,
            qty,
            due,
            max(run.planning_date, release),
            False,
            None,
            done,
        )
        for number, item_id, so, qty, due, release, done in rows
    ]


def _material(
    session: Session, run: PlanRun, index: dict[str, int]
) -> tuple[dict[int, date], dict[int, set[int]]]:
    """Per order position: the latest availability of its unscheduled material, and
    the scheduled orders whose output it consumes."""
    conn = session.connection()  # plain rows: a full-size plan pegs millions
    rows = [
        (i, supply_type, ref)
        for demand, supply_type, ref in conn.execute(
            select(Pegging.demand_ref, Pegging.supply_type, Pegging.supply_ref).where(
                Pegging.plan_run_id == run.id, Pegging.demand_type.in_(MAKE)
            )
        )
        if (i := index.get(demand)) is not None
    ]
    # bought planned orders in one read (a hundred thousand of them at full size); the
    # rest (purchase lines, orders not scheduled here) as the reports find them
    when: dict[tuple[str, str], date] = {
        ("planned_order", number): day
        for number, day in conn.execute(
            select(PlannedOrder.number, PlannedOrder.earliest_completion).where(
                PlannedOrder.plan_run_id == run.id, PlannedOrder.type == "buy"
            )
        )
    }
    outside = {
        (t, ref)
        for _i, t, ref in rows
        if t != "stock" and ref not in index and (t, ref) not in when
    }
    when |= SupplyAvailability(session, run.planning_date).of(sorted(outside))
    latest: dict[int, date] = {}
    preds: dict[int, set[int]] = defaultdict(set)
    planning_date = run.planning_date
    for i, supply_type, ref in rows:
        if supply_type in MAKE and (j := index.get(ref)) is not None:
            preds[i].add(j)
            continue
        day = when.get((supply_type, ref), planning_date)
        latest[i] = max(latest.get(i, day), day)
    return latest, preds


def _unfinished(
    session: Session, rows: list[OrderRow], routes: RoutingArrays, got: Expanded
) -> Expanded:
    """The operations less those finished on the shop floor (done: not scheduled again)."""
    finished = {
        (order_id, sequence)
        for order_id, sequence in session.execute(
            select(OperationProgress.production_order_id, OperationProgress.sequence).where(
                OperationProgress.finished_at.is_not(None)
            )
        )
    }
    if not finished:
        return got
    mo_ids = [r.production_order_id for r in rows]
    keep = np.fromiter(
        (
            (mo_ids[i], seq) not in finished
            for i, seq in zip(got.order.tolist(), routes.sequence[got.row].tolist(), strict=True)
        ),
        dtype=np.bool_,
        count=len(got.order),
    )
    return Expanded(got.order[keep], got.row[keep], got.hours[keep])


def read_input(session: Session, run: PlanRun) -> ScheduleInput:
    """The engine's input for the schedule of plan ``run`` (module doc)."""
    wcs, position = _work_centers(session)
    wc_ids = [0] * len(position)
    for wc_id, k in position.items():
        wc_ids[k] = wc_id
    routes = read_routings(session, position)
    rows = _production_orders(session, run) + _planned_orders(session, run)
    index = {r.ref: i for i, r in enumerate(rows)}
    latest, preds = _material(session, run, index)
    priority = dict(
        session.execute(
            select(SalesOrderLine.sales_order_id, func.min(SalesOrderLine.priority)).group_by(
                SalesOrderLine.sales_order_id
            )
        ).all()
    )
    leads = dict(session.execute(select(Item.id, Item.lead_time_days)).all())
    route_of = np.fromiter(
        (routes.choose(r.item_id, r.bom_id, r.sales_order_id) for r in rows),
        dtype=np.int64,
        count=len(rows),
    )
    qty = np.fromiter((r.qty for r in rows), dtype=np.float64, count=len(rows))
    got = _unfinished(session, rows, routes, expand(routes, route_of, qty))
    pred_lists = [sorted(preds.get(i, ())) for i in range(len(rows))]
    orders = ScheduleOrders(
        code=[r.ref for r in rows],
        released=np.array([r.released for r in rows], dtype=np.bool_),
        priority=np.array(
            [priority.get(r.sales_order_id or 0, NO_PRIORITY) for r in rows], dtype=np.int64
        ),
        due=np.array([r.due.toordinal() for r in rows], dtype=np.int64),
        ready=np.array(
            [max(r.ready, latest.get(i, r.ready)).toordinal() for i, r in enumerate(rows)],
            dtype=np.int64,
        ),
        # a started order is running: what is left of it is its routing, not a lead time
        lead=np.array(
            [0 if r.released else leads.get(r.item_id) or 0 for r in rows], dtype=np.int64
        ),
        floor=np.array([r.floor.toordinal() for r in rows], dtype=np.int64),
        pred_ptr=np.cumsum([0, *(len(p) for p in pred_lists)]).astype(np.int64),
        pred=np.array([j for p in pred_lists for j in p], dtype=np.int64),
    )
    ops = ScheduleOps(
        order=got.order,
        sequence=routes.sequence[got.row],
        work_center=routes.work_center[got.row],
        hours=got.hours,
        queue_days=routes.queue[got.row],
        move_days=routes.move[got.row],
    )
    sequences: list[int] = ops.sequence.tolist()
    return ScheduleInput(run, rows, orders, ops, sequences, wcs, wc_ids)

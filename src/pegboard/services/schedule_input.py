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
An operation a planner pinned on the board keeps its work center and days
(``services.schedule_pins``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import repeat
from typing import NamedTuple

import numpy as np
from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import Session

from pegboard.engine.capacity import WorkCenters
from pegboard.engine.schedule import IntArray, ScheduleOps, ScheduleOrders
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
from pegboard.services.cursor_rows import columns, days, ordinals, tuples
from pegboard.services.load import _work_centers
from pegboard.services.reports import SupplyAvailability
from pegboard.services.routing_arrays import Expanded, RoutingArrays, expand, read_routings
from pegboard.services.schedule_pins import AppliedPins, apply_pins

EPS = 1e-6
NO_PRIORITY = 100
"""Rule 8's priority of an order that covers no sales order."""
STARTED = (ProductionStatus.RELEASED, ProductionStatus.IN_PROGRESS)
MAKE = ("production_order", "planned_order")
NOT_HERE = -1


class OrderRow(NamedTuple):
    """One order to schedule (a tuple: a full-size plan has three hundred thousand)."""

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
    position: dict[str, int]
    """Each order's ref -> its position in ``rows``."""
    pins: AppliedPins = field(default_factory=AppliedPins)
    """The planners' pinned operations placed first, and those ignored (``schedule_pins``)."""


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
    rows = tuples(
        session.connection(),
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
        .order_by(PlannedOrder.number),
    )
    day = days([d for row in rows for d in row[4:]])
    ready = {text: max(run.planning_date, d) for text, d in day.items()}
    if not rows:
        return []
    number, item_id, so, qty, due, release, done = zip(*rows, strict=True)
    # built in C (zip's tuples made OrderRows by tuple.__new__): three hundred thousand
    # calls of the NamedTuple's Python constructor cost more than reading the rows
    fields = zip(
        repeat("planned_order"),
        number,
        item_id,
        repeat(None),
        so,
        qty,
        map(day.__getitem__, due),
        map(ready.__getitem__, release),
        repeat(False),
        repeat(None),
        map(day.__getitem__, done),
    )
    return list(map(tuple.__new__, repeat(OrderRow), fields))


def _material(
    session: Session, run: PlanRun, index: dict[str, int], n: int
) -> tuple[IntArray, IntArray]:
    """Per order position: the latest availability (ordinal) of its unscheduled
    material; and the pairs (order, scheduled order whose output it consumes), sorted
    and without repeats.

    A full-size plan pegs two million supplies to its make orders, three in four of
    them bought planned orders: their latest per order is taken in the database, and
    stock (available on the planning date, before any order may start) is not read at
    all; only the rest comes back row by row.
    """
    conn = session.connection()
    latest = np.full(n, run.planning_date.toordinal(), dtype=np.int64)
    bought = (
        (PlannedOrder.plan_run_id == Pegging.plan_run_id)
        & (PlannedOrder.number == Pegging.supply_ref)
        & (PlannedOrder.type == "buy")
        & (Pegging.supply_type == "planned_order")
    )
    to_make = (Pegging.plan_run_id == run.id) & Pegging.demand_type.in_(MAKE)
    # grouped by an expression, not by the column: by the column, SQLite walks the
    # demand index and reads two million rows in its order (10 s of I/O, not 1.4 s)
    demand_key = Pegging.demand_ref.concat(literal_column("''"))
    demand, day = columns(
        conn,
        select(demand_key, func.max(PlannedOrder.earliest_completion))
        .join(PlannedOrder, bought)
        .where(to_make)
        .group_by(demand_key),
    )
    _later(latest, index, demand, ordinals(day))
    rest = tuples(
        conn,
        select(Pegging.demand_ref, Pegging.supply_type, Pegging.supply_ref)
        .outerjoin(PlannedOrder, bought)
        .where(to_make, Pegging.supply_type != "stock", PlannedOrder.id.is_(None)),
    )
    pairs: list[tuple[int, int]] = []
    outside: list[tuple[str, str, str]] = []
    for demand_ref, supply_type, ref in rest:
        if (i := index.get(demand_ref)) is None:
            continue
        if supply_type in MAKE and (j := index.get(ref)) is not None:
            pairs.append((i, j))
        else:
            outside.append((demand_ref, supply_type, ref))
    when = SupplyAvailability(session, run.planning_date).of(
        sorted({(t, ref) for _d, t, ref in outside})
    )
    _later(
        latest,
        index,
        [d for d, _t, _r in outside],
        np.array(
            [when.get((t, ref), run.planning_date).toordinal() for _d, t, ref in outside],
            dtype=np.int64,
        ),
    )
    return latest, _unique_pairs(pairs, n)


def _unique_pairs(pairs: list[tuple[int, int]], n: int) -> IntArray:
    """The (i, j) pairs (both below ``n``) sorted and without repeats, as an (m, 2) array:
    each pair one integer i × n + j, sorted (``np.unique(axis=0)`` compares rows as
    records, many times slower on a full-size plan's pegging)."""
    key = np.sort(np.array(pairs, dtype=np.int64).reshape(-1, 2) @ np.array([n, 1]))
    key = key[np.diff(key, prepend=-1) != 0]
    return np.stack((key // max(n, 1), key % max(n, 1)), axis=1).astype(np.int64)


def _later(latest: IntArray, index: dict[str, int], refs: Sequence[str], days: IntArray) -> None:
    """``latest[order of ref] = max(latest, day)`` for each (ref, day); refs of orders not
    scheduled here are left out."""
    at = np.fromiter(map(index.get, refs, repeat(NOT_HERE)), dtype=np.int64, count=len(refs))
    keep = at != NOT_HERE
    np.maximum.at(latest, at[keep], days[keep])


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


def _ordinals(days: Sequence[date]) -> IntArray:
    """A column of dates as day ordinals, each distinct day converted once."""
    known = {d: d.toordinal() for d in set(days)}
    return np.fromiter(map(known.__getitem__, days), np.int64, count=len(days))


def _leads(session: Session) -> IntArray:
    """Each item's lead time in days (none: 0), indexed by item id: one numeric matrix
    of the driver's tuples (a full-size company has three hundred thousand items)."""
    pairs = np.array(
        tuples(session.connection(), select(Item.id, func.coalesce(Item.lead_time_days, 0))),
        dtype=np.int64,
    ).reshape(-1, 2)
    out = np.zeros(int(pairs[:, 0].max(initial=0)) + 1, dtype=np.int64)
    out[pairs[:, 0]] = pairs[:, 1]
    return out


def read_input(session: Session, run: PlanRun) -> ScheduleInput:
    """The engine's input for the schedule of plan ``run`` (module doc)."""
    wcs, position = _work_centers(session)
    wc_ids = [0] * len(position)
    for wc_id, k in position.items():
        wc_ids[k] = wc_id
    routes = read_routings(session, position)
    rows = _production_orders(session, run) + _planned_orders(session, run)
    # the orders' fields as columns, transposed in C, each turned into an array at once
    (_t, refs, item_ids, bom_ids, so_ids, qtys, dues, readies, started, _mo, floors) = (
        list(zip(*rows, strict=True)) if rows else [()] * len(OrderRow._fields)
    )
    index = dict(zip(refs, range(len(rows)), strict=True))
    latest, edges = _material(session, run, index, len(rows))
    priority = dict(
        session.execute(
            select(SalesOrderLine.sales_order_id, func.min(SalesOrderLine.priority)).group_by(
                SalesOrderLine.sales_order_id
            )
        ).all()
    )
    n = len(rows)
    route_of = np.fromiter(map(routes.choose, item_ids, bom_ids, so_ids), np.int64, count=n)
    got = _unfinished(
        session, rows, routes, expand(routes, route_of, np.array(qtys, dtype=np.float64))
    )
    released = np.array(started, dtype=np.bool_)
    orders = ScheduleOrders(
        code=list(refs),
        released=released,
        priority=np.array([priority.get(so or 0, NO_PRIORITY) for so in so_ids], dtype=np.int64),
        due=_ordinals(dues),
        ready=np.maximum(_ordinals(readies), latest),
        # a started order is running: what is left of it is its routing, not a lead time
        lead=np.where(released, 0, _leads(session)[np.array(item_ids, dtype=np.int64)]),
        floor=_ordinals(floors),
        pred_ptr=np.concatenate(([0], np.cumsum(np.bincount(edges[:, 0], minlength=n)))).astype(
            np.int64
        ),
        pred=edges[:, 1].copy(),
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
    ops, pins = apply_pins(session, run.planning_date, _t, index, ops, position)
    return ScheduleInput(run, rows, orders, ops, sequences, wcs, wc_ids, index, pins)

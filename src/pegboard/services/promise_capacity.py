"""Order promising with capacity (issue #15, item 5): the quote's production orders placed
into the hours the current finite schedule leaves free.

Promise (``services.promise``) finds when the material lets the quote be complete and
which orders it needs. When a finite schedule of the current plan exists, those
production orders are scheduled after every order of the plan (they are not promised
yet: the lowest priority), each waiting for its made components, with the same rules
as the schedule (``engine.schedule``): its operations on its item's routing, never
before its material nor before the material date (capacity only moves a date later).
When that makes the top order complete later, the promise takes that date, and names
the work center that set it ("POWDER full 2027-01-19 … 2027-01-21").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.engine import promise as ep
from pegboard.engine.schedule import BY_PLAN, FULL, NONE, Schedule, ScheduleOps, ScheduleOrders
from pegboard.engine.schedule import schedule as place
from pegboard.model import Item
from pegboard.services.plan_results import current_run
from pegboard.services.routing_arrays import read_routings
from pegboard.services.schedule import current_schedule, held_note
from pegboard.services.schedule_input import ScheduleInput, read_input

LAST = 10**9
"""The priority of a quote: after every order of the plan."""
MAX_ORDERS = 20_000
"""The quote is placed by scheduling the plan again with it: beyond this many orders that
takes longer than a promise may (seconds at 60,000 orders), and the promise keeps its
material date. Placing into the stored schedule's free hours instead is what is left."""


@dataclass(frozen=True)
class CapacityDate:
    day: int
    """When the quote's top order completes in the free capacity (a day ordinal)."""
    note: str
    """What set it when capacity did ("POWDER full 2027-01-19"); empty otherwise."""


def with_capacity(session: Session, result: ep.PromiseResult) -> CapacityDate | None:
    """The quote placed into the current schedule's free capacity; None without a
    schedule of the current plan or production orders to place."""
    makes = sorted((o for o in result.orders if o.make), key=lambda o: o.position)
    run = current_run(session)
    sched = current_schedule(session)
    if not makes or run is None or sched is None or sched.orders > MAX_ORDERS:
        return None
    data = read_input(session, run)
    orders, ops = _with_quote(session, data, makes)
    placed = place(orders, ops, data.wcs)
    n = len(data.rows)
    top = min(range(len(makes)), key=lambda k: (makes[k].position.count("."), makes[k].position))
    return CapacityDate(int(placed.completion[n + top]), _note(placed, ops, data, makes))


def _with_quote(
    session: Session, data: ScheduleInput, makes: list[ep.NewOrder]
) -> tuple[ScheduleOrders, ScheduleOps]:
    """The plan's orders and operations, then the quote's (children before parents)."""
    n = len(data.rows)
    at = {o.position: n + k for k, o in enumerate(makes)}
    position = {wc_id: k for k, wc_id in enumerate(data.wc_ids)}
    routes = read_routings(session, position)
    ids = dict(
        session.execute(
            select(Item.code, Item.id).where(Item.code.in_({o.item for o in makes}))
        ).all()
    )
    old = data.orders
    preds = [old.pred[old.pred_ptr[i] : old.pred_ptr[i + 1]].tolist() for i in range(n)]
    preds += [[at[p] for p in at if p.rsplit(".", 1)[0] == o.position and "." in p] for o in makes]
    cols: dict[str, list[float]] = {k: [] for k in ("order", "seq", "wc", "hours", "q", "m")}
    for k, o in enumerate(makes):
        route = routes.by_item.get(ids.get(o.item, -1), NONE)
        first = int(routes.first[route]) if route != NONE else 0
        for j in range(first, first + int(routes.count[route]) if route != NONE else 0):
            for key, value in (
                ("order", n + k),
                ("seq", int(routes.sequence[j])),
                ("wc", int(routes.work_center[j])),
                ("hours", float(routes.setup[j] + routes.run[j] * o.qty)),
                ("q", int(routes.queue[j])),
                ("m", int(routes.move[j])),
            ):
                cols[key].append(value)
    orders = ScheduleOrders(
        code=[*old.code, *(f"quote {o.position}" for o in makes)],
        released=np.concatenate([old.released, np.zeros(len(makes), dtype=np.bool_)]),
        priority=np.concatenate([old.priority, np.full(len(makes), LAST, dtype=np.int64)]),
        due=np.concatenate([old.due, np.array([o.due for o in makes], dtype=np.int64)]),
        ready=np.concatenate(
            [old.ready, np.array([o.start_earliest for o in makes], dtype=np.int64)]
        ),
        lead=np.concatenate([old.lead, np.array([o.lead_time for o in makes], dtype=np.int64)]),
        floor=np.concatenate(
            [old.floor, np.array([o.complete_earliest for o in makes], dtype=np.int64)]
        ),
        pred_ptr=np.cumsum([0, *(len(p) for p in preds)]).astype(np.int64),
        pred=np.array([j for p in preds for j in p], dtype=np.int64),
    )
    ops = ScheduleOps(
        order=np.concatenate([data.ops.order, np.asarray(cols["order"], dtype=np.int64)]),
        sequence=np.concatenate([data.ops.sequence, np.asarray(cols["seq"], dtype=np.int64)]),
        work_center=np.concatenate([data.ops.work_center, np.asarray(cols["wc"], dtype=np.int64)]),
        hours=np.concatenate([data.ops.hours, np.asarray(cols["hours"], dtype=np.float64)]),
        queue_days=np.concatenate([data.ops.queue_days, np.asarray(cols["q"], dtype=np.int64)]),
        move_days=np.concatenate([data.ops.move_days, np.asarray(cols["m"], dtype=np.int64)]),
    )
    return orders, ops


def _note(placed: Schedule, ops: ScheduleOps, data: ScheduleInput, makes: list[ep.NewOrder]) -> str:
    """The work center that set the quote's date: of the highest quote order whose
    operations, not its material, set its completion."""
    for k in sorted(range(len(makes)), key=lambda k: makes[k].position.count(".")):
        i = len(data.rows) + k
        op = int(placed.bottleneck[i])
        if placed.cause[i] == BY_PLAN or op == NONE:
            continue
        wc = data.wcs.code[int(ops.work_center[op])]
        if placed.cause[i] == FULL:
            first, last = int(placed.held_from[op]), int(placed.held_to[op])
        else:
            first, last = int(placed.start[op]), int(placed.end[op])
        cause = "full" if placed.cause[i] == FULL else "routing"
        return held_note(wc, cause, date.fromordinal(first), date.fromordinal(last))
    return ""

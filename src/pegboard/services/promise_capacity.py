"""Order promising with capacity (issue #15, item 5): the quote's production orders placed
into the hours the stored finite schedule of the current plan leaves free.

Promise (``services.promise``) finds when the material lets the quote be complete and
which orders it needs. When a finite schedule of the current plan is stored, those
production orders are placed after every order of that schedule (they are not
promised yet: the lowest priority, so nothing already scheduled moves): each work
center's free hours of a day are its hours (``services.free_hours``: calendar,
weekday hours, closed days, units, efficiency) minus the hours the stored
schedule took that day as it counted them itself (``ScheduledLoad``, stored with it),
read for the quote's work centers only: the quote lands exactly where scheduling it
with every order, last, would put it. The quote's orders are placed with the schedule's own rules
(``engine.free_hours``): operations in sequence on the routing the order would get
(a configured node's from its template's routing lines, else its item's engineering
routing, else the routing of its newest order BOM), each order never before its
material nor its made components, never before the material date (capacity only
moves a date later). When that makes the top order complete later, the promise
takes that date and names the work center that set it ("POWDER full 2027-01-19 …
2027-01-21").

The days read start where the quote can first start and reach as far as it needs:
a year, then, when the quote's operations end past it, to the last day the stored
schedule uses those work centers (a shop booked years ahead). Nothing is scheduled again, so
there is no size past which capacity is left out. Without a stored schedule of the
current plan the date counts the material and lead times only, and the answer
says so (``BASIS_NONE``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.engine import promise as ep
from pegboard.engine.free_hours import place_after
from pegboard.engine.schedule import (
    BY_PLAN,
    FULL,
    NONE,
    Schedule,
    ScheduleError,
    ScheduleOps,
    ScheduleOrders,
)
from pegboard.model import Bom, Item, Routing, RoutingOperation, WorkCenter
from pegboard.services.free_hours import Shop, has_load, last_booked, read_shop, used_hours
from pegboard.services.routing_lines import ConfiguredOperation
from pegboard.services.schedule import current_schedule, held_note

LAST = 10**9
"""The priority of a quote: after every order of the plan."""
WINDOW = 366
"""Days of the stored schedule read first; all of them when the quote needs more."""
BASIS_SCHEDULE = (
    "Capacity: the operations of the quote are placed into the hours the stored finite "
    "schedule of the current plan ({made}) leaves free on each work center, after every "
    "order it holds."
)
BASIS_NONE = (
    "Capacity not counted: no finite schedule of the current plan is stored, so the date "
    "counts material and lead times only (run `pegboard schedule` or `pegboard plan "
    "--finite` to promise into the free hours of the work centers)."
)
BASIS_NO_HOURS = "Capacity not counted: {why}."
BASIS_OLD = (
    "Capacity not counted: the stored finite schedule was made before schedules kept the "
    "hours they take each day (run `pegboard schedule` again to promise into its free hours)."
)

Operations = Mapping[str, Sequence[ConfiguredOperation]]
"""A configured node's operations (its template's routing lines), by its position."""


@dataclass(frozen=True)
class CapacityDate:
    day: int | None
    """When the quote's top order completes in the free capacity (a day ordinal); None
    when capacity was not counted."""
    note: str
    """What set it when capacity did ("POWDER full 2027-01-19"); empty otherwise."""
    basis: str
    """What the date counts of capacity, said in the answer's note."""


@dataclass(frozen=True)
class _Quote:
    makes: list[ep.NewOrder]
    orders: ScheduleOrders
    ops: ScheduleOps


def with_capacity(
    session: Session, result: ep.PromiseResult, configured: Operations | None = None
) -> CapacityDate | None:
    """The quote placed into the stored schedule's free hours; None when it makes nothing
    (capacity cannot change its date)."""
    makes = sorted((o for o in result.orders if o.make), key=lambda o: o.position)
    if not makes:
        return None
    sched = current_schedule(session)
    if sched is None:
        return CapacityDate(None, "", BASIS_NONE)
    if not has_load(session, sched.id):
        return CapacityDate(None, "", BASIS_OLD)
    routes = _routes(session, makes, configured or {})
    shop = read_shop(session, {op.work_center for ops in routes for op in ops})
    quote = _quote(makes, routes, shop)
    try:
        placed = _place(session, sched.id, quote, shop)
    except ScheduleError as e:
        return CapacityDate(None, "", BASIS_NO_HOURS.format(why=e))
    top = min(range(len(makes)), key=lambda k: (makes[k].position.count("."), makes[k].position))
    made = f"planning date {sched.planning_date.isoformat()}"
    return CapacityDate(
        int(placed.completion[top]),
        _note(placed, quote, shop),
        BASIS_SCHEDULE.format(made=made),
    )


def _place(session: Session, schedule_run_id: int, quote: _Quote, shop: Shop) -> Schedule:
    """The quote placed into the free hours, reading as many days as it needs (module doc):
    the days past the first read are read too, to the last stored one."""
    first = int(quote.orders.ready.min())
    last = first + WINDOW
    used = used_hours(session, schedule_run_id, shop, first, last)
    placed = place_after(quote.orders, quote.ops, shop.wcs, used, first)
    end = int(placed.end.max()) if len(placed.end) else first
    if end <= last:
        return placed
    booked_to = last_booked(session, schedule_run_id, shop)
    if booked_to is None or booked_to <= last:
        return placed  # nothing stored past the days read: they were free
    more = used_hours(session, schedule_run_id, shop, last + 1, booked_to)
    return place_after(
        quote.orders, quote.ops, shop.wcs, np.concatenate([used, more], axis=1), first
    )


def _routes(
    session: Session, makes: list[ep.NewOrder], configured: Operations
) -> list[Sequence[ConfiguredOperation]]:
    """Each quote order's operations: its configured node's, else its item's routing."""
    of_item = _item_routings(session, {o.item for o in makes if o.position not in configured})
    return [
        configured[o.position] if o.position in configured else of_item.get(o.item, ())
        for o in makes
    ]


def _item_routings(session: Session, codes: set[str]) -> dict[str, list[ConfiguredOperation]]:
    """The routing of each item: its engineering routing, else its newest order BOM's
    (the BOM a promise explodes it by)."""
    if not codes:
        return {}
    rows = session.execute(
        select(
            Item.code,
            Routing.bom_id,
            RoutingOperation.sequence,
            WorkCenter.code,
            RoutingOperation.setup_hours,
            RoutingOperation.run_hours,
            RoutingOperation.queue_days,
            RoutingOperation.move_days,
        )
        .join(Routing, Routing.item_id == Item.id)
        .outerjoin(Bom, Bom.id == Routing.bom_id)
        .join(RoutingOperation, RoutingOperation.routing_id == Routing.id)
        .join(WorkCenter, WorkCenter.id == RoutingOperation.work_center_id)
        .where(Item.code.in_(sorted(codes)))
        .order_by(Item.code, RoutingOperation.sequence)
    ).all()
    best: dict[str, tuple[bool, int]] = {}
    for code, bom_id, *_ in rows:
        key = (bom_id is None, bom_id or 0)
        if code not in best or key > best[code]:
            best[code] = key
    out: dict[str, list[ConfiguredOperation]] = {}
    for code, bom_id, seq, wc, setup, run, queue, move in rows:
        if (bom_id is None, bom_id or 0) == best[code]:
            op = ConfiguredOperation(seq, wc, setup, run, "", queue or 0, move or 0)
            out.setdefault(code, []).append(op)
    return out


def _quote(
    makes: list[ep.NewOrder], routes: list[Sequence[ConfiguredOperation]], shop: Shop
) -> _Quote:
    """The quote's orders (each waiting for its made components) and their operations on
    the work centers of ``shop``."""
    at = {o.position: k for k, o in enumerate(makes)}
    preds = [[at[p] for p in at if "." in p and p.rsplit(".", 1)[0] == o.position] for o in makes]
    cols: dict[str, list[float]] = {k: [] for k in ("order", "seq", "wc", "hours", "q", "m")}
    for k, (o, route) in enumerate(zip(makes, routes, strict=True)):
        for op in route:
            if op.work_center not in shop.position:
                continue  # a work center removed since: nothing to wait for
            for key, value in (
                ("order", k),
                ("seq", op.sequence),
                ("wc", shop.position[op.work_center]),
                ("hours", float(op.setup_hours) + float(op.run_hours) * o.qty),
                ("q", op.queue_days),
                ("m", op.move_days),
            ):
                cols[key].append(value)

    def ints(values: Sequence[float]) -> npt.NDArray[np.int64]:
        return np.asarray(values, dtype=np.int64)

    orders = ScheduleOrders(
        code=[f"quote {o.position}" for o in makes],
        released=np.zeros(len(makes), dtype=np.bool_),
        priority=np.full(len(makes), LAST, dtype=np.int64),
        due=ints([o.due for o in makes]),
        ready=ints([o.start_earliest for o in makes]),
        lead=ints([o.lead_time for o in makes]),
        floor=ints([o.complete_earliest for o in makes]),
        pred_ptr=np.cumsum([0, *(len(p) for p in preds)]).astype(np.int64),
        pred=ints([j for p in preds for j in p]),
    )
    ops = ScheduleOps(
        order=ints(cols["order"]),
        sequence=ints(cols["seq"]),
        work_center=ints(cols["wc"]),
        hours=np.asarray(cols["hours"], dtype=np.float64),
        queue_days=ints(cols["q"]),
        move_days=ints(cols["m"]),
    )
    return _Quote(makes, orders, ops)


def _note(placed: Schedule, quote: _Quote, shop: Shop) -> str:
    """The work center that set the quote's date: of the highest quote order whose
    operations, not its material, set its completion."""
    makes = quote.makes
    for i in sorted(range(len(makes)), key=lambda k: makes[k].position.count(".")):
        op = int(placed.bottleneck[i])
        if placed.cause[i] == BY_PLAN or op == NONE:
            continue
        wc = shop.wcs.code[int(quote.ops.work_center[op])]
        if placed.cause[i] == FULL:
            first, last = int(placed.held_from[op]), int(placed.held_to[op])
        else:
            first, last = int(placed.start[op]), int(placed.end[op])
        cause = "full" if placed.cause[i] == FULL else "routing"
        return held_note(wc, cause, date.fromordinal(first), date.fromordinal(last))
    return ""

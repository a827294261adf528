"""The load on work centers: what the open and planned production orders ask of them.

Every open production order (what remains of it) and every planned make order of
the current plan that is not firmed yet follows its routing, chosen as its BOM is:
the order routing of its own order BOM when it has one, else that of its sales
order's order BOM of its item, else its item's; scheduled backward from its due date at
infinite capacity (``engine.capacity``). The hours are compared with what each work
center has, per day and per ISO week; where they are more, the orders asking for
them are listed. Orders whose item has no routing ask nothing of anyone.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from pegboard.engine.capacity import (
    Load,
    Operations,
    WorkCenters,
    available_hours,
    backward_load,
)
from pegboard.errors import NotFoundError, PlanningError
from pegboard.model import (
    PlannedOrder,
    ProductionOrder,
    ProductionStatus,
    Routing,
    RoutingOperation,
    WorkCenter,
    WorkCenterClosedDay,
)
from pegboard.services._gc import collector_paused
from pegboard.services.calendar import load_calendar
from pegboard.services.cursor_rows import column_lists, days, ordinals, tuples
from pegboard.services.plan_results import current_run
from pegboard.services.routing_arrays import (
    NONE,
    RoutingArrays,
    coded,
    expand,
    read_routings,
)

EPS = 1e-6
OPEN = (ProductionStatus.PLANNED, ProductionStatus.RELEASED, ProductionStatus.IN_PROGRESS)


class HoursAgainstCapacity:
    """What a period's hours asked say against the hours a work center has: over it (past
    a rounding margin) and the load in percent. Shared by the load's days and weeks and the
    master schedule's rough cut, so they call the same hours 'over' alike."""

    required: float
    available: float

    @property
    def over(self) -> bool:
        return self.required > self.available + EPS

    @property
    def percent(self) -> float | None:
        return None if self.available <= 0 else 100 * self.required / self.available


@dataclass(frozen=True)
class Period(HoursAgainstCapacity):
    work_center: str
    start: date
    """The day, or the Monday of the week."""
    label: str
    """2027-01-11, or 2027-W02."""
    required: float
    available: float
    orders: tuple[str, ...]


@dataclass(frozen=True)
class ScheduledOperation:
    order: str
    sequence: int
    work_center: str
    hours: float
    start: date
    end: date


@dataclass(frozen=True)
class _Placed:
    """The load's operations as arrays, turned into ``ScheduledOperation``s only when
    asked for (a Gantt, a dispatch list): the load's totals do not need the hundreds of
    thousands of objects of a full-size company."""

    labels: list[str]
    sequence: npt.NDArray[np.int64]
    codes: list[str]
    ops: Operations
    load: Load
    only: int | None

    def operations(self) -> list[ScheduledOperation]:
        ops, load = self.ops, self.load
        keep = (
            np.arange(len(ops))
            if self.only is None
            else np.flatnonzero(ops.work_center == self.only)
        )
        order, wc = ops.order[keep].tolist(), ops.work_center[keep].tolist()
        return [
            ScheduledOperation(
                self.labels[o],
                seq,
                self.codes[w],
                hours,
                date.fromordinal(start),
                date.fromordinal(end),
            )
            for o, seq, w, hours, start, end in zip(
                order,
                self.sequence[keep].tolist(),
                wc,
                ops.hours[keep].tolist(),
                load.start[keep].tolist(),
                load.end[keep].tolist(),
                strict=True,
            )
        ]


@dataclass(frozen=True)
class LoadReport:
    days: list[Period]
    weeks: list[Period]
    placed: _Placed

    @cached_property
    def operations(self) -> list[ScheduledOperation]:
        """Each operation of the load (of the work center asked for), where it runs."""
        return self.placed.operations()

    @property
    def overloaded_days(self) -> list[Period]:
        return [p for p in self.days if p.over]

    @property
    def overloaded_weeks(self) -> list[Period]:
        return [p for p in self.weeks if p.over]


def work_centers(session: Session) -> tuple[WorkCenters, dict[int, int]]:
    """The work centers as the engine takes them (their hours by weekday, units,
    efficiency, closed days and the plant calendar) and each one's position by id: what
    the load and the MPS's rough-cut check (``services.mps_rough_cut``) count hours by."""
    return _work_centers(session)


def _work_centers(session: Session) -> tuple[WorkCenters, dict[int, int]]:
    rows = session.scalars(select(WorkCenter).order_by(WorkCenter.code)).all()
    position = {wc.id: i for i, wc in enumerate(rows)}
    closed: list[set[int]] = [set() for _ in rows]
    for wc_id, day in session.execute(
        select(WorkCenterClosedDay.work_center_id, WorkCenterClosedDay.day)
    ):
        closed[position[wc_id]].add(day.toordinal())
    hours = np.array(
        [wc.weekday_hours if wc.weekday_hours else [wc.hours_per_day] * 7 for wc in rows],
        dtype=np.float64,
    ).reshape(len(rows), 7)
    wcs = WorkCenters(
        code=[wc.code for wc in rows],
        weekday_hours=hours,
        units=np.array([wc.units for wc in rows], dtype=np.int64),
        efficiency=np.array([wc.efficiency_pct / 100 for wc in rows], dtype=np.float64),
        closed=[frozenset(c) for c in closed],
        calendar=load_calendar(session.connection()),
    )
    return wcs, position


_Order = tuple[str, int, int | None, int | None, float, date]


NAMED_IN_QUERY = 1_000
"""At most this many orders named are looked up by number (an indexed IN list), and only
the routings they can follow read: one production order's page asks the load of its own
operations, and reading every order and routing of a full-size company to keep one took
over a second of CPU; more names than this (the dispatch list names every open order)
read all and keep theirs, as one IN list would pass the database's limit of bound
values."""


def _orders(session: Session, named: Collection[str] | None = None) -> list[_Order]:
    """(label, item id, order BOM id, sales order id, quantity, due date) of every order
    that loads, or of those ``named`` among them."""
    few = sorted(named) if named is not None and len(named) <= NAMED_IN_QUERY else None
    if few is None:
        return loading_orders(session)
    return loading_orders(
        session,
        production=[ProductionOrder.number.in_(few)],
        planned=[PlannedOrder.number.in_(few)],
    )


def loading_orders(
    session: Session,
    *,
    production: Sequence[ColumnElement[bool]] = (),
    planned: Sequence[ColumnElement[bool]] = (),
) -> list[_Order]:
    """The orders that load work centers, each as (label, item id, order BOM id, sales
    order id, quantity, due date), by number: open production orders with some quantity
    left (``production`` narrows them), then the current plan's make orders not firmed
    (``planned`` narrows them). Read as the driver's tuples: a full-size company has
    hundreds of thousands, and each distinct due date is converted once."""
    out = _production_orders(session, production)
    rows = _planned_rows(session, planned)
    day = days([row[4] for row in rows])
    out += [
        (number, item_id, None, sales_order_id, qty, day[due])
        for number, item_id, sales_order_id, qty, due in rows
    ]
    return out


@dataclass(frozen=True)
class OrderColumns:
    """``loading_orders``' orders as columns, in its order: what the whole load places.
    A full-size company's 300,000 planned orders go from the driver's tuples to arrays
    without a tuple of our own or a ``date`` each."""

    labels: list[str]
    item: npt.NDArray[np.int64]
    bom: npt.NDArray[np.int64]
    """The order BOM's id, ``NONE`` for none (every planned order)."""
    sales: npt.NDArray[np.int64]
    """The sales order's id, ``NONE`` for none."""
    qty: npt.NDArray[np.float64]
    due: npt.NDArray[np.int64]
    """Day ordinals."""

    @classmethod
    def of(cls, orders: Sequence[_Order]) -> OrderColumns:
        """``loading_orders``' (or a part of its) tuples as columns."""
        names, items, boms, sales, qtys, dues = (
            list(zip(*orders, strict=True)) if orders else [()] * 6
        )
        return cls(
            list(names),
            np.array(items, dtype=np.int64).reshape(len(orders)),
            coded(boms),
            coded(sales),
            np.array(qtys, dtype=np.float64).reshape(len(orders)),
            ordinals(dues),
        )


def loading_columns(session: Session) -> OrderColumns:
    """Every order that loads (``loading_orders``, unnarrowed) as columns."""
    made = OrderColumns.of(_production_orders(session, ()))
    stmt = _planned(session, ())
    names, items, sales, qtys, dues = (
        column_lists(session.connection(), stmt) if stmt is not None else [[]] * 5
    )
    n = len(names)
    return OrderColumns(
        made.labels + list(names),
        np.concatenate([made.item, np.fromiter(items, np.int64, count=n)]),
        np.concatenate([made.bom, np.full(n, NONE, dtype=np.int64)]),
        np.concatenate([made.sales, coded(sales)]),
        np.concatenate([made.qty, np.fromiter(qtys, np.float64, count=n)]),
        np.concatenate([made.due, ordinals(dues)]),
    )


def _production_orders(session: Session, production: Sequence[ColumnElement[bool]]) -> list[_Order]:
    """Open production orders with some quantity left, by number (``loading_orders``)."""
    mo = ProductionOrder
    return [
        (number, item_id, bom_id, so_id, remaining, due)
        for number, item_id, bom_id, so_id, remaining, due in session.execute(
            select(
                mo.number,
                mo.item_id,
                mo.bom_id,
                mo.sales_order_id,
                mo.qty - mo.completed_qty - mo.scrapped_qty,
                mo.due_date,
            )
            .where(mo.status.in_(OPEN), *production)
            .order_by(mo.number)
        )
        if remaining > EPS
    ]


def _planned_rows(
    session: Session, planned: Sequence[ColumnElement[bool]]
) -> list[tuple[Any, ...]]:
    """(number, item id, sales order id, quantity, due date as the driver gives it) of
    the current plan's make orders not firmed, by number (``loading_orders``)."""
    stmt = _planned(session, planned)
    return [] if stmt is None else tuples(session.connection(), stmt)


def _planned(
    session: Session, planned: Sequence[ColumnElement[bool]]
) -> Select[str, int, int | None, float, date] | None:
    """The query of ``_planned_rows``; None without a current plan."""
    run = current_run(session)
    if run is None:
        return None
    return (
        select(
            PlannedOrder.number,
            PlannedOrder.item_id,
            PlannedOrder.sales_order_id,
            PlannedOrder.qty,
            PlannedOrder.due_date,
        )
        .where(
            PlannedOrder.plan_run_id == run.id,
            PlannedOrder.type == "make",
            PlannedOrder.firmed_as.is_(None),
            *planned,
        )
        .order_by(PlannedOrder.number)
    )


def capacity_load(
    session: Session, *, work_center: str | None = None, orders: Collection[str] | None = None
) -> LoadReport:
    """Required against available hours per work center, per day and per week; of the
    orders named only when ``orders`` is given (each order is scheduled on its own at
    infinite capacity, so their operations are the same as in the whole load)."""
    with collector_paused():  # millions of rows, none in a cycle
        return _capacity_load(session, work_center, orders)


def _placed(
    session: Session, work_center: str | None, orders: Collection[str] | None
) -> tuple[
    WorkCenters,
    dict[int, int],
    list[str],
    RoutingArrays,
    Operations,
    npt.NDArray[np.int64],
    Load,
]:
    """The orders (all, or those named) placed backward: the work centers and their
    positions by id, the labels of the orders that load, the routings, the operations,
    each one's routing row and the load."""
    wcs, position = _work_centers(session)
    if work_center is not None and work_center not in wcs.code:
        known = ", ".join(wcs.code) or "none yet"
        raise NotFoundError(
            f"no work center {work_center!r} (known: {known})", work_center=work_center
        )
    if work_center is not None:
        found, routes = _of_work_center(session, position, wcs.code.index(work_center), orders)
        cols = OrderColumns.of(found)
    elif orders is None:
        # the routings first: a company without any has no order to read (nothing loads)
        routes = read_routings(session, position)
        cols = loading_columns(session) if len(routes.count) else OrderColumns.of([])
    else:
        found = [o for o in _orders(session, orders) if o[0] in orders]
        few = len(orders) <= NAMED_IN_QUERY
        routes = (
            read_routings(
                session,
                position,
                items={o[1] for o in found},
                boms={o[2] for o in found if o[2] is not None},
            )
            if few
            else read_routings(session, position)
        )
        cols = OrderColumns.of(found)
    route_of = routes.choose_columns(cols.item, cols.bom, cols.sales)
    labels = np.array(cols.labels, dtype=object)[route_of >= 0].tolist()
    ops, rows, load = place_backward(routes, route_of, cols.qty, cols.due, wcs)
    return wcs, position, labels, routes, ops, rows, load


def _of_work_center(
    session: Session, position: dict[int, int], at: int, named: Collection[str] | None
) -> tuple[list[_Order], RoutingArrays]:
    """The orders (of those ``named``, when given) that can load the work center at
    position ``at``, and the routings they can follow: an order follows a routing of its
    own item (its order BOM's, its sales order's or the item's), so only orders of items
    with a routing through the work center can, and each is placed on its own (infinite
    capacity): their operations there are the whole load's. A work center's page and
    dispatch list read a few thousand orders of a full-size company instead of all of
    them and every routing."""
    wc_id = next(i for i, k in position.items() if k == at)
    items = select(Routing.item_id).where(
        Routing.id.in_(
            select(RoutingOperation.routing_id).where(RoutingOperation.work_center_id == wc_id)
        )
    )
    few = sorted(named) if named is not None and len(named) <= NAMED_IN_QUERY else None
    found = loading_orders(
        session,
        production=[ProductionOrder.item_id.in_(items)]
        + ([ProductionOrder.number.in_(few)] if few is not None else []),
        planned=[PlannedOrder.item_id.in_(items)]
        + ([PlannedOrder.number.in_(few)] if few is not None else []),
    )
    if named is not None:
        found = [o for o in found if o[0] in named]
    return found, read_routings(session, position, item_query=items)


def placed_load(
    session: Session,
) -> tuple[WorkCenters, list[int], list[str], Operations, Load]:
    """Every order's operations placed backward, as arrays (``load_weeks`` sums them by
    week): the work centers, each one's id by position, the labels of the orders that
    load, their operations and the load."""
    wcs, position, labels, _routes, ops, _rows, load = _placed(session, None, None)
    ids = [0] * len(wcs.code)
    for wc_id, k in position.items():
        ids[k] = wc_id
    return wcs, ids, labels, ops, load


def _capacity_load(
    session: Session, work_center: str | None, orders: Collection[str] | None
) -> LoadReport:
    wcs, _position, labels, routes, ops, rows, load = _placed(session, work_center, orders)
    only = None if work_center is None else wcs.code.index(work_center)
    by_day, by_week = _days(load, wcs, labels, ops, only)
    return LoadReport(
        by_day,
        by_week,
        _Placed(labels, routes.sequence[rows], wcs.code, ops, load, only),
    )


def hours_had(wcs: WorkCenters, first: date, last: date) -> npt.NDArray[np.float64]:
    """(work center, day - ``first``) → the hours it has that day, for every day of
    ``first`` … ``last`` (the capacity line of a window of weeks)."""
    return available_hours(wcs, first.toordinal(), last.toordinal())


def place_backward(
    routes: RoutingArrays,
    route_of: npt.NDArray[np.int64],
    qty: npt.NDArray[np.float64],
    dues: npt.NDArray[np.int64],
    wcs: WorkCenters,
) -> tuple[Operations, npt.NDArray[np.int64], Load]:
    """Orders' operations placed backward from their due days (``route_of``: the routing
    row each order follows, negative for none; ``dues`` as ordinals): the operations, with
    the orders renumbered among those that load (as the load names them), each
    operation's routing row, and the load."""
    loads = route_of >= 0
    renumber = np.cumsum(loads) - 1
    got = expand(routes, route_of, qty)
    ops = Operations(
        order=renumber[got.order],
        work_center=routes.work_center[got.row],
        hours=got.hours,
        queue_days=routes.queue[got.row],
        move_days=routes.move[got.row],
    )
    try:
        load = backward_load(ops, dues[loads], wcs)
    except ValueError as e:
        raise PlanningError(str(e)) from e
    return ops, got.row, load


def _days(
    load: Load, wcs: WorkCenters, labels: list[str], ops: Operations, only: int | None
) -> tuple[list[Period], list[Period]]:
    """The load's days and ISO weeks, each work center's (by code) in date order, with
    the orders asking hours of them: worked out as arrays (a full-size company loads
    tens of thousands of work-center days with a million operation-days between them);
    the hours summed in the order the days are listed, as a plain loop would."""
    if not load.rows:
        return [], []
    rank = np.empty(len(wcs.code), dtype=np.int64)
    rank[sorted(range(len(wcs.code)), key=wcs.code.__getitem__)] = np.arange(len(wcs.code))
    m = len(load.rows)
    wc = np.fromiter((k[0] for k in load.rows), np.int64, count=m)
    day = np.fromiter((k[1] for k in load.rows), np.int64, count=m)
    kept = np.flatnonzero(wc == only) if only is not None else np.arange(m)
    if kept.size == 0:
        return [], []
    order = kept[np.lexsort((day[kept], rank[wc[kept]]))]
    wc, day = wc[order], day[order]
    table_first = int(day.min()) - 6
    table = available_hours(wcs, table_first, int(day.max()) + 6)
    required = np.fromiter(load.rows.values(), np.float64, count=m)[order]
    names, of_order = label_ids(labels)
    # each operation-day's place among the days listed (-1: another work center's)
    place = np.full(m, -1, dtype=np.int64)
    place[order] = np.arange(order.size)
    group = np.repeat(place, np.diff(load.cut))
    listed = group >= 0
    group = group[listed]
    label = of_order[ops.order[load.users[listed]]]
    n_days = order.size
    code = [wcs.code[w] for w in wc.tolist()]
    when = _dates(day)
    days = [
        Period(c, d, d.isoformat(), r, a, o)
        for c, d, r, a, o in zip(
            code,
            when,
            required.tolist(),
            table[wc, day - table_first].tolist(),
            _orders_of(group, label, n_days, names),
            strict=True,
        )
    ]
    return days, _weeks(wc, day, required, group, label, names, code, table, table_first)


def _weeks(
    wc: npt.NDArray[np.int64],
    day: npt.NDArray[np.int64],
    required: npt.NDArray[np.float64],
    group: npt.NDArray[np.int64],
    label: npt.NDArray[np.int64],
    names: list[str],
    code: list[str],
    table: npt.NDArray[np.float64],
    table_first: int,
) -> list[Period]:
    """The days (sorted by work center and date) gathered by ISO week."""
    monday = day - (day - 1) % 7
    new = np.ones(len(day), dtype=bool)
    new[1:] = (wc[1:] != wc[:-1]) | (monday[1:] != monday[:-1])
    week = np.cumsum(new) - 1
    first = np.flatnonzero(new)
    hours = np.bincount(week, weights=required, minlength=len(first))
    at, mondays = wc[first], monday[first]
    available = np.zeros(len(first), dtype=np.float64)
    for i in range(7):
        available += table[at, mondays - table_first + i]
    labels = {
        m: f"{y}-W{w:02d}"
        for m in set(mondays.tolist())
        for y, w, _ in [date.fromordinal(m).isocalendar()]
    }
    return [
        Period(code[i], d, labels[m], r, a, o)
        for i, d, m, r, a, o in zip(
            first.tolist(),
            _dates(mondays),
            mondays.tolist(),
            hours.tolist(),
            available.tolist(),
            _orders_of(week[group], label, len(first), names),
            strict=True,
        )
    ]


def label_ids(labels: list[str]) -> tuple[list[str], npt.NDArray[np.int64]]:
    """The labels sorted and deduplicated, and each order's position among them: sorted
    by NumPy in Python's (code-point) order, stably, so the orders' two runs already in
    order by number (production orders, planned ones) merge in one pass."""
    if not labels:
        return [], np.empty(0, dtype=np.int64)
    # as Python's strings (object): their runs merged by a stable sort comparing them as
    # they are, a few times faster than making fixed-width NumPy texts of them first
    ranked, ids = distinct(np.array(labels, dtype=object))
    return ranked.tolist(), ids


def distinct(values: np.ndarray) -> tuple[np.ndarray, npt.NDArray[np.int64]]:
    """``np.unique(values, return_inverse=True)`` by a stable sort: values that come in
    runs already in order (users by work center and day, labels by number) are merged,
    where ``np.unique``'s quicksort sorted them from scratch (three times as long at full
    size)."""
    order = np.argsort(values, kind="stable")
    ranked = values[order]
    new = np.ones(len(ranked), dtype=bool)
    new[1:] = ranked[1:] != ranked[:-1]
    inverse = np.empty(len(ranked), dtype=np.int64)
    inverse[order] = np.cumsum(new) - 1
    return ranked[new], inverse


def _orders_of(
    group: npt.NDArray[np.int64], label: npt.NDArray[np.int64], n: int, names: list[str]
) -> list[tuple[str, ...]]:
    """Per group 0 … n - 1, the distinct labels of its (group, label) pairs, sorted."""
    pairs = np.sort(group * max(len(names), 1) + label)  # np.unique hashes: slower here
    pairs = pairs[np.diff(pairs, prepend=-1) != 0]
    of = pairs // max(len(names), 1)
    text = np.array(names, dtype=object)[pairs % max(len(names), 1)].tolist()
    cut = np.searchsorted(of, np.arange(n + 1)).tolist()
    return [tuple(text[lo:hi]) for lo, hi in itertools.pairwise(cut)]


def _dates(ordinals: npt.NDArray[np.int64]) -> list[date]:
    """Day ordinals as dates, each distinct day converted once."""
    as_date = {d: date.fromordinal(d) for d in set(ordinals.tolist())}
    return list(map(as_date.__getitem__, ordinals.tolist()))

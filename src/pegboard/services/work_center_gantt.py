"""What a Gantt chart of one work center, or of one production order, shows.

A work center's chart covers a window of whole weeks (paged a few weeks at a time, so
a bar is always wide enough to read) with every operation of an open production order
or planned order that runs in it, with what the shop floor reported of it.

Where the operations come from, and what the chart says it is (``source``):

* the **finite schedule**, when one of the current plan is stored (``pegboard
  schedule``, ``plan --finite``): each operation where the schedule placed it, so no
  day is over capacity; instead the days the work center was full while an operation
  waited for it are marked (``full_days``), with the orders that waited;
* else the **backward load** (``services.load``): each order's operations scheduled
  backward from its due date at infinite capacity, and the days the work center is
  asked for more hours than it has (``over_days``).

A planner reading either must know which, as the two answer different questions
(what will happen, against what the due dates ask). A production order's chart shows
its own operations from the same source. The drawing is the web's; this module only
decides what is in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from pegboard.model import (
    Item,
    PinnedOperation,
    ProductionOrder,
    ScheduledOrder,
    ScheduleRun,
    WorkCenter,
)
from pegboard.model import ScheduledOperation as Placed
from pegboard.services.load import LoadReport, ScheduledOperation, capacity_load, work_centers
from pegboard.services.pins import CLOSED, pinned_keys
from pegboard.services.schedule import current_schedule
from pegboard.services.shop_floor import WAITING, order_progress, progress_of

MAX_WEEKS = 12
DEFAULT_WEEKS = 4
MAX_ROWS = 200
"""Operations drawn at most at once: a window with more is paged (``offset``)."""
MAX_WAITING = 8
"""Orders named at most in a full day's tooltip (the rest are counted)."""
FINITE, BACKWARD = "finite schedule", "backward load"


@dataclass(frozen=True)
class GanttOperation:
    order: str
    sequence: int
    work_center: str
    item: str
    hours: float
    start: date
    end: date
    due: date | None
    status: str
    """waiting, started or done (a planned order's operations are waiting)."""
    order_status: str
    """The production order's status, or "proposed" for a planned order of the plan."""
    pinned: bool = False
    """A planner pinned it on the board (``services.pins``): the finite schedule keeps it
    on its work center and days."""

    @property
    def late(self) -> bool:
        return self.due is not None and self.end > self.due and self.status != "done"


@dataclass(frozen=True)
class OverDay:
    day: date
    required: float
    available: float
    orders: tuple[str, ...]


@dataclass(frozen=True)
class FullDay:
    """A day the finite schedule found the work center full while operations waited."""

    day: date
    waiting: tuple[str, ...]
    """The orders whose operation waited that day (at most ``MAX_WAITING``)."""
    more: int = 0


@dataclass(frozen=True)
class WorkCenterGantt:
    work_center: str
    description: str
    start: date
    """The Monday the window starts."""
    weeks: int
    operations: list[GanttOperation]
    """This page's operations of the window (at most ``MAX_ROWS``), in the order they
    start (then end, order and sequence)."""
    over_days: list[OverDay]
    total: int
    """Operations running in the window, over all its pages."""
    first: date | None
    last: date | None
    """The first and last day any operation of the work center runs (to page to)."""
    source: str = BACKWARD
    """``FINITE`` or ``BACKWARD``: where the bars come from (module doc)."""
    full_days: list[FullDay] = field(default_factory=list)
    offset: int = 0
    """How many of the window's operations come before this page's."""

    @property
    def hidden(self) -> int:
        """The window's operations on its other pages."""
        return self.total - len(self.operations)

    @property
    def end(self) -> date:
        """The Sunday the window ends."""
        return self.start + timedelta(days=7 * self.weeks - 1)


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _orders(session: Session, numbers: list[str]) -> dict[str, tuple[str, str, date]]:
    """Production order number -> (item, status, due)."""
    out: dict[str, tuple[str, str, date]] = {}
    for start in range(0, len(numbers), 5_000):
        for number, item, status, due in session.execute(
            select(
                ProductionOrder.number, Item.code, ProductionOrder.status, ProductionOrder.due_date
            )
            .join(Item, Item.id == ProductionOrder.item_id)
            .where(ProductionOrder.number.in_(numbers[start : start + 5_000]))
        ):
            out[number] = (item, status.value, due)
    return out


def _gantt_ops(
    session: Session,
    ops: list[ScheduledOperation],
    known: dict[str, tuple[str, date]] | None = None,
) -> list[GanttOperation]:
    """The operations with their order's item, status and due date and their progress;
    ``known`` gives the item and due date of orders that are not production orders (a
    planned order of the plan, as the finite schedule names it)."""
    orders = _orders(session, sorted({op.order for op in ops}))
    progress = progress_of(session, list(orders))
    pinned = pinned_keys(session, orders) if orders else set()
    known = known or {}
    out = []
    for op in ops:
        item, due = known.get(op.order, ("", None))
        item, status, due = orders.get(op.order, (item, "proposed", due))
        done = (
            {s.sequence: s.status for s in progress[op.order].operations}
            if op.order in progress
            else {}
        )
        out.append(
            GanttOperation(
                op.order,
                op.sequence,
                op.work_center,
                item,
                op.hours,
                op.start,
                op.end,
                due,
                done.get(op.sequence, WAITING),
                status,
                (op.order, op.sequence) in pinned,
            )
        )
    return out


_Placed = Select[str, int, str, float, date, date, str, date]


def _placed(sched: ScheduleRun) -> _Placed:
    """The stored schedule's operations with their order's item and due date."""
    return (
        select(
            Placed.order_ref,
            Placed.sequence,
            WorkCenter.code,
            Placed.hours,
            Placed.start_date,
            Placed.end_date,
            Item.code,
            ScheduledOrder.due_date,
        )
        .join(WorkCenter, WorkCenter.id == Placed.work_center_id)
        .join(Item, Item.id == Placed.item_id)
        .join(
            ScheduledOrder,
            and_(
                ScheduledOrder.order_ref == Placed.order_ref,
                ScheduledOrder.plan_run_id == sched.plan_run_id,
                ScheduledOrder.schedule_run_id == sched.id,
                ScheduledOrder.order_type == Placed.order_type,
            ),
        )
        .where(Placed.schedule_run_id == sched.id)
    )


def _finite_ops(session: Session, stmt: _Placed) -> list[GanttOperation]:
    rows = session.execute(stmt).all()
    ops = [ScheduledOperation(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]
    return _gantt_ops(session, ops, {r[0]: (r[6], r[7]) for r in rows})


def _pinned_over_days(
    session: Session, sched: ScheduleRun, code: str, wc_id: int, window: tuple[date, date]
) -> list[OverDay]:
    """The window's days the finite schedule loads past the work center's hours. Only
    pins can: they take their hours first, whatever the work center has, and every other
    operation gets at most what is left (none on a day a pin overloads). So a day is over
    when its pinned operations alone need more than it has, each pin's hours spread over
    its working days as the schedule spreads them; nothing is read past the stored rows
    of the window's pinned operations."""
    first, last = window
    rows = session.execute(
        select(Placed.order_ref, Placed.sequence, Placed.hours, Placed.start_date, Placed.end_date)
        .join(ProductionOrder, ProductionOrder.number == Placed.order_ref)
        .join(
            PinnedOperation,
            and_(
                PinnedOperation.production_order_id == ProductionOrder.id,
                PinnedOperation.sequence == Placed.sequence,
                PinnedOperation.work_center_id == wc_id,
            ),
        )
        .where(
            Placed.schedule_run_id == sched.id,
            Placed.work_center_id == wc_id,
            Placed.order_type == "production_order",
            Placed.start_date <= last,
            Placed.end_date >= first,
            ProductionOrder.status.not_in([s.value for s in CLOSED]),
        )
    ).all()
    if not rows:
        return []
    wcs, _position = work_centers(session)
    wc = wcs.code.index(code)
    required: dict[int, float] = {}
    orders: dict[int, set[str]] = {}
    for ref, _seq, hours, start, end in rows:
        span = range(start.toordinal(), end.toordinal() + 1)
        days = [d for d in span if wcs.available(wc, d) > 0] or [start.toordinal()]
        for d in days:
            required[d] = required.get(d, 0.0) + hours / len(days)
            orders.setdefault(d, set()).add(ref)
    return [
        OverDay(date.fromordinal(d), round(need, 6), has, tuple(sorted(orders[d])))
        for d, need in sorted(required.items())
        if first.toordinal() <= d <= last.toordinal()
        and need > (has := wcs.available(wc, d)) + 1e-6
    ]


def _full_days(
    session: Session, sched: ScheduleRun, wc_id: int, first: date, last: date
) -> list[FullDay]:
    """The days of the window the work center was full while an operation waited for it
    (each operation's held days, as the schedule stored them)."""
    rows = session.execute(
        select(Placed.order_ref, Placed.held_from, Placed.held_to)
        .where(
            Placed.schedule_run_id == sched.id,
            Placed.work_center_id == wc_id,
            Placed.held_from <= last,
            Placed.held_to >= first,
        )
        .order_by(Placed.rank, Placed.order_ref, Placed.sequence)
    ).all()
    waiting: dict[date, list[str]] = {}
    for order, held_from, held_to in rows:
        if held_from is None or held_to is None:  # the query keeps only held ones
            continue
        day = max(held_from, first)
        while day <= min(held_to, last):
            names = waiting.setdefault(day, [])
            if order not in names:
                names.append(order)
            day += timedelta(days=1)
    return [
        FullDay(day, tuple(names[:MAX_WAITING]), max(0, len(names) - MAX_WAITING))
        for day, names in sorted(waiting.items())
    ]


def _page_start(offset: int, count: int) -> int:
    """``offset``, or the last page's start when it is past the window's ``count``
    operations (a link followed after the plan changed shows the last page, not none)."""
    if offset < count:
        return offset
    return (count - 1) // MAX_ROWS * MAX_ROWS if count else 0


def _finite_window(
    session: Session, sched: ScheduleRun, code: str, window: tuple[date, date], offset: int
) -> WorkCenterGantt:
    """The window drawn from the stored finite schedule (module doc), its page from
    ``offset``."""
    first_day, last_day = window
    wc_id, description = session.execute(
        select(WorkCenter.id, WorkCenter.description).where(WorkCenter.code == code)
    ).one()
    mine = and_(Placed.schedule_run_id == sched.id, Placed.work_center_id == wc_id)
    inside = and_(mine, Placed.end_date >= first_day, Placed.start_date <= last_day)
    count = session.scalar(select(func.count()).select_from(Placed).where(inside)) or 0
    offset = _page_start(offset, count)
    span = session.execute(
        select(func.min(Placed.start_date), func.max(Placed.end_date)).where(mine)
    ).one()
    shown = _finite_ops(
        session,
        _placed(sched)
        .where(inside)
        .order_by(
            Placed.start_date,
            Placed.end_date,
            Placed.order_ref,
            Placed.sequence,
            Placed.order_type,
        )
        .offset(offset)
        .limit(MAX_ROWS),
    )
    return WorkCenterGantt(
        code,
        description or "",
        first_day,
        (last_day - first_day).days // 7 + 1,
        shown,
        _pinned_over_days(session, sched, code, wc_id, (first_day, last_day)),
        count,
        span[0],
        span[1],
        FINITE,
        _full_days(session, sched, wc_id, first_day, last_day),
        offset,
    )


def _backward_window(
    session: Session,
    code: str,
    window: tuple[date, date],
    offset: int,
    placed: LoadReport | None,
) -> WorkCenterGantt:
    """The window drawn from the backward load at infinite capacity (module doc), the one
    ``placed`` when the caller worked it out already; its page from ``offset``."""
    first_day, last_day = window
    report = placed if placed is not None else capacity_load(session, work_center=code)
    description = session.scalar(select(WorkCenter.description).where(WorkCenter.code == code))
    everything = report.operations
    shown = sorted(
        (op for op in everything if op.end >= first_day and op.start <= last_day),
        key=lambda op: (op.start, op.end, op.order, op.sequence),
    )
    offset = _page_start(offset, len(shown))
    over = [
        OverDay(p.start, p.required, p.available, p.orders)
        for p in report.overloaded_days
        if first_day <= p.start <= last_day
    ]
    return WorkCenterGantt(
        code,
        description or "",
        first_day,
        (last_day - first_day).days // 7 + 1,
        _gantt_ops(session, shown[offset : offset + MAX_ROWS]),
        over,
        len(shown),
        min((op.start for op in everything), default=None),
        max((op.end for op in everything), default=None),
        BACKWARD,
        offset=offset,
    )


def work_center_gantt(
    session: Session,
    code: str,
    *,
    today: date,
    start: date | None = None,
    weeks: int = DEFAULT_WEEKS,
    offset: int = 0,
    placed: LoadReport | None = None,
) -> WorkCenterGantt:
    """The work center's operations running in the weeks from ``start``'s Monday (default:
    this week's), at most ``MAX_WEEKS`` weeks: the finite schedule's when one is current,
    else the backward load's (``placed``: the work center's, when the caller has it). A
    page of ``MAX_ROWS`` of them from ``offset`` (a busy week has thousands)."""
    weeks = max(1, min(weeks, MAX_WEEKS))
    offset = max(0, offset)
    first_day = monday(start or today)
    last_day = first_day + timedelta(days=7 * weeks - 1)
    sched = current_schedule(session)
    if (
        sched is not None
        and session.scalar(select(WorkCenter.id).where(WorkCenter.code == code)) is not None
    ):
        return _finite_window(session, sched, code, (first_day, last_day), offset)
    return _backward_window(session, code, (first_day, last_day), offset, placed)


@dataclass(frozen=True)
class OrderGantt:
    operations: list[GanttOperation]
    source: str
    """``FINITE`` or ``BACKWARD`` (module doc)."""


def order_gantt(session: Session, number: str) -> OrderGantt:
    """A production order's operations as the finite schedule places them, or else as the
    load schedules them backward, with their progress (empty when it follows no routing,
    is finished, or the schedule has none of it)."""
    order_progress(session, number)  # refuses an unknown order
    sched = current_schedule(session)
    if sched is not None:
        ops = _finite_ops(
            session,
            _placed(sched)
            .where(Placed.order_ref == number, Placed.order_type == "production_order")
            .order_by(Placed.sequence, Placed.start_date),
        )
        return OrderGantt(ops, FINITE)
    report = capacity_load(session, orders={number})
    backward = sorted(report.operations, key=lambda op: (op.sequence, op.start))
    return OrderGantt(_gantt_ops(session, backward), BACKWARD)

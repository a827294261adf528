"""What a Gantt chart of one work center, or of one production order, shows.

A work center's chart covers a window of whole weeks (paged a few weeks at a time, so
a bar is always wide enough to read) with every operation of an open production order
or planned order that runs in it, as the load schedules it (``services.load``), with
what the shop floor reported of it, and the days the work center is asked for more
hours than it has (overload). A production order's chart shows its own operations.
The drawing is the web's; this module only decides what is in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.model import Item, ProductionOrder, WorkCenter
from pegboard.services.load import ScheduledOperation, capacity_load
from pegboard.services.shop_floor import WAITING, order_progress, progress_of

MAX_WEEKS = 12
DEFAULT_WEEKS = 4
MAX_ROWS = 200
"""Operations drawn at most in one window (the rest are counted)."""


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
class WorkCenterGantt:
    work_center: str
    description: str
    start: date
    """The Monday the window starts."""
    weeks: int
    operations: list[GanttOperation]
    over_days: list[OverDay]
    hidden: int
    """Operations in the window beyond ``MAX_ROWS``."""
    first: date | None
    last: date | None
    """The first and last day any operation of the work center runs (to page to)."""

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


def _gantt_ops(session: Session, ops: list[ScheduledOperation]) -> list[GanttOperation]:
    orders = _orders(session, sorted({op.order for op in ops}))
    progress = progress_of(session, [o for o in orders if o in {op.order for op in ops}])
    out = []
    for op in ops:
        item, status, due = orders.get(op.order, ("", "proposed", None))
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
            )
        )
    return out


def work_center_gantt(
    session: Session,
    code: str,
    *,
    today: date,
    start: date | None = None,
    weeks: int = DEFAULT_WEEKS,
) -> WorkCenterGantt:
    """The work center's operations running in the weeks from ``start``'s Monday (default:
    this week's), at most ``MAX_WEEKS`` weeks."""
    weeks = max(1, min(weeks, MAX_WEEKS))
    first_day = monday(start or today)
    last_day = first_day + timedelta(days=7 * weeks - 1)
    report = capacity_load(session, work_center=code)
    description = session.scalar(select(WorkCenter.description).where(WorkCenter.code == code))
    everything = report.operations
    shown = sorted(
        (op for op in everything if op.end >= first_day and op.start <= last_day),
        key=lambda op: (op.start, op.end, op.order, op.sequence),
    )
    over = [
        OverDay(p.start, p.required, p.available, p.orders)
        for p in report.overloaded_days
        if first_day <= p.start <= last_day
    ]
    return WorkCenterGantt(
        code,
        description or "",
        first_day,
        weeks,
        _gantt_ops(session, shown[:MAX_ROWS]),
        over,
        max(0, len(shown) - MAX_ROWS),
        min((op.start for op in everything), default=None),
        max((op.end for op in everything), default=None),
    )


def order_gantt(session: Session, number: str) -> list[GanttOperation]:
    """A production order's operations as the load schedules them, with their progress
    (empty when it follows no routing or is finished)."""
    order_progress(session, number)  # refuses an unknown order
    report = capacity_load(session, orders={number})
    ops = sorted(report.operations, key=lambda op: (op.sequence, op.start))
    return _gantt_ops(session, ops)

"""The geometry of the SVG Gantt charts the templates draw (``_gantt.html``): no
plotting library, no script (the pages' CSP allows none), every bar a link with a
``<title>`` tooltip. The work centers' charts are built here; the production orders'
(``order_gantt``) and the projected stock (``projection_chart``) use its time axis.

Days are columns, operations rows. The axis shows the day of the month under the
month and its year (written at the first day and wherever a month begins), so a chart
of December into January says which year each day is; a narrower day marks Mondays,
then months (:func:`time_ticks`). Overloaded days of the backward
load are shaded red across the rows, the day's hours in their tooltip; days the finite
schedule found the work center full are shaded amber, the orders that waited in
theirs; today is a vertical line. The title says which of the two the bars are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from pegboard.services.work_center_gantt import FullDay, GanttOperation, OverDay

DAY = 30
"""Width of a day at full size (a four-week page is under 1000 units wide)."""
ROW = 22
BAR = 14
LEFT = 170
TOP = 44


@dataclass(frozen=True)
class GanttBar:
    x: float
    y: float
    width: float
    label: str
    href: str
    tip: str
    kind: str
    """CSS class: waiting, started, done; plus late."""
    note: str = ""
    """Written after the bar ("late", "done"), so it reads without colour."""


@dataclass(frozen=True)
class DayTick:
    x: float
    day: str
    month: str
    """"Dec 2026" at the first day and at each first of a month, else ""."""
    weekend: bool


@dataclass(frozen=True)
class Band:
    x: float
    tip: str
    kind: str = "over-day"
    """CSS class: over-day (more hours asked than there are) or full-day (orders waited)."""


@dataclass(frozen=True)
class GanttChart:
    width: int
    height: int
    bars: list[GanttBar]
    ticks: list[DayTick]
    over: list[Band]
    today_x: float | None
    plot_right: int
    plot_bottom: int
    title: str
    left: int = LEFT
    """Where the plot begins (the row labels end 6 units before)."""
    day_width: float = DAY
    separators: tuple[float, ...] = ()
    """Heights of the lines between groups of rows (a sales order's orders)."""


def _hours(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def order_url(order: str) -> str:
    """A production order's page; a planned order of the plan is on the planned list."""
    if order.startswith("PL-"):
        return "/plan/planned-orders?type=make"
    return f"/production/{order}"


def _bar(op: GanttOperation, row: int, first: date, last: date, label: str) -> GanttBar:
    start, end = max(op.start, first), min(op.end, last)
    x = LEFT + (start - first).days * DAY
    width = ((end - start).days + 1) * DAY - 2
    due = f", due {op.due.isoformat()}" if op.due else ""
    tip = (
        f"{op.order} operation {op.sequence} on {op.work_center} ({op.item}): "
        f"{_hours(op.hours)} h, {op.start.isoformat()} to {op.end.isoformat()}{due}; "
        f"{op.status}"
        + (" — late" if op.late else "")
        + f"; order {op.order_status}"
        + ("; pinned by a planner: schedules keep it here" if op.pinned else "")
    )
    kind = op.status + (" late" if op.late else "") + (" pinned" if op.pinned else "")
    return GanttBar(x + 1, TOP + row * ROW + (ROW - BAR) / 2, width, label, order_url(op.order),
                    tip, kind, "pinned" if op.pinned else "")  # fmt: skip


def _full_tip(day: FullDay) -> str:
    more = f" and {day.more} more" if day.more else ""
    return f"Full {day.day.isoformat()}: waiting " + ", ".join(day.waiting) + more


def chart(
    ops: list[GanttOperation],
    first: date,
    last: date,
    today: date,
    title: str,
    *,
    over: list[OverDay] | None = None,
    full: list[FullDay] | None = None,
    label_with_work_center: bool = False,
) -> GanttChart:
    """The chart of ``ops`` over the days ``first`` … ``last`` (both shown), with the
    days ``over`` capacity (backward load) or ``full`` (finite schedule) shaded."""
    days = (last - first).days + 1
    bars = []
    for row, op in enumerate(ops):
        where = op.work_center if label_with_work_center else f"{op.order} · {op.item}"
        bars.append(_bar(op, row, first, last, f"{op.sequence} {where}"))
    ticks = time_ticks(first, last, lambda d: LEFT + (d - first).days * DAY, DAY)
    bands = [
        Band(
            LEFT + (o.day - first).days * DAY,
            f"Over capacity {o.day.isoformat()}: {_hours(o.required)} h asked of "
            f"{_hours(o.available)} h — " + ", ".join(o.orders),
        )
        for o in over or []
    ] + [Band(LEFT + (f.day - first).days * DAY, _full_tip(f), "full-day") for f in full or []]
    today_x = LEFT + (today - first).days * DAY if first <= today <= last else None
    bottom = TOP + max(len(ops), 1) * ROW
    right = LEFT + days * DAY
    return GanttChart(right + 10, bottom + 8, bars, ticks, bands, today_x, right, bottom, title)


MONTH_LABEL = 50.0
"""Room a "Dec 2026" label needs; a label closer to the next one gives way to it."""
MONTH_STEPS = (1, 2, 3, 6, 12, 24, 60)


def time_ticks(
    first: date, last: date, x: Callable[[date], float], day_width: float
) -> list[DayTick]:
    """The axis under ``first`` … ``last`` (``x`` places a day's left edge): every day
    when a day is wide enough for its number, else each Monday, else the first of every
    1, 2, 3, 6 … months. The month and its year are written at the first tick and
    wherever a month begins, so every date on the axis says its year."""
    if day_width >= 18:
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        return _labelled([(d, str(d.day), d == first or d.day == 1) for d in days], x, day_width)
    if day_width * 7 >= 24:
        return _labelled(_mondays(first, last), x, day_width)
    step = next((k for k in MONTH_STEPS if k * 30.4 * day_width >= MONTH_LABEL), 120)
    return _labelled(_months(first, last, step), x, day_width)


def _mondays(first: date, last: date) -> list[tuple[date, str, bool]]:
    """Each Monday with its day; the month is written at the first Monday of each."""
    day = first + timedelta(days=(7 - first.weekday()) % 7)
    marks = []
    seen: set[tuple[int, int]] = set()
    while day <= last:
        marks.append((day, str(day.day), (day.year, day.month) not in seen))
        seen.add((day.year, day.month))
        day += timedelta(days=7)
    return marks


def _months(first: date, last: date, step: int) -> list[tuple[date, str, bool]]:
    """The first of every ``step``-th month (January, then every step months after)."""
    index = first.year * 12 + first.month - 1 + (first.day > 1)
    index = -(-index // step) * step
    marks = []
    while (day := date(index // 12, index % 12 + 1, 1)) <= last:
        marks.append((day, "", True))
        index += step
    return marks


def _labelled(
    marks: list[tuple[date, str, bool]], x: Callable[[date], float], day_width: float
) -> list[DayTick]:
    """Ticks at the middle of their day; a month label that would run into the next
    one is dropped (the later one, a new month, says more)."""
    ticks: list[DayTick] = []
    last_label: int | None = None
    for day, text, month in marks:
        at = round(x(day) + day_width / 2, 1)
        label = day.strftime("%b %Y") if month else ""
        if label and last_label is not None and at - ticks[last_label].x < MONTH_LABEL:
            old = ticks[last_label]
            ticks[last_label] = DayTick(old.x, old.day, "", old.weekend)
        if label:
            last_label = len(ticks)
        ticks.append(DayTick(at, text, label, day_width >= 18 and day.weekday() >= 5))
    return ticks

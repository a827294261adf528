"""The geometry of the SVG Gantt charts the templates draw (``_gantt.html``): no
plotting library, no script (the pages' CSP allows none), every bar a link with a
``<title>`` tooltip.

Days are columns, operations rows. The axis shows the day of the month under the
month and its year (written at the first day and wherever a month begins), so a chart
of December into January says which year each day is. Overloaded days of the backward
load are shaded red across the rows, the day's hours in their tooltip; days the finite
schedule found the work center full are shaded amber, the orders that waited in
theirs; today is a vertical line. The title says which of the two the bars are.
"""

from __future__ import annotations

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
        f"{op.status}" + (" — late" if op.late else "") + f"; order {op.order_status}"
    )
    kind = op.status + (" late" if op.late else "")
    return GanttBar(x + 1, TOP + row * ROW + (ROW - BAR) / 2, width, label, order_url(op.order),
                    tip, kind)  # fmt: skip


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
    ticks = []
    for i in range(days):
        day = first + timedelta(days=i)
        month = day.strftime("%b %Y") if i == 0 or day.day == 1 else ""
        ticks.append(DayTick(LEFT + i * DAY + DAY / 2, str(day.day), month, day.weekday() >= 5))
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

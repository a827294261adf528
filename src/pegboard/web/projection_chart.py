"""The geometry of an item's projected stock chart, an SVG the item page draws inline
(``_projection.html``): no plotting library, no script (the pages' CSP allows none).

Projected on-hand is a step line from the planning date: flat until a day with
receipts or requirements, then straight to that day's level, and on for a week after
the last. Each receipt (▲ above the line) and requirement (▼ below it) is a mark of its
own that links to its order, its tooltip saying the date with its year, the quantity and
the order; several on one day are stacked. Safety stock and the reorder point are
dashed lines, zero a thin one, today a line; the time axis is ``gantt_svg``'s (the year
at the first tick and at each new month), the quantity axis has round steps.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import quote, urlencode

from pegboard.services.projection import Event, Projection
from pegboard.web.gantt_svg import DayTick, time_ticks
from pegboard.web.render import number

LEFT = 56
"""Room for the quantities left of the plot."""
TOP = 24
PLOT_W = 720
PLOT_H = 200
MAX_DAY = 24.0
"""Width of a day at most (a projection of a few days is not stretched)."""
AFTER = 7
"""Days the line runs on after the last event."""
MAX_MARKS = 400
"""Events marked at most (the table under the chart lists every day)."""
STACK = 10
"""Distance between the marks of one day, at most :data:`STACKED` deep."""
STACKED = 4


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    kind: str
    """receipt (▲) or requirement (▼), also its CSS class."""
    href: str
    tip: str


@dataclass(frozen=True)
class Level:
    y: float
    label: str


@dataclass(frozen=True)
class ProjectionChart:
    width: int
    height: int
    path: str
    """The step line, as an SVG path (numbers only)."""
    marks: list[Mark]
    levels: list[Level]
    """The quantity axis' ticks."""
    ticks: list[DayTick]
    left: int
    right: float
    top: int
    bottom: int
    zero_y: float
    safety_y: float | None
    reorder_y: float | None
    today_x: float | None
    more: int
    """Events not marked (past :data:`MAX_MARKS`)."""
    title: str


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _step(span: float) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about four intervals."""
    raw = span / 4 if span > 0 else 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw * (1 - 1e-9))


def _scale(values: list[float]) -> tuple[float, float, float]:
    """The axis' bottom, top and step: round numbers around ``values`` (and zero)."""
    lo, hi = min([0.0, *values]), max([0.0, *values])
    step = _step(hi - lo)
    bottom, top = math.floor(lo / step) * step, math.ceil(hi / step) * step
    return bottom, (top if top > bottom else bottom + step), step


def event_href(event: Event, item: str) -> str:
    """The page of the order behind an event."""
    if event.kind == "purchase_order":
        return "/purchasing/" + quote(event.ref.rsplit("/", 1)[0], safe="")
    if event.kind == "sales_order":
        return "/orders/" + quote(event.ref.rsplit("/", 1)[0], safe="")
    if event.kind == "planned_order":
        return "/plan/planned-orders?" + urlencode({"item": item})
    if event.kind == "planned_component":  # the planned parents that need it
        return "/pegging/items/" + quote(item, safe="")
    return "/production/" + quote(event.ref, safe="")


WHAT = {
    "purchase_order": "from purchase order line",
    "production_order": "from production order",
    "planned_order": "from planned order",
    "sales_order": "for sales order line",
    "component": "for the components of production order",
    "planned_component": "for the components of planned order",
}


def event_tip(event: Event, day0: date) -> str:
    """Date (with its year), quantity and order of an event."""
    when = event.day.isoformat()
    if event.day < day0:
        when = f"{day0.isoformat()} (due {event.day.isoformat()}, overdue)"
    kind = "receipt" if event.qty > 0 else "requirement"
    more = f" and {event.others:,} more" if event.others else ""
    return f"{when}: {kind} of {number(abs(event.qty))} {WHAT[event.kind]} {event.ref}{more}"


def chart(
    projection: Projection, today: date, *, reorder_point: float | None = None
) -> ProjectionChart:
    """The chart of ``projection`` (``reorder_point``: the stored policy's, if any)."""
    day0 = projection.planning_date
    last = max([day0, *(r.day for r in projection.rows)]) + timedelta(days=AFTER)
    day = min(MAX_DAY, PLOT_W / (last - day0).days)
    levels = [projection.on_hand, *(r.projected for r in projection.rows)]
    lines = [v for v in (projection.safety_stock, reorder_point) if v]
    low, high, step = _scale(levels + lines)

    def x(d: date) -> float:
        return round(LEFT + (d - day0).days * day, 1)

    def y(v: float) -> float:
        return round(TOP + PLOT_H * (high - v) / (high - low), 1)

    path = f"M{_n(x(day0))},{_n(y(projection.on_hand))}"
    for r in projection.rows:
        path += f"H{_n(x(r.day))}V{_n(y(r.projected))}"
    path += f"H{_n(x(last))}"
    count = round((high - low) / step)
    axis = [round(low + k * step, 9) + 0.0 for k in range(count + 1)]
    bottom = TOP + PLOT_H
    return ProjectionChart(
        width=round(x(last)) + 40,  # room for the last month's name
        height=bottom + 36,
        path=path,
        marks=_marks(projection, x, y, bottom),
        levels=[Level(y(v), number(v)) for v in axis],
        ticks=time_ticks(day0, last, lambda d: x(d) - day / 2, day),
        left=LEFT,
        right=x(last),
        top=TOP,
        bottom=bottom,
        zero_y=y(0.0),
        safety_y=y(projection.safety_stock) if projection.safety_stock else None,
        reorder_y=y(reorder_point) if reorder_point else None,
        today_x=x(today) if day0 <= today <= last else None,
        more=max(len(projection.events) - MAX_MARKS, 0),
        title=(
            f"Projected stock of {projection.item} from {day0.isoformat()} to "
            f"{last.isoformat()}: receipts and requirements link to their orders"
        ),
    )


def _marks(
    projection: Projection,
    x: Callable[[date], float],
    y: Callable[[float], float],
    bottom: int,
) -> list[Mark]:
    """A mark per event: receipts stacked upwards from the day's level, requirements
    downwards, kept inside the plot."""
    day0 = projection.planning_date
    level = {r.day: r.projected for r in projection.rows}
    stacked: dict[tuple[date, bool], int] = {}
    marks = []
    for event in projection.events[:MAX_MARKS]:
        counted = max(event.day, day0)
        receipt = event.qty > 0
        depth = stacked.get((counted, receipt), 0)
        stacked[(counted, receipt)] = depth + 1
        offset = 9 + STACK * min(depth, STACKED)
        at = y(level.get(counted, projection.on_hand))
        at = max(at - offset, 6.0) if receipt else min(at + offset, bottom - 5.0)
        marks.append(
            Mark(
                x(counted),
                round(at, 1),
                "receipt" if receipt else "requirement",
                event_href(event, projection.item),
                event_tip(event, day0),
            )
        )
    return marks

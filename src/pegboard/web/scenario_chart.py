"""The geometry of the comparison's summary chart, an SVG the template draws
(``scenario_compare.html``): no plotting library, no script (the pages' CSP allows
none), every row a link to its order with a ``<title>`` tooltip.

One row per order line whose projected date changed, or that is only in B: an arrow
from its projected date in A to the one in B (red when later, green when earlier), a
dot alone for a new line, and a grey tick at its due date, so "made late" reads as the
arrow crossing the tick. The axis marks each Monday and writes the month and its year
at the first tick and wherever a month begins, so a chart over New Year says which
year each day is. The most moved lines come first; the rest are in the tables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import quote

from pegboard.services.scenario_compare import Comparison, LineChange
from pegboard.services.wording import counted

MAX_ROWS = 40
LEFT = 120
TOP = 40
ROW = 20
PLOT = 760
"""Width of the plot area at most, in SVG units."""
MAX_DAY = 24.0
"""Width of a day at most (a chart of a few days is not stretched)."""
LATER, EARLIER, ADDED, DUE, MUTED = "#a3160b", "#1d6b35", "#0b5cad", "#505a66", "#d5d9de"


@dataclass(frozen=True)
class Row:
    y: float
    label: str
    href: str
    tip: str
    x_from: float | None
    """Where it was in A (None: a line only in B)."""
    x_to: float
    x_due: float
    colour: str


@dataclass(frozen=True)
class Tick:
    x: float
    day: str
    month: str
    """"Jan 2027" at the first tick and wherever a month begins, else ""."""


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    rows: list[Row]
    ticks: list[Tick]
    plot_bottom: float
    plot_right: float
    today_x: float | None
    more: int
    """Changed lines not drawn (in the tables)."""
    title: str


def _tip(c: LineChange, a: str, b: str) -> str:
    if c.before is None:
        return f"{c.demand}: due {c.due}, only in {b}: projected {c.after}"
    days = c.moved_days or 0
    late = ", now late" if c.late_before <= 0 < c.late_after else ""
    if c.late_before > 0 >= c.late_after:
        late = ", no longer late"
    return (
        f"{c.demand}: due {c.due}, projected {c.before} in {a}, {c.after} in {b} "
        f"({days:+d} {counted(abs(days), 'day')}{late})"
    )


def _colour(c: LineChange) -> str:
    if c.before is None:
        return ADDED
    return LATER if (c.moved_days or 0) > 0 else EARLIER


def _rows(result: Comparison) -> list[LineChange]:
    """The lines to draw: the most moved first, then the new ones."""
    moved = sorted(result.moved, key=lambda c: (-abs(c.moved_days or 0), c.demand))
    return [*moved, *(c for c in result.added if c.after is not None)]


def chart(result: Comparison, today: date) -> Chart | None:
    """The chart of ``result``'s changed lines (None: no line changed)."""
    lines = _rows(result)
    if not lines:
        return None
    shown = lines[:MAX_ROWS]
    days = [d for c in shown for d in (c.before, c.after, c.due) if d is not None]
    first, last = min(days) - timedelta(days=2), max(days) + timedelta(days=2)
    scale = min(MAX_DAY, PLOT / max(1, (last - first).days))

    def x(day: date) -> float:
        return round(LEFT + (day - first).days * scale, 1)

    rows = []
    for i, c in enumerate(shown):
        assert c.after is not None  # moved lines have both dates, added ones were filtered
        colour = _colour(c)
        rows.append(
            Row(
                y=TOP + i * ROW + ROW / 2,
                label=c.demand,
                href=f"/orders/{quote(c.order, safe='')}",
                tip=_tip(c, result.a, result.b),
                x_from=None if c.before is None else x(c.before),
                x_to=x(c.after),
                x_due=x(c.due),
                colour=colour,
            )
        )
    right = x(last)
    bottom = TOP + len(shown) * ROW
    return Chart(
        width=int(right + 20),
        height=int(bottom + 10),
        rows=rows,
        ticks=_ticks(first, last, x),
        plot_bottom=bottom,
        plot_right=right,
        today_x=x(today) if first <= today <= last else None,
        more=len(lines) - len(shown),
        title=(
            f"Projected dates of the order lines that change, {result.a} to {result.b}, "
            f"{first.isoformat()} to {last.isoformat()}"
        ),
    )


def _ticks(first: date, last: date, x: Callable[[date], float]) -> list[Tick]:
    """Each Monday when a week is wide enough to write its day under it, else the first
    of each month; the month and its year at the first tick and at each new month."""
    if (x(first + timedelta(days=7)) - x(first)) >= 24:
        day = first + timedelta(days=(7 - first.weekday()) % 7)
        step = timedelta(days=7)
    else:
        day = date(first.year, first.month, 1)
        day = day if day >= first else (day + timedelta(days=32)).replace(day=1)
        step = timedelta(0)
    ticks = []
    month: tuple[int, int] | None = None
    while day <= last:
        label = day.strftime("%b %Y") if (day.year, day.month) != month else ""
        month = (day.year, day.month)
        ticks.append(Tick(x=x(day), day=str(day.day) if step else "", month=label))
        day = day + step if step else (day + timedelta(days=32)).replace(day=1)
    return ticks

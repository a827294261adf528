"""The geometry of the production orders' Gantt chart on /production, drawn inline by
``_gantt.html`` like the work centers' (``gantt_svg``): one row per order from its
start to its due date, grouped by sales order with each child under its parent, late
orders outlined and labelled, today a line, every bar a link to its order with a
``<title>`` tooltip, the year on the axis.

A page of :data:`BARS` orders at a time (the table lists them all): the rows of a page
are drawn in the time it takes, and ``offset`` pages through the rest. ``zoom`` fits
the page's dates into :data:`PLOT` units, or gives a day a fixed width (the chart then
scrolls sideways inside its own box, never the page).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from pegboard.services.gantt import FINISHED, OrderRow
from pegboard.web.gantt_svg import BAR, DAY, ROW, TOP, GanttBar, GanttChart, time_ticks

BARS = 60
"""Orders drawn per page of the chart."""
PLOT = 760
"""Width of the plot when the chart fits its dates (``zoom=fit``)."""
LEFT = 290
"""Room for the row labels: sales order, order and item."""
LABEL = 44
"""Characters of a row label at most (the tooltip has the whole)."""
ZOOMS: dict[str, float | None] = {"fit": None, "weeks": 6.0, "days": float(DAY)}
"""Width of a day per zoom (``None``: the page's dates fit the plot)."""
KINDS = {"in_progress": "started", "done": "done", "closed": "done", "cancelled": "done"}
"""CSS class of a bar by status (planned and released orders are still to do)."""


@dataclass(frozen=True)
class OrderGantt:
    chart: GanttChart | None
    """None: no order to draw."""
    first: int
    """Position of the first order drawn (from 1)."""
    last: int
    total: int
    earlier: int | None
    """Offset of the page before (None: this is the first)."""
    later: int | None
    zoom: str


def _label(r: OrderRow) -> str:
    indent = "\u00a0\u00a0" * r.depth + ("└ " if r.depth else "")
    text = f"{r.group or 'stock'} {indent}{r.number} {r.item}"
    return text if len(text) <= LABEL else text[: LABEL - 1] + "…"


def _tip(r: OrderRow) -> str:
    done = f", {r.completed:g} done" if r.completed else ""
    whose = f"sales order {r.sales_order}" if r.sales_order else "for stock"
    parent = f", for {r.parent}" if r.parent else ""
    return (
        f"{r.number} {r.item}: {r.qty:g}{done}; {r.status.replace('_', ' ')}; "
        f"start {r.start.isoformat()}, due {r.due.isoformat()}"
        + (" — late" if r.late else "")
        + f"; {whose}{parent}"
    )


def _note(r: OrderRow) -> str:
    if r.late:
        return "late"
    if r.status in FINISHED or r.status == "cancelled":
        return r.status
    return ""


def order_chart(
    rows: list[OrderRow], today: date, *, offset: int = 0, zoom: str = "fit"
) -> OrderGantt:
    """The page of ``rows`` from ``offset`` (kept within the rows), drawn at ``zoom``
    (an unknown zoom fits)."""
    zoom = zoom if zoom in ZOOMS else "fit"
    start = min(max(offset, 0), max(len(rows) - 1, 0)) // BARS * BARS
    shown = rows[start : start + BARS]
    earlier = start - BARS if start > 0 else None
    later = start + BARS if start + BARS < len(rows) else None
    if not shown:
        return OrderGantt(None, 0, 0, 0, None, None, zoom)
    first = min([min(r.start, r.due) for r in shown] + [today])
    last = max([max(r.start, r.due) for r in shown] + [today])
    days = (last - first).days + 1
    day = ZOOMS[zoom] or min(float(DAY), PLOT / days)

    def x(d: date) -> float:
        return round(LEFT + (d - first).days * day, 1)

    bars = []
    for i, r in enumerate(shown):
        begin, end = min(r.start, r.due), max(r.start, r.due)
        width = max(round(((end - begin).days + 1) * day - 1, 1), 2.0)
        kind = KINDS.get(r.status, "waiting") + (" late" if r.late else "")
        y = TOP + i * ROW + (ROW - BAR) / 2
        href = "/production/" + quote(r.number, safe="")
        bars.append(GanttBar(x(begin), y, width, _label(r), href, _tip(r), kind, _note(r)))
    separators = tuple(
        float(TOP + i * ROW) for i in range(1, len(shown)) if shown[i].group != shown[i - 1].group
    )
    right = round(LEFT + days * day)
    bottom = TOP + len(shown) * ROW
    title = (
        f"Production orders {start + 1} to {start + len(shown)} of {len(rows)} from start "
        f"to due, {first.isoformat()} to {last.isoformat()} (bars link to their orders)"
    )
    chart = GanttChart(
        width=right + 60,
        height=bottom + 8,
        bars=bars,
        ticks=time_ticks(first, last, lambda d: LEFT + (d - first).days * day, day),
        over=[],
        today_x=x(today),
        plot_right=right,
        plot_bottom=bottom,
        title=title,
        left=LEFT,
        day_width=day,
        separators=separators,
    )
    return OrderGantt(chart, start + 1, start + len(shown), len(rows), earlier, later, zoom)

"""Charts as small SVG images drawn with matplotlib (Agg, no pyplot state).

The pages allow no scripts, so a chart is an SVG served by our own route and shown
with ``<img>``. Every chart has labelled axes, a legend and text labels, so it reads
without colour.

Text in a chart is user data (item codes, order numbers) and is drawn literally:
matplotlib would read ``MK$\\foo$`` as math text and fail (a 500 for everyone who
opens the page), ``$x$`` as an italic x. So math text is off for the whole process
(``text.parse_math``, which every ``Text`` reads when it is made, tick labels made
while drawing included), and :func:`_svg` turns it off on every text of the figure
again before saving, whatever the global settings are by then.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text

from pegboard.services.projection import Projection

matplotlib.use("Agg")  # no GUI; figures are drawn with Figure, never pyplot
matplotlib.rcParams["text.parse_math"] = False  # user text is text, never math (see above)

SVG_HEADERS = {
    # an image, but one a browser also opens as a document (a link, "open image in new
    # tab"): no script, nothing fetched, never framed; its own <style> only
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
INK, ACCENT, LATE, MUTED, OK = "#1b1f24", "#0b5cad", "#a3160b", "#505a66", "#1d6b35"


def _svg(fig: Figure, *, text_as_text: bool = False) -> bytes:
    """The figure as SVG; ``text_as_text`` keeps text as ``<text>`` (not glyph paths),
    much faster for a chart with many labels."""
    out = io.BytesIO()
    for text in fig.findobj(Text):
        text.set_parse_math(False)
        text.set_usetex(False)
    fonttype = "none" if text_as_text else "path"
    with matplotlib.rc_context(
        {"svg.fonttype": fonttype, "text.parse_math": False, "text.usetex": False}
    ):
        fig.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


def _x(day: date) -> float:
    return float(day.toordinal())


def _date_ticks(ax: Axes) -> None:
    low, high = ax.get_xlim()
    first, last = math.ceil(low), math.floor(high)
    step = max(1, (last - first) // 6)
    ticks = list(range(first, last + 1, step))
    ax.set_xticks(ticks, [date.fromordinal(t).strftime("%d %b") for t in ticks], fontsize=8)


def _label(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def projection_svg(projection: Projection) -> bytes:
    """Projected stock as a step line, receipts (▲) and requirements (▼) marked,
    safety stock dashed."""
    # fixed margins and legend place: a constrained layout draws the figure twice and
    # "best" tries every corner against every point (an item may have 200 days)
    fig = Figure(figsize=(7.5, 3.2), dpi=72)
    fig.subplots_adjust(left=0.13, right=0.98, top=0.9, bottom=0.16)
    ax = fig.add_subplot()
    day0 = projection.planning_date
    days = [day0] + [r.day for r in projection.rows]
    levels = [projection.on_hand] + [r.projected for r in projection.rows]
    end = max(days) + timedelta(days=7)
    ax.step(
        [_x(d) for d in (*days, end)],
        [*levels, levels[-1]],
        where="post",
        color=ACCENT,
        linewidth=2,
    )
    receipts = [(r.day, r.projected) for r in projection.rows if r.receipts > 0]
    needs = [(r.day, r.projected) for r in projection.rows if r.requirements > 0]
    if receipts:
        ax.plot(
            [_x(d) for d, _ in receipts],
            [q for _, q in receipts],
            "^",
            color=OK,
            markersize=8,
            linestyle="none",
        )
    if needs:
        ax.plot(
            [_x(d) for d, _ in needs],
            [q for _, q in needs],
            "v",
            color=LATE,
            markersize=8,
            linestyle="none",
        )
    handles: list[Line2D | Patch] = [
        Line2D([], [], color=ACCENT, linewidth=2, label="projected stock"),
        Line2D([], [], color=OK, marker="^", linestyle="none", label="receipt"),
        Line2D([], [], color=LATE, marker="v", linestyle="none", label="requirement"),
    ]
    if projection.safety_stock > 0:
        ax.axhline(projection.safety_stock, color=MUTED, linestyle="--", linewidth=1.2)
        handles.append(Line2D([], [], color=MUTED, linestyle="--", label="safety stock"))
    ax.axhline(0, color=INK, linewidth=0.6)
    ax.set_xlabel("date")
    ax.set_ylabel(f"stock of {_label(projection.item, 30)}")
    ax.set_title(f"Projected stock: {_label(projection.item)}", fontsize=11)
    _date_ticks(ax)
    ax.grid(True, color="#dddddd", linewidth=0.5)
    ax.legend(handles=handles, loc="upper right", fontsize=8, framealpha=0.9)
    return _svg(fig, text_as_text=True)


@dataclass(frozen=True)
class Bar:
    label: str  # the row's text, indented for a child order
    group: str  # the sales order, or "" for stock
    start: date
    due: date
    late: bool
    done: bool


GANTT_LEGEND_INCHES = 0.35
"""Room under the date axis for the Gantt chart's legend: outside the plot, never over a bar."""


def _gantt_ticks(ax: Axes) -> None:
    """At most five dates, each with its year: a plan crosses a new year, and "03 Jan"
    alone does not say which."""
    low, high = ax.get_xlim()
    first, last = math.ceil(low), math.floor(high)
    step = max(1, (last - first) // 4)
    ticks = list(range(first, last + 1, step))
    ax.set_xticks(ticks, [date.fromordinal(t).strftime("%d %b %Y") for t in ticks], fontsize=8)


def gantt_figure(bars: Sequence[Bar], today: date, *, more: int = 0) -> Figure:
    """One row per order, grouped by sales order; late bars hatched and labelled.
    ``more`` is how many orders were left out (said under the chart). The legend sits
    under the plot, so it covers no bar however the rows fall."""
    height = min(1.5 + GANTT_LEGEND_INCHES + 0.32 * max(len(bars), 1), 40.0)
    # fixed margins (no constrained layout, which draws the figure twice): room for the
    # row labels on the left, "today" above, the date axis and the legend below (in inches)
    fig = Figure(figsize=(8.5, height), dpi=72)
    bottom = (0.75 + GANTT_LEGEND_INCHES) / height
    fig.subplots_adjust(left=0.42, right=0.97, top=1 - 0.45 / height, bottom=bottom)
    ax = fig.add_subplot()
    if not bars:
        ax.text(0.5, 0.5, "no production orders", ha="center", va="center")
        ax.set_axis_off()
        return fig
    for y, bar in enumerate(bars):
        start = _x(bar.start)
        width = max(_x(bar.due) - start, 0.6)
        colour = MUTED if bar.done else (LATE if bar.late else ACCENT)
        ax.barh(
            y,
            width,
            left=start,
            height=0.6,
            color="white" if bar.late else colour,
            edgecolor=colour,
            hatch="///" if bar.late else None,
            linewidth=1.2,
        )
        if bar.late:
            ax.text(start + width + 0.3, y, "late", va="center", fontsize=8, color=LATE)
        elif bar.done:
            ax.text(start + width + 0.3, y, "done", va="center", fontsize=8, color=MUTED)
    ax.set_yticks(range(len(bars)), [_label(b.label, 48) for b in bars], fontsize=8)
    ax.invert_yaxis()
    previous = None
    for y, bar in enumerate(bars):
        if previous is not None and bar.group != previous:
            ax.axhline(y - 0.5, color="#bbbbbb", linewidth=0.8)
        previous = bar.group
    ax.axvline(_x(today), color=INK, linestyle=":", linewidth=1.5)
    ax.text(_x(today), -0.7, " today", fontsize=8, color=INK, va="bottom", ha="left")
    _gantt_ticks(ax)
    ax.set_xlabel(
        "date (bar: start to due)"
        + (
            f"; {more} more order{'s' if more != 1 else ''} not drawn: see the table"
            if more
            else ""
        )
    )
    ax.set_ylabel("production order (by sales order)")
    ax.grid(True, axis="x", color="#dddddd", linewidth=0.5)
    fig.legend(
        handles=[
            Patch(facecolor=ACCENT, edgecolor=ACCENT, label="on time"),
            Patch(facecolor="white", edgecolor=LATE, hatch="///", label="late"),
            Patch(facecolor=MUTED, edgecolor=MUTED, label="done / closed"),
            Line2D([], [], color=INK, linestyle=":", label="today"),
        ],
        loc="lower center",
        bbox_to_anchor=(0.5, 0.04 / height),
        ncol=4,
        fontsize=8,
        frameon=False,
    )
    return fig


def gantt_svg(bars: Sequence[Bar], today: date, *, more: int = 0) -> bytes:
    """The Gantt chart (:func:`gantt_figure`) as SVG."""
    return _svg(gantt_figure(bars, today, more=more), text_as_text=True)

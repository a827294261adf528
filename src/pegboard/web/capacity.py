"""The capacity page: the work centers, and a load chart per work center, a page at a time.

The charts show the backward load's weeks (``services.load_weeks``) of a window of weeks
(``?from=2027-01-04&weeks=12``, earlier and later a window at a time) for one page of
work centers, the most overloaded in the window first, filtered by code or description
(``q``) or to the overloaded ones (``over=1``): a full-size company's 200 work centers
over two years were tens of megabytes no one could read. Each chart is an SVG drawn by
the template (``capacity.html``) from the geometry made here: the hours asked each ISO
week as bars (red where they are more than the work center has), what it has as a line,
the week numbers and the year on the axis. The pages allow no scripts: a bar's tooltip
is its SVG ``<title>`` (the week, the hours, the few orders asking most and how many
more), and the bar links to the work center's page for that week, which lists every
operation in it. A form creates a work center or changes one through
``services.capacity`` (audited), for the roles with master data; the CSRF token is
checked before (``deps.csrf_checked``). The finite schedule of the current plan is
summed up with its late orders and why, and the roles that plan make it here
(``services.schedule_run``, as ``pegboard schedule``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response

from pegboard import clock
from pegboard.db import Session
from pegboard.errors import PegboardError, ValidationError
from pegboard.services import capacity, load_weeks, schedule
from pegboard.services.permissions import Permission
from pegboard.services.wording import plural
from pegboard.web import auth
from pegboard.web.deps import DbSession, Viewer, may, require
from pegboard.web.errors import refused_change, sentence
from pegboard.web.form_numbers import optional_number, optional_whole
from pegboard.web.render import chrome, page, redirect

if TYPE_CHECKING:
    from pegboard.services.schedule_run import ScheduleSummary

router = APIRouter(include_in_schema=False)

Field = Annotated[str | None, Form(max_length=1000)]
Editor = Annotated[
    auth.SignedIn,
    Depends(require(Permission.MASTER_DATA, "Your role may not change work centers.")),
]
Planner = Annotated[
    auth.SignedIn, Depends(require(Permission.PLAN, "Your role may not schedule the plan."))
]
LATE_LISTED = 20
FIELDS = ("code", "description", "hours_per_day", "weekday_hours", "units", "efficiency_pct",
          "cost_rate")  # fmt: skip

# chart geometry, in SVG units
STEP = 22
BAR = 16
LEFT = 52
TOP = 14
PLOT = 150
HEIGHT = TOP + PLOT + 44


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    height: float
    over: bool
    url: str
    """The work center's page for the week: every operation in it."""
    tip: str


@dataclass(frozen=True)
class Tick:
    x: float
    label: str
    year: str
    """The year under the first week and under each week that starts a new one."""


@dataclass(frozen=True)
class Chart:
    work_center: load_weeks.CenterLoad
    width: int
    height: int
    bars: list[Bar]
    capacity: str
    """The points of the capacity line (a step per week)."""
    ticks: list[Tick]
    y_ticks: list[tuple[float, str]]
    plot_bottom: int
    plot_right: int


def _hours(value: float) -> str:
    return f"{value:,.1f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"


def _order_url(order: str) -> str:
    """Open production orders have pages of their own; planned ones are on the list of
    planned orders."""
    if order.startswith("PL-"):
        return "/plan/planned-orders?type=make"
    return f"/production/{order}"


def week_url(code: str, monday: date) -> str:
    """The work center's page for one week: its operations that week, all of them."""
    query = urlencode({"from": monday.isoformat(), "weeks": 1})
    return f"/capacity/{quote(code, safe='')}?{query}"


def _tip(code: str, week: load_weeks.Week) -> str:
    year, number, _ = week.start.isocalendar()
    tip = (
        f"{code}, week {number} of {year} (from {week.start.isoformat()}): "
        f"{_hours(week.required)} h required of {_hours(week.available)} h"
    )
    if week.top:
        tip += " — most: " + ", ".join(f"{o} {_hours(h)} h" for o, h in week.top)
    if week.more:
        tip += f" and {week.more} more"
    return tip


def _chart(wc: load_weeks.CenterLoad) -> Chart:
    top = max([p.required for p in wc.weeks] + [p.available for p in wc.weeks] + [1.0])
    top = _nice(top * 1.08)

    def y(hours: float) -> float:
        return round(TOP + PLOT - PLOT * hours / top, 2)

    bars, ticks, points = [], [], []
    previous_year = None
    for i, week in enumerate(wc.weeks):
        x = LEFT + i * STEP
        year, number, _ = week.start.isocalendar()
        if week.required > 0:
            top_y = y(week.required)
            bars.append(
                Bar(x + (STEP - BAR) / 2, top_y, round(TOP + PLOT - top_y, 2), week.over,
                    week_url(wc.code, week.start), _tip(wc.code, week))
            )  # fmt: skip
        shown = str(year) if year != previous_year else ""
        previous_year = year
        ticks.append(Tick(x + STEP / 2, f"W{number:02d}", shown))
        points += [f"{x},{y(week.available)}", f"{x + STEP},{y(week.available)}"]
    y_ticks = [(y(top * k / 4), _hours(top * k / 4)) for k in range(5)]
    width = LEFT + STEP * len(wc.weeks) + 12
    return Chart(wc, width, HEIGHT, bars, " ".join(points), ticks, y_ticks, TOP + PLOT,
                 LEFT + STEP * len(wc.weeks))  # fmt: skip


def _nice(value: float) -> float:
    """The next round number at or above ``value`` (1, 2, 2.5 or 5 × a power of ten)."""
    power = 10 ** max(0, len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return float(step * power)
    return float(10 * power)


@dataclass(frozen=True)
class View:
    """What the load section shows: the filter, the window and the page (query string)."""

    q: str = ""
    start: date | None = None
    weeks: int = load_weeks.DEFAULT_WEEKS
    page: int = 1
    over: bool = False

    def url(self, **changed: Any) -> str:
        """This view's address with ``changed`` fields, back to the load section."""
        values = {
            "q": self.q,
            "from": self.start.isoformat() if self.start else "",
            "weeks": self.weeks,
            "page": self.page,
            "over": "1" if self.over else "",
        } | changed
        query = urlencode({k: v for k, v in values.items() if v not in ("", None)})
        return f"/capacity?{query}#load-h"


def _capacity_page(
    request: Request,
    session: Session,
    who: auth.SignedIn,
    *,
    view: View | None = None,
    saved: str | None = None,
    error: str | None = None,
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    view = view or View()
    centers = capacity.list_work_centers(session)
    notice = f"Work center {saved} was saved." if saved in {c.code for c in centers} else None
    today = clock.today()
    shown = load_weeks.load_page(
        session,
        today=today,
        search=view.q,
        start=view.start,
        weeks=view.weeks,
        page=view.page,
        overloaded_only=view.over,
    )
    step = timedelta(weeks=shown.weeks)
    here = View(view.q, shown.start, shown.weeks, shown.page, view.over)
    monday = today - timedelta(days=today.weekday())
    context: dict[str, Any] = chrome(who, "capacity") | {
        "title": "Capacity",
        "centers": centers,
        "shown": shown,
        "charts": [_chart(wc) for wc in shown.centers],
        "view": here,
        "earlier": here.url(**{"from": (shown.start - step).isoformat(), "page": 1}),
        "later": here.url(**{"from": (shown.start + step).isoformat(), "page": 1}),
        "this_week": here.url(**{"from": monday.isoformat(), "page": 1}),
        "first_week": here.url(**{"from": shown.first.isoformat(), "page": 1})
        if shown.first
        else None,
        "week_url": week_url,
        "order_url": _order_url,
        "hours": _hours,
        "may_edit": may(who, Permission.MASTER_DATA),
        "may_plan": may(who, Permission.PLAN),
        "schedule": schedule.current_schedule(session),
        "late_orders": schedule.scheduled_orders(session, late_only=True, limit=LATE_LISTED),
        "why": _why,
        "notice": notice,
        "error": error,
        "typed": typed or dict.fromkeys(FIELDS, ""),
    }
    return page(request, "capacity.html", context, status_code=status)


def _day(text: str | None) -> date | None:
    """The window's first day as typed in ``from`` (none: the default window); a value
    that is not a date is refused naming it, as the API and the CLI refuse it."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise ValidationError(
            f"from {text!r} is not a date YYYY-MM-DD", field="from", value=text
        ) from None


@router.get("/capacity")
def capacity_home(
    request: Request,
    session: DbSession,
    who: Viewer,
    saved: str | None = None,
    q: Annotated[str, Query(max_length=100)] = "",
    start: Annotated[str | None, Query(alias="from", max_length=20)] = None,
    weeks: Annotated[int, Query(ge=1, le=load_weeks.MAX_WEEKS)] = load_weeks.DEFAULT_WEEKS,
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
    over: Annotated[str, Query(max_length=5)] = "",
) -> Response:
    view = View(q.strip(), _day(start), weeks, page_no, over in {"1", "on", "true"})
    return _capacity_page(request, session, who, view=view, saved=saved)


def _why(order: schedule.OrderRow) -> str:
    """What set a late order's date, when the schedule did ("POWDER full 2027-01-19")."""
    if not (order.bottleneck and order.cause and order.held_from and order.held_to):
        return ""
    return schedule.held_note(order.bottleneck, order.cause, order.held_from, order.held_to)


@router.post("/capacity/schedule")
def make_schedule(request: Request, session: DbSession, who: Planner) -> Response:
    """Schedule the current plan at finite capacity (``pegboard schedule``)."""
    from pegboard.services.schedule_run import run_schedule

    try:
        summary = run_schedule(session, author=who.user.name)
    except PegboardError as e:
        status = refused_change(session, e)
        return _capacity_page(request, session, who, error=sentence(e.message), status=status)
    return redirect("/capacity#schedule-h", done=_scheduled_note(summary))


def _scheduled_note(summary: ScheduleSummary) -> str:
    """What the run did, with what it did with the planners' pins (the CLI's summary)."""
    note = (
        f"Scheduled {plural(summary.orders, 'production order')}, "
        f"{plural(summary.operations, 'operation')}: {summary.late_orders} complete late."
    )
    if summary.pinned:
        note += f" Pinned operations kept on their days: {len(summary.pinned)}."
    if summary.pin_overloads:
        note += f" Pins load past the hours: {_few(summary.pin_overloads)}."
    if summary.pins_ignored:
        note += f" Pins ignored: {_few(summary.pins_ignored)}."
    if summary.pins_out_of_sequence:
        note += f" Out of sequence: {_few(summary.pins_out_of_sequence)}."
    return note


def _few(texts: list[str], shown: int = 2) -> str:
    more = (
        f" and {len(texts) - shown} more (pegboard schedule lists them)"
        if len(texts) > shown
        else ""
    )
    return "; ".join(texts[:shown]) + more


@router.post("/capacity/work-centers")
def save_work_center(
    request: Request,
    session: DbSession,
    who: Editor,
    code: Field = None,
    description: Field = None,
    hours_per_day: Field = None,
    weekday_hours: Field = None,
    units: Field = None,
    efficiency_pct: Field = None,
    cost_rate: Field = None,
) -> Response:
    """Create the work center or change it: an empty field keeps its value."""
    sent = (code, description, hours_per_day, weekday_hours, units, efficiency_pct, cost_rate)
    typed = {name: (value or "").strip()[:200] for name, value in zip(FIELDS, sent, strict=True)}
    try:
        week = typed["weekday_hours"]
        saved = capacity.save_work_center(
            session,
            code=typed["code"],
            author=who.user.name,
            description=typed["description"] or None,
            hours_per_day=optional_number(typed["hours_per_day"], "hours_per_day"),
            weekday_hours=capacity.parse_weekday_hours(week) if week else None,
            units=optional_whole(typed["units"], "units"),
            efficiency_pct=optional_number(typed["efficiency_pct"], "efficiency_pct"),
            cost_rate=typed["cost_rate"] or None,
        )
    except PegboardError as e:
        status = refused_change(session, e)
        return _capacity_page(
            request, session, who, error=sentence(e.message), typed=typed, status=status
        )
    return redirect(f"/capacity?saved={quote(saved.code, safe='')}")

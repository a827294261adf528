"""The master schedule pages: the items on it, and per item an editable weekly grid.

The grid puts the weeks in columns (ISO week, its Monday, and the year under the first
week and each week that starts a new one) and the MPS record in rows: backlog, other
supply, the schedule, projected available balance, available to promise. The schedule
row is a plain form (no script, as every page): saving it calls
``services.mps_schedule.save_weeks`` once, all or nothing, and a refusal shows the grid
again with what the planner typed and each refused cell marked with its reason. The
levelled proposal sits under the grid; its weeks are ticked and accepted in one post.
The list page has the rough-cut of the whole schedule: per key work center and week, the
schedule's hours next to the other load's, the total against what it has.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from pegboard.db import Session
from pegboard.errors import PegboardError, ValidationError
from pegboard.services import mps, mps_fence, mps_rough_cut, mps_schedule
from pegboard.services.permissions import Permission
from pegboard.services.wording import plural
from pegboard.web import auth
from pegboard.web.deps import DbSession, Viewer, may, require
from pegboard.web.errors import refused_change, sentence
from pegboard.web.render import Form, chrome, form_text, page, redirect

router = APIRouter(include_in_schema=False)

Planner = Annotated[
    auth.SignedIn, Depends(require(Permission.PLAN, "Your role may not change the schedule."))
]
Weeks = Annotated[int, Query(ge=1, le=mps.MAX_WEEKS)]
ROUGH_CUT_WEEKS = 12
"""Weeks of the whole schedule's rough-cut on the list page, from the current one."""
CELL = "w-"
"""A schedule cell's form name: ``w-`` and the week's Monday."""


def _quantity(text: str | None, field: str) -> float | None:
    if not text or not text.strip():
        return None
    try:
        return mps_schedule.parse_qty(text)
    except ValueError:
        raise ValidationError(f"{field} {text[:40]!r} is not a number", field=field) from None


def _years(grid: mps_schedule.Grid) -> list[str]:
    """The year under the first week and under each week that starts a new one."""
    shown, previous = [], None
    for week in grid.weeks:
        year = week.week.start.isocalendar()[0]
        shown.append(str(year) if year != previous else "")
        previous = year
    return shown


def _grid_page(
    request: Request,
    session: Session,
    who: auth.SignedIn,
    item: str,
    *,
    weeks: int,
    minimum: str = "",
    maximum: str = "",
    typed: dict[str, str] | None = None,
    cell_errors: dict[str, str] | None = None,
    error: str | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    grid = mps_schedule.grid(
        session,
        item,
        weeks=weeks,
        minimum=_quantity(minimum, "min") or 0.0,
        maximum=_quantity(maximum, "max"),
    )
    context: dict[str, Any] = chrome(who, "mps") | {
        "title": f"Master schedule {item}",
        "item": item,
        "grid": grid,
        "years": _years(grid),
        "weeks": weeks,
        "minimum": minimum,
        "maximum": maximum,
        "typed": typed or {},
        "cell_errors": cell_errors or {},
        "cell": CELL,
        "may_plan": may(who, Permission.PLAN),
        "error": error,
        "notice": notice,
        "quoted": quote(item, safe=""),
    }
    return page(request, "mps_item.html", context, status_code=status)


def _home(
    request: Request,
    session: Session,
    who: auth.SignedIn,
    *,
    error: str | None = None,
    typed: str | None = None,
    status: int = 200,
) -> Response:
    context = chrome(who, "mps") | {
        "title": "Master schedule",
        "items": mps_schedule.mps_items(session),
        "rough_cut": mps_rough_cut.rough_cut(session, weeks=ROUGH_CUT_WEEKS),
        "fence": mps_fence.fence_setting(session),
        "typed_fence": typed,
        "may_plan": may(who, Permission.PLAN),
        "error": error,
    }
    return page(request, "mps.html", context, status_code=status)


@router.get("/mps")
def mps_home(request: Request, session: DbSession, who: Viewer) -> Response:
    return _home(request, session, who)


@router.post("/mps/fence")
def save_fence(request: Request, session: DbSession, who: Planner, form: Form) -> Response:
    """Set the planning time fence (``services.mps_fence.set_fence_days``)."""
    typed = (form_text(form, "days") or "").strip()[:12]
    try:
        if not typed.isdigit():
            raise ValidationError(
                f"Planning time fence: “{typed}” is not a whole number of days.",
                field=mps_fence.FENCE_KEY,
                value=typed,
            )
        days = mps_fence.set_fence_days(session, int(typed), author=who.user.name)
    except PegboardError as e:
        status = refused_change(session, e)
        return _home(request, session, who, error=sentence(e.message), typed=typed, status=status)
    return redirect(
        "/mps", done=f"The planning time fence is now {plural(days, 'day')}; re-plan to apply it."
    )


@router.get("/mps/{item}")
def mps_item(
    request: Request,
    session: DbSession,
    who: Viewer,
    item: str,
    weeks: Weeks = 12,
    min: Annotated[str, Query(max_length=30)] = "",
    max: Annotated[str, Query(max_length=30)] = "",
    saved: Annotated[int | None, Query(ge=0, le=mps.MAX_WEEKS)] = None,
) -> Response:
    notice = None if saved is None else f"Saved: {plural(saved, 'week')} scheduled."
    try:
        return _grid_page(
            request, session, who, item, weeks=weeks, minimum=min, maximum=max, notice=notice
        )
    except ValidationError as e:
        if e.params.get("field") not in ("min", "max"):
            raise
        return _grid_page(
            request, session, who, item, weeks=weeks, error=sentence(e.message), status=422
        )


def _weeks_of(form_weeks: str | None) -> int:
    try:
        weeks = int(form_weeks or "12")
    except ValueError:
        weeks = 12
    return min(max(weeks, 1), mps.MAX_WEEKS)


@router.post("/mps/{item}")
def save_grid(
    request: Request, session: DbSession, who: Planner, item: str, form: Form
) -> Response:
    """Save the schedule row, all or nothing (``services.mps_schedule.save_weeks``)."""
    weeks = _weeks_of(form_text(form, "weeks"))
    typed = {
        key[len(CELL) :]: (value if isinstance(value, str) else "")[:40]
        for key, value in form.multi_items()
        if key.startswith(CELL)
    }
    try:
        numbers = mps_schedule.save_weeks(
            session, item, typed, author=who.user.name, force=form_text(form, "force") == "yes"
        )
    except PegboardError as e:
        status = refused_change(session, e)
        cells = e.problems if isinstance(e, mps_schedule.ScheduleRefused) else []
        return _grid_page(
            request,
            session,
            who,
            item,
            weeks=weeks,
            typed=typed,
            cell_errors={p.week: sentence(p.reason) for p in cells},
            error=sentence(e.message.splitlines()[0]),
            status=status,
        )
    query = urlencode({"weeks": weeks, "saved": len(numbers)})
    return redirect(f"/mps/{quote(item, safe='')}?{query}")


@router.post("/mps/{item}/accept")
def accept_proposal(
    request: Request, session: DbSession, who: Planner, item: str, form: Form
) -> Response:
    """Accept the proposal's ticked weeks (``services.mps_schedule.accept_proposal``)."""
    weeks = _weeks_of(form_text(form, "weeks"))
    minimum, maximum = form_text(form, "min") or "", form_text(form, "max") or ""
    try:
        chosen = [date.fromisoformat(str(v)) for v in form.getlist("accept")]
        written = mps_schedule.accept_proposal(
            session,
            item,
            weeks=weeks,
            minimum=_quantity(minimum, "min") or 0.0,
            maximum=_quantity(maximum, "max"),
            only=chosen,
            author=who.user.name,
        )
    except ValueError:
        return _grid_page(
            request, session, who, item, weeks=weeks, error="A ticked week is not a date.",
            status=422,
        )  # fmt: skip
    except PegboardError as e:
        status = refused_change(session, e)
        return _grid_page(
            request,
            session,
            who,
            item,
            weeks=weeks,
            minimum=minimum,
            maximum=maximum,
            error=sentence(e.message.splitlines()[0]),
            status=status,
        )
    query = urlencode({"weeks": weeks, "saved": len(written)})
    return redirect(f"/mps/{quote(item, safe='')}?{query}")

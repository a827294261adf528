"""The plant calendar page: the weekdays the plant works and its holidays (rule 1).

Everyone who may read sees it; the roles with ``calendar.EDIT_PERMISSION`` change
the work days and add or remove holidays (the CSRF token is checked first, by
``deps.csrf_checked``); the changes go through ``services.calendar`` (audited) and
answer with a redirect (Post/Redirect/Get).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, NamedTuple

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from pegboard.db import Session
from pegboard.errors import PegboardError, ValidationError
from pegboard.services import calendar as plant_calendar
from pegboard.web import auth
from pegboard.web.deps import DbSession, Viewer, may, require
from pegboard.web.errors import refused_change, sentence
from pegboard.web.render import Form as PostedForm
from pegboard.web.render import chrome, page, redirect

router = APIRouter(include_in_schema=False)

Field = Annotated[str | None, Form(max_length=1000)]
Editor = Annotated[
    auth.SignedIn,
    Depends(
        require(plant_calendar.EDIT_PERMISSION, "Your role may not change the plant calendar.")
    ),
]
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DONE = {
    "work-days": "The work days were changed; the next plan counts lead times in them.",
    "added": "The holiday was added; the next plan works around it.",
    "removed": "The holiday was removed.",
}


class Weekday(NamedTuple):
    value: str
    label: str
    works: bool


def _calendar_page(
    request: Request,
    session: Session,
    who: auth.SignedIn,
    *,
    notice: str | None = None,
    error: str | None = None,
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    view = plant_calendar.show_calendar(session)
    days = [
        Weekday(name, label, index in view.work_days)
        for index, (name, label) in enumerate(zip(plant_calendar.DAY_NAMES, WEEKDAYS, strict=True))
    ]
    context: dict[str, Any] = chrome(who, "calendar") | {
        "title": "Plant calendar",
        "days": days,
        "working": ", ".join(d.label for d in days if d.works),
        "holidays": view.holidays,
        "may_edit": may(who, plant_calendar.EDIT_PERMISSION),
        "notice": notice,
        "error": error,
        "typed": typed or {"date": "", "description": ""},
    }
    return page(request, "calendar.html", context, status_code=status)


@router.get("/calendar")
def calendar_home(
    request: Request, session: DbSession, who: Viewer, done: str | None = None
) -> Response:
    return _calendar_page(request, session, who, notice=DONE.get(done or ""))


def _change(
    request: Request,
    session: Session,
    who: auth.SignedIn,
    done: str,
    change: Callable[[Session, str], object],
    typed: dict[str, str] | None = None,
) -> Response:
    """Run ``change(session, author)``; on a refused value the page again with the error
    (and what was typed), nothing saved."""
    try:
        change(session, who.user.name)
    except PegboardError as e:
        status = refused_change(session, e)
        return _calendar_page(
            request, session, who, error=sentence(e.message), typed=typed, status=status
        )
    return redirect(f"/calendar?done={done}")


@router.post("/calendar/work-days")
def work_days(request: Request, session: DbSession, who: Editor, form: PostedForm) -> Response:
    chosen = [v for v in form.getlist("day") if isinstance(v, str)][:7]
    return _change(
        request,
        session,
        who,
        "work-days",
        lambda s, author: plant_calendar.set_work_days(s, ",".join(chosen), author=author),
    )


def _day(value: str | None) -> date:
    """A posted date, or a refusal that names the field and the value."""
    text = (value or "").strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            f"date {text[:40]!r} is not a day of the calendar (write YYYY-MM-DD)"
            if text
            else "enter the date",
            field="date",
            value=text[:40],
        ) from None


@router.post("/calendar/holidays")
def holiday_add(
    request: Request,
    session: DbSession,
    who: Editor,
    day: Field = None,
    description: Field = None,
) -> Response:
    typed = {"date": (day or "").strip()[:40], "description": (description or "").strip()[:200]}
    return _change(
        request,
        session,
        who,
        "added",
        lambda s, author: plant_calendar.add_holiday(
            s, _day(day), (description or "").strip(), author=author
        ),
        typed,
    )


@router.post("/calendar/holidays/remove")
def holiday_remove(
    request: Request, session: DbSession, who: Editor, day: Field = None
) -> Response:
    return _change(
        request,
        session,
        who,
        "removed",
        lambda s, author: plant_calendar.remove_holiday(s, _day(day), author=author),
    )

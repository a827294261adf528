"""A work center's page: its Gantt chart a few weeks at a time, its dispatch list, and
starting and finishing its operations (for the roles that run production).

The chart is an SVG drawn by the template from ``gantt_svg``'s geometry (no script:
the CSP allows none; tooltips are ``<title>``s, bars link to their orders). The
window pages by whole weeks (``?from=2027-01-04&weeks=4``). The forms post to one
route that calls ``services.shop_floor`` and comes back to the page, saying what was
done or, when refused, why (nothing written).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response

from pegboard import clock
from pegboard.db import Session
from pegboard.errors import PegboardError, ValidationError
from pegboard.services import shop_floor, work_center_gantt, work_center_view
from pegboard.services.permissions import Permission
from pegboard.web import auth, gantt_svg
from pegboard.web.deps import DbSession, Viewer, may, require
from pegboard.web.errors import refused_change, sentence
from pegboard.web.render import chrome, page, redirect

router = APIRouter(include_in_schema=False)
ShopFloor = Annotated[
    auth.SignedIn,
    Depends(require(Permission.PRODUCTION, "Your role may not report shop-floor work.")),
]
Text = Annotated[str, Form(max_length=500)]


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _page(
    request: Request,
    session: Session,
    who: auth.SignedIn,
    code: str,
    *,
    start: date | None = None,
    weeks: int = work_center_gantt.DEFAULT_WEEKS,
    offset: int = 0,
    notice: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    today = clock.today()
    view = work_center_view.work_center_view(
        session, code, today=today, start=start, weeks=weeks, offset=offset
    )
    listed, window = view.listed, view.window
    title = (
        f"Operations on {code} as the {window.source} places them, "
        f"{window.start.isoformat()} to {window.end.isoformat()} (bars link to their orders)"
    )
    chart = gantt_svg.chart(
        window.operations,
        window.start,
        window.end,
        today,
        title,
        over=window.over_days,
        full=window.full_days,
    )

    def link(first: date | None) -> str | None:
        if first is None:
            return None
        query = urlencode({"from": first.isoformat(), "weeks": window.weeks})
        return f"/capacity/{quote(code, safe='')}?{query}"

    step = timedelta(weeks=window.weeks)
    size = work_center_gantt.MAX_ROWS

    def page_link(at: int) -> str:
        query = urlencode({"from": window.start.isoformat(), "weeks": window.weeks, "offset": at})
        return f"/capacity/{quote(code, safe='')}?{query}"

    context: dict[str, Any] = chrome(who, "capacity") | {
        "title": f"Work center {code}",
        "window": window,
        "finite": window.source == work_center_gantt.FINITE,
        "chart": chart,
        "listed": listed,
        "order_url": gantt_svg.order_url,
        "earlier": link(window.start - step),
        "later": link(window.start + step),
        "this_week": link(today),
        "first_link": link(window.first),
        "pager": {
            "first": window.offset + 1 if window.operations else 0,
            "last": window.offset + len(window.operations),
            "total": window.total,
            "previous": page_link(max(0, window.offset - size)) if window.offset > 0 else None,
            "next": page_link(window.offset + size)
            if window.offset + size < window.total
            else None,
        },
        "may_act": may(who, Permission.PRODUCTION),
        "notice": notice,
        "error": error,
    }
    return page(request, "work_center.html", context, status_code=status)


@router.get("/capacity/{code}")
def work_center_page(
    request: Request,
    session: DbSession,
    who: Viewer,
    code: str,
    start: Annotated[str | None, Query(alias="from", max_length=20)] = None,
    weeks: Annotated[int, Query(ge=1, le=work_center_gantt.MAX_WEEKS)] = (
        work_center_gantt.DEFAULT_WEEKS
    ),
    done: Annotated[str | None, Query(max_length=200)] = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    return _page(
        request, session, who, code, start=_day(start), weeks=weeks, offset=offset, notice=done
    )


def _sequence(text: str) -> int:
    if not text.isascii() or not text.isdigit():
        raise ValidationError(f"operation {text[:20]!r} is not a whole number", field="sequence")
    return int(text)


@router.post("/capacity/{code}/operations")
def report_operation(
    request: Request,
    session: DbSession,
    who: ShopFloor,
    code: str,
    order: Text = "",
    sequence: Text = "",
    action: Text = "",
    hours: Text = "",
    note: Text = "",
) -> Response:
    """Start or finish an operation from the dispatch list."""
    author = who.user.name
    try:
        seq = _sequence(sequence.strip())
        if action == "start":
            shop_floor.start_operation(session, order.strip(), seq, author=author, note=note)
            done = f"{order} operation {seq} started."
        elif action == "finish":
            if not hours.strip():
                raise ValidationError("Enter the hours worked to finish an operation.")
            result = shop_floor.finish_operation(
                session, order.strip(), seq, hours.strip(), author=author, note=note
            )
            done = f"{order} operation {seq} finished: {result.hours_worked} h worked."
        else:
            raise ValidationError(f"unknown action {action[:20]!r}: start or finish")
    except PegboardError as e:
        status = refused_change(session, e)
        return _page(request, session, who, code, error=sentence(e.message), status=status)
    return redirect(f"/capacity/{quote(code, safe='')}?{urlencode({'done': done})}")

"""Work centers and the items' routings as master data in the browser (issue #19 item 1).

``/work-centers`` lists them; a new one and an existing one each have a form of their
own (the capacity page's quick form creates or changes, whichever the code finds;
these say which they mean, so a typo never changes another work center), with the
work center's closed days. ``/routings`` lists the items' routings and edits one:
the operations in sequence on the work centers. Every change goes through
``services.capacity`` with its rules and audit, as ``pegboard capacity …`` and the
API do; a refusal shows the form again with what was typed.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from pegboard.db import Session
from pegboard.errors import NotFoundError, PegboardError, ValidationError
from pegboard.services import capacity
from pegboard.services.permissions import Permission
from pegboard.services.spreadsheet import Money, Sheet
from pegboard.web import auth
from pegboard.web.deps import DbSession, Viewer, may, require
from pegboard.web.errors import refused_change, sentence
from pegboard.web.form_numbers import optional_number, optional_whole
from pegboard.web.plan import PAGE_SIZE, offset_of, pager
from pegboard.web.render import Form, chrome, form_text, page, redirect
from pegboard.web.xlsx_download import ExportFormat, export_links, sheet_download

router = APIRouter(include_in_schema=False)
Keeper = Annotated[
    auth.SignedIn,
    Depends(require(Permission.MASTER_DATA, "Your role may not change work centers or routings.")),
]
FIELDS: tuple[str, ...] = ("code", "description", "hours_per_day", "weekday_hours", "units")
FIELDS += ("efficiency_pct", "cost_rate")
OPERATION_FIELDS: tuple[str, ...] = ("sequence", "work_center", "description", "setup_hours")
OPERATION_FIELDS += ("run_hours", "queue_days", "move_days")
BLANK_OPERATIONS = 3
MAX_OPERATION_ROWS = capacity.MAX_OPERATIONS


def _typed(form: Any) -> dict[str, str]:
    return {name: (form_text(form, name) or "").strip()[:200] for name in FIELDS}


def _shown(view: capacity.WorkCenterView) -> dict[str, str]:
    """A saved work center as the form's fields."""
    week = capacity.format_weekday_hours(view.weekday_hours) if view.weekday_hours else ""
    return {
        "code": view.code,
        "description": view.description,
        "hours_per_day": "" if view.weekday_hours else f"{view.hours_per_day:g}",
        "weekday_hours": week,
        "units": str(view.units),
        "efficiency_pct": f"{view.efficiency_pct:g}",
        "cost_rate": str(view.cost_rate),
    }


# --------------------------------------------------------------------------- work centers


@router.get("/work-centers")
def work_centers_home(
    request: Request,
    session: DbSession,
    who: Viewer,
    saved: str | None = None,
    export: ExportFormat = None,
) -> Response:
    centers = capacity.list_work_centers(session)
    if export:
        return sheet_download(work_center_sheet(centers), export, "work-centers")
    context = chrome(who, "capacity") | {
        "title": "Work centers",
        "centers": centers,
        "exports": export_links("/work-centers", {}),
        "may_edit": may(who, Permission.MASTER_DATA),
        "notice": f"Work center {saved} saved." if saved else None,
    }
    return page(request, "work_centers.html", context)


def _form_page(
    request: Request,
    session: Session,
    who: auth.SignedIn,
    typed: dict[str, str],
    *,
    view: capacity.WorkCenterView | None = None,
    error: str | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    context = chrome(who, "capacity") | {
        "title": f"Work center {view.code}" if view else "New work center",
        "view": view,
        "typed": typed,
        "error": error,
        "notice": notice,
        "may_edit": may(who, Permission.MASTER_DATA),
    }
    return page(request, "work_center_form.html", context, status_code=status)


WORK_CENTER_HEADER = (
    "work center",
    "description",
    "hours a day",
    "units",
    "efficiency %",
    "cost rate per hour",
    "closed days",
)


def work_center_sheet(centers: list[capacity.WorkCenterView]) -> Sheet:
    """The work centers as the list shows them, their closed days written out."""
    return Sheet(
        "Work centers",
        WORK_CENTER_HEADER,
        [
            (
                c.code,
                c.description,
                c.hours_text,
                c.units,
                c.efficiency_pct,
                Money(c.cost_rate),
                " ".join(day.isoformat() for day in c.closed_days),
            )
            for c in centers
        ],
    )


@router.get("/work-centers/new")
def new_work_center(request: Request, session: DbSession, who: Keeper) -> Response:
    typed = dict.fromkeys(FIELDS, "") | {"units": "1", "efficiency_pct": "100"}
    return _form_page(request, session, who, typed)


@router.get("/work-centers/{code}")
def edit_work_center(
    request: Request, session: DbSession, who: Viewer, code: str, done: str | None = None
) -> Response:
    view = capacity.get_work_center(session, code)
    notice = {"saved": "Saved.", "closed": "Closed day added.", "opened": "Closed day removed."}
    return _form_page(request, session, who, _shown(view), view=view, notice=notice.get(done or ""))


def _save(session: Session, who: auth.SignedIn, typed: dict[str, str], *, new: bool) -> str:
    week = typed["weekday_hours"]
    saved = capacity.save_work_center(
        session,
        code=typed["code"],
        author=who.user.name,
        description=typed["description"],
        hours_per_day=None if week else optional_number(typed["hours_per_day"], "hours_per_day"),
        weekday_hours=capacity.parse_weekday_hours(week) if week else None,
        units=optional_whole(typed["units"], "units"),
        efficiency_pct=optional_number(typed["efficiency_pct"], "efficiency_pct"),
        cost_rate=typed["cost_rate"] or None,
        new=new,
    )
    return saved.code


@router.post("/work-centers/new")
def create_work_center(request: Request, session: DbSession, who: Keeper, posted: Form) -> Response:
    typed = _typed(posted)
    try:
        code = _save(session, who, typed, new=True)
    except PegboardError as e:
        status = refused_change(session, e)
        return _form_page(request, session, who, typed, error=sentence(e.message), status=status)
    return redirect(f"/work-centers?{urlencode({'saved': code})}")


@router.post("/work-centers/{code}")
def change_work_center(
    request: Request, session: DbSession, who: Keeper, code: str, posted: Form
) -> Response:
    """Change the work center: hours per day, or per weekday when those are given (they
    win), units, efficiency, cost rate and description as typed."""
    typed = _typed(posted) | {"code": code}
    try:
        _save(session, who, typed, new=False)
    except PegboardError as e:
        status = refused_change(session, e)
        view = capacity.get_work_center(session, code)
        return _form_page(
            request, session, who, typed, view=view, error=sentence(e.message), status=status
        )
    return redirect(f"/work-centers/{quote(code, safe='')}?done=saved")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            f"date {text[:40]!r} is not a date (YYYY-MM-DD)", field="date"
        ) from None


@router.post("/work-centers/{code}/closed-days")
def add_closed_day(
    request: Request, session: DbSession, who: Keeper, code: str, posted: Form
) -> Response:
    """Close the work center on a day the plant works (maintenance, say)."""
    try:
        day = _day((form_text(posted, "date") or "").strip())
        reason = (form_text(posted, "reason") or "").strip()[:200]
        capacity.add_closed_day(session, code, day, reason, author=who.user.name)
    except PegboardError as e:
        status = refused_change(session, e)
        view = capacity.get_work_center(session, code)
        return _form_page(
            request,
            session,
            who,
            _shown(view),
            view=view,
            error=sentence(e.message),
            status=status,
        )
    return redirect(f"/work-centers/{quote(code, safe='')}?done=closed")


@router.post("/work-centers/{code}/closed-days/{day}/remove")
def remove_closed_day(session: DbSession, who: Keeper, code: str, day: date) -> Response:
    capacity.remove_closed_day(session, code, day, author=who.user.name)
    return redirect(f"/work-centers/{quote(code, safe='')}?done=opened")


# --------------------------------------------------------------------------- routings


@router.get("/routings")
def routings_home(
    request: Request,
    session: DbSession,
    who: Viewer,
    q: str | None = None,
    offset: str | None = None,
) -> Response:
    search = (q or "").strip()[:100]
    start = offset_of(offset)
    rows, total = capacity.routing_page(session, q=search or None, limit=PAGE_SIZE, offset=start)
    context = chrome(who, "capacity") | {
        "title": "Routings",
        "rows": rows,
        "q": search,
        "pager": pager("/routings", {"q": search} if search else {}, start, total),
        "may_edit": may(who, Permission.MASTER_DATA),
    }
    return page(request, "routings.html", context)


@router.get("/routings/open")
def open_routing(who: Viewer, item: str = "") -> Response:
    """The routing of the item typed (a made item without one: a blank routing to start)."""
    code = item.strip()[:100]
    return redirect(f"/routings/{quote(code, safe='')}" if code else "/routings")


def _operation_rows(operations: list[capacity.OperationIn]) -> list[dict[str, str]]:
    rows = [
        {
            "sequence": str(op.sequence),
            "work_center": op.work_center,
            "description": op.description,
            "setup_hours": f"{op.setup_hours:g}",
            "run_hours": f"{op.run_hours:g}",
            "queue_days": str(op.queue_days) if op.queue_days else "",
            "move_days": str(op.move_days) if op.move_days else "",
        }
        for op in operations
    ]
    return rows + [dict.fromkeys(OPERATION_FIELDS, "") for _ in range(BLANK_OPERATIONS)]


def _routing_page(
    request: Request,
    session: Session,
    who: auth.SignedIn,
    item: str,
    rows: list[dict[str, str]],
    *,
    error: str | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    context = chrome(who, "capacity") | {
        "title": f"Routing of {item}",
        "item": item,
        "rows": rows,
        "work_centers": [wc.code for wc in capacity.list_work_centers(session)],
        "error": error,
        "notice": notice,
        "may_edit": may(who, Permission.MASTER_DATA),
    }
    return page(request, "routing_form.html", context, status_code=status)


@router.get("/routings/{item}")
def edit_routing(
    request: Request, session: DbSession, who: Viewer, item: str, saved: str | None = None
) -> Response:
    """The item's routing (none yet: blank rows to start one); a bought item has none."""
    try:
        operations = capacity.routing_of(session, item).operations
    except NotFoundError:
        operations = []
        capacity.item_routable(session, item)
    notice = "Routing saved." if saved else None
    return _routing_page(request, session, who, item, _operation_rows(operations), notice=notice)


def _posted_rows(posted: Any) -> list[dict[str, str]]:
    """The operation rows as typed (``rows``: how many the form had)."""
    try:
        count = int(form_text(posted, "rows") or "0")
    except ValueError:
        count = 0
    count = max(0, min(count, MAX_OPERATION_ROWS + BLANK_OPERATIONS))
    return [
        {name: (form_text(posted, f"{i}-{name}") or "").strip()[:200] for name in OPERATION_FIELDS}
        for i in range(count)
    ]


def _operations(rows: list[dict[str, str]]) -> list[capacity.OperationIn]:
    """The operations of the rows that are not blank (a blank number: 0)."""
    return [
        capacity.OperationIn(
            sequence=optional_whole(row["sequence"], "sequence") or 0,
            work_center=row["work_center"],
            setup_hours=optional_number(row["setup_hours"], "setup_hours") or 0.0,
            run_hours=optional_number(row["run_hours"], "run_hours") or 0.0,
            queue_days=optional_whole(row["queue_days"], "queue_days") or 0,
            move_days=optional_whole(row["move_days"], "move_days") or 0,
            description=row["description"],
        )
        for row in rows
        if any(row.values())
    ]


@router.post("/routings/{item}")
def save_routing(
    request: Request, session: DbSession, who: Keeper, item: str, posted: Form
) -> Response:
    """Replace the item's routing by the rows that are not blank, all or nothing."""
    rows = _posted_rows(posted)
    try:
        capacity.set_routing(session, item, _operations(rows), author=who.user.name)
    except PegboardError as e:
        status = refused_change(session, e)
        return _routing_page(
            request, session, who, item, rows, error=sentence(e.message), status=status
        )
    return redirect(f"/routings/{quote(item, safe='')}?saved=1")

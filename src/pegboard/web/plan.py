"""The plan: run it (with progress), planned orders to firm, exceptions."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response

from pegboard import clock
from pegboard.db import Session
from pegboard.errors import ConflictError, NotFoundError, ValidationError
from pegboard.model.enums import ItemType
from pegboard.services import jobs, plan_results, production, purchasing
from pegboard.services.firm_selection import firm_selection
from pegboard.services.permissions import Permission
from pegboard.services.planning import current_run
from pegboard.services.release_windows import release_days, release_windows
from pegboard.services.spreadsheet import EXPORT_LIMIT, Sheet
from pegboard.web import auth
from pegboard.web.deps import DbSession, Viewer, may, require
from pegboard.web.errors import refused_change, sentence
from pegboard.web.render import chrome, job_page, page, redirect
from pegboard.web.xlsx_download import ExportFormat, export_links, sheet_download

router = APIRouter(include_in_schema=False)
Planner = Annotated[
    auth.SignedIn, Depends(require(Permission.PLAN, "Your role may not run the plan."))
]

PAGE_SIZE = 50
EXCEPTION_KINDS = ("late", "expedite", "defer", "cancel", "shortage", "mps_short")


def text(value: str | None) -> str | None:
    """A filter's value: stripped, ``None`` when empty, at most 200 characters."""
    if value is None:
        return None
    value = value.strip()[:200]
    return value or None


def parse_date(value: str | None) -> date | None:
    value = text(value)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def pager(path: str, filters: dict[str, str], offset: int, total: int) -> dict[str, Any]:
    """Links to the previous and next page, keeping the filters."""
    kept = {k: v for k, v in filters.items() if v}

    def at(o: int) -> str:
        return path + "?" + urlencode(kept | {"offset": str(o)})

    return {
        "first": offset + 1 if total else 0,
        "last": min(offset + PAGE_SIZE, total),
        "total": total,
        "previous": at(max(offset - PAGE_SIZE, 0)) if offset > 0 else None,
        "next": at(offset + PAGE_SIZE) if offset + PAGE_SIZE < total else None,
    }


def offset_of(value: str | None) -> int:
    try:
        return min(max(int(value or 0), 0), 10_000_000)
    except ValueError:
        return 0


# --- the plan and its runs ---------------------------------------------------------------


def _summary(session: Session) -> dict[str, Any] | None:
    run = current_run(session)
    if run is None:
        return None
    return {
        "run": run,
        "late_lines": plan_results.run_count_late(session, run),
        "planned_buy": plan_results.run_count_planned(session, run, ItemType.BUY.value),
        "planned_make": plan_results.run_count_planned(session, run, ItemType.MAKE.value),
        "exceptions": sorted(plan_results.run_exception_counts(session, run).items()),
    }


def _plan_page(
    request: Request, session: Session, who: auth.SignedIn, error: str | None, status: int = 200
) -> Response:
    context = chrome(who, "plan") | {
        "title": "Plan",
        "summary": _summary(session),
        "error": error,
        "may_plan": may(who, Permission.PLAN),
        "recent": jobs.list_jobs(session, kind="plan", limit=5),
    }
    return page(request, "plan.html", context, status_code=status)


@router.get("/plan")
def plan_home(request: Request, session: DbSession, who: Viewer) -> Response:
    return _plan_page(request, session, who, None)


@router.post("/plan/run")
def plan_run(request: Request, session: DbSession, who: Planner) -> Response:
    try:
        job_id = jobs.submit(session, "plan", author=who.user.name)
    except ConflictError as e:
        status = refused_change(session, e)
        return _plan_page(request, session, who, f"Not started: {e.message}.", status)
    return redirect(f"/plan/jobs/{job_id}")


@router.get("/plan/jobs/{job_id}")
def plan_job(request: Request, session: DbSession, who: Viewer, job_id: int) -> Response:
    return job_page(request, session, who, job_id, area="plan", template="plan_job.html")


# --- planned orders ----------------------------------------------------------------------


@router.get("/plan/planned-orders")
def planned_orders(
    request: Request,
    session: DbSession,
    who: Viewer,
    kind_filter: Annotated[str | None, Query(alias="type")] = None,
    item: str | None = None,
    sales_order: str | None = None,
    until: str | None = None,
    since: Annotated[str | None, Query(alias="from")] = None,
    firmed_too: Annotated[str | None, Query(alias="firmed")] = None,
    offset: str | None = None,
    export: ExportFormat = None,
    select: str | None = None,
) -> Response:
    """What is still to release (the firmed ones too with ``firmed=1``); with ``export``
    every row the filters keep, as a spreadsheet."""
    kind = kind_filter if kind_filter in ("buy", "make") else None
    filters = {
        "type": kind or "",
        "item": text(item) or "",
        "sales_order": text(sales_order) or "",
        "from": text(since) or "",
        "until": text(until) or "",
        "firmed": "1" if firmed_too else "",
    }
    release_since, release_until, problem = _release_days(filters)
    start = offset_of(offset)
    rows: list[Any] = []
    total = 0
    has_plan = current_run(session) is not None
    if has_plan and problem is None:
        rows, total = plan_results.planned_order_page(
            session,
            kind=ItemType(kind) if kind else None,
            item=text(item),
            sales_order=text(sales_order),
            until=release_until,
            since=release_since,
            firmed=None if firmed_too else False,
            limit=EXPORT_LIMIT if export else PAGE_SIZE,
            offset=0 if export else start,
        )
    if export:
        return sheet_download(planned_sheet(rows), export, "planned-orders")
    context = chrome(who, "plan") | {
        "title": "Planned orders",
        "exports": export_links("/plan/planned-orders", filters),
        "all_selected": select == "all",
        "select_links": _select_links(filters, start),
        "windows": _window_links(filters, clock.today()),
        "has_plan": has_plan,
        "rows": rows,
        "filters": filters,
        "problem": problem,
        "pager": pager("/plan/planned-orders", filters, start, total),
        "may_firm": may(who, Permission.PLAN) or may(who, Permission.PURCHASE),
    }
    return page(request, "plan_orders.html", context, status_code=422 if problem else 200)


def _release_days(filters: dict[str, str]) -> tuple[date | None, date | None, str | None]:
    """The first and last release days typed, and what is wrong with them if anything."""
    since, until = parse_date(filters["from"]), parse_date(filters["until"])
    for name, typed, day in (("from", filters["from"], since), ("until", filters["until"], until)):
        if typed and day is None:
            return since, until, f"Release {name}: “{typed}” is not a date: write it as YYYY-MM-DD."
    try:
        return (*release_days(clock.today(), since=since, until=until), None)
    except ValidationError as e:  # the service's rule and words, as the API and CLI get
        return since, until, e.message


def _window_links(filters: dict[str, str], today: date) -> list[dict[str, Any]]:
    """The shortcuts (overdue, by today, this week, next week): the list's other
    filters kept, its release days set, back to the first page; the one shown marked."""
    links = []
    for window in release_windows(today):
        days = {
            "from": window.since.isoformat() if window.since else "",
            "until": window.until.isoformat(),
        }
        kept = {k: v for k, v in (filters | days).items() if v}
        links.append(
            {
                "label": window.label,
                "href": "/plan/planned-orders?" + urlencode(kept),
                "current": all(filters[k] == v for k, v in days.items()),
                "title": _window_title(window.since, window.until),
            }
        )
    return links


def _window_title(since: date | None, until: date) -> str:
    if since is None:
        return f"Release until {until.isoformat()}, overdue ones included"
    return f"Release from {since.isoformat()} until {until.isoformat()}"


def _select_links(filters: dict[str, str], offset: int) -> dict[str, str]:
    """ "Tick all on this page" and "untick all": the same page again, every box ticked
    or none (a link, so no script is needed)."""
    kept = {k: v for k, v in filters.items() if v} | ({"offset": str(offset)} if offset else {})
    here = "/plan/planned-orders?" + urlencode(kept)
    return {"all": here + ("&" if kept else "") + "select=all", "none": here}


PLANNED_HEADER = (
    "planned order",
    "type",
    "item",
    "description",
    "supplier",
    "qty",
    "uom",
    "release",
    "release late",
    "due",
    "sales order",
    "firmed as",
)


def planned_sheet(rows: list[Any]) -> Sheet:
    """The planned-orders list as its table shows it, a column for each value (a row is
    number, item, description, type, qty, uom, supplier, release, due, earliest, late,
    sales order, firmed as: ``plan_results.planned_order_page``)."""
    return Sheet(
        "Planned orders",
        PLANNED_HEADER,
        [
            (r[0], r[3].value, r[1], r[2], r[6], r[4], r[5], r[7], r[10], r[8], r[11], r[12])
            for r in rows
        ],
    )


@router.post("/plan/firm")
def firm(
    request: Request,
    session: DbSession,
    who: Viewer,
    selected: Annotated[list[str] | None, Form(max_length=50)] = None,
) -> Response:
    """Firm the ticked planned orders, buys and makes, all or none (one service call,
    which says whether the role may firm each kind: a refusal is the 403 page)."""
    numbers = sorted(set(selected or []))[:1000]
    try:
        if not numbers:
            raise ValidationError("select at least one planned order to firm")
        done = firm_selection(session, planned=numbers, role=who.user.role, author=who.user.name)
    except (ValidationError, ConflictError, NotFoundError) as e:
        refused_change(session, e)
        context = chrome(who, "plan") | {"title": "Not firmed", "error": sentence(e.message)}
        return page(request, "plan_firmed.html", context | {"orders": [], "mos": []}, 409)
    query = urlencode(
        [("po", n) for n in done.purchase_orders] + [("mo", n) for n in done.production_orders]
    )
    return redirect(f"/plan/firmed?{query}")


@router.get("/plan/firmed")
def firmed(request: Request, session: DbSession, who: Viewer) -> Response:
    """What a firm created: the purchase orders (one per supplier) and production orders."""
    orders = []
    for number in request.query_params.getlist("po")[:100]:
        try:
            orders.append(purchasing.purchase_view(session, number))
        except NotFoundError:
            continue
    mos = production.named_productions(
        session, [n[:50] for n in request.query_params.getlist("mo")[:1000]]
    )
    context = chrome(who, "plan") | {
        "title": "Firmed",
        "error": None,
        "orders": sorted(orders, key=lambda o: (o.supplier, o.number)),
        "mos": mos,
    }
    return page(request, "plan_firmed.html", context)


# --- exceptions --------------------------------------------------------------------------


def suggestion(kind: str, item: str, order: str, day: date, item_type: str) -> str:
    """What to do about an exception, in words."""
    when = day.isoformat()
    if kind == "expedite":
        return f"Pull in {order} to {when}."
    if kind == "defer":
        return f"Push out {order} to {when}."
    if kind == "cancel":
        return f"Cancel {order} (not needed)."
    if kind == "late":
        return f"{order} is late (projected {when}): expedite its supplies or tell the customer."
    if kind == "shortage":
        verb = "Buy" if item_type == ItemType.BUY.value else "Make"
        return f"{verb} more {item} by {when}."
    return f"Look at {order}."


@router.get("/plan/exceptions")
def exceptions(
    request: Request,
    session: DbSession,
    who: Viewer,
    kind: str | None = None,
    item: str | None = None,
    sales_order: str | None = None,
    offset: str | None = None,
    export: ExportFormat = None,
) -> Response:
    wanted = kind if kind in EXCEPTION_KINDS else None
    filters = {
        "kind": wanted or "",
        "item": text(item) or "",
        "sales_order": text(sales_order) or "",
    }
    start = offset_of(offset)
    run = current_run(session)
    has_plan = run is not None
    rows: list[dict[str, Any]] = []
    total = 0
    if run is not None:
        found, total = plan_results.exception_page(
            session,
            run,
            kind=wanted,
            item=text(item),
            sales_order=text(sales_order),
            limit=EXPORT_LIMIT if export else PAGE_SIZE,
            offset=0 if export else start,
        )
        for k, code, order, day, so, message, item_type in found:
            rows.append(
                {
                    "kind": k,
                    "item": code,
                    "order": order,
                    "date": day,
                    "sales_order": so,
                    "message": message,
                    "action": suggestion(k, code, order, day, ItemType(item_type).value),
                }
            )
    if export:
        return sheet_download(exception_sheet(rows), export, "exceptions")
    context = chrome(who, "plan") | {
        "title": "Exceptions",
        "exports": export_links("/plan/exceptions", filters),
        "has_plan": has_plan,
        "rows": rows,
        "kinds": EXCEPTION_KINDS,
        "filters": filters,
        "pager": pager("/plan/exceptions", filters, start, total),
    }
    return page(request, "plan_exceptions.html", context)


EXCEPTION_HEADER = ("kind", "order", "item", "date", "sales order", "suggested action", "detail")


def exception_sheet(rows: list[dict[str, Any]]) -> Sheet:
    """The exceptions list as its table shows it."""
    keys = ("kind", "order", "item", "date", "sales_order", "action", "message")
    return Sheet("Exceptions", EXCEPTION_HEADER, [tuple(r[k] for k in keys) for r in rows])

"""Stock policy pages (issue 8): the latest run's lines, a recompute job with progress,
one item's explanation with its settings form, and applying the figures to the items."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from pegboard.db import Session
from pegboard.errors import NotFoundError, PegboardError, ValidationError
from pegboard.services import jobs
from pegboard.services.permissions import Permission
from pegboard.services.policy import applying as policy_applying
from pegboard.services.policy import explain as policy_explain
from pegboard.services.policy import settings as item_settings
from pegboard.services.policy import stored as policy_stored
from pegboard.services.policy.item_policy import QUANTITY_FIGURES, ItemPolicy
from pegboard.services.spreadsheet import EXPORT_LIMIT, Sheet
from pegboard.web import auth
from pegboard.web.deps import DbSession, Viewer, may, require
from pegboard.web.errors import refused_change, sentence
from pegboard.web.plan import PAGE_SIZE, offset_of, pager, text
from pegboard.web.render import chrome, job_page, page, redirect
from pegboard.web.xlsx_download import ExportFormat, export_links, sheet_download

router = APIRouter(include_in_schema=False)
Planner = Annotated[
    auth.SignedIn, Depends(require(Permission.PLAN, "Your role may not recompute the policy."))
]
Applier = Annotated[
    auth.SignedIn,
    Depends(require(Permission.MASTER_DATA, "Your role may not change the items' stock settings.")),
]
Setter = Annotated[
    auth.SignedIn,
    Depends(
        require(Permission.MASTER_DATA, "Your role may not change the items' policy settings.")
    ),
]

SORT_LABELS = {
    "": "to order first",
    "item": "item",
    "-adu": "ADU, highest first",
    "-suggested_qty": "suggested order, largest first",
    "-order_qty": "order qty, largest first",
    "position": "position, lowest first",
}
BAR = 120  # width of the zone bars, in SVG units
MAX_APPLY = 500


def _zone_bar(p: ItemPolicy, width: int = BAR) -> dict[str, Any] | None:
    """The buffer's zones as widths of a bar (red, yellow, green) and the marker's place."""
    if not p.buffer or p.top_of_green <= 0:
        return None
    scale = width / p.top_of_green
    red = p.top_of_red * scale
    yellow = (p.top_of_yellow - p.top_of_red) * scale
    zone = (
        "red"
        if p.net_flow <= p.top_of_red
        else "yellow"
        if p.net_flow <= p.top_of_yellow
        else "green"
    )
    return {
        "width": width,
        "red": round(red, 2),
        "yellow": round(yellow, 2),
        "green": round(width - red - yellow, 2),
        "marker": round(min(max(p.net_flow * scale, 0.0), float(width)), 2),
        "zone": zone,
    }


POLICY_HEADER = (
    "item",
    "description",
    "unit",
    "ADU",
    "lead time days",
    "safety stock",
    "reorder point",
    "order qty",
    "position",
    "below reorder point",
    "suggested qty",
    "buffer zone",
)


def policy_sheet(rows: list[ItemPolicy]) -> Sheet:
    """The policy list as the page shows it: for a buffered item its red and yellow tops
    stand where safety stock and reorder point stand for the others (as on the page)."""
    return Sheet(
        "Stock policy",
        POLICY_HEADER,
        [
            (
                p.item,
                p.description,
                p.unit,
                round(p.adu, 2),
                p.lead_time,
                p.top_of_red if p.buffer else p.safety_stock,
                p.top_of_yellow if p.buffer else p.reorder_point,
                p.order_qty,
                p.position.total,
                p.below,
                p.suggested_qty if p.below else None,
                _zone_name(p),
            )
            for p in rows
        ],
    )


def _zone_name(p: ItemPolicy) -> str | None:
    bar = _zone_bar(p)
    return None if bar is None else str(bar["zone"])


def _list_page(
    request: Request,
    session: Session,
    who: auth.SignedIn,
    *,
    below: bool,
    q: str | None,
    sort: str,
    offset: int,
    error: str | None = None,
    status: int = 200,
) -> Response:
    found = policy_stored.policy_page(
        session, below_only=below, q=q, sort=sort or None, limit=PAGE_SIZE, offset=offset
    )
    filters = {"below": "1" if below else "", "q": q or "", "sort": sort}
    context = chrome(who, "policy") | {
        "title": "Stock policy",
        "run": found.run,
        "rows": [(p, _zone_bar(p, 60)) for p in found.rows],
        "filters": filters,
        "sorts": SORT_LABELS,
        "pager": pager("/policy", filters, offset, found.total),
        "exports": export_links("/policy", filters),
        "error": error,
        "may_run": may(who, Permission.PLAN),
        "may_apply": may(who, Permission.MASTER_DATA),
        "recent": jobs.list_jobs(session, kind="policy", limit=3),
    }
    return page(request, "policy.html", context, status_code=status)


@router.get("/policy")
def policy_list(
    request: Request,
    session: DbSession,
    who: Viewer,
    below: str | None = None,
    q: str | None = None,
    sort: str | None = None,
    offset: str | None = None,
    export: ExportFormat = None,
) -> Response:
    wanted = sort if sort in SORT_LABELS else ""
    if export:
        found = policy_stored.policy_page(
            session, below_only=bool(below), q=text(q), sort=wanted or None, limit=EXPORT_LIMIT
        )
        return sheet_download(policy_sheet(found.rows), export, "stock-policy")
    return _list_page(
        request,
        session,
        who,
        below=bool(below),
        q=text(q),
        sort=wanted,
        offset=offset_of(offset),
    )


@router.post("/policy/run")
def policy_run(request: Request, session: DbSession, who: Planner) -> Response:
    try:
        job_id = jobs.submit(session, "policy", author=who.user.name)
    except PegboardError as e:
        status = refused_change(session, e)
        return _list_page(
            request,
            session,
            who,
            below=False,
            q=None,
            sort="",
            offset=0,
            error=f"Not started: {e.message}.",
            status=status,
        )
    return redirect(f"/policy/jobs/{job_id}")


@router.get("/policy/jobs/{job_id}")
def policy_job(request: Request, session: DbSession, who: Viewer, job_id: int) -> Response:
    return job_page(
        request, session, who, job_id, area="policy", template="policy_job.html", kind="policy"
    )


@router.post("/policy/apply")
def policy_apply(
    request: Request,
    session: DbSession,
    who: Applier,
    selected: Annotated[list[str] | None, Form(max_length=MAX_APPLY)] = None,
    confirm: Annotated[str | None, Form(max_length=10)] = None,
) -> Response:
    """Without ``confirm``: the changes of the ticked items, to confirm; with: written."""
    codes = sorted({c.strip()[:100] for c in selected or [] if c.strip()})
    context = chrome(who, "policy") | {"title": "Apply the policy", "codes": codes}
    if not codes:
        return page(
            request,
            "policy_apply.html",
            context | {"error": "Tick at least one item to apply.", "rows": [], "done": None},
            status_code=422,
        )
    try:
        if confirm:
            changed = policy_applying.apply(session, codes, author=who.user.name)
            return page(
                request,
                "policy_apply.html",
                context | {"error": None, "rows": changed, "done": len(changed)},
            )
        rows = policy_stored.preview(session, codes)
    except PegboardError as e:
        status = refused_change(session, e)
        return page(
            request,
            "policy_apply.html",
            context | {"error": sentence(e.message), "rows": [], "done": None},
            status_code=status,
        )
    return page(request, "policy_apply.html", context | {"error": None, "rows": rows, "done": None})


def _number_or_none(value: str | None, name: str) -> float | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise ValidationError(f"{name} must be a number, not {value!r}", field=name) from None


def _item_page(
    request: Request,
    session: Session,
    who: auth.SignedIn,
    code: str,
    *,
    error: str | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    base = chrome(who, "policy") | {"title": f"Stock policy of {code}", "code": code}
    try:
        e = policy_explain.explain(session, code)
    except NotFoundError as missing:
        context = base | {
            "message": sentence(missing.message),
            "may_run": may(who, Permission.PLAN),
            "error": error,
        }
        return page(request, "policy_missing.html", context, status_code=404)
    p = e.policy
    settings = item_settings.get_item_policy(session, code)
    changed = (
        (settings.ordering_cost is None and p.ordering_cost_source == "item setting")
        or (settings.ordering_cost is not None and settings.ordering_cost != p.ordering_cost)
        or (settings.holding_pct is not None and settings.holding_pct != p.holding_pct)
        or (settings.holding_pct is None and p.holding_pct_source == "item setting")
        or settings.buffer != p.buffer
        or (
            p.service_level_source != "--service-level"
            and (
                (settings.service_level is not None and settings.service_level != p.service_level)
                or (settings.service_level is None and p.service_level_source == "item setting")
            )
        )
    )
    busy = [(e.start.fromordinal(e.start.toordinal() + k), q) for k, q in enumerate(e.daily) if q]
    context = base | {
        "p": p,
        "quantities": QUANTITY_FIGURES,
        "run": e.run,
        "bar": _zone_bar(p),
        "daily": busy,
        "settings": settings,
        "stale": changed,
        "may_edit": may(who, Permission.MASTER_DATA),
        "may_run": may(who, Permission.PLAN),
        "error": error,
        "notice": notice,
    }
    return page(request, "policy_item.html", context, status_code=status)


@router.get("/policy/{code}")
def policy_item(
    request: Request, session: DbSession, who: Viewer, code: str, saved: str | None = None
) -> Response:
    notice = "Settings saved; they count from the next recompute." if saved else None
    return _item_page(request, session, who, code, notice=notice)


@router.post("/policy/{code}/settings")
def policy_settings(
    request: Request,
    session: DbSession,
    who: Setter,
    code: str,
    ordering_cost: Annotated[str | None, Form(max_length=50)] = None,
    holding_pct: Annotated[str | None, Form(max_length=50)] = None,
    service_level: Annotated[str | None, Form(max_length=50)] = None,
    buffer: Annotated[str | None, Form(max_length=10)] = None,
) -> Response:
    try:
        changes: dict[str, object] = {
            "ordering_cost": _number_or_none(ordering_cost, "ordering_cost"),
            "holding_pct": _number_or_none(holding_pct, "holding_pct"),
            "service_level": _number_or_none(service_level, "service_level"),
            "buffer": bool(buffer),
        }
        item_settings.set_item_policy(session, code, changes, author=who.user.name)
    except PegboardError as e:
        status = refused_change(session, e)
        return _item_page(request, session, who, code, error=sentence(e.message), status=status)
    return redirect(f"/policy/{code}?" + urlencode({"saved": "1"}))

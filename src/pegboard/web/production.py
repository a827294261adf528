"""Production orders: the list with its Gantt chart by sales order (drawn inline by
``_gantt.html`` from ``order_gantt``: bars link to their orders, a page of orders at a
time, zoomed to fit, weeks or days) and the shop-floor actions."""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from pegboard import clock
from pegboard.db import Session
from pegboard.errors import PegboardError, ValidationError
from pegboard.model.enums import ProductionStatus
from pegboard.services import production, shop_floor, work_center_gantt
from pegboard.services.gantt import OrderRow, is_late, order_rows
from pegboard.services.permissions import Permission
from pegboard.services.spreadsheet import Sheet
from pegboard.web import auth, gantt_svg, order_gantt
from pegboard.web.deps import DbSession, Viewer, may, require
from pegboard.web.errors import refused_change
from pegboard.web.render import chrome, page, redirect
from pegboard.web.xlsx_download import ExportFormat, export_links, sheet_download

router = APIRouter(include_in_schema=False)
ShopFloor = Annotated[
    auth.SignedIn,
    Depends(require(Permission.PRODUCTION, "Your role may not change production orders.")),
]

ACTIONS = ("release", "issue", "complete", "scrap", "close")
DONE = {
    "release": "released",
    "issue": "components issued",
    "complete": "completion recorded",
    "scrap": "scrap recorded",
    "close": "closed",
}
"""What the message after each action says."""
EVERYTHING = "all"
"""``?show=all``: finished and cancelled orders too (by default only open ones)."""


def _rows(
    session: Session, today: date, sales_order: str, status: str, show: str
) -> list[OrderRow]:
    """The orders of the table (and the chart) as the query asks for them."""
    everything = show == EVERYTHING
    return order_rows(
        session, today, sales_order=sales_order[:100], status=status, everything=everything
    )


@router.get("/production")
def production_list(
    request: Request,
    session: DbSession,
    who: Viewer,
    sales_order: str = "",
    status: str = "",
    show: str = "",
    offset: str = "",
    zoom: str = "",
    export: ExportFormat = None,
) -> Response:
    """The orders the filters keep; the chart draws a page of them from ``offset`` at
    ``zoom`` (the links under it keep the filters)."""
    today = clock.today()
    context = chrome(who, "production") | {
        "title": "Production",
        "today": today,
        "sales_order": sales_order[:100],
        "status": status,
        "statuses": [s.value for s in ProductionStatus],
        "everything": show == EVERYTHING,
        "error": None,
    }
    try:
        rows = _rows(session, today, sales_order, status, show)
    except ValidationError as e:
        context |= {"rows": [], "error": e.message}
        return page(request, "production_list.html", context, status_code=422)
    if export:
        return sheet_download(production_sheet(rows), export, "production-orders")
    everything = EVERYTHING if show == EVERYTHING else ""
    filters = {"sales_order": sales_order, "status": status, "show": everything}
    drawn = order_gantt.order_chart(rows, today, offset=_whole(offset), zoom=zoom)
    context |= {
        "rows": rows,
        "gantt": drawn,
        "chart_link": _chart_link(filters, drawn),
        "exports": export_links("/production", filters),
    }
    return page(request, "production_list.html", context)


def _whole(text: str) -> int:
    return int(text) if text.isdigit() and len(text) < 9 else 0


def _chart_link(filters: dict[str, str], drawn: order_gantt.OrderGantt) -> dict[str, str]:
    """Links to the chart's pages and zooms, the filters kept (keys: earlier, later and
    each zoom)."""

    def url(offset: int, zoom: str) -> str:
        query = filters | {"offset": str(offset) if offset else "", "zoom": zoom}
        kept = {k: v for k, v in query.items() if v and not (k == "zoom" and v == "fit")}
        return "/production" + ("?" + urlencode(kept) if kept else "") + "#gantt"

    here = drawn.first - 1 if drawn.first else 0
    links = {zoom: url(here, zoom) for zoom in order_gantt.ZOOMS}
    if drawn.earlier is not None:
        links["earlier"] = url(drawn.earlier, drawn.zoom)
    if drawn.later is not None:
        links["later"] = url(drawn.later, drawn.zoom)
    return links


PRODUCTION_HEADER = (
    "sales order",
    "order",
    "parent",
    "item",
    "qty",
    "done",
    "status",
    "start",
    "due",
    "late",
)


def production_sheet(rows: list[OrderRow]) -> Sheet:
    """The production orders as the table lists them (a child order names its parent)."""
    return Sheet(
        "Production orders",
        PRODUCTION_HEADER,
        [
            (
                r.group or "stock",
                r.number,
                r.parent,
                r.item,
                r.qty,
                r.completed,
                r.status.replace("_", " "),
                r.start,
                r.due,
                r.late,
            )
            for r in rows
        ],
    )


def _operations(session: Session, number: str, today: date) -> dict[str, object]:
    """The order's operations: their progress, and a small Gantt of them (when it has any)."""
    progress = shop_floor.order_progress(session, number)
    drawn = work_center_gantt.order_gantt(session, number)
    ops = drawn.operations
    chart = None
    if ops:
        first = min([op.start for op in ops] + [today])
        last = max([op.end for op in ops] + [today])
        title = (
            f"Operations of {number} by day as the {drawn.source} places them, "
            f"{first.isoformat()} to {last.isoformat()}"
        )
        chart = gantt_svg.chart(ops, first, last, today, title, label_with_work_center=True)
    return {
        "progress": progress,
        "ops_chart": chart,
        "ops_finite": drawn.source == work_center_gantt.FINITE,
    }


def _order_page(
    request: Request,
    session: Session,
    who: auth.SignedIn,
    number: str,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    view = production.production_view(session, number)
    today = clock.today()
    context = chrome(who, "production") | {
        "title": f"Production order {view.number}",
        "order": view,
        **_operations(session, view.number, today),
        "late": is_late(view.status, view.start_date, view.due_date, today),
        "can_act": may(who, Permission.PRODUCTION),
        "error": error,
    }
    return page(request, "production_order.html", context, status_code=status_code)


@router.get("/production/{number}")
def production_order(request: Request, session: DbSession, who: Viewer, number: str) -> Response:
    return _order_page(request, session, who, number)


def _qty(text: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise ValidationError("Enter the quantity as a number.") from None
    if not math.isfinite(value) or value <= 0:
        raise ValidationError("Enter a quantity above zero.")
    return value


@router.post("/production/{number}/{action}")
def production_action(
    request: Request,
    session: DbSession,
    who: ShopFloor,
    number: str,
    action: str,
    qty: Annotated[str, Form(max_length=50)] = "",
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    if action not in ACTIONS:
        return _order_page(request, session, who, number, error="Unknown action.", status_code=404)
    author = who.user.name
    try:
        if action == "release":
            production.release_production(session, number, author=author)
        elif action == "issue":
            production.issue_components(session, number, author=author)
        elif action == "complete":
            production.complete_production(session, number, _qty(qty), author=author)
        elif action == "scrap":
            if not reason.strip():
                raise ValidationError("Give a reason for the scrap.")
            production.scrap_production(
                session, number, _qty(qty), reason=reason.strip(), author=author
            )
        else:
            production.close_production(session, number, author=author)
    except PegboardError as e:
        status = refused_change(session, e)
        return _order_page(request, session, who, number, error=e.message, status_code=status)
    return redirect(f"/production/{quote(number, safe='')}", done=f"{number}: {DONE[action]}.")

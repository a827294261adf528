"""Purchase orders: list, in transit, receive (full or partial)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from pegboard import clock
from pegboard.db import Session
from pegboard.errors import PegboardError
from pegboard.model.enums import PurchaseOrderStatus
from pegboard.services import purchasing
from pegboard.services.inventory import DEFAULT_LOCATION
from pegboard.services.permissions import Permission
from pegboard.services.spreadsheet import EXPORT_LIMIT, Sheet
from pegboard.web import auth
from pegboard.web.deps import DbSession, Viewer, may, require
from pegboard.web.errors import refused_change, sentence
from pegboard.web.plan import PAGE_SIZE, offset_of, pager, parse_date
from pegboard.web.render import chrome, page, redirect
from pegboard.web.xlsx_download import ExportFormat, export_links, sheet_download

router = APIRouter(include_in_schema=False)

Buyer = Annotated[
    auth.SignedIn,
    Depends(require(Permission.PURCHASE, "Your role may not change purchase orders.")),
]
STATUSES = tuple(s.value for s in PurchaseOrderStatus)


@router.get("/purchasing")
def purchases(
    request: Request,
    session: DbSession,
    who: Viewer,
    status: str | None = None,
    offset: str | None = None,
    export: ExportFormat = None,
) -> Response:
    wanted = status if status in STATUSES else None
    today = clock.today()
    start = offset_of(offset)
    rows, total = purchasing.purchase_page(
        session,
        status=PurchaseOrderStatus(wanted) if wanted else None,
        limit=EXPORT_LIMIT if export else PAGE_SIZE,
        offset=0 if export else start,
    )
    if export:
        return sheet_download(purchase_sheet(rows, today), export, "purchase-orders")
    context = chrome(who, "purchasing") | {
        "title": "Purchasing",
        "today": today,
        "statuses": STATUSES,
        "status": wanted or "",
        "rows": rows,
        "in_transit": purchasing.purchases_in_transit(session),
        "overdue": purchasing.purchases_overdue(session, today),
        "pager": pager("/purchasing", {"status": wanted or ""}, start, total),
        "exports": export_links("/purchasing", {"status": wanted or ""}),
    }
    return page(request, "purchasing.html", context)


def _order_page(
    request: Request,
    session: Session,
    who: auth.SignedIn,
    number: str,
    error: str | None = None,
    status: int = 200,
    entered: dict[int, str] | None = None,
) -> Response:
    po = purchasing.purchase_view(session, number)
    today = clock.today()
    open_lines = [line for line in po.lines if line.status in ("open", "in_transit")]
    context = chrome(who, "purchasing") | {
        "title": f"Purchase order {po.number}",
        "po": po,
        "number": number,
        "error": error,
        "today": today,
        "open_lines": open_lines,
        "entered": entered or {},
        "location": DEFAULT_LOCATION,
        "may_buy": may(who, Permission.PURCHASE),
    }
    return page(request, "purchasing_order.html", context, status_code=status)


@router.get("/purchasing/{number}")
def purchase(request: Request, session: DbSession, who: Viewer, number: str) -> Response:
    return _order_page(request, session, who, number[:50])


def _act(
    request: Request,
    session: Session,
    who: auth.SignedIn,
    number: str,
    action: Callable[[Session, str], str | None],
    entered: dict[int, str] | None = None,
    *,
    done: str,
) -> Response:
    """Do ``action`` (which returns an error message for bad input, or raises a service
    error), then redirect back to the order saying it is ``done``; on an error, the order
    with the message."""
    number = number[:50]
    try:
        problem = action(session, who.user.name)
    except PegboardError as e:
        status = refused_change(session, e)
        return _order_page(request, session, who, number, sentence(e.message), status, entered)
    if problem is not None:
        return _order_page(request, session, who, number, problem, 422, entered)
    return redirect(f"/purchasing/{quote(number, safe='')}", done=f"{number}: {done}.")


@router.post("/purchasing/{number}/confirm")
def confirm(request: Request, session: DbSession, who: Buyer, number: str) -> Response:
    def action(session: Session, author: str) -> str | None:
        purchasing.confirm_purchase(session, number, author=author)
        return None

    return _act(request, session, who, number, action, done="confirmed")


@router.post("/purchasing/{number}/ship")
def ship(
    request: Request,
    session: DbSession,
    who: Buyer,
    number: str,
    arrival: Annotated[str | None, Form(max_length=20)] = None,
) -> Response:
    def action(session: Session, author: str) -> str | None:
        day = parse_date(arrival)
        if day is None:
            return "Give the arrival date as YYYY-MM-DD."
        purchasing.ship_purchase(
            session, number, ship_date=min(clock.today(), day), arrival=day, author=author
        )
        return None

    return _act(request, session, who, number, action, done="shipped by the supplier")


@router.post("/purchasing/{number}/receive")
def receive(
    request: Request,
    session: DbSession,
    who: Buyer,
    number: str,
    line: Annotated[list[int] | None, Form()] = None,
    qty: Annotated[list[str] | None, Form(max_length=30)] = None,
    location: Annotated[str, Form(max_length=100)] = DEFAULT_LOCATION,
) -> Response:
    lines, quantities = line or [], qty or []
    entered = dict(zip(lines, quantities, strict=False))

    def action(session: Session, author: str) -> str | None:
        if len(lines) != len(quantities):
            return "Give a quantity for every line."
        wanted: dict[int, float] = {}
        for n, q in zip(lines, quantities, strict=True):
            q = q.strip()
            if not q:
                continue
            try:
                value = float(q)
            except ValueError:
                return f"Line {n}: “{q}” is not a number."
            if value != 0:
                wanted[n] = value
        if not wanted:
            return "Enter a quantity for at least one line."
        purchasing.receive_purchase(
            session, number, quantities=wanted, location=location.strip(), author=author
        )
        return None

    return _act(request, session, who, number, action, entered, done="receipt recorded")


PURCHASE_HEADER = ("order", "supplier", "status", "lines", "open lines", "next due", "overdue")


def purchase_sheet(rows: list[Any], today: date) -> Sheet:
    """The purchase orders as the list shows them (``purchasing.purchase_query``'s rows)."""
    return Sheet(
        "Purchase orders",
        PURCHASE_HEADER,
        [
            (
                r.number,
                r.supplier,
                r.status.value,
                r.lines,
                r.open_lines,
                r.next_due,
                r.next_due is not None and r.next_due < today,
            )
            for r in rows
        ],
    )

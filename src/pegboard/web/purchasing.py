"""Purchase orders: list, in transit, receive (full or partial)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard import clock
from pegboard.errors import ConflictError, NotFoundError, PegboardError
from pegboard.model import PurchaseLineStatus, PurchaseOrder, PurchaseOrderLine, PurchaseOrderStatus
from pegboard.services import purchasing
from pegboard.services.inventory import DEFAULT_LOCATION
from pegboard.services.permissions import Permission
from pegboard.web import auth
from pegboard.web.plan import offset_of, paged, pager, parse_date
from pegboard.web.render import (
    changing_user,
    chrome,
    db,
    may,
    page,
    redirect,
    signed_in_or_redirect,
)

router = APIRouter(include_in_schema=False)

Token = Annotated[str | None, Form(max_length=200)]
STATUSES = tuple(s.value for s in PurchaseOrderStatus)


def _rows(session: Session, stmt: Any) -> list[Any]:
    return list(session.execute(stmt.order_by(PurchaseOrder.id.desc()).limit(100)).all())


@router.get("/purchasing")
def purchases(request: Request, status: str | None = None, offset: str | None = None) -> Response:
    with db(request) as session:
        who = signed_in_or_redirect(request, session)
        if isinstance(who, Response):
            return who
        wanted = status if status in STATUSES else None
        today = clock.today()
        of_order = PurchaseOrderLine.purchase_order_id
        in_transit = purchasing.purchase_query().where(
            PurchaseOrder.id.in_(
                select(of_order).where(PurchaseOrderLine.status == PurchaseLineStatus.IN_TRANSIT)
            )
        )
        overdue = purchasing.purchase_query().where(
            PurchaseOrder.id.in_(
                select(of_order).where(
                    PurchaseOrderLine.status.in_(purchasing.OPEN_LINES),
                    PurchaseOrderLine.due_date < today,
                )
            )
        )
        start = offset_of(offset)
        stmt = purchasing.purchase_query(
            status=PurchaseOrderStatus(wanted) if wanted else None
        ).order_by(PurchaseOrder.id.desc())
        rows, total = paged(session, stmt, start)
        context = chrome(who, "purchasing") | {
            "title": "Purchasing",
            "today": today,
            "statuses": STATUSES,
            "status": wanted or "",
            "rows": rows,
            "in_transit": _rows(session, in_transit),
            "overdue": _rows(session, overdue),
            "pager": pager("/purchasing", {"status": wanted or ""}, start, total),
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
    try:
        po = purchasing.purchase_view(session, number)
    except NotFoundError:
        context = chrome(who, "purchasing") | {"title": "Not found", "po": None, "number": number}
        return page(request, "purchasing_order.html", context, status_code=404)
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
def purchase(request: Request, number: str) -> Response:
    with db(request) as session:
        who = signed_in_or_redirect(request, session)
        if isinstance(who, Response):
            return who
        return _order_page(request, session, who, number[:50])


def _act(
    request: Request,
    number: str,
    csrf_token: str | None,
    action: Callable[[Session, str], str | None],
    entered: dict[int, str] | None = None,
) -> Response:
    """Check the token and permission, do ``action`` (which returns an error message for
    bad input, or raises a service error), then redirect back to the order."""
    number = number[:50]
    with db(request) as session:
        who = changing_user(
            request,
            session,
            csrf_token,
            Permission.PURCHASE,
            "Your role may not change purchase orders.",
        )
        if isinstance(who, Response):
            return who
        try:
            problem = action(session, who.user.name)
        except NotFoundError as e:
            session.rollback()
            return _order_page(request, session, who, number, e.message, 404, entered)
        except ConflictError as e:
            session.rollback()
            return _order_page(request, session, who, number, _sentence(e), 409, entered)
        except PegboardError as e:
            session.rollback()
            return _order_page(request, session, who, number, _sentence(e), 422, entered)
        if problem is not None:
            return _order_page(request, session, who, number, problem, 422, entered)
    return redirect(f"/purchasing/{number}")


def _sentence(error: PegboardError) -> str:
    message = error.message
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


@router.post("/purchasing/{number}/confirm")
def confirm(request: Request, number: str, csrf_token: Token = None) -> Response:
    def action(session: Session, author: str) -> str | None:
        purchasing.confirm_purchase(session, number, author=author)
        return None

    return _act(request, number, csrf_token, action)


@router.post("/purchasing/{number}/ship")
def ship(
    request: Request,
    number: str,
    csrf_token: Token = None,
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

    return _act(request, number, csrf_token, action)


@router.post("/purchasing/{number}/receive")
def receive(
    request: Request,
    number: str,
    csrf_token: Token = None,
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

    return _act(request, number, csrf_token, action, entered)

"""One sales-order line changed or cancelled, and a whole order cancelled after a
confirmation page (issue #19 item 8): the pages over ``services.order_changes`` and
``services.sales``, with the rules, the audit and the messages the API has
(``PATCH``/``DELETE /api/sales-orders/{n}/lines/{line}``).

Cancelling is never one click: the order page's "Cancel order…" and a line's "Cancel
line…" lead to a page that says what cancelling does (production orders cancelled or
flagged, reserved stock freed) and asks again; a post without ``confirm=yes`` (an old
form, a forged one) is sent to that page instead.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from pegboard import clock
from pegboard.db import Session
from pegboard.errors import ConflictError, NotFoundError, ValidationError
from pegboard.services import order_changes, sales, wording
from pegboard.services.permissions import Permission
from pegboard.web import auth
from pegboard.web.deps import DbSession, require
from pegboard.web.errors import refused_change
from pegboard.web.render import Form, chrome, form_text, page, redirect

router = APIRouter(include_in_schema=False)

Seller = Annotated[
    auth.SignedIn, Depends(require(Permission.SALES, "Your role may not change sales orders."))
]
OPEN = ("draft", "confirmed", "in_production")
"""The statuses of a line (and an order) that can still be changed or cancelled."""
FIELDS = ("qty", "due", "price", "discount")


def _order_url(number: str) -> str:
    return "/orders/" + quote(number, safe="")


def _flagged(orders: list[str]) -> str:
    if not orders:
        return ""
    released = wording.plural(len(orders), "released production order")
    return f" {released} to review: {', '.join(orders)}."


# --------------------------------------------------------------------------- the whole order


@router.get("/orders/{number}/cancel")
def cancel_order_page(request: Request, session: DbSession, who: Seller, number: str) -> Response:
    """What cancelling the order does, and the button that does it."""
    view = sales.order_view(session, number)
    context = chrome(who, "orders") | {
        "title": f"Cancel {view.number}?",
        "order": view,
        "open_lines": [v for v in view.lines if v.status in OPEN],
        "url": _order_url(view.number),
        "may_cancel": view.status in OPEN,
    }
    return page(request, "orders_cancel.html", context)


# --------------------------------------------------------------------------- one line


def _values(view: sales.LineView) -> dict[str, str]:
    return {
        "qty": f"{view.qty:g}",
        "due": view.due.isoformat(),
        "price": "" if view.unit_price is None else f"{view.unit_price}",
        "discount": f"{view.discount_pct}" if view.discount_pct else "",
    }


def _line_context(
    session: Session, who: auth.SignedIn, number: str, line: int, values: dict[str, str] | None
) -> dict[str, Any]:
    view = sales.order_view(session, number)
    found = [v for v in view.lines if v.line == line]
    if not found:
        raise NotFoundError(f"{number} has no line {line}", sales_order=number, line=line)
    current = found[0]
    return chrome(who, "orders") | {
        "title": f"Change {view.number}/{line}",
        "order": view,
        "line": current,
        "values": values or _values(current),
        "url": _order_url(view.number),
        "action": f"{_order_url(view.number)}/lines/{line}",
        "changeable": current.status in OPEN,
        "today": clock.today(),
        "error": None,
    }


@router.get("/orders/{number}/lines/{line}/edit")
def line_page(
    request: Request, session: DbSession, who: Seller, number: str, line: int
) -> Response:
    return page(request, "orders_line.html", _line_context(session, who, number, line, None))


def _number(text: str, name: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValidationError(f"{name} must be a number, not {text!r}", field=name) from None


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            f"due date must be a date (YYYY-MM-DD), not {text!r}", field="due"
        ) from None


def _changes(sent: dict[str, str], before: dict[str, str]) -> dict[str, Any]:
    """Only what was changed is sent to the service (a price left as it was is not a new
    quote); a price or discount cleared is refused by the service's own rule."""
    changed = {k: v for k, v in sent.items() if v != before[k]}
    return {
        "qty": _number(changed["qty"], "qty") if "qty" in changed else None,
        "due": _day(changed["due"]) if "due" in changed else None,
        "unit_price": changed.get("price"),
        "discount_pct": (changed["discount"] or "0") if "discount" in changed else None,
    }


@router.post("/orders/{number}/lines/{line}")
def change_line(
    request: Request, session: DbSession, who: Seller, number: str, line: int, form: Form
) -> Response:
    """Change the line's quantity, due date, price or discount (what was changed only)."""
    sent = {k: (form_text(form, k) or "").strip()[:100] for k in FIELDS}
    context = _line_context(session, who, number, line, sent)
    try:
        changes = _changes(sent, _values(context["line"]))
        if not any(v is not None for v in changes.values()):
            return redirect(context["url"], done=f"{number}/{line}: nothing was changed.")
        flagged = order_changes.change_line(
            session, number, line, **changes, author=who.user.name, today=clock.today()
        )
    except (ConflictError, ValidationError) as e:
        code = refused_change(session, e)
        context["error"] = e.message
        return page(request, "orders_line.html", context, status_code=code)
    return redirect(context["url"], done=f"{number}/{line} changed.{_flagged(flagged)}")


@router.post("/orders/{number}/lines/{line}/cancel")
def cancel_line(
    request: Request, session: DbSession, who: Seller, number: str, line: int, form: Form
) -> Response:
    """Cancel the line (after the line page's confirmation): it stays on the order,
    cancelled; the last open line cancels the order."""
    context = _line_context(session, who, number, line, None)
    if form_text(form, "confirm") != "yes":
        return redirect(f"{context['action']}/edit")
    try:
        flagged = order_changes.cancel_line(session, number, line, author=who.user.name)
    except (ConflictError, ValidationError) as e:
        code = refused_change(session, e)
        context["error"] = e.message
        return page(request, "orders_line.html", context, status_code=code)
    return redirect(context["url"], done=f"{number}/{line} cancelled.{_flagged(flagged)}")

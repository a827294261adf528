"""When can we deliver? The order-promising page, used from the sales-order page.

The form asks for an item, a quantity and, for a configurable item, its
parameters (with their units, bounds and defaults, as the configurator shows
them); the answer is the promised date, the chain that sets it, what would have
to be ordered and when, and the stock and receipts it would use. A person who
may enter sales orders can turn the answer into a confirmed order.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData, QueryParams

from pegboard.db import Session
from pegboard.errors import ConflictError, NotFoundError, PegboardError, ValidationError
from pegboard.services import promise as promising
from pegboard.services import templates
from pegboard.services.permissions import Permission
from pegboard.web import auth
from pegboard.web.deps import DbSession, Viewer, may, require
from pegboard.web.errors import refused_change
from pegboard.web.render import Form, chrome, page, redirect

router = APIRouter(include_in_schema=False)
Seller = Annotated[
    auth.SignedIn, Depends(require(Permission.SALES, "Your role may not enter sales orders."))
]

PARAM = "p."
"""Prefix of a parameter's field name, so a parameter never shadows item/qty/wanted."""

_BLANK: dict[str, Any] = {
    "label": "",
    "unit": "",
    "default": None,
    "min": None,
    "max": None,
    "choices": [],
}


def promise_url(item: str, qty: float, wanted: date | None, params: dict[str, str]) -> str:
    """The promise page for this question (the order page links each line to it)."""
    query: dict[str, str] = {"item": item, "qty": f"{qty:g}"}
    if wanted is not None:
        query["wanted"] = wanted.isoformat()
    query |= {PARAM + name: value for name, value in params.items()}
    return "/promise?" + urlencode(query)


def _parameters(session: Session, item: str, given: dict[str, str]) -> list[dict[str, Any]]:
    """The item's template parameters with the values asked (else their defaults)."""
    if not item:
        return []
    try:
        definition = templates.template_definition(session, item)
    except NotFoundError:
        return []
    return [
        _BLANK | p | {"value": given.get(p["name"], str(p.get("default", "") or ""))}
        for p in definition["parameters"]
    ]


def _question(values: QueryParams | FormData) -> dict[str, Any]:
    def text(name: str) -> str:
        value = values.get(name)
        return value.strip() if isinstance(value, str) else ""

    params = {
        k[len(PARAM) :]: v.strip()
        for k, v in values.items()
        if k.startswith(PARAM) and isinstance(v, str) and v.strip()
    }
    return {
        "item": text("item"),
        "qty": text("qty"),
        "wanted": text("wanted"),
        "unit_price": text("unit_price"),
        "customer": text("customer"),
        "project": text("project"),
        "params": params,
    }


def _parse(q: dict[str, Any]) -> tuple[float, date | None]:
    """The quantity and wanted date typed, or a ValidationError naming the field."""
    try:
        qty = float(q["qty"])
    except ValueError:
        raise ValidationError(f"quantity {q['qty']!r} is not a number", field="qty") from None
    if not math.isfinite(qty) or qty <= 0:
        raise ValidationError("the quantity must be a number above 0", field="qty")
    wanted = None
    if q["wanted"]:
        try:
            wanted = date.fromisoformat(q["wanted"])
        except ValueError:
            raise ValidationError(
                f"wanted date {q['wanted']!r} is not a date (YYYY-MM-DD)", field="wanted"
            ) from None
    return qty, wanted


def _answer(
    session: Session, q: dict[str, Any], parameters: list[dict[str, Any]]
) -> tuple[promising.Promise | None, str | None, dict[str, str]]:
    """The promise, or the error for the form and for which field."""
    if not q["item"] or not q["qty"]:
        return None, None, {}
    names = {p["name"] for p in parameters}
    try:
        qty, wanted = _parse(q)
        return (
            promising.promise_bounded(
                session,
                q["item"],
                qty,
                params=q["params"],
                wanted=wanted,
                unit_price=q["unit_price"] or None,
            ),
            None,
            {},
        )
    except PegboardError as e:
        field = e.params.get("parameter") or e.params.get("field")
        if isinstance(field, str) and (
            field in names or field in ("item", "qty", "wanted", "unit_price")
        ):
            return None, None, {field: e.message}
        return None, e.message, {}


def _context(
    session: Session, who: auth.SignedIn, q: dict[str, Any], answer: promising.Promise | None
) -> dict[str, Any]:
    parameters = _parameters(session, q["item"], q["params"])
    return chrome(who, "promise") | {
        "title": "When can we deliver?",
        "q": q,
        "parameters": parameters,
        "param_prefix": PARAM,
        "answer": answer,
        "error": None,
        "reserve_error": None,
        "field_errors": {},
        "may_reserve": may(who, Permission.SALES),
    }


@router.get("/promise")
def promise_page(request: Request, session: DbSession, who: Viewer) -> Response:
    q = _question(request.query_params)
    context = _context(session, who, q, None)
    answer, error, field_errors = _answer(session, q, context["parameters"])
    context |= {"answer": answer, "error": error, "field_errors": field_errors}
    status = 422 if error or field_errors else 200
    return page(request, "promise.html", context, status_code=status)


@router.post("/promise/reserve")
def reserve(request: Request, session: DbSession, who: Seller, form: Form) -> Response:
    q = _question(form)
    try:
        if not q["customer"]:
            raise ValidationError("name the customer the order is for", field="customer")
        qty, wanted = _parse(q)
        _promise, number = promising.reserve(
            session,
            q["item"],
            qty,
            params=q["params"],
            customer=q["customer"],
            project=q["project"] or None,
            wanted=wanted,
            unit_price=q["unit_price"] or None,
            author=who.user.name,
        )
    except (ConflictError, NotFoundError, ValidationError) as e:
        refused_change(session, e)
        context = _context(session, who, q, None)
        answer, _error, _fields = _answer(session, q, context["parameters"])
        field = e.params.get("field")
        context |= {"answer": answer}
        if field == "customer":
            context["reserve_error"] = e.message
        else:
            context["error"] = e.message
        return page(request, "promise.html", context, status_code=422)
    return redirect("/orders/" + quote(number, safe=""), done=f"Reserved as sales order {number}.")

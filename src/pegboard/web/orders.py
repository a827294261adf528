"""Sales orders: the list, one order with its lines, order BOM tree and production
orders, and the configurator form for a line."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from pegboard.errors import ConflictError, NotFoundError, ValidationError
from pegboard.model import Bom, Item, SalesOrderLine, SalesOrderStatus
from pegboard.services import order_bom, sales, templates
from pegboard.services.permissions import Permission
from pegboard.services.planning import local_today
from pegboard.web import auth
from pegboard.web.render import chrome, db, may, page, redirect, refused, signed_in_or_redirect

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
SORTS = ("number", "due", "status", "customer")
CHANGES = {"confirmed": "Confirm", "cancelled": "Cancel"}
"""The status changes the order page offers, with their button labels."""
CLOSED = ("shipped", "closed", "cancelled")
NO_TOKEN = "This form had no valid security token. Reload the page and retry."

Text = Annotated[str | None, Query(max_length=100)]


async def form_data(request: Request) -> FormData:
    """The posted form (read here so the handlers themselves can stay synchronous)."""
    return await request.form(max_files=0, max_fields=200)


Form = Annotated[FormData, Depends(form_data)]


def _text(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) else None


def _order_url(number: str) -> str:
    return "/orders/" + quote(number, safe="")


def _not_found(request: Request, who: auth.SignedIn, message: str) -> Response:
    context = chrome(who, "orders") | {"title": "Not found", "message": message}
    return page(request, "orders_missing.html", context, status_code=404)


# --------------------------------------------------------------------------- the list


@router.get("/orders")
def order_list(
    request: Request,
    q: Text = None,
    status: Text = None,
    customer: Text = None,
    project: Text = None,
    sort: Text = None,
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    q, customer, project = (v.strip() if v else "" for v in (q, customer, project))
    known = {s.value for s in SalesOrderStatus}
    status = status if status in known else ""
    sort = sort if sort and sort.lstrip("-") in SORTS else "number"
    with db(request) as session:
        who = signed_in_or_redirect(request, session)
        if isinstance(who, Response):
            return who
        stmt = sales.order_query(
            status=SalesOrderStatus(status) if status else None,
            customer=customer or None,
            project=project or None,
            q=q or None,
        )
        total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        column = stmt.selected_columns[sort.lstrip("-")]
        number = stmt.selected_columns["number"]
        ordered = column.desc() if sort.startswith("-") else column.asc()
        pages = max(1, -(-total // PAGE_SIZE))
        page_no = min(page_no, pages)
        rows = session.execute(
            stmt.order_by(ordered, number).limit(PAGE_SIZE).offset((page_no - 1) * PAGE_SIZE)
        ).all()
        customers = [(c.code, c.name) for c in session.scalars(sales.customer_query())]
        filters = {"q": q, "status": status, "customer": customer, "project": project}

        def link(**change: Any) -> str:
            args = {k: v for k, v in (filters | {"sort": sort} | change).items() if v}
            if args.get("sort") == "number":
                del args["sort"]
            if args.get("page") == 1:
                del args["page"]
            return "/orders" + ("?" + urlencode(args) if args else "")

        context = chrome(who, "orders") | {
            "title": "Sales orders",
            "rows": rows,
            "total": total,
            "first": (page_no - 1) * PAGE_SIZE + 1 if rows else 0,
            "last": (page_no - 1) * PAGE_SIZE + len(rows),
            "page_no": page_no,
            "pages": pages,
            "prev": link(page=page_no - 1) if page_no > 1 else None,
            "next": link(page=page_no + 1) if page_no < pages else None,
            "sorts": {
                name: link(sort=f"-{name}" if sort == name else name, page=1) for name in SORTS
            },
            "sort": sort,
            "filters": filters,
            "statuses": sorted(known),
            "customers": customers,
            "order_url": _order_url,
        }
        return page(request, "orders.html", context)


# --------------------------------------------------------------------------- one order


def _product(session: Session, row: SalesOrderLine) -> str:
    """The product a line is configured from: its order BOM's source item, else its item.

    (``order_bom`` knows this as a private helper; a public ``line_product`` would do.)
    """
    source = session.scalar(
        select(Bom.source_item_id).where(
            Bom.sales_order_line_id == row.id, Bom.parent_bom_id.is_(None)
        )
    )
    item_id = source or row.item_id
    return session.scalars(select(Item.code).where(Item.id == item_id)).one()


def _order_context(session: Session, who: auth.SignedIn, number: str) -> dict[str, Any]:
    view = sales.order_view(session, number)
    trees = {t.ref: t for t in order_bom.order_tree(session, number, today=local_today())}
    configurable = set(session.scalars(templates.template_query()))
    lines = []
    for line in view.lines:
        _order, row = sales.get_line(session, number, line.line)
        lines.append(
            {
                "view": line,
                "tree": trees.get(f"{number}/{line.line}"),
                "configurable": _product(session, row) in configurable,
            }
        )
    changes = []
    if may(who, Permission.SALES):
        allowed = sales.TRANSITIONS[SalesOrderStatus(view.status)]
        changes = [(s, label) for s, label in CHANGES.items() if SalesOrderStatus(s) in allowed]
    return chrome(who, "orders") | {
        "title": f"Sales order {view.number}",
        "order": view,
        "lines": lines,
        "changes": changes,
        "may_configure": may(who, Permission.SALES) and view.status not in CLOSED,
        "url": _order_url(view.number),
        "error": None,
    }


@router.get("/orders/{number}")
def order_page(request: Request, number: str) -> Response:
    with db(request) as session:
        who = signed_in_or_redirect(request, session)
        if isinstance(who, Response):
            return who
        try:
            context = _order_context(session, who, number)
        except NotFoundError as e:
            return _not_found(request, who, e.message)
        return page(request, "orders_order.html", context)


@router.post("/orders/{number}/status")
def order_status(request: Request, number: str, form: Form) -> Response:
    with db(request) as session:
        who = signed_in_or_redirect(request, session)
        if isinstance(who, Response):
            return who
        if not auth.csrf_ok(who.csrf_token, _text(form, "csrf_token")):
            return refused(request, who, NO_TOKEN)
        if not may(who, Permission.SALES):
            return refused(request, who, "Your role may not change sales orders.")
        wanted = _text(form, "status")
        try:
            if wanted not in CHANGES:
                raise ConflictError(f"{number} cannot be set to {wanted!r} here")
            sales.set_status(session, number, SalesOrderStatus(wanted), author=who.user.name)
        except NotFoundError as e:
            return _not_found(request, who, e.message)
        except (ConflictError, ValidationError) as e:
            session.rollback()
            context = _order_context(session, who, number) | {"error": e.message}
            return page(request, "orders_order.html", context, status_code=409)
        return redirect(_order_url(number))


# --------------------------------------------------------------------------- configure


def _configure_context(
    session: Session, who: auth.SignedIn, number: str, line: int
) -> dict[str, Any] | str:
    """The form's context, or why the line cannot be configured."""
    order, row = sales.get_line(session, number, line)
    product = _product(session, row)
    try:
        definition = templates.template_definition(session, product)
    except NotFoundError:
        definition = {"parameters": []}
    if not definition["parameters"]:
        return f"{number}/{line} ({product}) is not a configurable product."
    if order.status.value in CLOSED or row.status.value in CLOSED:
        return f"{number}/{line} is {row.status.value}; it cannot be configured."
    current = order_bom.configuration_of(session, row) or {}
    blank: dict[str, Any] = {
        "label": "",
        "unit": "",
        "default": None,
        "min": None,
        "max": None,
        "choices": [],
    }
    parameters = [
        blank | p | {"value": current.get(p["name"], str(p.get("default", "")))}
        for p in definition["parameters"]
    ]
    return chrome(who, "orders") | {
        "title": f"Configure {number}/{line}",
        "number": number,
        "line": line,
        "product": product,
        "qty": row.qty,
        "due": row.due_date,
        "configured": bool(current),
        "parameters": parameters,
        "url": _order_url(number),
        "action": f"{_order_url(number)}/lines/{line}/configure",
        "error": None,
        "field_errors": {},
    }


@router.get("/orders/{number}/lines/{line}/configure")
def configure_form(request: Request, number: str, line: int) -> Response:
    with db(request) as session:
        who = signed_in_or_redirect(request, session)
        if isinstance(who, Response):
            return who
        if not may(who, Permission.SALES):
            return refused(request, who, "Your role may not configure sales-order lines.")
        try:
            context = _configure_context(session, who, number, line)
        except NotFoundError as e:
            return _not_found(request, who, e.message)
        if isinstance(context, str):
            return refused(request, who, context)
        return page(request, "orders_configure.html", context)


@router.post("/orders/{number}/lines/{line}/configure")
def configure(request: Request, number: str, line: int, form: Form) -> Response:
    with db(request) as session:
        who = signed_in_or_redirect(request, session)
        if isinstance(who, Response):
            return who
        if not auth.csrf_ok(who.csrf_token, _text(form, "csrf_token")):
            return refused(request, who, NO_TOKEN)
        if not may(who, Permission.SALES):
            return refused(request, who, "Your role may not configure sales-order lines.")
        try:
            context = _configure_context(session, who, number, line)
        except NotFoundError as e:
            return _not_found(request, who, e.message)
        if isinstance(context, str):
            return refused(request, who, context)
        values: dict[str, str] = {}
        for p in context["parameters"]:
            sent = (_text(form, p["name"]) or "").strip()
            if sent:
                values[p["name"]] = sent
            p["value"] = sent
        try:
            order_bom.configure_line(
                session, number, line, values, author=who.user.name, today=local_today()
            )
        except (ValidationError, ConflictError) as e:
            session.rollback()
            field = e.params.get("parameter")
            names = {p["name"] for p in context["parameters"]}
            if isinstance(field, str) and field in names:
                context["field_errors"] = {field: e.message}
            else:
                context["error"] = e.message
            code = 409 if isinstance(e, ConflictError) else 422
            return page(request, "orders_configure.html", context, status_code=code)
        return redirect(_order_url(number))

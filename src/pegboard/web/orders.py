"""Sales orders: the list, order entry, one order with its lines, order BOM tree,
production orders and shipments, the configurator form for a line, and shipping."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from pegboard import clock
from pegboard.db import Session
from pegboard.errors import (
    ConflictError,
    NotFoundError,
    PegboardError,
    PermissionDeniedError,
    ValidationError,
)
from pegboard.model.enums import ProductionStatus, SalesOrderStatus
from pegboard.services import line_routing, order_bom, order_tree, sales, shipping, templates
from pegboard.services.paging import sorted_page
from pegboard.services.permissions import Permission
from pegboard.services.snapshot import PLANNABLE_ORDER_STATUSES
from pegboard.services.spreadsheet import EXPORT_LIMIT, Sheet
from pegboard.web import auth
from pegboard.web.deps import DbSession, Viewer, may, require
from pegboard.web.errors import refused_change, sentence
from pegboard.web.listing import list_context
from pegboard.web.promise import promise_url
from pegboard.web.render import Form, chrome, form_text, page, redirect
from pegboard.web.xlsx_download import ExportFormat, sheet_download

router = APIRouter(include_in_schema=False)


SignedIn = auth.SignedIn
Enterer = Annotated[
    SignedIn, Depends(require(Permission.SALES, "Your role may not enter sales orders."))
]
Seller = Annotated[
    SignedIn, Depends(require(Permission.SALES, "Your role may not change sales orders."))
]
Configurer = Annotated[
    SignedIn,
    Depends(require(Permission.SALES, "Your role may not configure sales-order lines.")),
]
BomEditor = Annotated[
    SignedIn, Depends(require(Permission.SALES, "Your role may not change order BOMs."))
]
Shipper = Annotated[
    SignedIn, Depends(require(Permission.SHIP, "Your role may not ship sales-order lines."))
]
Deliverer = Annotated[
    SignedIn, Depends(require(Permission.SHIP, "Your role may not confirm deliveries."))
]

PAGE_SIZE = 50
SORTS = ("number", "due", "status", "customer")
CHANGES = {"confirmed": "Confirm", "closed": "Close", "cancelled": "Cancel"}
"""The status changes the order page offers, with their button labels (when allowed):
closing a shipped order keeps the final cost of its lines, as shipping them does."""
CLOSED = ("shipped", "closed", "cancelled")

Text = Annotated[str | None, Query(max_length=100)]


def _order_url(number: str) -> str:
    return "/orders/" + quote(number, safe="")


# --------------------------------------------------------------------------- the list


@router.get("/orders")
def order_list(
    request: Request,
    session: DbSession,
    who: Viewer,
    q: Text = None,
    status: Text = None,
    customer: Text = None,
    project: Text = None,
    sort: Text = None,
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
    export: ExportFormat = None,
) -> Response:
    q, customer, project = (v.strip() if v else "" for v in (q, customer, project))
    known = {s.value for s in SalesOrderStatus}
    status = status if status in known else ""
    sort = sort if sort and sort.lstrip("-") in SORTS else "number"
    stmt = sales.order_query(
        status=SalesOrderStatus(status) if status else None,
        customer=customer or None,
        project=project or None,
        q=q or None,
    )
    if export:
        every, _total = _sorted_page(session, stmt, sort, 1, size=EXPORT_LIMIT)
        return sheet_download(order_sheet(every), export, "sales-orders")
    rows, total = _sorted_page(session, stmt, sort, page_no)
    pages = max(1, -(-total // PAGE_SIZE))
    if page_no > pages:  # past the last page (the list got shorter): the last one
        page_no = pages
        rows, total = _sorted_page(session, stmt, sort, page_no)
    customers = sales.customer_choices(session)
    filters = {"q": q, "status": status, "customer": customer, "project": project}
    # on time or late, from the plan's projected dates (rule 10), as the order page says;
    # filtered to one project, the list is the project's view: its dates rolled up too
    projected = sales.projected_by_order(session, [r.number for r in rows])
    rollup = sales.project_rollup(session, customer, project) if customer and project else None

    listing = list_context(
        "/orders",
        filters,
        rows=rows,
        total=total,
        page_no=page_no,
        page_size=PAGE_SIZE,
        sort=sort,
        default_sort="number",
        sorts=SORTS,
    )
    context = (
        chrome(who, "orders")
        | {"title": "Sales orders"}
        | listing
        | {
            "statuses": sorted(known),
            "customers": customers,
            "order_url": _order_url,
            "projected": projected,
            "rollup": rollup,
        }
    )
    return page(request, "orders.html", context)


def _sorted_page(
    session: Session, stmt: Any, sort: str, page_no: int, size: int = PAGE_SIZE
) -> tuple[list[Any], int]:
    return sorted_page(
        session,
        stmt,
        sort=sort,
        sorts=SORTS,
        tie="number",
        limit=size,
        offset=(page_no - 1) * size,
    )


ORDER_HEADER = ("number", "customer", "project", "status", "lines", "first due")


def order_sheet(rows: list[Any]) -> Sheet:
    """The sales orders as the list shows them, every page of them."""
    return Sheet(
        "Sales orders",
        ORDER_HEADER,
        [
            (r.number, r.customer, r.project, r.status.value.replace("_", " "), r.lines, r.due)
            for r in rows
        ],
    )


# --------------------------------------------------------------------------- order entry


def _new_context(
    who: auth.SignedIn, values: dict[str, str], error: str | None = None
) -> dict[str, Any]:
    """The new-order form: the customer and project are typed (type-aheads offer them,
    ``web.lookup``), never a drop-down of every customer."""
    return chrome(who, "orders") | {
        "title": "New sales order",
        "values": values,
        "error": error,
    }


@router.get("/orders/new")
def new_order_form(request: Request, session: DbSession, who: Enterer) -> Response:
    context = _new_context(who, {"customer": "", "project": ""})
    return page(request, "orders_new.html", context)


def _entry_error(error: PegboardError) -> str:
    """The service's refusal in its own words, after the form field it is about (the
    fields are free text, type-aheads only suggest, so a code may name nothing), with
    how to pick a code from the field's list: the words are the CLI's and the API's."""
    said = sentence(error.message)
    if "project" in error.params:
        return f"Project: {said} Pick one of its projects from the list, or leave the field empty."
    if "customer" in error.params:
        return (
            f"Customer: {said} Type a few letters of its code or name and pick one from the list."
        )
    if error.params.get("field") == "customer":
        return f"Customer: {said}"
    return said


@router.post("/orders/new")
def new_order(request: Request, session: DbSession, who: Enterer, form: Form) -> Response:
    values = {k: (form_text(form, k) or "").strip() for k in ("customer", "project")}
    try:
        if not values["customer"]:
            raise ValidationError("type the customer's code", field="customer")
        number = sales.create_order(
            session,
            customer=values["customer"],
            project=values["project"] or None,
            author=who.user.name,
        )
    except (NotFoundError, ValidationError, ConflictError) as e:
        code = _form_status(session, e)
        context = _new_context(who, values, _entry_error(e))
        return page(request, "orders_new.html", context, status_code=code)
    return redirect(_order_url(number), done=f"Sales order {number} created: add its lines.")


# --------------------------------------------------------------------------- one order


BLANK_LINE = {"item": "", "qty": "", "due": "", "priority": "100", "price": "", "discount": ""}
NOT_RELEASED = (ProductionStatus.PLANNED.value, ProductionStatus.CANCELLED.value)


def _tree_boms(trees: list[order_tree.LineTree]) -> dict[str, bool]:
    """Each order BOM of the order (sub-assemblies too) and whether a production order
    of its line is released (then an edit flags it for review: the page says so)."""
    found: dict[str, bool] = {}

    def walk(bom: order_tree.BomView, released: bool) -> None:
        found[bom.number] = released
        for line in bom.lines:
            if line.child is not None:
                walk(line.child, released)

    for tree in trees:
        if tree.bom is not None:
            walk(tree.bom, any(o.status not in NOT_RELEASED for o in tree.production_orders))
    return found


def _order_context(
    session: Session,
    who: auth.SignedIn,
    number: str,
    *,
    line_values: dict[str, str] | None = None,
    ship_values: dict[int, dict[str, str]] | None = None,
) -> dict[str, Any]:
    view = sales.order_view(session, number)
    tree_list = order_tree.order_tree(session, number, today=clock.today())
    trees = {t.ref: t for t in tree_list}
    configurable = set(session.scalars(templates.template_query()))
    shipments = shipping.list_shipments(session, sales_order=view.number)
    may_ship = may(who, Permission.SHIP) and SalesOrderStatus(view.status) in (
        PLANNABLE_ORDER_STATUSES
    )
    lines = []
    for line in view.lines:
        _order, row = sales.get_line(session, number, line.line)
        open_qty = line.qty - line.shipped_qty
        ship = None
        if may_ship and row.status in PLANNABLE_ORDER_STATUSES and open_qty > 0:
            available = shipping.shippable(session, line.item, view.number)
            if available > 0:
                sent = (ship_values or {}).get(line.line, {})
                ship = {
                    "available": available,
                    "qty": sent.get("qty", f"{open_qty:g}"),
                    "tracking": sent.get("tracking", ""),
                }
        lines.append(
            {
                "view": line,
                "tree": trees.get(f"{number}/{line.line}"),
                "configurable": order_bom.line_product(session, row) in configurable,
                "open_qty": open_qty,
                "promise_url": (
                    promise_url(
                        order_bom.line_product(session, row),
                        open_qty,
                        line.due if line.due >= clock.today() else None,
                        order_bom.configuration_of(session, row) or {},
                    )
                    if open_qty > 0 and row.status.value not in CLOSED
                    else None
                ),
                "ship": ship,
                "shipments": [s for s in shipments if s.line == line.line][::-1],
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
        "may_add_line": may(who, Permission.SALES) and view.status not in CLOSED,
        "may_deliver": may(who, Permission.SHIP),
        "bom_edit": (
            set(_tree_boms(tree_list))
            if may(who, Permission.SALES) and view.status not in CLOSED
            else set()
        ),
        "bom_released": {b for b, released in _tree_boms(tree_list).items() if released},
        "routings": line_routing.line_routings(session, tree_list),
        "bom_url": lambda bom: f"{_order_url(view.number)}/boms/{quote(bom, safe='')}/lines",
        "line_form": line_values or BLANK_LINE,
        "today": clock.today(),
        "url": _order_url(view.number),
        "error": None,
    }


def _form_status(session: Session, error: PegboardError) -> int:
    """Nothing of a refused change kept; 422 for a thing the form names that does not
    exist (the order does: what was typed is wrong), else the error's status."""
    status = refused_change(session, error)
    return 422 if isinstance(error, NotFoundError) else status


def _order_error(
    request: Request,
    session: Session,
    who: auth.SignedIn,
    number: str,
    error: ConflictError | ValidationError | NotFoundError,
    **values: Any,
) -> Response:
    """The order page again with the service's message and the error's status."""
    code = _form_status(session, error)
    context = _order_context(session, who, number, **values) | {"error": error.message}
    return page(request, "orders_order.html", context, status_code=code)


@router.get("/orders/{number}")
def order_page(request: Request, session: DbSession, who: Viewer, number: str) -> Response:
    return page(request, "orders_order.html", _order_context(session, who, number))


@router.post("/orders/{number}/status")
def order_status(
    request: Request, session: DbSession, who: Seller, number: str, form: Form
) -> Response:
    wanted = form_text(form, "status")
    if wanted == "cancelled" and form_text(form, "confirm") != "yes":
        return redirect(_order_url(number) + "/cancel")  # the confirmation page first
    try:
        if wanted not in CHANGES:
            raise ConflictError(f"{number} cannot be set to {wanted!r} here")
        sales.set_status(session, number, SalesOrderStatus(wanted), author=who.user.name)
    except (ConflictError, ValidationError) as e:
        return _order_error(request, session, who, number, e)
    return redirect(_order_url(number), done=f"Sales order {number} {wanted}.")


# --------------------------------------------------------------------------- configure


def _configure_context(
    session: Session, who: auth.SignedIn, number: str, line: int
) -> dict[str, Any]:
    """The form's context; refused (403) when the line cannot be configured."""
    order, row = sales.get_line(session, number, line)
    product = order_bom.line_product(session, row)
    try:
        definition = templates.template_definition(session, product)
    except NotFoundError:
        definition = {"parameters": []}
    if not definition["parameters"]:
        raise PermissionDeniedError(f"{number}/{line} ({product}) is not a configurable product.")
    if order.status.value in CLOSED or row.status.value in CLOSED:
        raise PermissionDeniedError(
            f"{number}/{line} is {row.status.value}; it cannot be configured."
        )
    current = order_bom.configuration_of(session, row) or {}
    routings = (
        line_routing.routings_of_line(session, number, line, today=clock.today()) if current else []
    )
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
        "hand_edits": [str(e) for e in order_bom.hand_edits(session, number, line)],
        "discard_edits": False,
        "parameters": parameters,
        "routings": routings,
        "url": _order_url(number),
        "action": f"{_order_url(number)}/lines/{line}/configure",
        "error": None,
        "field_errors": {},
    }


@router.get("/orders/{number}/lines/{line}/configure")
def configure_form(
    request: Request, session: DbSession, who: Configurer, number: str, line: int
) -> Response:
    return page(request, "orders_configure.html", _configure_context(session, who, number, line))


@router.post("/orders/{number}/lines/{line}/configure")
def configure(
    request: Request, session: DbSession, who: Configurer, number: str, line: int, form: Form
) -> Response:
    context = _configure_context(session, who, number, line)
    values: dict[str, str] = {}
    for p in context["parameters"]:
        sent = form_text(form, p["name"])
        if sent is not None:  # a cleared field is sent as blank: the service refuses it
            values[p["name"]] = sent
        p["value"] = (sent or "").strip()
    context["discard_edits"] = form_text(form, "discard_edits") == "1"
    try:
        order_bom.configure_line(
            session,
            number,
            line,
            values,
            author=who.user.name,
            today=clock.today(),
            discard_edits=context["discard_edits"],
        )
    except (ValidationError, ConflictError) as e:
        code = refused_change(session, e)
        field = e.params.get("parameter")
        names = {p["name"] for p in context["parameters"]}
        if isinstance(field, str) and field in names:
            context["field_errors"] = {field: e.message}
        else:
            context["error"] = e.message
        return page(request, "orders_configure.html", context, status_code=code)
    return redirect(_order_url(number), done=f"{number}/{line} configured: its BOM is rebuilt.")


# --------------------------------------------------------------------------- lines, shipping


def _qty(text: str, name: str = "qty") -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValidationError(f"{name} must be a number, not {text!r}", field=name) from None
    if not value > 0 or value > 1e12:
        raise ValidationError(f"{name} must be a number greater than 0, not {text!r}", field=name)
    return value


@router.post("/orders/{number}/lines")
def add_line(
    request: Request, session: DbSession, who: Seller, number: str, form: Form
) -> Response:
    sales.get_order(session, number)
    values = {k: (form_text(form, k) or "").strip()[:100] for k in BLANK_LINE}
    try:
        if not values["item"]:
            raise ValidationError("enter an item code", field="item")
        qty = _qty(values["qty"])
        try:
            due = date.fromisoformat(values["due"])
        except ValueError:
            raise ValidationError(
                f"due date must be a date (YYYY-MM-DD), not {values['due']!r}", field="due"
            ) from None
        try:
            priority = int(values["priority"] or "100")
        except ValueError:
            raise ValidationError(
                f"priority must be a whole number, not {values['priority']!r}",
                field="priority",
            ) from None
        sales.add_line(
            session,
            number,
            item=values["item"],
            qty=qty,
            due=due,
            priority=priority,
            unit_price=values["price"] or None,
            discount_pct=values["discount"] or None,
            author=who.user.name,
        )
    except (ConflictError, ValidationError, NotFoundError) as e:
        return _order_error(request, session, who, number, e, line_values=values)
    return redirect(_order_url(number), done=f"Line added to {number}: {values['item']}.")


@router.post("/orders/{number}/lines/{line}/ship")
def ship(
    request: Request, session: DbSession, who: Shipper, number: str, line: int, form: Form
) -> Response:
    sales.get_line(session, number, line)
    values = {k: (form_text(form, k) or "").strip() for k in ("qty", "tracking")}
    try:
        shipping.ship_line(
            session,
            number,
            line,
            _qty(values["qty"]),
            tracking=values["tracking"],
            author=who.user.name,
        )
    except (ConflictError, ValidationError, NotFoundError) as e:
        values["tracking"] = values["tracking"][:200]
        return _order_error(request, session, who, number, e, ship_values={line: values})
    return redirect(_order_url(number), done=f"{number}/{line} shipped: {values['qty']}.")


@router.post("/orders/{number}/shipments/{shipment}/deliver")
def deliver(
    request: Request, session: DbSession, who: Deliverer, number: str, shipment: str
) -> Response:
    sales.get_order(session, number)
    found = shipping.shipment_view(session, shipment)
    if found.sales_order != number:
        raise NotFoundError(f"{number} has no shipment {shipment!r}", shipment=shipment)
    try:
        shipping.deliver_shipment(session, shipment, author=who.user.name)
    except (ConflictError, ValidationError, NotFoundError) as e:
        return _order_error(request, session, who, number, e)
    return redirect(_order_url(number), done=f"Shipment {shipment} delivered.")


# --------------------------------------------------------------------------- order BOM lines


def _bom_edit(
    request: Request,
    session: Session,
    who: auth.SignedIn,
    number: str,
    bom: str,
    position: int | None,
    form: FormData,
) -> Response:
    """Change the qty of, remove (``remove`` posted) or add (no position) an order BOM line."""
    order_bom.check_order_bom(session, number, bom)
    try:
        qty = (form_text(form, "qty") or "").strip()[:100]
        if position is None:
            component = (form_text(form, "component") or "").strip()[:100]
            if not component:
                raise ValidationError("enter a component item code", field="component")
            order_bom.edit_bom_line(
                session,
                bom,
                component=component,
                qty_per=_qty(qty, "qty per"),
                sales_order=number,
                author=who.user.name,
            )
        elif form_text(form, "remove"):
            order_bom.edit_bom_line(
                session,
                bom,
                position=position,
                remove=True,
                sales_order=number,
                author=who.user.name,
            )
        else:
            order_bom.edit_bom_line(
                session,
                bom,
                position=position,
                qty_per=_qty(qty, "qty per"),
                sales_order=number,
                author=who.user.name,
            )
    except (ConflictError, ValidationError, NotFoundError) as e:
        return _order_error(request, session, who, number, e)
    return redirect(_order_url(number), done=f"{bom} changed.")


@router.post("/orders/{number}/boms/{bom}/lines/{position}")
def edit_bom_line(
    request: Request,
    session: DbSession,
    who: BomEditor,
    number: str,
    bom: str,
    position: Annotated[int, Path(ge=1, le=100_000)],
    form: Form,
) -> Response:
    return _bom_edit(request, session, who, number, bom, position, form)


@router.post("/orders/{number}/boms/{bom}/lines")
def add_bom_line(
    request: Request, session: DbSession, who: BomEditor, number: str, bom: str, form: Form
) -> Response:
    return _bom_edit(request, session, who, number, bom, None, form)

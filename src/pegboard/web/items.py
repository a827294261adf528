"""Items: the list (search and filters, updated in place by htmx, plain links and forms
without it), a new item, an item changed, and one item's page: stock position, its stock
policy, projected stock chart (drawn inline, each receipt and requirement a link to
its order), where used, supply and demand, and its engineering BOM
(``bom_editor``). Every change goes through ``services.items``, as the CLI's and the
API's do, with the same rules and audit."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from pegboard import clock
from pegboard.db import Session
from pegboard.errors import PegboardError
from pegboard.model.enums import ItemType, LotRule, Strategy
from pegboard.services import bom_edit, items, mps, projection, reports, stock
from pegboard.services.permissions import Permission
from pegboard.services.policy import stored
from pegboard.services.spreadsheet import EXPORT_LIMIT, Sheet
from pegboard.web import auth, item_form, projection_chart
from pegboard.web.deps import DbSession, Viewer, may, require
from pegboard.web.listing import list_context
from pegboard.web.render import Form, chrome, page, redirect
from pegboard.web.xlsx_download import ExportFormat, sheet_download

router = APIRouter(include_in_schema=False)

MAX_USES = 200
"""Allocations (and parents in BOMs) the item page lists at most."""
PAGE_SIZE = 50
SORTS = ("code", "description", "type", "strategy", "lead_time_days", "unit_cost", "supplier")

Keeper = Annotated[
    auth.SignedIn,
    Depends(require(Permission.MASTER_DATA, "Your role may not change items.")),
]
Text = Annotated[str | None, Query(max_length=200)]


def item_url(code: str) -> str:
    return "/items/" + quote(code, safe="")


def _choice(value: str | None, kind: Any) -> str:
    return value if value and value in {k.value for k in kind} else ""


@router.get("/items")
def item_list(
    request: Request,
    session: DbSession,
    who: Viewer,
    q: Text = None,
    type: Text = None,
    strategy: Text = None,
    mps: Text = None,
    below: Text = None,
    sort: Text = None,
    page_no: Annotated[int, Query(alias="page", ge=1, le=1_000_000)] = 1,
    export: ExportFormat = None,
) -> Response:
    """The items found; an htmx request (the filters as they change, a page link) gets
    the table alone, to put in place of the one shown; with ``export`` every item found,
    as a spreadsheet."""
    filters = {
        "q": (q or "").strip(),
        "type": _choice(type, ItemType),
        "strategy": _choice(strategy, Strategy),
        "mps": mps if mps in ("yes", "no") else "",
        "below": "yes" if below == "yes" else "",
    }
    sort = sort if sort and sort.lstrip("-") in SORTS else "code"
    rows, total = items.item_page(
        session,
        q=filters["q"] or None,
        type=ItemType(filters["type"]) if filters["type"] else None,
        strategy=Strategy(filters["strategy"]) if filters["strategy"] else None,
        mps={"yes": True, "no": False}.get(filters["mps"]),
        below_policy=filters["below"] == "yes",
        sort=sort,
        limit=EXPORT_LIMIT if export else PAGE_SIZE,
        offset=0 if export else (page_no - 1) * PAGE_SIZE,
    )
    if export:
        return sheet_download(item_sheet(rows), export, "items")
    listing = list_context(
        "/items",
        filters,
        rows=rows,
        total=total,
        page_no=page_no,
        page_size=PAGE_SIZE,
        sort=sort,
        default_sort="code",
        sorts=SORTS,
    )
    context = (
        chrome(who, "items")
        | {"title": "Items"}
        | listing
        | {
            "item_url": item_url,
            "may_edit": may(who, Permission.MASTER_DATA),
        }
    )
    partial = request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )
    return page(request, "items_table.html" if partial else "items.html", context)


def _form_page(
    request: Request,
    who: auth.SignedIn,
    values: dict[str, str],
    *,
    code: str | None,
    errors: dict[str, str] | None = None,
) -> Response:
    context = chrome(who, "items") | {
        "title": f"Change item {code}" if code else "New item",
        "code": code,
        "values": values,
        "errors": errors or {},
        "types": [k.value for k in ItemType],
        "strategies": [k.value for k in Strategy],
        "lot_rules": [k.value for k in LotRule],
        "item_url": item_url,
    }
    return page(request, "item_form.html", context, status_code=422 if errors else 200)


@router.get("/item/new")
def new_item_form(request: Request, who: Keeper) -> Response:
    return _form_page(request, who, item_form.blank(), code=None)


@router.post("/item/new")
def create_item(request: Request, session: DbSession, who: Keeper, posted: Form) -> Response:
    typed = item_form.typed(posted)
    try:
        values = item_form.values(typed)
        view = items.create_item(session, typed["code"].strip(), values, author=who.user.name)
    except PegboardError as e:
        return _form_page(request, who, typed, code=None, errors=item_form.field_errors(e))
    return redirect(item_url(view.code) + "?saved=created")


@router.get("/items/{code}/edit")
def edit_item_form(request: Request, session: DbSession, who: Keeper, code: str) -> Response:
    item = items.get_item(session, code)
    return _form_page(request, who, item_form.of_item(item), code=item.code)


@router.post("/items/{code}/edit")
def update_item(
    request: Request, session: DbSession, who: Keeper, posted: Form, code: str
) -> Response:
    item = items.get_item(session, code)
    typed = item_form.typed(posted) | {"code": item.code}
    try:
        items.update_item(session, item.code, item_form.values(typed), author=who.user.name)
    except PegboardError as e:
        return _form_page(request, who, typed, code=item.code, errors=item_form.field_errors(e))
    return redirect(item_url(item.code) + "?saved=changed")


MPS_WEEKS = 8
"""Weeks of the MPS record the item page shows (the grid at /mps/{item} shows more)."""
SAVED = {"created": "Item created.", "changed": "Item saved.", "bom": "BOM saved."}


@router.get("/items/{code}")
def item_page(
    request: Request, session: DbSession, who: Viewer, code: str, saved: Text = None
) -> Response:
    return render_item(request, session, who, code, saved=SAVED.get(saved or ""))


def render_item(
    request: Request,
    session: Session,
    who: auth.SignedIn,
    code: str,
    *,
    saved: str | None = None,
    bom_error: str | None = None,
    bom_field: str = "",
    bom_typed: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The item's page; ``bom_error`` (with the field it names and what was typed) when
    the BOM editor's change was refused."""
    item = items.get_item(session, code)
    try:
        supplies, cut = reports.where_used_supply_cut(session, item.code, max_rows=MAX_USES)
    except PegboardError:
        supplies, cut = [], False
    parents, parents_cut = reports.bom_parents(session, item.code, limit=MAX_USES)
    policy = stored.stored_lines(session, [item.code]).get(item.code)
    # the page never firms (nor does a refused BOM change): the plan state it reads is committed
    projected = projection.projected_stock(session, item.code, reuse=True)
    reorder = policy.reorder_point if policy else None
    context = chrome(who, "items") | {
        "title": f"Item {item.code}",
        "item": item,
        "position": stock.position(session, item.code),
        "policy": policy,
        "projection": projected,
        "stock_chart": projection_chart.chart(projected, clock.today(), reorder_point=reorder),
        "mps_record": mps.mps_record(session, item.code, weeks=MPS_WEEKS) if item.mps else None,
        "parents": parents,
        "parents_cut": parents_cut,
        "supplies": supplies,
        "supplies_cut": cut,
        "max_uses": MAX_USES,
        "tree": bom_edit.bom_tree(session, item.code),
        "bom_error": bom_error,
        "bom_field": bom_field,
        "bom_typed": bom_typed or {},
        "may_edit": may(who, Permission.MASTER_DATA),
        "saved": saved,
        "item_url": item_url,
    }
    return page(request, "item.html", context, status_code=status_code)


ITEM_HEADER = (
    "code",
    "description",
    "type",
    "master schedule",
    "strategy",
    "uom",
    "lead time (days)",
    "unit cost",
    "supplier",
)


def item_sheet(rows: list[items.ItemView]) -> Sheet:
    """The items as the list shows them; the unit cost exact (to 1/100 of a cent)."""
    return Sheet(
        "Items",
        ITEM_HEADER,
        [
            (
                r.code,
                r.description,
                r.type.value,
                r.mps,
                r.strategy.value,
                r.uom,
                r.lead_time_days,
                r.unit_cost,
                r.supplier,
            )
            for r in rows
        ],
    )

"""The pegging explorer: from a sales order down to every supply and purchased part,
and from an item or a purchase order up to the sales orders it feeds."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from pegboard.services import purchasing, reports
from pegboard.services.planning import current_run
from pegboard.services.spreadsheet import Sheet
from pegboard.web import auth
from pegboard.web.deps import DbSession, Viewer
from pegboard.web.render import chrome, page, redirect
from pegboard.web.xlsx_download import ExportFormat, export_links, sheet_download

router = APIRouter(include_in_schema=False)

MAX_ROWS = 200
"""Pegging rows traced at most per level on the where-used page."""

Text = Annotated[str | None, Query(max_length=100)]

SUPPLY_LABELS = {
    "stock": "from stock",
    "planned_order": "planned order",
    "production_order": "production order",
    "purchase_order": "purchase order",
}


def _url(prefix: str, code: str) -> str:
    return prefix + quote(code, safe="")


def _node(node: reports.PegNode, critical: set[int]) -> dict[str, Any]:
    """A supply as the template shows it, with whether it is on the critical chain."""
    return {
        "item": node.item,
        "qty": node.qty,
        "type": SUPPLY_LABELS.get(node.supply_type, node.supply_type.replace("_", " ")),
        "ref": node.supply,
        "ready": node.available,
        "critical": id(node) in critical,
        "held": node.held,
        "children": [_node(c, critical) for c in node.children],
    }


def _use(node: reports.UseNode) -> dict[str, Any]:
    order = node.demand.split("/", 1)[0] if node.demand_type == "sales_order" else None
    return {
        "type": node.demand_type.replace("_", " "),
        # safety stock is a demand without a reference: not "for safety stock safety_stock"
        "ref": "" if node.demand_type == "safety_stock" else node.demand,
        "item": node.item,
        "qty": node.qty,
        "order": order,
        "parents": [_use(p) for p in node.parents],
    }


def _frame(who: auth.SignedIn, title: str) -> dict[str, Any]:
    return chrome(who, "pegging") | {
        "title": title,
        "item_url": lambda code: _url("/items/", code),
        "peg_order_url": lambda n: _url("/pegging/orders/", n),
        "peg_item_url": lambda code: _url("/pegging/items/", code),
        "po_url": lambda n: _url("/purchasing/", n),
        "order_url": lambda n: _url("/orders/", n),
    }


@router.get("/pegging")
def explorer(
    request: Request,
    session: DbSession,
    who: Viewer,
    order: Text = None,
    item: Text = None,
    po: Text = None,
) -> Response:
    order, item, po = (v.strip() if v else "" for v in (order, item, po))
    if order:
        return redirect(_url("/pegging/orders/", order))
    if item:
        return redirect(_url("/pegging/items/", item))
    if po:
        return redirect(_url("/pegging/purchase-orders/", po))
    context = _frame(who, "Pegging") | {"planned": current_run(session) is not None}
    return page(request, "pegging.html", context)


PEGGING_HEADER = (
    "line",
    "due",
    "projected",
    "level",
    "item",
    "qty",
    "supply type",
    "supply",
    "ready",
    "critical chain",
    "held by",
)


def _chain(status: reports.LineStatus) -> list[reports.PegNode]:
    """The supplies that set the line's date: from its latest supply down."""
    if not status.supplies:
        return []
    latest = max(status.supplies, key=lambda s: (s.available, s.supply))
    return reports.critical_chain(latest)


def pegging_sheet(number: str, found: list[reports.LineStatus]) -> Sheet:
    """The supply tree of every line of the order, one row per supply, depth first (the
    page's order), its level under the line and whether it is on the critical chain."""
    rows: list[tuple[object, ...]] = []

    def walk(status: reports.LineStatus, node: reports.PegNode, level: int, on: set[int]) -> None:
        rows.append(
            (
                status.demand,
                status.due,
                status.projected,
                level,
                node.item,
                node.qty,
                SUPPLY_LABELS.get(node.supply_type, node.supply_type.replace("_", " ")),
                node.supply,
                node.available,
                id(node) in on,
                node.held or None,
            )
        )
        for child in node.children:
            walk(status, child, level + 1, on)

    for status in found:
        on = {id(n) for n in _chain(status)}
        for supply in status.supplies:
            walk(status, supply, 1, on)
    return Sheet(f"Pegging {number}", PEGGING_HEADER, rows)


@router.get("/pegging/orders/{number}")
def order_pegging(
    request: Request,
    session: DbSession,
    who: Viewer,
    number: str,
    export: ExportFormat = None,
) -> Response:
    context = _frame(who, f"Pegging of {number}") | {"number": number, "lines": None}
    if current_run(session) is None:
        return page(request, "pegging_order.html", context)
    found = reports.sales_order_pegging(session, number)
    if export:
        return sheet_download(pegging_sheet(number, found), export, "pegging", number)
    lines = []
    for status in found:
        chain = _chain(status)
        critical = {id(n) for n in chain}
        lines.append(
            {
                "status": status,
                "supplies": [_node(s, critical) for s in status.supplies],
                "chain": [(n.item, n.supply, n.available, n.held) for n in chain],
            }
        )
    context["lines"] = lines
    context["exports"] = export_links(_url("/pegging/orders/", number), {})
    return page(request, "pegging_order.html", context)


@router.get("/pegging/items/{code}")
def item_pegging(request: Request, session: DbSession, who: Viewer, code: str) -> Response:
    context = _frame(who, f"Where {code} goes") | {"code": code, "supplies": None}
    if current_run(session) is None:
        return page(request, "pegging_item.html", context)
    found, cut = reports.where_used_supply_cut(session, code, max_rows=MAX_ROWS)
    context["supplies"] = [
        {
            "type": SUPPLY_LABELS.get(st, st.replace("_", " ")),
            "ref": ref,
            "qty": qty,
            "uses": [_use(u) for u in uses],
        }
        for st, ref, qty, uses in found
    ]
    context |= {"cut": cut, "max_rows": MAX_ROWS}
    return page(request, "pegging_item.html", context)


@router.get("/pegging/purchase-orders/{number}")
def purchase_pegging(request: Request, session: DbSession, who: Viewer, number: str) -> Response:
    context = _frame(who, f"Where {number} goes") | {"number": number, "lines": None}
    view = purchasing.purchase_view(session, number)
    context["supplier"] = view.supplier
    if current_run(session) is None:
        return page(request, "pegging_po.html", context)
    by_item = {
        item: reports.where_used_supply(session, item) for item in {ln.item for ln in view.lines}
    }
    lines = []
    for ln in view.lines:
        ref = f"{view.number}/{ln.line}"
        uses = [
            _use(u)
            for st, sref, _qty, found in by_item[ln.item]
            if st == "purchase_order" and sref == ref
            for u in found
        ]
        lines.append({"ref": ref, "line": ln, "uses": uses})
    context["lines"] = lines
    return page(request, "pegging_po.html", context)

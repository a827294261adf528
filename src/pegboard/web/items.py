"""One item: stock position, projected stock chart, where used, supply and demand."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pegboard.errors import PegboardError
from pegboard.services import items, projection, reports, stock
from pegboard.web import charts
from pegboard.web.deps import DbSession, Viewer
from pegboard.web.render import chrome, page

router = APIRouter(include_in_schema=False)

MAX_USES = 200
"""Allocations (and parents in BOMs) the item page lists at most."""


@router.get("/items/{code}")
def item_page(request: Request, session: DbSession, who: Viewer, code: str) -> Response:
    item = items.get_item(session, code)
    try:
        supplies, cut = reports.where_used_supply_cut(session, item.code, max_rows=MAX_USES)
    except PegboardError:
        supplies, cut = [], False
    parents, parents_cut = reports.bom_parents(session, item.code, limit=MAX_USES)
    context = chrome(who, "items") | {
        "title": f"Item {item.code}",
        "item": item,
        "position": stock.position(session, item.code),
        "projection": projection.projected_stock(session, item.code),
        "parents": parents,
        "parents_cut": parents_cut,
        "supplies": supplies,
        "supplies_cut": cut,
        "max_uses": MAX_USES,
    }
    return page(request, "item.html", context)


@router.get("/items/{code}/projection.svg")
def projection_chart(session: DbSession, who: Viewer, code: str) -> Response:
    projected = projection.projected_stock(session, code)
    return Response(
        charts.projection_svg(projected), media_type="image/svg+xml", headers=charts.SVG_HEADERS
    )

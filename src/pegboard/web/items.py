"""One item: stock position, projected stock chart, where used, supply and demand."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.errors import NotFoundError, PegboardError
from pegboard.model import Bom, BomKind, BomLine, Item
from pegboard.services import items, projection, reports, stock
from pegboard.web import charts
from pegboard.web.render import chrome, db, page, signed_in_or_redirect

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Parent:
    item: str
    description: str
    qty_per: float


MAX_USES = 200
"""Allocations (and parents in BOMs) the item page lists at most."""


def bom_parents(session: Session, code: str, *, limit: int) -> tuple[list[Parent], bool]:
    """Up to ``limit`` items whose engineering (master) BOM lists ``code``, by code,
    and whether there are more.

    A common fastener is in a hundred thousand BOMs (most of them orders'):
    sorting or even counting them all costs more than the page may. So the first
    ``limit`` BOM lines in the order they were written are read, then sorted."""
    component = select(Item.id).where(Item.code == code).scalar_subquery()
    stmt = (
        select(Item.code, Item.description, BomLine.qty_per)
        .select_from(BomLine)
        .join(Bom, Bom.id == BomLine.bom_id)
        .join(Item, Item.id == Bom.item_id)
        .where(
            BomLine.component_id == component,
            Bom.kind == BomKind.ENGINEERING,
            Bom.sales_order_id.is_(None),
        )
        .order_by(BomLine.id)
        .limit(limit + 1)
    )
    found = [Parent(c, d, q) for c, d, q in session.execute(stmt)]
    return sorted(found[:limit], key=lambda p: p.item), len(found) > limit


def _missing(request: Request, context: dict[str, object]) -> Response:
    return page(request, "item_missing.html", context, status_code=404)


@router.get("/items/{code}")
def item_page(request: Request, code: str) -> Response:
    with db(request) as session:
        who = signed_in_or_redirect(request, session)
        if isinstance(who, Response):
            return who
        base = chrome(who, "items")
        try:
            item = items.get_item(session, code)
        except NotFoundError:
            return _missing(request, base | {"title": "No such item", "code": code})
        position = stock.position(session, item.code)
        projected = projection.projected_stock(session, item.code)
        try:
            supplies, cut = reports.where_used_supply_cut(session, item.code, max_rows=MAX_USES)
        except PegboardError:
            supplies, cut = [], False
        parents, parents_cut = bom_parents(session, item.code, limit=MAX_USES)
        context = base | {
            "title": f"Item {item.code}",
            "item": item,
            "position": position,
            "projection": projected,
            "parents": parents,
            "parents_cut": parents_cut,
            "supplies": supplies,
            "supplies_cut": cut,
            "max_uses": MAX_USES,
        }
        return page(request, "item.html", context)


@router.get("/items/{code}/projection.svg")
def projection_chart(request: Request, code: str) -> Response:
    with db(request) as session:
        who = signed_in_or_redirect(request, session)
        if isinstance(who, Response):
            return who
        try:
            projected = projection.projected_stock(session, code)
        except NotFoundError:
            return Response("no such item", status_code=404, media_type="text/plain")
    return Response(
        charts.projection_svg(projected), media_type="image/svg+xml", headers=charts.SVG_HEADERS
    )

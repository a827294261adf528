"""Shipments of sales-order lines: ship, deliver."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from pegboard.api.deps import DbSession, Reader, require
from pegboard.api.pagination import Page, Paging
from pegboard.api.params import sort_query
from pegboard.model.enums import ShipmentStatus
from pegboard.services import shipping
from pegboard.services.inventory import MAX_QTY
from pegboard.services.permissions import Permission
from pegboard.services.shipping import ShipmentRow
from pegboard.services.users import UserView

router = APIRouter(prefix="/shipments", tags=["shipments"])
Shipper = Annotated[UserView, Depends(require(Permission.SHIP))]

Number = Annotated[str, Path(max_length=100, description="shipment, e.g. SH-000001")]
Qty = Annotated[float, Field(gt=0, le=MAX_QTY, allow_inf_nan=False, strict=True)]


class Command(BaseModel):
    """A request body: an unknown field is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class ShipmentOut(BaseModel):
    number: str
    sales_order: str
    line: int
    item: str
    qty: float
    status: ShipmentStatus
    ship_date: date
    delivered_on: date | None
    tracking: str


class NewShipment(Command):
    sales_order: str = Field(min_length=1, max_length=100)
    line: int = Field(ge=1, le=100_000)
    qty: Qty
    location: str | None = Field(
        default=None, min_length=1, max_length=100, description="take from here only"
    )
    ship_date: date | None = Field(default=None, description="default: today")
    tracking: str = Field(default="", max_length=200, description="carrier tracking number")


class Deliver(Command):
    delivered_on: date | None = Field(default=None, description="default: today")


def _out(row: ShipmentRow) -> ShipmentOut:
    return ShipmentOut(**row.__dict__)


def _row(r: Any) -> ShipmentOut:
    return ShipmentOut(
        number=r.number,
        sales_order=r.sales_order,
        line=r.line,
        item=r.item,
        qty=r.qty,
        status=r.status,
        ship_date=r.ship_date,
        delivered_on=r.delivered_on,
        tracking=r.tracking,
    )


@router.get("")
def list_shipments(
    user: Reader,
    session: DbSession,
    paging: Paging,
    sales_order: Annotated[str | None, Query(max_length=100)] = None,
    status: ShipmentStatus | None = None,
    item: Annotated[str | None, Query(max_length=100)] = None,
    sort: Annotated[str | None, sort_query(shipping.SHIPMENT_SORT)] = None,
) -> Page[ShipmentOut]:
    """Shipments, newest first."""
    rows, total = shipping.shipment_page(
        session,
        sales_order=sales_order,
        status=status,
        item=item,
        sort=sort,
        limit=paging.limit,
        offset=paging.offset,
    )
    return Page(
        items=[_row(r) for r in rows], total=total, limit=paging.limit, offset=paging.offset
    )


@router.get("/{number}")
def get_shipment(number: Number, user: Reader, session: DbSession) -> ShipmentOut:
    """A shipment: the sales-order line, quantity, status, dates and tracking number."""
    return _out(shipping.shipment_view(session, number))


@router.post("", status_code=201)
def ship_line(body: NewShipment, user: Shipper, session: DbSession) -> ShipmentOut:
    """Ship a sales-order line: its reserved stock first, then free stock. The line is
    shipped once all of it is; the order follows its lines."""
    number = shipping.ship_line(
        session,
        body.sales_order,
        body.line,
        body.qty,
        location=body.location,
        ship_date=body.ship_date,
        tracking=body.tracking,
        author=user.name,
    )
    return _out(shipping.shipment_view(session, number))


@router.post("/{number}/deliver")
def deliver_shipment(
    number: Number,
    user: Shipper,
    session: DbSession,
    body: Annotated[Deliver | None, Body()] = None,
) -> ShipmentOut:
    """The customer has the goods: the line closes when all of it is delivered, and the
    order when all its lines are."""
    delivered_on = body.delivered_on if body is not None else None
    shipping.deliver_shipment(session, number, delivered_on=delivered_on, author=user.name)
    return _out(shipping.shipment_view(session, number))

"""Purchase orders: firm from the plan, confirm, in transit, receive, cancel."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from pegboard import clock
from pegboard.api.deps import DbSession, Reader, require
from pegboard.api.pagination import Page, Paging
from pegboard.api.params import sort_query
from pegboard.api.release_body import ReleaseDays
from pegboard.model.enums import PurchaseOrderStatus
from pegboard.services import purchasing
from pegboard.services.inventory import DEFAULT_LOCATION, MAX_QTY
from pegboard.services.permissions import Permission
from pegboard.services.purchasing import NewLine, PurchaseView
from pegboard.services.users import UserView

router = APIRouter(prefix="/purchase-orders", tags=["purchase-orders"])
Buyer = Annotated[UserView, Depends(require(Permission.PURCHASE))]

Number = Annotated[str, Path(max_length=100, description="purchase order, e.g. PO-31012")]
Code = Annotated[str, Field(min_length=1, max_length=100)]
Location = Annotated[str, Field(min_length=1, max_length=100)]
Qty = Annotated[float, Field(gt=0, le=MAX_QTY, allow_inf_nan=False, strict=True)]
LineNumber = Annotated[int, Field(ge=1, le=99_999)]
LINE_KEYS: JsonDict = {"propertyNames": {"pattern": "^[1-9][0-9]{0,4}$"}}
"""A line number as the key of a JSON object (the schema says so; pydantic does not)."""
MAX_LINES = 1000


class Command(BaseModel):
    """A request body: an unknown field is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class PurchaseLineOut(BaseModel):
    line: int
    item: str
    qty: float
    received_qty: float
    open_qty: float = Field(description="still to come: 0 once received or cancelled")
    due_date: date
    status: str
    sales_order: str = Field(description='bought for this sales order, or ""')
    ship_date: date | None = Field(description="when the supplier shipped it")
    unit_price: float


class PurchaseOut(BaseModel):
    number: str
    supplier: str
    status: PurchaseOrderStatus
    lines: list[PurchaseLineOut]


class PurchaseRowOut(BaseModel):
    number: str
    supplier: str
    status: PurchaseOrderStatus
    created_at: datetime
    lines: int
    open_lines: int
    next_due: date | None = Field(description="the earliest due date of the open lines")


class NewPurchaseLine(Command):
    item: Code
    qty: Qty
    due_date: date
    sales_order: Code | None = Field(default=None, description="bought for this sales order")
    unit_price: float | None = Field(
        default=None, ge=0, le=1e12, allow_inf_nan=False, description="default: the item's cost"
    )


class NewPurchase(Command):
    supplier: str = Field(min_length=1, max_length=200)
    lines: list[NewPurchaseLine] = Field(min_length=1, max_length=MAX_LINES)


class FirmPurchases(ReleaseDays):
    """Name planned orders or give release days, not both (neither: every unfirmed one)."""

    planned: list[Code] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_LINES,
        description="planned buy orders of the current plan (PL-…)",
    )


class FirmedPurchases(BaseModel):
    created: list[str] = Field(description="the new purchase orders, one per supplier")


class ShipPurchase(Command):
    ship_date: date | None = Field(default=None, description="default: today")
    arrival: date = Field(description="expected arrival: the lines' new due date")
    lines: list[LineNumber] | None = Field(
        default=None, min_length=1, max_length=MAX_LINES, description="default: every open line"
    )


class ReceivePurchase(Command):
    lines: dict[LineNumber, Qty] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_LINES,
        description="quantity received per line number; default: every open line in full",
        json_schema_extra=LINE_KEYS,
    )
    location: Location = DEFAULT_LOCATION


class ReceivedPurchase(BaseModel):
    received: dict[int, float] = Field(description="what was received now, per line")
    purchase_order: PurchaseOut


class CancelPurchase(Command):
    lines: list[LineNumber] | None = Field(
        default=None, min_length=1, max_length=MAX_LINES, description="default: every open line"
    )


def _out(view: PurchaseView) -> PurchaseOut:
    return PurchaseOut(
        number=view.number,
        supplier=view.supplier,
        status=PurchaseOrderStatus(view.status),
        lines=[PurchaseLineOut(**line.__dict__, open_qty=line.open_qty) for line in view.lines],
    )


def _row(r: Any) -> PurchaseRowOut:
    return PurchaseRowOut(
        number=r.number,
        supplier=r.supplier,
        status=r.status,
        created_at=r.created_at,
        lines=r.lines,
        open_lines=r.open_lines,
        next_due=r.next_due,
    )


@router.get("")
def list_purchases(
    user: Reader,
    session: DbSession,
    paging: Paging,
    status: PurchaseOrderStatus | None = None,
    supplier: Annotated[
        str | None, Query(max_length=200, description="part of the supplier's name")
    ] = None,
    item: Annotated[
        str | None, Query(max_length=100, description="orders with a line of this item")
    ] = None,
    sort: Annotated[str | None, sort_query(purchasing.PURCHASE_SORT)] = None,
) -> Page[PurchaseRowOut]:
    """Purchase orders, newest first, with their line counts and next open due date."""
    rows, total = purchasing.purchase_page(
        session,
        status=status,
        supplier=supplier,
        item=item,
        sort=sort,
        limit=paging.limit,
        offset=paging.offset,
    )
    return Page(
        items=[_row(r) for r in rows], total=total, limit=paging.limit, offset=paging.offset
    )


@router.get("/{number}")
def get_purchase(number: Number, user: Reader, session: DbSession) -> PurchaseOut:
    """A purchase order and its lines: ordered, received, open, due, status."""
    return _out(purchasing.purchase_view(session, number))


@router.post("", status_code=201)
def create_purchase(body: NewPurchase, user: Buyer, session: DbSession) -> PurchaseOut:
    """Enter a purchase order by hand: a draft, like a firmed one (and already supply for
    the next plan)."""
    lines = [
        NewLine(
            item=line.item,
            qty=line.qty,
            due_date=line.due_date,
            sales_order=line.sales_order,
            unit_price=line.unit_price,
        )
        for line in body.lines
    ]
    number = purchasing.create_purchase(
        session, supplier=body.supplier, lines=lines, author=user.name
    )
    return _out(purchasing.purchase_view(session, number))


@router.post("/firm", status_code=201)
def firm_purchases(body: FirmPurchases, user: Buyer, session: DbSession) -> FirmedPurchases:
    """Turn planned buy orders of the current plan into draft purchase orders, one per
    supplier: those named in ``planned``, or every unfirmed one released from ``from`` to
    ``until`` or in the release ``window`` (every unfirmed one when none is given); a
    crossed range, or named orders with days, is 422."""
    numbers = purchasing.firm_purchases(
        session,
        planned=body.planned,
        since=body.since,
        until=body.until,
        window=body.window,
        author=user.name,
    )
    return FirmedPurchases(created=numbers)


@router.post("/{number}/confirm")
def confirm_purchase(number: Number, user: Buyer, session: DbSession) -> PurchaseOut:
    """The supplier has the order: confirm a draft."""
    purchasing.confirm_purchase(session, number, author=user.name)
    return _out(purchasing.purchase_view(session, number))


@router.post("/{number}/ship")
def ship_purchase(
    number: Number, body: ShipPurchase, user: Buyer, session: DbSession
) -> PurchaseOut:
    """The supplier has shipped these lines (default: every open line): they are in transit,
    due on ``arrival``."""
    purchasing.ship_purchase(
        session,
        number,
        ship_date=body.ship_date or clock.today(),
        arrival=body.arrival,
        lines=body.lines,
        author=user.name,
    )
    return _out(purchasing.purchase_view(session, number))


@router.post("/{number}/receive")
def receive_purchase(
    number: Number,
    user: Buyer,
    session: DbSession,
    body: Annotated[ReceivePurchase | None, Body()] = None,
) -> ReceivedPurchase:
    """Receive goods, fully or partly, all lines or none, within the over-receipt tolerance.
    Goods bought for a sales order go into its reservation."""
    body = body or ReceivePurchase()
    received = purchasing.receive_purchase(
        session, number, quantities=body.lines, location=body.location, author=user.name
    )
    return ReceivedPurchase(
        received=received, purchase_order=_out(purchasing.purchase_view(session, number))
    )


@router.post("/{number}/cancel")
def cancel_purchase(
    number: Number,
    user: Buyer,
    session: DbSession,
    body: Annotated[CancelPurchase | None, Body()] = None,
) -> PurchaseOut:
    """Nothing more is coming on these lines (default: every open line). An order with no
    open line left is closed (or cancelled, when nothing was received)."""
    lines = body.lines if body is not None else None
    purchasing.cancel_purchase(session, number, lines=lines, author=user.name)
    return _out(purchasing.purchase_view(session, number))

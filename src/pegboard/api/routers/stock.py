"""Stock: position, projected stock, ledger, adjust, transfer, reserve; the locations.

The paths are spelled out (no router prefix) so the ledger check can live at
``/stock-check``: under ``/stock/`` it would shadow an item of that name.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from pegboard.api.deps import DbSession, Reader, require
from pegboard.api.pagination import Page, Paging
from pegboard.api.params import sort_query
from pegboard.db import Session
from pegboard.model.enums import StockMoveKind
from pegboard.services import locations, stock
from pegboard.services.inventory import DEFAULT_LOCATION, MAX_QTY
from pegboard.services.permissions import Permission
from pegboard.services.projection import projected_stock
from pegboard.services.users import UserView

router = APIRouter(tags=["stock"])
Stocker = Annotated[UserView, Depends(require(Permission.STOCK))]
MasterData = Annotated[UserView, Depends(require(Permission.MASTER_DATA))]

ItemPath = Annotated[str, Path(max_length=100, description="item id")]
Code = Annotated[str, Field(min_length=1, max_length=100)]
Location = Annotated[str, Field(min_length=1, max_length=100)]
Qty = Annotated[float, Field(gt=0, le=MAX_QTY, allow_inf_nan=False, strict=True)]


def _not_zero(qty: float) -> float:
    if qty == 0:
        raise ValueError("must not be 0")
    return qty


SignedQty = Annotated[
    float,
    Field(
        ge=-MAX_QTY,
        le=MAX_QTY,
        allow_inf_nan=False,
        strict=True,
        json_schema_extra={"not": {"const": 0}},
    ),
    AfterValidator(_not_zero),
]


class Command(BaseModel):
    """A request body: an unknown field is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class BucketOut(BaseModel):
    location: str
    holder: str = Field(description='reserved for this sales or production order; "" is free')
    qty: float


class PositionOut(BaseModel):
    item: str
    description: str
    uom: str
    safety_stock: float
    on_hand: float
    reserved: float
    free: float
    on_order: float = Field(description="open purchase lines not yet shipped by the supplier")
    in_transit: float = Field(description="purchase lines the supplier has shipped")
    in_production: float = Field(description="open production orders, still to be completed")
    demand: float = Field(description="open sales-order lines of the item, still to ship")
    buckets: list[BucketOut]


class ProjectionRowOut(BaseModel):
    day: date
    receipts: float
    requirements: float
    projected: float
    refs: list[str] = Field(description="the orders of the day (at most 20 are named)")
    more_refs: int = Field(description="orders of the day not named in refs")


class ProjectionOut(BaseModel):
    item: str
    plan_run: int | None = Field(description="the plan it is read from; null before any plan")
    planning_date: date
    on_hand: float
    safety_stock: float
    lowest: float
    rows: list[ProjectionRowOut]


class MoveOut(BaseModel):
    at: datetime
    kind: StockMoveKind
    location: str
    holder: str
    qty: float
    reference: str
    reason: str
    author: str


class MismatchOut(BaseModel):
    item: str
    location: str
    holder: str
    ledger: float
    balance: float


class StockCheck(BaseModel):
    ok: bool = Field(description="every balance equals the sum of its ledger rows")
    mismatches: list[MismatchOut]


class Adjust(Command):
    item: Code
    qty: SignedQty = Field(description="to add (> 0) or remove (< 0)")
    reason: str = Field(min_length=1, max_length=500, description="why the count changes")
    location: Location = DEFAULT_LOCATION
    sales_order: Code | None = Field(default=None, description="the stock reserved for it")


class Adjusted(BaseModel):
    balance: float = Field(description="the adjusted bucket's quantity now")
    position: PositionOut


class Transfer(Command):
    item: Code
    qty: Qty
    from_location: Location
    to_location: Location
    sales_order: Code | None = Field(default=None, description="move the stock reserved for it")
    reason: str = Field(default="", max_length=500)


class Reserve(Command):
    item: Code
    qty: Qty
    sales_order: Code


class Unreserve(Command):
    item: Code
    sales_order: Code
    qty: Qty | None = Field(default=None, description="default: all it holds")


class Unreserved(BaseModel):
    released: float
    position: PositionOut


class LocationOut(BaseModel):
    code: str
    description: str
    on_hand: float = Field(description="stock there now, free and reserved")


class NewLocation(Command):
    code: Location
    description: str = Field(default="", max_length=200)


class Description(Command):
    description: str = Field(max_length=200)


def _position(session: Session, item: str) -> PositionOut:
    pos = stock.position(session, item)
    return PositionOut(
        item=pos.item,
        description=pos.description,
        uom=pos.uom,
        safety_stock=pos.safety_stock,
        on_hand=pos.on_hand,
        reserved=pos.reserved,
        free=pos.free,
        on_order=pos.on_order,
        in_transit=pos.in_transit,
        in_production=pos.in_production,
        demand=pos.demand,
        buckets=[BucketOut(**b.__dict__) for b in pos.buckets],
    )


def _move(r: Any) -> MoveOut:
    return MoveOut(
        at=r.at,
        kind=r.kind,
        location=r.location,
        holder=r.holder,
        qty=r.qty,
        reference=r.reference,
        reason=r.reason,
        author=r.author,
    )


@router.get("/stock-check")
def check_stock(user: Reader, session: DbSession) -> StockCheck:
    """Every stock balance against the sum of its ledger rows; ``ok`` when all agree."""
    wrong = stock.check_ledger(session)
    return StockCheck(ok=not wrong, mismatches=[MismatchOut(**m.__dict__) for m in wrong])


@router.get("/stock/{item}")
def get_position(item: ItemPath, user: Reader, session: DbSession) -> PositionOut:
    """On hand, reserved, free, on order, in transit, in production and sales demand, and
    the stock by location and holder."""
    return _position(session, item)


@router.get("/stock/{item}/projection")
def get_projection(item: ItemPath, user: Reader, session: DbSession) -> ProjectionOut:
    """Projected stock by date from the current plan: on hand now, plus receipts and minus
    requirements on their dates."""
    p = projected_stock(session, item, reuse=True)  # a read: the plan state is committed
    return ProjectionOut(
        item=p.item,
        plan_run=p.plan_run,
        planning_date=p.planning_date,
        on_hand=p.on_hand,
        safety_stock=p.safety_stock,
        lowest=p.lowest,
        rows=[ProjectionRowOut(**r.__dict__) for r in p.rows],
    )


@router.get("/stock/{item}/moves")
def list_moves(
    item: ItemPath,
    user: Reader,
    session: DbSession,
    paging: Paging,
    kind: StockMoveKind | None = None,
    location: Annotated[str | None, Query(max_length=100)] = None,
    sort: Annotated[str | None, sort_query(stock.MOVE_SORT)] = None,
) -> Page[MoveOut]:
    """The stock ledger of an item, newest first."""
    rows, total = stock.moves_page(
        session,
        item,
        kind=kind,
        location=location,
        sort=sort,
        limit=paging.limit,
        offset=paging.offset,
    )
    return Page(
        items=[_move(r) for r in rows], total=total, limit=paging.limit, offset=paging.offset
    )


@router.post("/stock/adjust")
def adjust_stock(body: Adjust, user: Stocker, session: DbSession) -> Adjusted:
    """Correct a count: add (qty > 0) or remove (qty < 0) stock, with a reason."""
    balance = stock.adjust_stock(
        session,
        item=body.item,
        qty=body.qty,
        reason=body.reason,
        location=body.location,
        sales_order=body.sales_order,
        author=user.name,
    )
    return Adjusted(balance=balance, position=_position(session, body.item))


@router.post("/stock/transfer")
def transfer_stock(body: Transfer, user: Stocker, session: DbSession) -> PositionOut:
    """Move stock between locations: free stock, or the stock reserved for a sales order."""
    stock.transfer_stock(
        session,
        item=body.item,
        qty=body.qty,
        from_location=body.from_location,
        to_location=body.to_location,
        sales_order=body.sales_order,
        reason=body.reason,
        author=user.name,
    )
    return _position(session, body.item)


@router.post("/stock/reserve")
def reserve_stock(body: Reserve, user: Stocker, session: DbSession) -> PositionOut:
    """Reserve free stock for a sales order, all or nothing: only that order can use it then."""
    stock.reserve_stock(
        session, item=body.item, qty=body.qty, sales_order=body.sales_order, author=user.name
    )
    return _position(session, body.item)


@router.post("/stock/unreserve")
def unreserve_stock(body: Unreserve, user: Stocker, session: DbSession) -> Unreserved:
    """Give stock reserved for a sales order back to free stock (all of it by default)."""
    released = stock.unreserve_stock(
        session, item=body.item, sales_order=body.sales_order, qty=body.qty, author=user.name
    )
    return Unreserved(released=released, position=_position(session, body.item))


@router.get("/locations")
def list_locations(user: Reader, session: DbSession) -> list[LocationOut]:
    """The known stock locations: stock goes only into one of these (``main`` always)."""
    return [LocationOut(**v.__dict__) for v in locations.list_locations(session)]


@router.post("/locations", status_code=201)
def add_location(body: NewLocation, user: MasterData, session: DbSession) -> LocationOut:
    """Add a stock location (409 when it exists, also in another case)."""
    view = locations.add_location(
        session, body.code, description=body.description, author=user.name
    )
    return LocationOut(**view.__dict__)


@router.patch("/locations/{code}")
def describe_location(
    code: Annotated[str, Path(max_length=100)],
    body: Description,
    user: MasterData,
    session: DbSession,
) -> LocationOut:
    """Change a location's description; its code stays (the stock ledger names it)."""
    view = locations.describe_location(
        session, code, description=body.description, author=user.name
    )
    return LocationOut(**view.__dict__)

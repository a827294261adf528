"""Production orders: firm, release, issue, complete, scrap, close, cancel."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from pegboard.api.deps import DbSession, Reader, require
from pegboard.api.pagination import Page, Paging
from pegboard.api.params import sort_query
from pegboard.api.release_body import ReleaseDays
from pegboard.db import Session
from pegboard.model.enums import ProductionStatus
from pegboard.services import production
from pegboard.services.inventory import DEFAULT_LOCATION, EPS, MAX_QTY
from pegboard.services.permissions import Permission
from pegboard.services.production import ComponentStatus, ProductionView
from pegboard.services.users import UserView

router = APIRouter(prefix="/production-orders", tags=["production-orders"])
Planner = Annotated[UserView, Depends(require(Permission.PLAN))]
Shopfloor = Annotated[UserView, Depends(require(Permission.PRODUCTION))]

Number = Annotated[str, Path(max_length=100, description="production order, e.g. MO-2201")]
Code = Annotated[str, Field(min_length=1, max_length=100)]
Location = Annotated[str, Field(min_length=1, max_length=100)]
Qty = Annotated[float, Field(gt=0, le=MAX_QTY, allow_inf_nan=False, strict=True)]
MAX_NAMED = 1000


class Command(BaseModel):
    """A request body: an unknown field is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class ComponentOut(BaseModel):
    item: str
    qty_per: float = Field(description="per unit made, scrap allowance included")
    required: float = Field(description="for the whole order")
    issued: float
    outstanding: float = Field(description="still to issue for the units not yet made")
    reserved: float = Field(description="reserved to this order now")
    available: float = Field(
        description="what the order could take now: its reservation, its sales order's, free"
    )
    short: float = Field(description="outstanding beyond what is available")


class ProductionOut(BaseModel):
    number: str
    item: str
    qty: float
    completed: float
    scrapped: float
    status: ProductionStatus
    start_date: date | None
    due_date: date
    sales_order: str = Field(description='made for this sales order, or ""')
    parent: str = Field(description='the production order it feeds, or ""')
    components: list[ComponentOut]


class ProductionRowOut(BaseModel):
    number: str
    item: str
    qty: float
    completed: float
    scrapped: float
    status: ProductionStatus
    start_date: date | None
    due_date: date
    sales_order: str
    parent: str


class Shortage(BaseModel):
    item: str
    qty: float


class ReleasedProduction(BaseModel):
    production_order: ProductionOut
    shortages: list[Shortage] = Field(
        description="components not in stock for it (it is released all the same)"
    )


class FirmProductions(ReleaseDays):
    """Name planned orders or give release days, not both (neither: every unfirmed one)."""

    planned: list[Code] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_NAMED,
        description="planned make orders of the current plan (PL-…)",
    )


class FirmedProductions(BaseModel):
    created: list[str] = Field(description="the new production orders, in plan order")


class IssueComponents(Command):
    quantities: dict[Code, Qty] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_NAMED,
        description="quantity per component item; default: everything outstanding",
    )
    location: Location | None = Field(default=None, description="take from here only")


class IssuedComponents(BaseModel):
    issued: dict[str, float] = Field(description="what was issued now, per component")
    production_order: ProductionOut


class CompleteProduction(Command):
    qty: Qty
    location: Location = DEFAULT_LOCATION
    backflush: bool = Field(
        default=True, description="also issue what the finished units consumed, not issued yet"
    )


class ScrapProduction(Command):
    qty: Qty
    reason: str = Field(min_length=1, max_length=500)
    backflush: bool = True


def _component(c: ComponentStatus) -> ComponentOut:
    return ComponentOut(**c.__dict__, short=c.short)


def _out(view: ProductionView) -> ProductionOut:
    fields = {k: v for k, v in view.__dict__.items() if k != "components"}
    return ProductionOut(**fields, components=[_component(c) for c in view.components])


def _view(session: Session, number: str) -> ProductionOut:
    return _out(production.production_view(session, number))


def _row(r: Any) -> ProductionRowOut:
    return ProductionRowOut(
        number=r.number,
        item=r.item,
        qty=r.qty,
        completed=r.completed,
        scrapped=r.scrapped,
        status=r.status,
        start_date=r.start_date,
        due_date=r.due_date,
        sales_order=r.sales_order or "",
        parent=r.parent or "",
    )


@router.get("")
def list_productions(
    user: Reader,
    session: DbSession,
    paging: Paging,
    status: ProductionStatus | None = None,
    sales_order: Annotated[str | None, Query(max_length=100)] = None,
    item: Annotated[str | None, Query(max_length=100, description="the item made")] = None,
    sort: Annotated[str | None, sort_query(production.PRODUCTION_SORT)] = None,
) -> Page[ProductionRowOut]:
    """Production orders, by due date."""
    rows, total = production.production_page(
        session,
        status=status,
        sales_order=sales_order,
        item=item,
        sort=sort,
        limit=paging.limit,
        offset=paging.offset,
    )
    return Page(
        items=[_row(r) for r in rows], total=total, limit=paging.limit, offset=paging.offset
    )


@router.get("/{number}")
def get_production(number: Number, user: Reader, session: DbSession) -> ProductionOut:
    """A production order with its components: required, issued, outstanding, reserved,
    available and short (from its BOM while it is not released yet)."""
    return _view(session, number)


@router.post("/firm", status_code=201)
def firm_productions(body: FirmProductions, user: Planner, session: DbSession) -> FirmedProductions:
    """Turn planned make orders of the current plan into firm (planned-status) production
    orders: those named in ``planned``, or every unfirmed one released from ``from`` to
    ``until`` or in the release ``window`` (every unfirmed one when none is given); a
    crossed range, or named orders with days, is 422."""
    numbers = production.firm_productions(
        session,
        planned=body.planned,
        since=body.since,
        until=body.until,
        window=body.window,
        author=user.name,
    )
    return FirmedProductions(created=numbers)


@router.post("/{number}/release")
def release_production(number: Number, user: Shopfloor, session: DbSession) -> ReleasedProduction:
    """Release to the shop floor: freeze the component list, reserve what is in stock, and
    report what is short (the order is released even when short)."""
    report = production.release_production(session, number, author=user.name)
    return ReleasedProduction(
        production_order=_view(session, number),
        shortages=[Shortage(item=c.item, qty=c.short) for c in report if c.short > EPS],
    )


@router.post("/{number}/issue")
def issue_components(
    number: Number,
    user: Shopfloor,
    session: DbSession,
    body: Annotated[IssueComponents | None, Body()] = None,
) -> IssuedComponents:
    """Issue components to the order, all or nothing: the quantities named, or everything
    outstanding. A shortage names what is missing and who holds it."""
    body = body or IssueComponents()
    issued = production.issue_components(
        session, number, quantities=body.quantities, location=body.location, author=user.name
    )
    return IssuedComponents(issued=issued, production_order=_view(session, number))


@router.post("/{number}/complete")
def complete_production(
    number: Number, body: CompleteProduction, user: Shopfloor, session: DbSession
) -> ProductionOut:
    """Report finished units into stock: reserved to the parent order when that is released,
    else to the sales order it was made for, else free."""
    production.complete_production(
        session,
        number,
        body.qty,
        location=body.location,
        backflush=body.backflush,
        author=user.name,
    )
    return _view(session, number)


@router.post("/{number}/scrap")
def scrap_production(
    number: Number, body: ScrapProduction, user: Shopfloor, session: DbSession
) -> ProductionOut:
    """Units lost in production: they consumed components and must be made again."""
    production.scrap_production(
        session, number, body.qty, reason=body.reason, backflush=body.backflush, author=user.name
    )
    return _view(session, number)


@router.post("/{number}/close")
def close_production(number: Number, user: Shopfloor, session: DbSession) -> ProductionOut:
    """Nothing more will be made on this order (done, or short-closed after a start); the
    components still reserved to it go back."""
    production.close_production(session, number, author=user.name)
    return _view(session, number)


@router.post("/{number}/cancel")
def cancel_production(number: Number, user: Shopfloor, session: DbSession) -> ProductionOut:
    """Drop an order nothing was issued to yet; its reservations are given back."""
    production.cancel_production(session, number, author=user.name)
    return _view(session, number)

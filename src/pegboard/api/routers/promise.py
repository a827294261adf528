"""Order promising: when can we deliver a (configured) item, and reserve it as an order.

``POST /api/promise`` only reads (permission READ; POST because the
configuration is a body); ``POST /api/promise/reserve`` enters the promise as a
confirmed sales order (permission SALES). See ``services/promise.py``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from pegboard.api.deps import DbSession, Reader, require
from pegboard.api.params import Code
from pegboard.api.routers.sales import Money, ParamName, ParamValue, Qty
from pegboard.services import money
from pegboard.services import promise as promising
from pegboard.services.permissions import Permission
from pegboard.services.users import UserView

router = APIRouter(prefix="/promise", tags=["promise"])
Sales = Annotated[UserView, Depends(require(Permission.SALES))]


def _text(value: str | float | bool) -> str:
    """A parameter value as the configurator reads it (as the sales router does)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    return str(int(value)) if value.is_integer() else repr(value)


class PromiseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item: Code = Field(description="a plain item or a configurable product")
    qty: Qty
    params: dict[ParamName, ParamValue] = Field(
        default={}, max_length=100, description="parameter values; defaults fill the rest"
    )
    wanted: date | None = Field(default=None, description="the date the customer wants")
    unit_price: Money | None = Field(
        default=None, description="a unit price to quote: the margin at it (reserved: the line's)"
    )


class ReserveIn(PromiseIn):
    customer: Code
    project: Code | None = None


class PathStepOut(BaseModel):
    position: str
    item: str
    description: str
    qty: float
    date: date
    reason: str


class OrderToPlaceOut(BaseModel):
    position: str
    item: str
    description: str
    kind: str
    qty: float = Field(description="sized as the plan sizes a planned order (lot rule, decimals)")
    requirement: float = Field(description="what is missing; the rest of qty goes to stock")
    lead_time_days: int
    order_by: date = Field(description="latest day to place/start it and keep the promise")
    due: date
    earliest_start: date
    earliest_completion: date
    order_by_wanted: date | None
    critical: bool
    today: bool


class AtpUseOut(BaseModel):
    item: str
    source: str
    date: date
    qty: float


class PromiseLineOut(BaseModel):
    position: str
    item: str
    description: str
    qty: float
    from_atp: float
    to_order: float
    date: date
    depth: int


class QuoteOut(BaseModel):
    currency: str
    cost: Decimal = Field(description="the estimated cost of the whole quantity, in cents")
    material: Decimal
    labour: Decimal
    overhead: Decimal
    unit_cost: Decimal
    unit_price: Decimal | None
    revenue: Decimal | None
    margin: Decimal | None
    margin_pct: Decimal | None


class PromiseOut(BaseModel):
    item: str
    description: str
    qty: float
    params: dict[str, str]
    configured: bool
    planning_date: date
    plan_as_of: datetime | None
    promised: date = Field(description="the earliest date it can be complete")
    wanted: date | None
    met: bool | None
    late_days: int
    due: date = Field(description="the date to promise: wanted when met, else the earliest")
    summary: str
    critical_path: list[PathStepOut]
    orders: list[OrderToPlaceOut]
    atp: list[AtpUseOut]
    lines: list[PromiseLineOut]
    note: str = Field(description="where the plan may give the order another date")
    capacity: str = Field(
        default="",
        description="what capacity set the date with, when the current finite schedule's "
        "free hours make it later than the material (the work center and its full days)",
    )
    quote: QuoteOut | None = Field(
        description="the estimated cost and, given a unit price, the margin at it (null: "
        "it cannot be estimated)"
    )


class ReservedOut(BaseModel):
    sales_order: str
    promise: PromiseOut


def _out(p: promising.Promise) -> PromiseOut:
    return PromiseOut(
        item=p.item,
        description=p.description,
        qty=p.qty,
        params=dict(p.params),
        configured=p.configured,
        planning_date=p.planning_date,
        plan_as_of=p.plan_as_of,
        promised=p.promised,
        wanted=p.wanted,
        met=p.met,
        late_days=p.late_days,
        due=p.due,
        summary=p.summary,
        critical_path=[
            PathStepOut.model_validate(s, from_attributes=True) for s in p.critical_path
        ],
        orders=[OrderToPlaceOut.model_validate(o, from_attributes=True) for o in p.orders],
        atp=[AtpUseOut.model_validate(u, from_attributes=True) for u in p.atp],
        lines=[PromiseLineOut.model_validate(n, from_attributes=True) for n in p.lines],
        note=p.note,
        capacity=p.capacity,
        quote=_quote(p.quote),
    )


def _quote(q: promising.Quote | None) -> QuoteOut | None:
    if q is None:
        return None

    def cents(value: Decimal | None) -> Decimal | None:
        return None if value is None else money.cents(value)

    return QuoteOut(
        currency=q.currency,
        cost=money.cents(q.cost),
        material=money.cents(q.material),
        labour=money.cents(q.labour),
        overhead=money.cents(q.overhead),
        unit_cost=money.cents(q.unit_cost),
        unit_price=q.unit_price,
        revenue=cents(q.revenue),
        margin=cents(q.margin),
        margin_pct=cents(q.margin_pct),
    )


@router.post("")
def promise(body: PromiseIn, user: Reader, session: DbSession) -> PromiseOut:
    """When can ``qty`` of ``item``, configured with ``params``, be complete? Nothing is
    saved: the date, the critical path, what must be ordered by when, the stock and
    receipts used (as of the last plan). Computed in a worker process under the time
    limit ``PEGBOARD_PROMISE_TIME_LIMIT``: past it, 422 ``too_much_work`` (run
    ``pegboard promise``); every worker busy that long, 429."""
    values = {name: _text(value) for name, value in body.params.items()}
    return _out(
        promising.promise_bounded(
            session,
            body.item,
            body.qty,
            params=values,
            wanted=body.wanted,
            unit_price=body.unit_price,
        )
    )


@router.post("/reserve", status_code=201)
def reserve(body: ReserveIn, user: Sales, session: DbSession) -> ReservedOut:
    """Promise and enter it as a confirmed sales order of ``customer``, due on the promised
    date (or the wanted date when that is met), configured with ``params``: one step."""
    values = {name: _text(value) for name, value in body.params.items()}
    result, number = promising.reserve(
        session,
        body.item,
        body.qty,
        params=values,
        customer=body.customer,
        project=body.project,
        wanted=body.wanted,
        unit_price=body.unit_price,
        author=user.name,
    )
    return ReservedOut(sales_order=number, promise=_out(result))

"""``/api/cost``: estimated against actual cost, the variance split and the margin of an
order, a project or an item, and the inventory valuation (issue #16, items 2, 5-7).

Amounts are exact decimals rounded to cents of the company currency (JSON strings)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from pegboard.api.deps import DbSession, Reader
from pegboard.api.params import Code
from pegboard.api.xlsx_response import XLSX_RESPONSES, xlsx_download
from pegboard.services import money, stock, variance, xlsx_reports
from pegboard.services.actual_cost import ActualCost
from pegboard.services.costing import Elements

router = APIRouter(prefix="/cost", tags=["cost"])


def _c(value: Decimal) -> Decimal:
    return money.cents(value)


class ElementsOut(BaseModel):
    material: Decimal
    labour: Decimal
    overhead: Decimal
    total: Decimal


class ActualOut(ElementsOut):
    scrap: Decimal = Field(description="of the material, what went into scrapped units")
    hours: Decimal = Field(description="hours confirmed on the operations")
    production_orders: list[str]


class VarianceOut(BaseModel):
    """Actual − estimated (positive: it cost more); the five parts add up to ``total``."""

    price: Decimal
    usage: Decimal
    scrap: Decimal
    labour: Decimal
    overhead: Decimal
    total: Decimal


class CostFigures(BaseModel):
    status: str
    estimated: ElementsOut
    actual: ActualOut
    variance: VarianceOut
    revenue: Decimal | None = Field(description="quoted, less the discount; null: not quoted")
    margin: Decimal | None = Field(description="revenue − actual cost; null: not quoted")


class LineCostOut(CostFigures):
    line: str
    item: str
    qty: Decimal
    frozen: bool = Field(
        description="true: the final cost stored when the line was shipped or closed; "
        "false: live figures, computed from the ledger and today's prices"
    )
    frozen_at: datetime | None = Field(description="when the final cost was frozen")


class OrderCostOut(CostFigures):
    number: str
    customer: str
    project: str | None
    currency: str
    lines: list[LineCostOut]


class ProjectCostOut(BaseModel):
    customer: str
    project: str
    currency: str
    estimated: ElementsOut
    actual: ActualOut
    variance: VarianceOut
    revenue: Decimal | None
    margin: Decimal | None
    orders: list[OrderCostOut]


def _elements(e: Elements) -> ElementsOut:
    return ElementsOut(
        material=_c(e.material), labour=_c(e.labour), overhead=_c(e.overhead), total=_c(e.total)
    )


def _actual(a: ActualCost) -> ActualOut:
    return ActualOut(
        material=_c(a.material),
        labour=_c(a.labour),
        overhead=_c(a.overhead),
        total=_c(a.total),
        scrap=_c(a.scrap),
        hours=a.hours,
        production_orders=list(a.orders),
    )


def _variance(v: variance.Variance) -> VarianceOut:
    return VarianceOut(
        price=_c(v.price),
        usage=_c(v.usage),
        scrap=_c(v.scrap),
        labour=_c(v.labour),
        overhead=_c(v.overhead),
        total=_c(v.total),
    )


def _money(value: Decimal | None) -> Decimal | None:
    return None if value is None else _c(value)


def _order(o: variance.OrderVariance) -> OrderCostOut:
    return OrderCostOut(
        number=o.number,
        customer=o.customer,
        project=o.project,
        currency=o.currency,
        status=o.status,
        estimated=_elements(o.estimated),
        actual=_actual(o.actual),
        variance=_variance(o.variance),
        revenue=_money(o.revenue),
        margin=_money(o.margin),
        lines=[
            LineCostOut(
                line=x.ref,
                item=x.item,
                qty=x.qty,
                status=x.status,
                estimated=_elements(x.estimated),
                actual=_actual(x.actual),
                variance=_variance(x.variance),
                revenue=_money(x.revenue),
                margin=_money(x.margin),
                frozen=x.frozen is not None,
                frozen_at=x.frozen_at,
            )
            for x in o.lines
        ],
    )


# The .xlsx routes come first: ``/orders/{number}`` would take ``SO-1.xlsx`` as a number.


@router.get("/orders/{number}.xlsx", response_class=Response, responses=XLSX_RESPONSES)
def order_cost_xlsx(number: Code, user: Reader, session: DbSession) -> Response:
    """The cost report of a sales order as an XLSX workbook: each line, then the order."""
    return xlsx_download(xlsx_reports.order_cost_xlsx(session, number), "cost", number)


@router.get(
    "/projects/{customer}/{project}.xlsx", response_class=Response, responses=XLSX_RESPONSES
)
def project_cost_xlsx(customer: str, project: str, user: Reader, session: DbSession) -> Response:
    """The cost report of a customer project as an XLSX workbook: each order's lines and
    total, then the project's."""
    data = xlsx_reports.project_cost_xlsx(session, customer, project)
    return xlsx_download(data, "cost", customer, project)


@router.get("/orders/{number}")
def order_cost(number: Code, user: Reader, session: DbSession) -> OrderCostOut:
    """A sales order's lines: estimated against actual cost by element, the variance split
    into price, usage, scrap, labour and overhead, and the margin at the quoted price."""
    return _order(variance.order_variance(session, number))


@router.get("/projects/{customer}/{project}")
def project_cost(customer: str, project: str, user: Reader, session: DbSession) -> ProjectCostOut:
    """A customer project's orders, estimated against actual, and the project's margin
    (cancelled orders listed, not counted)."""
    p = variance.project_variance(session, customer, project)
    return ProjectCostOut(
        customer=p.customer,
        project=p.project,
        currency=p.currency,
        estimated=_elements(p.estimated),
        actual=_actual(p.actual),
        variance=_variance(p.variance),
        revenue=_money(p.revenue),
        margin=_money(p.margin),
        orders=[_order(o) for o in p.orders],
    )


class ProductionCostOut(BaseModel):
    number: str
    status: str
    qty: float
    completed: float
    scrapped: float
    actual: ActualOut
    unit_cost: Decimal | None = Field(description="actual cost over the units completed")


class ItemCostOut(BaseModel):
    item: str
    currency: str
    unit_cost: Decimal = Field(description="the standard cost (4 decimals)")
    moving_average: Decimal | None = Field(description="value of its stock over its quantity")
    last_purchase: Decimal | None
    on_hand: float
    value: Decimal
    production_orders: list[ProductionCostOut]


@router.get("/items/{item}")
def item_cost(item: Code, user: Reader, session: DbSession) -> ItemCostOut:
    """What an item costs: standard cost, moving average and value of its stock, last
    purchase price, and the actual cost of its latest production orders."""
    found = variance.item_cost(session, item)
    average = found.moving_average
    return ItemCostOut(
        item=found.item,
        currency=found.currency,
        unit_cost=found.unit_cost,
        moving_average=None if average is None else average.quantize(Decimal("0.0001")),
        last_purchase=found.last_purchase,
        on_hand=found.on_hand,
        value=_c(found.value),
        production_orders=[
            ProductionCostOut(
                number=p.number,
                status=p.status,
                qty=p.qty,
                completed=p.completed,
                scrapped=p.scrapped,
                actual=_actual(p.actual),
                unit_cost=_money(p.unit_cost),
            )
            for p in found.productions
        ],
    )


class ValueRowOut(BaseModel):
    item: str
    location: str
    qty: float
    value: Decimal
    average_cost: Decimal | None


class ValuationOut(BaseModel):
    currency: str
    total: Decimal
    rows: list[ValueRowOut]


@router.get("/inventory")
def inventory_value(
    user: Reader,
    session: DbSession,
    item: Annotated[str | None, Query(max_length=100)] = None,
    location: Annotated[str | None, Query(max_length=100)] = None,
) -> ValuationOut:
    """The inventory valuation from the stock ledger: quantity, value and average cost
    per item and location (reserved stock included)."""
    found = stock.valuation_report(session, item=item, location=location)
    return ValuationOut(
        currency=found.currency,
        total=_c(found.total),
        rows=[
            ValueRowOut(
                item=r.item,
                location=r.location,
                qty=r.qty,
                value=_c(r.value),
                average_cost=None if r.average is None else r.average.quantize(Decimal("0.0001")),
            )
            for r in found.rows
        ],
    )

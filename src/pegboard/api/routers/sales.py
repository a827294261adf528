"""Sales orders and lines: enter, confirm, change, cancel, configure a line."""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from pegboard import clock
from pegboard.api.deps import DbSession, Reader, require
from pegboard.api.pagination import Page, Paging
from pegboard.api.params import Code, sort_query
from pegboard.api.routers.audit import AuditOut
from pegboard.api.routers.boms import LineTreeOut, tree_out
from pegboard.db import Session
from pegboard.model.enums import SalesOrderStatus
from pegboard.services import audit, costing, money, order_bom, order_changes, sales
from pegboard.services import order_tree as order_trees
from pegboard.services.permissions import Permission
from pegboard.services.users import UserView

router = APIRouter(prefix="/sales-orders", tags=["sales-orders"])
Sales = Annotated[UserView, Depends(require(Permission.SALES))]

LineNo = Annotated[int, Path(ge=1, le=2**31 - 1, description="the line number")]
Qty = Annotated[float, Field(gt=0, le=1e12, allow_inf_nan=False)]
Money = Annotated[
    Decimal | str,
    Field(
        description='exact, at most two decimals, as a JSON string ("1249.90") or number',
        examples=["1249.90"],
    ),
]
ParamName = Annotated[str, StringConstraints(min_length=1, max_length=100)]


def _plain_value(value: str | float | bool) -> str | float | bool:
    if isinstance(value, str) and len(value) > 200:
        raise ValueError("a parameter value has at most 200 characters")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("a parameter value must be a finite number")
    return value


ParamValue = Annotated[str | float | bool, AfterValidator(_plain_value)]


class OrderRow(BaseModel):
    number: str
    customer: str
    project: str | None
    status: SalesOrderStatus
    lines: int
    due: date | None = Field(description="the earliest due date of its lines")
    created_at: datetime


class LineOut(BaseModel):
    line: int
    item: str
    qty: float
    shipped_qty: float
    due: date
    priority: int
    status: SalesOrderStatus
    projected: date | None = Field(description="when the current plan sees it complete")
    late_days: int
    bom: str | None = Field(description="its order BOM, once configured")
    unit_price: Decimal | None = Field(
        description="the quoted price of one unit in the company currency, exact (null: not quoted)"
    )
    discount_pct: Decimal = Field(description="the discount on it, in percent")
    amount: Decimal | None = Field(description="qty × unit price less the discount, in cents")

    _cents = field_validator("amount")(lambda v: None if v is None else money.cents(v))


class OrderOut(BaseModel):
    number: str
    customer: str
    project: str | None
    status: SalesOrderStatus
    created_at: datetime
    currency: str = Field(description="the company currency of every amount (ISO 4217)")
    amount: Decimal | None = Field(
        description="the quoted amounts of the lines not cancelled, added up, in cents (null: "
        "none quoted)"
    )
    lines: list[LineOut]

    _cents = field_validator("amount")(lambda v: None if v is None else money.cents(v))


class NewOrder(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer: Code
    project: Code | None = None
    number: Code | None = Field(default=None, description="default: the next SO-n")


class NewLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item: Code = Field(description="a plain item or a configurable product")
    qty: Qty
    due: date
    priority: int = Field(default=100, ge=0, le=2**31 - 1, description="lower comes first")
    unit_price: Money | None = Field(default=None, description="the quoted price of one unit")
    discount_pct: Money | None = Field(default=None, description="a discount on it, in percent")


class LineChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    qty: Qty | None = None
    due: date | None = None
    unit_price: Money | None = Field(default=None, description="a new quoted unit price")
    discount_pct: Money | None = Field(default=None, description="a new discount, in percent")


class ChangedLine(BaseModel):
    line: LineOut
    flagged: list[str] = Field(description="released production orders to review")


class StatusChange(BaseModel):
    status: SalesOrderStatus


class Configuration(BaseModel):
    model_config = ConfigDict(extra="forbid")

    params: dict[ParamName, ParamValue] = Field(
        default={}, max_length=100, description="parameter values; defaults fill the rest"
    )
    discard_edits: bool = Field(
        default=False,
        description="re-configuring rebuilds the order BOMs from the template: drop their "
        "hand edits (without it, a line with hand edits is 409, naming them in "
        "params.hand_edits)",
    )


class ElementsOut(BaseModel):
    material: Decimal
    labour: Decimal = Field(description="labour and machine: routing hours × work-center rate")
    overhead: Decimal
    total: Decimal


class OperationCostOut(BaseModel):
    sequence: int
    work_center: str
    hours: Decimal
    rate: Decimal
    amount: Decimal


class PartCostOut(BaseModel):
    component: str
    qty: Decimal = Field(description="the quantity needed, scrap included")
    scrap_pct: Decimal
    unit_cost: Decimal = Field(description="the price of one unit bought, or cost of one made")
    amount: Decimal
    source: str = Field(description="where the price comes from, or the child's structure")
    made: NodeCostOut | None = Field(description="the sub-assembly's own roll-up, when made")


class NodeCostOut(BaseModel):
    item: str
    qty: Decimal
    level: int
    source: str = Field(description="what the structure was read from: an order BOM, …")
    routing: str | None
    hours: Decimal = Field(description="routing hours of this level alone")
    own: ElementsOut = Field(description="this level alone")
    total: ElementsOut = Field(description="this level and every level below it")
    scrap: Decimal = Field(description="the part of the total that scrap adds")
    operations: list[OperationCostOut]
    parts: list[PartCostOut]


PartCostOut.model_rebuild()


class OptionPremiumOut(BaseModel):
    parameter: str
    value: str
    default: str
    premium: Decimal


class PremiumOut(BaseModel):
    default_values: dict[str, str]
    default_cost: Decimal
    amount: Decimal = Field(description="the line's estimated cost less the default's")
    options: list[OptionPremiumOut]
    rest: Decimal = Field(description="hand edits, order routings, options acting together")


class LineCostOut(BaseModel):
    ref: str
    item: str
    qty: Decimal
    status: SalesOrderStatus
    currency: str
    unit_price: Decimal | None
    discount_pct: Decimal
    revenue: Decimal | None = Field(description="qty × unit price less the discount")
    cost: Decimal = Field(description="the estimated cost of the whole line")
    margin: Decimal | None
    margin_pct: Decimal | None
    note: str
    premium: PremiumOut | None
    premium_note: str = Field(description="why there is no premium, when there is none")
    tree: NodeCostOut


class OrderCostOut(BaseModel):
    number: str
    customer: str
    project: str | None
    status: SalesOrderStatus
    currency: str
    revenue: Decimal | None = Field(description="the quoted lines not cancelled")
    cost: Decimal
    elements: ElementsOut
    margin: Decimal | None
    margin_pct: Decimal | None
    unquoted: list[str] = Field(description="lines counted at cost that have no price yet")
    lines: list[LineCostOut]


def _plain(value: Decimal) -> Decimal:
    """A quantity or hours, exact, without trailing zeros (``0.9``, not ``0.9000``)."""
    return Decimal(f"{value.normalize():f}")


def _cents(value: Decimal | None) -> Decimal | None:
    return None if value is None else money.cents(value)


def elements_out(e: costing.Elements) -> ElementsOut:
    return ElementsOut(
        material=money.cents(e.material),
        labour=money.cents(e.labour),
        overhead=money.cents(e.overhead),
        total=money.cents(e.total),
    )


def node_cost_out(node: costing.NodeCost) -> NodeCostOut:
    """A roll-up with every amount in cents (quantities and hours exact)."""
    return NodeCostOut(
        item=node.item,
        qty=_plain(node.qty),
        level=node.level,
        source=node.label,
        routing=node.routing,
        hours=_plain(node.hours),
        own=elements_out(node.own),
        total=elements_out(node.total),
        scrap=money.cents(node.scrap),
        operations=[
            OperationCostOut(
                sequence=op.sequence,
                work_center=op.work_center,
                hours=_plain(op.hours),
                rate=op.rate,
                amount=money.cents(op.amount),
            )
            for op in node.operations
        ],
        parts=[
            PartCostOut(
                component=p.component,
                qty=_plain(p.qty),
                scrap_pct=_plain(p.scrap_pct),
                unit_cost=money.cents(p.unit_cost),
                amount=money.cents(p.amount),
                source=p.source,
                made=None if p.child is None else node_cost_out(p.child),
            )
            for p in node.lines
        ],
    )


def line_cost_out(e: costing.LineEstimate) -> LineCostOut:
    p = e.premium
    return LineCostOut(
        ref=e.ref,
        item=e.item,
        qty=_plain(e.qty),
        status=SalesOrderStatus(e.status),
        currency=e.currency,
        unit_price=e.unit_price,
        discount_pct=e.discount_pct,
        revenue=_cents(e.revenue),
        cost=money.cents(e.cost),
        margin=_cents(e.margin),
        margin_pct=_cents(e.margin_pct),
        note=e.note,
        premium=None
        if p is None
        else PremiumOut(
            default_values=dict(p.default_values),
            default_cost=money.cents(p.default.cost),
            amount=money.cents(p.amount),
            options=[
                OptionPremiumOut(
                    parameter=o.parameter,
                    value=o.value,
                    default=o.default,
                    premium=money.cents(o.premium),
                )
                for o in p.options
            ],
            rest=money.cents(p.rest),
        ),
        premium_note=e.premium_note,
        tree=node_cost_out(e.tree),
    )


def order_cost_out(o: costing.OrderCost) -> OrderCostOut:
    return OrderCostOut(
        number=o.number,
        customer=o.customer,
        project=o.project,
        status=SalesOrderStatus(o.status),
        currency=o.currency,
        revenue=_cents(o.revenue),
        cost=money.cents(o.cost),
        elements=elements_out(o.elements),
        margin=_cents(o.margin),
        margin_pct=_cents(o.margin_pct),
        unquoted=list(o.unquoted),
        lines=[line_cost_out(x) for x in o.lines],
    )


def _order(view: sales.OrderView) -> OrderOut:
    return OrderOut.model_validate(view, from_attributes=True)


def _line(session: Session, number: str, line: int) -> LineOut:
    view = sales.order_view(session, number)
    (found,) = [x for x in view.lines if x.line == line]
    return LineOut.model_validate(found, from_attributes=True)


def _text(value: str | float | bool) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    return str(int(value)) if value.is_integer() else repr(value)


@router.get("")
def list_orders(
    user: Reader,
    session: DbSession,
    paging: Paging,
    status: SalesOrderStatus | None = None,
    customer: Annotated[str | None, Query(max_length=100, description="customer code")] = None,
    project: Annotated[str | None, Query(max_length=100, description="project code")] = None,
    q: Annotated[str | None, Query(max_length=100, description="part of the number")] = None,
    sort: Annotated[str | None, sort_query(sales.ORDER_SORT)] = None,
) -> Page[OrderRow]:
    """Find sales orders by status, customer, project or number, a page at a time."""
    rows, total = sales.order_page(
        session,
        status=status,
        customer=customer,
        project=project,
        q=q,
        sort=sort,
        limit=paging.limit,
        offset=paging.offset,
    )
    return Page(
        items=[OrderRow.model_validate(row._mapping) for row in rows],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.post("", status_code=201)
def create_order(body: NewOrder, user: Sales, session: DbSession) -> OrderOut:
    """Open a draft sales order for a customer (and one of its projects); add lines next."""
    number = sales.create_order(
        session,
        customer=body.customer,
        project=body.project,
        number=body.number,
        author=user.name,
    )
    return _order(sales.order_view(session, number))


@router.get("/{number}")
def get_order(number: str, user: Reader, session: DbSession) -> OrderOut:
    """An order and its lines, each with the date the current plan projects for it."""
    return _order(sales.order_view(session, number))


@router.post("/{number}/status")
def set_status(number: str, body: StatusChange, user: Sales, session: DbSession) -> OrderOut:
    """Move the order (and its open lines) on: confirm a draft (the plan sees it from then
    on), cancel, mark shipped or closed. Moves that are not allowed are refused (409)."""
    sales.set_status(session, number, body.status, author=user.name)
    return _order(sales.order_view(session, number))


@router.post("/{number}/lines", status_code=201)
def add_line(number: str, body: NewLine, user: Sales, session: DbSession) -> LineOut:
    """Add a line: a plain item, or a configurable product to configure next."""
    line = sales.add_line(
        session,
        number,
        item=body.item,
        qty=body.qty,
        due=body.due,
        priority=body.priority,
        unit_price=body.unit_price,
        discount_pct=body.discount_pct,
        author=user.name,
    )
    return _line(session, number, line)


@router.patch("/{number}/lines/{line}")
def change_line(
    number: str, line: LineNo, body: LineChange, user: Sales, session: DbSession
) -> ChangedLine:
    """Change a line's quantity and/or due date. Its order BOMs and production orders follow;
    production orders already released are kept and flagged for review. A new quoted unit
    price or discount alone changes no production order."""
    flagged = order_changes.change_line(
        session,
        number,
        line,
        qty=body.qty,
        due=body.due,
        unit_price=body.unit_price,
        discount_pct=body.discount_pct,
        author=user.name,
        today=clock.today(),
    )
    return ChangedLine(line=_line(session, number, line), flagged=flagged)


@router.delete("/{number}/lines/{line}", status_code=204)
def cancel_line(number: str, line: LineNo, user: Sales, session: DbSession) -> None:
    """Cancel a line (it stays on the order, cancelled): its unreleased production orders are
    cancelled, released ones flagged, its reserved stock freed. The last open line cancels
    the order."""
    order_changes.cancel_line(session, number, line, author=user.name)


@router.post("/{number}/lines/{line}/configure")
def configure_line(
    number: str, line: LineNo, body: Configuration, user: Sales, session: DbSession
) -> LineTreeOut:
    """Configure (or re-configure) a line's product with parameter values: the order BOM
    tree and production orders dated back from the due date, in one step. Hand edits of
    the order BOMs are dropped only with ``discard_edits``."""
    values = {name: _text(value) for name, value in body.params.items()}
    return tree_out(
        order_bom.configure_line(
            session,
            number,
            line,
            values,
            author=user.name,
            today=clock.today(),
            discard_edits=body.discard_edits,
        )
    )


@router.get("/{number}/cost")
def order_cost(number: str, user: Reader, session: DbSession) -> OrderCostOut:
    """Every line's estimated cost against its quoted price, and the order's revenue,
    estimated cost and margin (cancelled lines listed, not counted). Amounts in cents of
    the company currency."""
    return order_cost_out(costing.order_cost(session, number))


@router.get("/{number}/lines/{line}/cost")
def line_cost(number: str, line: LineNo, user: Reader, session: DbSession) -> LineCostOut:
    """The line's estimated cost rolled up level by level through its order BOM and
    routings (material with scrap, labour and machine, overhead), the quoted revenue and
    margin, and the premium of its customization over the same product and size with the
    options at their defaults. Amounts in cents of the company currency."""
    return line_cost_out(costing.line_cost(session, number, line))


@router.get("/{number}/tree")
def order_tree(number: str, user: Reader, session: DbSession) -> list[LineTreeOut]:
    """Every line with its order BOM tree and production orders."""
    return [tree_out(t) for t in order_trees.order_tree(session, number, today=clock.today())]


@router.get("/{number}/history")
def order_history(number: str, user: Reader, session: DbSession, paging: Paging) -> list[AuditOut]:
    """Every recorded change of the order, its lines and its order BOMs, newest first."""
    sales.get_order(session, number)
    entries = audit.history(session, sales_order=number, limit=paging.limit, offset=paging.offset)
    return [
        AuditOut(
            id=e.id,
            at=e.at,
            author=e.author,
            entity=e.entity,
            ref=e.entity_ref,
            action=e.action,
            before=e.before,
            after=e.after,
            note=e.note,
        )
        for e in entries
    ]

"""Sales orders and lines: enter, confirm, change, cancel, configure a line."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy.orm import Session

from pegboard import clock
from pegboard.api.deps import DbSession, Reader, require
from pegboard.api.pagination import Page, Paging, fetch_page, order_by
from pegboard.api.params import Code, sort_query
from pegboard.api.routers.audit import AuditOut
from pegboard.api.routers.boms import LineTreeOut, tree_out
from pegboard.model import SalesOrder, SalesOrderStatus
from pegboard.services import audit, order_bom, order_changes, sales
from pegboard.services.permissions import Permission
from pegboard.services.users import UserView

router = APIRouter(prefix="/sales-orders", tags=["sales-orders"])
Sales = Annotated[UserView, Depends(require(Permission.SALES))]

LineNo = Annotated[int, Path(ge=1, le=2**31 - 1, description="the line number")]
Qty = Annotated[float, Field(gt=0, le=1e12, allow_inf_nan=False)]
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


class OrderOut(BaseModel):
    number: str
    customer: str
    project: str | None
    status: SalesOrderStatus
    created_at: datetime
    lines: list[LineOut]


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


class LineChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    qty: Qty | None = None
    due: date | None = None


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


SORT = ("number", "customer", "project", "status", "due", "created_at")


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
    sort: Annotated[str | None, sort_query(SORT)] = None,
) -> Page[OrderRow]:
    """Find sales orders by status, customer, project or number, a page at a time."""
    stmt = sales.order_query(status=status, customer=customer, project=project, q=q)
    cols = stmt.selected_columns
    columns = {name: cols[name] for name in SORT}
    rows, total = fetch_page(session, order_by(stmt, sort, columns, [SalesOrder.number]), paging)
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
        author=user.name,
    )
    return _line(session, number, line)


@router.patch("/{number}/lines/{line}")
def change_line(
    number: str, line: LineNo, body: LineChange, user: Sales, session: DbSession
) -> ChangedLine:
    """Change a line's quantity and/or due date. Its order BOMs and production orders follow;
    production orders already released are kept and flagged for review."""
    flagged = order_changes.change_line(
        session, number, line, qty=body.qty, due=body.due, author=user.name, today=clock.today()
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


@router.get("/{number}/tree")
def order_tree(number: str, user: Reader, session: DbSession) -> list[LineTreeOut]:
    """Every line with its order BOM tree and production orders."""
    return [tree_out(t) for t in order_bom.order_tree(session, number, today=clock.today())]


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

"""The current plan's rows, read in bulk for export and reports."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from pegboard.model import Item, Pegging, PlanException, PlannedOrder, SalesOrder

PlannedRow = tuple[str, str, str, float, date, date, str]
PeggingRow = tuple[str, str, str, float, str]
ExceptionRow = tuple[str, str, str, date, str, str]


def planned_order_rows(session: Session) -> list[PlannedRow]:
    stmt = (
        select(
            PlannedOrder.number,
            Item.code,
            PlannedOrder.type,
            PlannedOrder.qty,
            PlannedOrder.release_date,
            PlannedOrder.due_date,
            SalesOrder.number,
        )
        .join(Item, Item.id == PlannedOrder.item_id)
        .outerjoin(SalesOrder, SalesOrder.id == PlannedOrder.sales_order_id)
        .order_by(PlannedOrder.number)
    )
    return [(n, i, str(t), q, r, d, so or "") for n, i, t, q, r, d, so in session.execute(stmt)]


def pegging_rows(session: Session) -> list[PeggingRow]:
    stmt = (
        select(Pegging.supply_ref, Pegging.supply_type, Item.code, Pegging.qty, Pegging.demand_ref)
        .join(Item, Item.id == Pegging.item_id)
        .order_by(Pegging.id)
    )
    return [(s, st, i, q, d) for s, st, i, q, d in session.execute(stmt)]


def exception_query(
    kinds: tuple[str, ...] | None = None, sales_order: str | None = None
) -> Select[str, str, str, date, str | None, str]:
    """Exceptions in their stored (report) order, as the export and the reports read them."""
    stmt = (
        select(
            PlanException.kind,
            Item.code,
            PlanException.order_ref,
            PlanException.date,
            SalesOrder.number,
            PlanException.message,
        )
        .join(Item, Item.id == PlanException.item_id)
        .outerjoin(SalesOrder, SalesOrder.id == PlanException.sales_order_id)
        .order_by(PlanException.id)
    )
    if kinds is not None:
        stmt = stmt.where(PlanException.kind.in_(kinds))
    if sales_order is not None:
        stmt = stmt.where(SalesOrder.number == sales_order)
    return stmt


def exception_rows(session: Session) -> list[ExceptionRow]:
    return [(k, i, o, d, so or "", m) for k, i, o, d, so, m in session.execute(exception_query())]

"""The production orders the Gantt chart and its table show, as a tree per sales order.

By default only open orders (planned, released, in progress): a chart of a live shop
floor that also draws every finished and cancelled order, one from 2019 among them,
squeezes this month's bars into slivers. A status filter, or ``everything``, shows the
others on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from pegboard.model import ProductionOrder, ProductionStatus
from pegboard.services._choices import choice
from pegboard.services.production import production_query

LIMIT = 300
"""Orders listed at most (the chart draws a page of them)."""
OPEN = (ProductionStatus.PLANNED, ProductionStatus.RELEASED, ProductionStatus.IN_PROGRESS)
FINISHED = {ProductionStatus.DONE.value, ProductionStatus.CLOSED.value}
GONE = FINISHED | {ProductionStatus.CANCELLED.value}
MAX_DEPTH = 10


@dataclass(frozen=True)
class OrderRow:
    number: str
    item: str
    qty: float
    completed: float
    status: str
    start: date
    due: date
    sales_order: str
    parent: str
    depth: int
    late: bool
    group: str  # the sales order of the tree's top order ("" for stock)


def is_late(status: str, start: date | None, due: date, today: date) -> bool:
    """Late: open and due before today, or planned and meant to start before today."""
    if status in GONE:
        return False
    return due < today or (status == ProductionStatus.PLANNED.value and (start or due) < today)


def _found(
    session: Session, *, sales_order: str | None, status: str | None, everything: bool
) -> list[Any]:
    wanted = choice(ProductionStatus, status)
    stmt = production_query(status=wanted, sales_order=sales_order or None)
    if wanted is None and not everything:
        stmt = stmt.where(ProductionOrder.status.in_(OPEN))
    stmt = stmt.order_by(ProductionOrder.due_date, ProductionOrder.number).limit(LIMIT)
    return list(session.execute(stmt))


def order_rows(
    session: Session,
    today: date,
    *,
    sales_order: str | None = None,
    status: str | None = None,
    everything: bool = False,
) -> list[OrderRow]:
    """The orders grouped by sales order (stock orders last), each child under its parent:
    the open ones, or those of ``status``, or all of them (``everything``)."""
    found = _found(session, sales_order=sales_order, status=status, everything=everything)
    numbers = {r.number for r in found}
    children: dict[str, list[Any]] = {}
    roots: list[Any] = []
    for r in found:
        if r.parent and r.parent in numbers:
            children.setdefault(r.parent, []).append(r)
        else:
            roots.append(r)
    roots.sort(key=lambda r: (r.sales_order is None, r.sales_order or "", r.due_date, r.number))
    out: list[OrderRow] = []

    def walk(r: Any, depth: int, group: str) -> None:
        out.append(_row(r, depth, group, today))
        for child in children.get(r.number, []):
            if depth < MAX_DEPTH:
                walk(child, depth + 1, group)

    for r in roots:
        walk(r, 0, r.sales_order or "")
    return out


def _row(r: Any, depth: int, group: str, today: date) -> OrderRow:
    status = r.status.value
    return OrderRow(
        r.number,
        r.item,
        r.qty,
        r.completed,
        status,
        r.start_date or r.due_date,
        r.due_date,
        r.sales_order or "",
        r.parent or "",
        depth,
        is_late(status, r.start_date, r.due_date, today),
        group,
    )

"""Changing and cancelling sales-order lines without losing work already started.

While none of a line's production orders is released, a change re-derives its
order BOM and production orders from the stored configuration. Once one is
released, nothing is re-derived: released orders are kept and flagged for the
planner (``needs_review``), unreleased ones follow the new quantity and date.
Every change is in the audit trail with the values before and after.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.errors import ConflictError, ValidationError
from pegboard.model import (
    Bom,
    Item,
    ProductionOrder,
    ProductionStatus,
    SalesOrderLine,
    SalesOrderStatus,
    StockBalance,
    StockMove,
    StockMoveKind,
)
from pegboard.services import audit
from pegboard.services.order_bom import (
    configuration_of,
    derive,
    line_orders,
    released_orders,
)
from pegboard.services.sales import check_transition, get_line

_CHANGEABLE = (SalesOrderStatus.DRAFT, SalesOrderStatus.CONFIRMED, SalesOrderStatus.IN_PRODUCTION)


def change_line(
    session: Session,
    number: str,
    line: int,
    *,
    qty: float | None = None,
    due: date | None = None,
    author: str,
    today: date,
) -> list[str]:
    """Change quantity and/or due date; returns the production orders flagged for review."""
    if qty is not None and (not qty > 0 or qty > 1e12):
        raise ValidationError(f"qty must be a number greater than 0, not {qty!r}", field="qty")
    with session.begin():
        order, row = get_line(session, number, line)
        if row.status not in _CHANGEABLE:
            raise ConflictError(f"{number}/{line} is {row.status.value}; it cannot be changed")
        if qty is not None and qty < row.shipped_qty:
            raise ValidationError(
                f"qty {qty:g} is less than the {row.shipped_qty:g} already shipped"
            )
        before = {"qty": row.qty, "due": row.due_date}
        old_open, old_due = row.qty - row.shipped_qty, row.due_date
        row.qty = qty if qty is not None else row.qty
        row.due_date = due if due is not None else row.due_date
        after = {"qty": row.qty, "due": row.due_date}
        orders = line_orders(session, row)
        released = released_orders(orders)
        values = configuration_of(session, row)
        if values is not None and not released:
            derive(session, order, row, values, today)
            flagged: list[str] = []
        else:
            flagged = _follow(orders, released, row, old_open, old_due, before, after)
        audit.record(
            session,
            author=author,
            entity="sales_order_line",
            ref=f"{number}/{line}",
            action="change",
            before=before,
            after={**after, "flagged": flagged},
        )
    return flagged


def _follow(
    orders: list[ProductionOrder],
    released: list[ProductionOrder],
    row: SalesOrderLine,
    old_open: float,
    old_due: date,
    before: dict[str, object],
    after: dict[str, object],
) -> list[str]:
    """Scale and shift unreleased orders with the line; flag the released ones."""
    ratio = (row.qty - row.shipped_qty) / old_open if old_open > 0 else 1.0
    shift = timedelta(days=(row.due_date - old_due).days)
    note = f"line changed from {before} to {after}"
    for mo in orders:
        if mo in released:
            mo.needs_review = True
            mo.review_note = note[:500]
        elif mo.status is ProductionStatus.PLANNED:
            mo.qty *= ratio
            mo.due_date += shift
            if mo.start_date is not None:
                mo.start_date += shift
    return [mo.number for mo in released]


def cancel_line(session: Session, number: str, line: int, *, author: str) -> list[str]:
    """Cancel a line: its unreleased production orders are cancelled, released ones flagged,
    stock reserved for its items is freed. Returns the flagged production orders."""
    with session.begin():
        order, row = get_line(session, number, line)
        check_transition(f"{number}/{line}", row.status, SalesOrderStatus.CANCELLED)
        orders = line_orders(session, row)
        released = released_orders(orders)
        for mo in orders:
            if mo in released:
                mo.needs_review = True
                mo.review_note = "its sales-order line was cancelled"
            elif mo.status is ProductionStatus.PLANNED:
                mo.status = ProductionStatus.CANCELLED
        freed = _free_reservations(session, row, order.id, author)
        before = row.status
        row.status = SalesOrderStatus.CANCELLED
        open_lines = session.scalar(
            select(SalesOrderLine.id)
            .where(
                SalesOrderLine.sales_order_id == order.id,
                SalesOrderLine.status != SalesOrderStatus.CANCELLED,
            )
            .limit(1)
        )
        if open_lines is None:
            order.status = SalesOrderStatus.CANCELLED
        audit.record(
            session,
            author=author,
            entity="sales_order_line",
            ref=f"{number}/{line}",
            action="cancel",
            before={"status": before},
            after={
                "status": row.status,
                "cancelled": [
                    mo.number for mo in orders if mo.status is ProductionStatus.CANCELLED
                ],
                "flagged": [mo.number for mo in released],
                "freed": freed,
            },
        )
    return [mo.number for mo in released]


def _free_reservations(
    session: Session, row: SalesOrderLine, order_id: int, author: str
) -> dict[str, float]:
    """Move stock reserved for the order, of the line's own items, to the free pool."""
    items = {row.item_id} | set(
        session.scalars(select(Bom.item_id).where(Bom.sales_order_line_id == row.id))
    )
    freed: dict[str, float] = {}
    balances = session.scalars(
        select(StockBalance)
        .where(
            StockBalance.sales_order_id == order_id,
            StockBalance.item_id.in_(items),
            StockBalance.qty > 0,
        )
        .with_for_update()
    ).all()
    for balance in balances:
        qty = balance.qty
        free = session.scalar(
            select(StockBalance)
            .where(
                StockBalance.item_id == balance.item_id,
                StockBalance.location == balance.location,
                StockBalance.sales_order_id.is_(None),
            )
            .with_for_update()
        )
        if free is None:
            free = StockBalance(
                item_id=balance.item_id, location=balance.location, sales_order_id=None, qty=0.0
            )
            session.add(free)
        balance.qty = 0.0
        free.qty += qty
        reference = f"cancel line {row.line}"
        session.add_all(
            [
                StockMove(
                    item_id=balance.item_id,
                    location=balance.location,
                    sales_order_id=order_id,
                    qty=-qty,
                    kind=StockMoveKind.RELEASE,
                    reference=reference,
                    author=author,
                ),
                StockMove(
                    item_id=balance.item_id,
                    location=balance.location,
                    sales_order_id=None,
                    qty=qty,
                    kind=StockMoveKind.RELEASE,
                    reference=reference,
                    author=author,
                ),
            ]
        )
        code = session.scalars(select(Item.code).where(Item.id == balance.item_id)).one()
        freed[code] = freed.get(code, 0.0) + qty
    return freed

"""The work a sales-order line has created: its production orders and reservations.

Shared by configuring, changing and cancelling lines and orders, so a cancelled
order and a cancelled line leave the same trace.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.model import (
    Bom,
    Item,
    ProductionOrder,
    ProductionStatus,
    SalesOrder,
    SalesOrderLine,
    SalesOrderStatus,
    StockBalance,
    StockMove,
    StockMoveKind,
)
from pegboard.services import audit

UNRELEASED = (ProductionStatus.PLANNED,)


def line_orders(session: Session, row: SalesOrderLine) -> list[ProductionOrder]:
    return list(
        session.scalars(
            select(ProductionOrder)
            .where(ProductionOrder.sales_order_line_id == row.id)
            .order_by(ProductionOrder.number)
        )
    )


def released_orders(orders: list[ProductionOrder]) -> list[ProductionOrder]:
    """Orders the shop floor has started: they are never re-derived or silently dropped."""
    return [o for o in orders if o.status not in (*UNRELEASED, ProductionStatus.CANCELLED)]


def cancel_line_work(
    session: Session, order: SalesOrder, row: SalesOrderLine, *, author: str
) -> list[str]:
    """Cancel the line's unreleased production orders, flag released ones, free its
    reservations and mark it cancelled (audited). Returns the flagged orders."""
    orders = line_orders(session, row)
    released = released_orders(orders)
    for mo in orders:
        if mo in released:
            mo.needs_review = True
            mo.review_note = "its sales-order line was cancelled"
        elif mo.status is ProductionStatus.PLANNED:
            mo.status = ProductionStatus.CANCELLED
    freed = free_reservations(session, row, order.id, author)
    before = row.status
    row.status = SalesOrderStatus.CANCELLED
    audit.record(
        session,
        author=author,
        entity="sales_order_line",
        ref=f"{order.number}/{row.line}",
        action="cancel",
        before={"status": before},
        after={
            "status": row.status,
            "cancelled": [mo.number for mo in orders if mo.status is ProductionStatus.CANCELLED],
            "flagged": [mo.number for mo in released],
            "freed": freed,
        },
    )
    return [mo.number for mo in released]


def free_reservations(
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

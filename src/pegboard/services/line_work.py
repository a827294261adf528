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
)
from pegboard.services import audit, pins
from pegboard.services.inventory import Refs, release_all
from pegboard.services.order_tree import UNRELEASED, line_orders


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
            pins.drop_when_closed(session, mo, author=author)
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
    """Give stock reserved for the order, of the line's own items, back to free stock.

    Only the sales order's own reservation moves: components reserved to one of its
    released production orders stay with that order (it is flagged for review).
    """
    items = {row.item_id} | set(
        session.scalars(select(Bom.item_id).where(Bom.sales_order_line_id == row.id))
    )
    freed = release_all(
        session,
        item_ids=items,
        sales_order_id=order_id,
        reserved_mo_id=None,
        to_sales_order_id=None,
        refs=Refs(text=f"cancel line {row.line}", author=author),
    )
    codes = dict(session.execute(select(Item.id, Item.code).where(Item.id.in_(freed))).all())
    return {codes[i]: q for i, q in sorted(freed.items(), key=lambda iq: codes[iq[0]])}


def free_order_reservations(session: Session, order: SalesOrder, author: str) -> dict[int, float]:
    """An order that is cancelled or closed holds nothing: every item still reserved for it
    (components bought for it under the master BOM too) goes back to free stock."""
    return release_all(
        session,
        item_ids=None,
        sales_order_id=order.id,
        reserved_mo_id=None,
        to_sales_order_id=None,
        refs=Refs(text=f"{order.number} {order.status.value}", author=author),
    )

"""Shipping sales-order lines: stock out, in transit, delivered, and the order closed.

A shipment takes the line's item from the sales order's reservation first,
then from free stock, and raises the line's shipped quantity, which is what
the planner stops seeing as demand. A line shipped in full becomes
``shipped``, and closed once every shipment of it is delivered; the order
follows its lines. When an order closes, stock still reserved for it is
given back to free stock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from pegboard import clock
from pegboard.errors import ConflictError, NotFoundError, ValidationError
from pegboard.model import (
    Item,
    SalesOrder,
    SalesOrderLine,
    SalesOrderStatus,
    Shipment,
    ShipmentStatus,
    StockMoveKind,
)
from pegboard.model.base import utcnow
from pegboard.services import audit
from pegboard.services._choices import choice
from pegboard.services._tx import for_update, writes
from pegboard.services.bounds import check_day
from pegboard.services.final_cost import freeze_done_lines
from pegboard.services.inventory import (
    EPS,
    Consumer,
    Refs,
    check_location,
    check_qty,
    lock_items,
    release_all,
    take,
)
from pegboard.services.numbers import next_number
from pegboard.services.paging import sorted_page
from pegboard.services.sales import check_transition, get_line
from pegboard.services.snapshot import PLANNABLE_ORDER_STATUSES
from pegboard.services.stock import position

S = SalesOrderStatus
DONE_LINES = (S.SHIPPED, S.CLOSED, S.CANCELLED)


@dataclass(frozen=True)
class ShipmentRow:
    number: str
    sales_order: str
    line: int
    item: str
    qty: float
    status: str
    ship_date: date
    delivered_on: date | None
    tracking: str


def _lock(session: Session, row: object) -> None:
    """Re-read a row under lock (PostgreSQL), so shipped quantities never race."""
    if for_update(session):
        session.refresh(row, with_for_update={"key_share": True})


def _check_open(order: SalesOrder, row: SalesOrderLine) -> None:
    ref = f"{order.number}/{row.line}"
    if order.status not in PLANNABLE_ORDER_STATUSES:
        raise ConflictError(
            f"{order.number} is {order.status.value}: nothing of it can be shipped",
            sales_order=order.number,
            status=order.status.value,
        )
    if row.status not in PLANNABLE_ORDER_STATUSES:
        raise ConflictError(
            f"{ref} is {row.status.value}: nothing more of it can be shipped",
            sales_order=order.number,
            line=row.line,
            status=row.status.value,
        )


@writes
def ship_line(
    session: Session,
    sales_order: str,
    line: int,
    qty: float,
    *,
    location: str | None = None,
    ship_date: date | None = None,
    tracking: str = "",
    author: str,
) -> str:
    """Ship ``qty`` of a sales-order line; returns the shipment number (``SH-000001``)."""
    order, row = get_line(session, sales_order, line)
    _lock(session, order)
    _lock(session, row)
    _check_open(order, row)
    qty = check_qty(qty)
    location = check_location(location) if location is not None else None
    left = row.qty - row.shipped_qty
    if qty > left + EPS:
        raise ValidationError(
            f"{sales_order}/{line}: {row.qty:g} ordered, {row.shipped_qty:g} shipped; "
            f"cannot ship {qty:g} (at most {left:g})",
            sales_order=sales_order,
            line=line,
            rule="over_shipment",
        )
    if len(tracking) > 200:
        raise ValidationError("tracking is longer than 200 characters", field="tracking")
    shipment = Shipment(
        number=next_number(session, "SH", Shipment.number),
        sales_order_line_id=row.id,
        qty=qty,
        status=ShipmentStatus.IN_TRANSIT,
        ship_date=check_day(ship_date or clock.today(), "ship_date"),
        tracking=tracking.strip(),
        author=author,
    )
    session.add(shipment)
    session.flush()
    lock_items(session, [row.item_id])
    take(
        session,
        item_id=row.item_id,
        qty=qty,
        consumer=Consumer(order.id, None, f"{sales_order}/{line}"),
        kind=StockMoveKind.SHIPMENT,
        refs=Refs(
            text=shipment.number,
            author=author,
            sales_order_line_id=row.id,
            shipment_id=shipment.id,
        ),
        location=location,
    )
    row.shipped_qty = round(row.shipped_qty + qty, 9)
    if row.shipped_qty >= row.qty - EPS:
        row.status = S.SHIPPED
    _follow_lines(session, order, author)
    audit.record(
        session,
        author=author,
        entity="sales_order_line",
        ref=f"{sales_order}/{line}",
        action="ship",
        after={
            "shipment": shipment.number,
            "qty": qty,
            "shipped": row.shipped_qty,
            "status": row.status,
        },
    )
    return shipment.number


def _lines(session: Session, order: SalesOrder) -> list[SalesOrderLine]:
    return list(
        session.scalars(select(SalesOrderLine).where(SalesOrderLine.sales_order_id == order.id))
    )


def _follow_lines(session: Session, order: SalesOrder, author: str) -> None:
    """The order is shipped when every line is, closed when every line is closed; a
    line shipped complete gets its final cost frozen (``services.final_cost``)."""
    rows = _lines(session, order)
    freeze_done_lines(session, order, rows)
    statuses = {r.status for r in rows} - {S.CANCELLED}
    if not statuses:
        return
    new = None
    if statuses == {S.CLOSED}:
        new = S.CLOSED
    elif statuses <= {S.SHIPPED, S.CLOSED} and order.status in PLANNABLE_ORDER_STATUSES:
        new = S.SHIPPED
    if new is None or new is order.status:
        return
    if order.status in PLANNABLE_ORDER_STATUSES and new is S.CLOSED:
        check_transition(order.number, order.status, S.SHIPPED)
        order.status = S.SHIPPED
    check_transition(order.number, order.status, new)
    before = order.status
    order.status = new
    if new is S.CLOSED:
        release_all(
            session,
            item_ids=None,
            sales_order_id=order.id,
            reserved_mo_id=None,
            to_sales_order_id=None,
            refs=Refs(text=f"{order.number} closed", author=author),
        )
    audit.record(
        session,
        author=author,
        entity="sales_order",
        ref=order.number,
        action="status",
        before={"status": before},
        after={"status": new},
    )


def shippable(session: Session, item: str, sales_order: str) -> float:
    """What a line of ``sales_order`` could ship of ``item`` now: the free stock and the
    stock reserved for that order."""
    buckets = position(session, item).buckets
    return sum(b.qty for b in buckets if b.holder in ("", sales_order))


def get_shipment(session: Session, number: str) -> Shipment:
    shipment = session.scalars(select(Shipment).where(Shipment.number == number)).first()
    if shipment is None:
        raise NotFoundError(f"no shipment {number!r}", shipment=number)
    return shipment


@writes
def deliver_shipment(
    session: Session, number: str, *, delivered_on: date | None = None, author: str
) -> None:
    """The customer has the goods: the line closes when all of it is delivered."""
    shipment = get_shipment(session, number)
    _lock(session, shipment)
    if shipment.status is not ShipmentStatus.IN_TRANSIT:
        raise ConflictError(f"{number} is {shipment.status.value} already", shipment=number)
    day = check_day(delivered_on or clock.today(), "delivered_on")
    if day < shipment.ship_date:
        raise ValidationError(
            f"delivered on {day} is before it was shipped ({shipment.ship_date})",
            field="delivered_on",
        )
    shipment.status = ShipmentStatus.DELIVERED
    shipment.delivered_on = day
    shipment.delivered_at = utcnow()
    row = session.get(SalesOrderLine, shipment.sales_order_line_id)
    assert row is not None
    order = session.get(SalesOrder, row.sales_order_id)
    assert order is not None
    pending = session.scalar(
        select(Shipment.id).where(
            Shipment.sales_order_line_id == row.id, Shipment.status == ShipmentStatus.IN_TRANSIT
        )
    )
    if row.status is S.SHIPPED and pending is None:
        row.status = S.CLOSED
        _follow_lines(session, order, author)
    audit.record(
        session,
        author=author,
        entity="shipment",
        ref=number,
        action="deliver",
        after={"delivered_on": day, "line_status": row.status},
    )


def shipment_query(
    *,
    sales_order: str | None = None,
    status: ShipmentStatus | None = None,
    item: str | None = None,
    number: str | None = None,
) -> Select[*tuple[Any, ...]]:
    """Shipments, filtered, in no order (for a caller that sorts and pages). Columns:
    ``id``, ``number``, ``sales_order``, ``line``, ``item``, ``qty``, ``status``,
    ``ship_date``, ``delivered_on``, ``tracking``."""
    stmt = (
        select(
            Shipment.id,
            Shipment.number,
            SalesOrder.number.label("sales_order"),
            SalesOrderLine.line,
            Item.code.label("item"),
            Shipment.qty,
            Shipment.status,
            Shipment.ship_date,
            Shipment.delivered_on,
            Shipment.tracking,
        )
        .join(SalesOrderLine, SalesOrderLine.id == Shipment.sales_order_line_id)
        .join(SalesOrder, SalesOrder.id == SalesOrderLine.sales_order_id)
        .join(Item, Item.id == SalesOrderLine.item_id)
    )
    if sales_order:
        stmt = stmt.where(SalesOrder.number == sales_order)
    if status is not None:
        stmt = stmt.where(Shipment.status == status)
    if item:
        stmt = stmt.where(Item.code == item)
    if number is not None:
        stmt = stmt.where(Shipment.number == number)
    return stmt


SHIPMENT_SORT = ("number", "sales_order", "item", "qty", "status", "ship_date", "delivered_on")
"""What a list of shipments can be sorted by (columns of ``shipment_query``)."""


def shipment_page(
    session: Session,
    *,
    sales_order: str | None = None,
    status: ShipmentStatus | None = None,
    item: str | None = None,
    sort: str | None = None,
    limit: int,
    offset: int,
) -> tuple[list[Any], int]:
    """A page of ``shipment_query``'s rows, sorted by ``sort`` (names of
    ``SHIPMENT_SORT``, ``-`` descending) then newest first, and how many in all."""
    stmt = shipment_query(sales_order=sales_order, status=status, item=item)
    return sorted_page(
        session, stmt, sort=sort, sorts=SHIPMENT_SORT, tie="-id", limit=limit, offset=offset
    )


def _row(r: Any) -> ShipmentRow:
    return ShipmentRow(
        r.number,
        r.sales_order,
        r.line,
        r.item,
        r.qty,
        r.status.value,
        r.ship_date,
        r.delivered_on,
        r.tracking,
    )


def shipment_view(session: Session, number: str) -> ShipmentRow:
    row = session.execute(shipment_query(number=number)).first()
    if row is None:
        raise NotFoundError(f"no shipment {number!r}", shipment=number)
    return _row(row)


def list_shipments(
    session: Session,
    *,
    sales_order: str | None = None,
    status: str | None = None,
    limit: int = 200,
) -> list[ShipmentRow]:
    wanted = choice(ShipmentStatus, status)
    stmt = (
        shipment_query(sales_order=sales_order, status=wanted)
        .order_by(Shipment.number.desc())
        .limit(limit)
    )
    return [_row(r) for r in session.execute(stmt)]

"""What stock is worth: the value each ledger movement carries, and the valuation.

Method (moving average per stock bucket, documented in docs/inventory-value.md):

* a **receipt** comes in at its purchase line's price (``qty × unit_price``);
* a **completion** comes in at the production order's actual cost
  (``services.actual_cost.completion_value``);
* an **adjustment** or opening in is valued at the item's moving average (the value of
  all its stock over its quantity), or at its ``unit_cost`` when there is none;
* everything **leaving** a bucket (issue, shipment, a count correction down, the
  outgoing half of a transfer or reservation) leaves at that bucket's moving average,
  ``value / qty``; the move that empties a bucket takes all of its value, so an empty
  bucket is worth exactly 0 and no rounding residue is ever left behind;
* the incoming half of a transfer, reservation or release carries the value the
  outgoing half took, so moving stock around never changes what it is worth.

A bucket (``model.stock``) is free stock of an item at a location, or stock reserved for
a sales order or a production order: stock bought for an order (make-to-order) keeps its
own purchase price until it is used, and free stock averages its receipts. An item's
moving average, as costing reads it, is the value of all its buckets over their
quantity.

Values are exact decimals of 6 places in the ledger (``stock_move.value``), summed per
bucket in ``stock_balance.value`` in the same transaction; they are rounded to cents
only when shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pegboard.model import Item, ProductionOrder, SalesOrder, StockBalance, StockMove
from pegboard.services.money import ZERO, as_decimal

PLACES = Decimal("0.000001")
"""Ledger values are kept to 6 decimals (``model.stock.VALUE``)."""


def exact(value: Decimal) -> Decimal:
    return value.quantize(PLACES)


def leaving(balance: StockBalance, qty: float, emptied: bool) -> Decimal:
    """What ``qty`` leaving this bucket is worth (positive): its share of the bucket's
    value at the bucket's moving average, or all of it when the bucket is emptied."""
    value = as_decimal(balance.value)
    if emptied or balance.qty <= 0:
        return value
    return exact(value * as_decimal(qty) / as_decimal(balance.qty))


def moving_average(session: Session, item_id: int) -> Decimal | None:
    """The item's moving-average cost: the value of all its stock over its quantity
    (None when none is in stock)."""
    qty, value = session.execute(
        select(func.sum(StockBalance.qty), func.sum(StockBalance.value)).where(
            StockBalance.item_id == item_id, StockBalance.qty > 0
        )
    ).one()
    if not qty or qty <= 0:
        return None
    return as_decimal(value or ZERO) / as_decimal(qty)


def incoming(session: Session, item_id: int, qty: float) -> Decimal:
    """The value of stock that arrives with no price of its own (an adjustment, an
    opening balance): at the item's moving average, else its unit cost."""
    average = moving_average(session, item_id)
    if average is None:
        average = as_decimal(
            session.scalars(select(Item.unit_cost).where(Item.id == item_id)).one()
        )
    return exact(average * as_decimal(qty))


@dataclass(frozen=True)
class ValueRow:
    item: str
    location: str
    qty: float
    value: Decimal

    @property
    def average(self) -> Decimal | None:
        return self.value / as_decimal(self.qty) if self.qty > 0 else None


def stock_value(
    session: Session, *, item: str | None = None, location: str | None = None
) -> list[ValueRow]:
    """The inventory valuation: quantity and value per item and location (reserved stock
    included), from the balances the ledger keeps; items with no stock left out."""
    stmt = (
        select(
            Item.code,
            StockBalance.location,
            func.sum(StockBalance.qty),
            func.sum(StockBalance.value),
        )
        .join(Item, Item.id == StockBalance.item_id)
        .where(StockBalance.qty > 0)
        .group_by(Item.code, StockBalance.location)
        .order_by(Item.code, StockBalance.location)
    )
    if item is not None:
        stmt = stmt.where(Item.code == item)
    if location is not None:
        stmt = stmt.where(StockBalance.location == location)
    return [
        ValueRow(code, loc, qty, as_decimal(value or ZERO))
        for code, loc, qty, value in session.execute(stmt)
    ]


def total(rows: Sequence[ValueRow]) -> Decimal:
    return sum((r.value for r in rows), ZERO)


@dataclass(frozen=True)
class ValueMismatch:
    item: str
    location: str
    holder: str
    ledger: Decimal
    balance: Decimal
    problem: str


_KEY = (StockMove.item_id, StockMove.location, StockMove.sales_order_id, StockMove.reserved_mo_id)
_BKEY = (
    StockBalance.item_id,
    StockBalance.location,
    StockBalance.sales_order_id,
    StockBalance.reserved_mo_id,
)


def check_values(session: Session) -> list[ValueMismatch]:
    """Every bucket's value against the sum of its ledger values, and no value left in an
    empty bucket or below zero; empty when all reconcile."""
    ledger = {
        tuple(k): as_decimal(v or ZERO)
        for *k, v in session.execute(select(*_KEY, func.sum(StockMove.value)).group_by(*_KEY))
    }
    found: list[tuple[tuple[Any, ...], Decimal, Decimal, str]] = []
    for *k, qty, value in session.execute(
        select(*_BKEY, func.sum(StockBalance.qty), func.sum(StockBalance.value)).group_by(*_BKEY)
    ):
        key = (k[0], k[1], k[2], k[3])
        cached = as_decimal(value or ZERO)
        booked = ledger.get(key, ZERO)
        problem = ""
        if cached != booked:
            problem = "value differs from the ledger"
        elif cached < 0:
            problem = "value below zero"
        elif (qty or 0) <= 0 and cached != 0:
            problem = "value left in an empty bucket"
        if problem:
            found.append((key, booked, cached, problem))
    if not found:
        return []
    codes = dict(session.execute(select(Item.id, Item.code)).all())
    orders = dict(session.execute(select(SalesOrder.id, SalesOrder.number)).all())
    mos = dict(session.execute(select(ProductionOrder.id, ProductionOrder.number)).all())
    return [
        ValueMismatch(
            codes[key[0]],
            key[1],
            mos.get(key[3] or 0) or orders.get(key[2] or 0) or "",
            booked,
            cached,
            problem,
        )
        for key, booked, cached, problem in found
    ]

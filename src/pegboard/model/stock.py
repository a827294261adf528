"""The stock ledger and its cached balances.

Every movement is an immutable ``stock_move`` row (a database trigger refuses
updates); ``stock_balance`` caches the ledger sum per *bucket* and is updated in
the same transaction as the move. A bucket is an item at a location, either
free, reserved for a sales order (``sales_order_id``), or reserved for one
production order (``reserved_mo_id``, with the sales order that order serves).
The document columns (purchase-order line, production order, sales-order line,
shipment) say which transaction caused the move; they are references, not part
of the bucket.
"""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, func
from sqlalchemy.orm import Mapped, mapped_column

# The modules of the tables this one's foreign keys name: declared with it, so that
# its foreign keys resolve (the model package declares a module on first use).
import pegboard.model.item
import pegboard.model.production
import pegboard.model.purchasing
import pegboard.model.sales
import pegboard.model.shipment  # noqa: F401
from pegboard.model._types import UtcDateTime, enum_column
from pegboard.model.base import Base, utcnow
from pegboard.model.enums import StockMoveKind

VALUE = Numeric(32, 6)
"""Ledger values: 6 decimals, so the moving average of a cheap part stays precise."""


class StockMove(Base):
    __tablename__ = "stock_move"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    location: Mapped[str] = mapped_column(String(100))
    sales_order_id: Mapped[int | None] = mapped_column(ForeignKey("sales_order.id"), index=True)
    reserved_mo_id: Mapped[int | None] = mapped_column(ForeignKey("production_order.id"))
    qty: Mapped[float]
    kind: Mapped[StockMoveKind] = mapped_column(enum_column(StockMoveKind, "stock_move_kind"))
    reference: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str] = mapped_column(String(500), default="")
    author: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), default=utcnow, server_default=func.now()
    )
    purchase_order_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("purchase_order_line.id"), index=True
    )
    production_order_id: Mapped[int | None] = mapped_column(
        ForeignKey("production_order.id"), index=True
    )
    sales_order_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("sales_order_line.id"), index=True
    )
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipment.id"), index=True)
    value: Mapped[Decimal] = mapped_column(VALUE, default=Decimal(0), server_default="0")
    """What the movement is worth in the company currency, signed like ``qty``
    (``services.valuation``): receipts at the purchase price, completions at the
    production order's actual cost, everything leaving a bucket at its moving average."""


class StockBalance(Base):
    __tablename__ = "stock_balance"
    __table_args__ = (
        Index("ix_stock_balance_key", "item_id", "location", "sales_order_id"),
        CheckConstraint("qty >= 0", name="qty_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    location: Mapped[str] = mapped_column(String(100))
    sales_order_id: Mapped[int | None] = mapped_column(ForeignKey("sales_order.id"))
    reserved_mo_id: Mapped[int | None] = mapped_column(ForeignKey("production_order.id"))
    qty: Mapped[float]
    value: Mapped[Decimal] = mapped_column(VALUE, default=Decimal(0), server_default="0")
    """The ledger's value of the bucket (the sum of its moves' values)."""

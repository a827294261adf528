"""The stock ledger and its cached balances.

Every movement is an immutable ``stock_move`` row; ``stock_balance`` is a cache
of the ledger sum per item, location and reservation, updated in the same
transaction as the move.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from pegboard.model._types import enum_column
from pegboard.model.base import Base, utcnow
from pegboard.model.enums import StockMoveKind


class StockMove(Base):
    __tablename__ = "stock_move"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    location: Mapped[str] = mapped_column(String(100))
    sales_order_id: Mapped[int | None] = mapped_column(ForeignKey("sales_order.id"), index=True)
    qty: Mapped[float]
    kind: Mapped[StockMoveKind] = mapped_column(enum_column(StockMoveKind, "stock_move_kind"))
    reference: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str] = mapped_column(String(500), default="")
    author: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )


class StockBalance(Base):
    __tablename__ = "stock_balance"
    __table_args__ = (Index("ix_stock_balance_key", "item_id", "location", "sales_order_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    location: Mapped[str] = mapped_column(String(100))
    sales_order_id: Mapped[int | None] = mapped_column(ForeignKey("sales_order.id"))
    qty: Mapped[float]

"""The frozen final cost of a sales-order line (issue #16, item 6).

A line's estimate prices its parts at their latest purchase price, and its actual
cost reads the ledger: both would keep moving after the line is done (a later
purchase changes the estimate, so the price variance of an old order would move).
When a line is shipped complete, its estimated cost by element, its actual cost,
the five parts of its variance and its revenue are stored here, once; the cost
reports read these figures for it from then on.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric
from sqlalchemy.orm import Mapped, mapped_column

from pegboard.model._types import UtcDateTime
from pegboard.model.base import Base, utcnow

AMOUNT = Numeric(32, 6)
"""As the ledger's values (``stock_move.value``): sums of 6-decimal amounts, exact."""


class LineFinalCost(Base):
    __tablename__ = "sales_line_final_cost"

    sales_order_line_id: Mapped[int] = mapped_column(
        ForeignKey("sales_order_line.id", ondelete="CASCADE"), primary_key=True
    )
    frozen_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    estimated_material: Mapped[Decimal] = mapped_column(AMOUNT)
    estimated_labour: Mapped[Decimal] = mapped_column(AMOUNT)
    estimated_overhead: Mapped[Decimal] = mapped_column(AMOUNT)
    actual_material: Mapped[Decimal] = mapped_column(AMOUNT)
    """Scrap included, as ``ActualCost.material``."""
    actual_scrap: Mapped[Decimal] = mapped_column(AMOUNT)
    actual_labour: Mapped[Decimal] = mapped_column(AMOUNT)
    actual_overhead: Mapped[Decimal] = mapped_column(AMOUNT)
    actual_hours: Mapped[Decimal] = mapped_column(AMOUNT)
    price_variance: Mapped[Decimal] = mapped_column(AMOUNT)
    usage_variance: Mapped[Decimal] = mapped_column(AMOUNT)
    scrap_variance: Mapped[Decimal] = mapped_column(AMOUNT)
    labour_variance: Mapped[Decimal] = mapped_column(AMOUNT)
    overhead_variance: Mapped[Decimal] = mapped_column(AMOUNT)
    revenue: Mapped[Decimal | None] = mapped_column(AMOUNT)
    """The line's revenue at its quoted price (None: not quoted)."""

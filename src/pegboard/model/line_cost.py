"""The frozen final cost of a sales-order line (issue #16, item 6).

A line's estimate prices its parts at their latest purchase price, and its actual
cost reads the ledger: both would keep moving after the line is done (a later
purchase changes the estimate, so the price variance of an old order would move).
When a line is shipped complete, its estimated cost by element, its actual cost,
the five parts of its variance and its revenue are stored here, once; the cost
reports read these figures for it from then on.
"""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric
from sqlalchemy.orm import Mapped, mapped_column

# The modules of the tables this one's foreign keys name: declared with it, so that
# its foreign keys resolve (the model package declares a module on first use).
import pegboard.model.sales  # noqa: F401
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


class LineCostEstimate(Base):
    """The stored estimated cost of a sales-order line (issue #16, item 3), so that a
    project's report sums stored figures instead of reading and rolling up every line's
    order BOMs and routings (``services.cost_estimates``).

    A row is valid only while both revisions it was computed at are still current: the
    company's (``cost_revision`` scope ``company``: prices, standard costs, rates,
    master BOMs, routings, templates, settings) and its sales order's (scope
    ``order:<id>``: its order BOMs, order routings, line quantities). Every write to
    those inputs raises a revision in its own transaction, so a row can be out of date
    but never taken for current.
    """

    __tablename__ = "line_cost_estimate"

    sales_order_line_id: Mapped[int] = mapped_column(
        ForeignKey("sales_order_line.id", ondelete="CASCADE"), primary_key=True
    )
    company_revision: Mapped[int]
    order_revision: Mapped[int]
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    material: Mapped[Decimal] = mapped_column(AMOUNT)
    labour: Mapped[Decimal] = mapped_column(AMOUNT)
    overhead: Mapped[Decimal] = mapped_column(AMOUNT)
    scrap: Mapped[Decimal] = mapped_column(AMOUNT)
    """The scrap allowance in the material (``NodeCost.scrap``)."""
    premium: Mapped[Decimal | None] = mapped_column(AMOUNT)
    """The premium of customization (None: the line has none, see the live estimate)."""
    unused_usage: Mapped[Decimal] = mapped_column(AMOUNT)
    """The usage variance while no material is used yet (``variance_split``)."""
    unused_scrap: Mapped[Decimal] = mapped_column(AMOUNT)
    """The scrap variance while no material is used yet."""

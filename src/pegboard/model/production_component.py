"""What a released production order needs of each component, and what was issued."""

from sqlalchemy import CheckConstraint, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

# The modules of the tables this one's foreign keys name: declared with it, so that
# its foreign keys resolve (the model package declares a module on first use).
import pegboard.model.item
import pegboard.model.production  # noqa: F401
from pegboard.model.base import Base


class ProductionComponent(Base):
    """What one production order needs of one component, and what was issued to it.

    Written when the order is released, from its BOM (order BOM, else the
    sales order's rows, else the master BOM), so later BOM edits do not change
    an order on the shop floor. ``qty_per`` includes scrap; the outstanding
    requirement the planner sees is derived from it (``services.production``).
    """

    __tablename__ = "production_component"
    __table_args__ = (
        UniqueConstraint("production_order_id", "item_id"),
        CheckConstraint("qty_per > 0", name="qty_per_positive"),
        CheckConstraint("issued_qty >= 0", name="issued_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    production_order_id: Mapped[int] = mapped_column(
        ForeignKey("production_order.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    qty_per: Mapped[float]
    issued_qty: Mapped[float] = mapped_column(default=0.0)

"""Production orders: make orders linked to their sales order and parent order."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column

# The modules of the tables this one's foreign keys name: declared with it, so that
# its foreign keys resolve (the model package declares a module on first use).
import pegboard.model.bom
import pegboard.model.item
import pegboard.model.sales  # noqa: F401
from pegboard.model._types import UtcDateTime, enum_column
from pegboard.model.base import Base, CreatedMixin
from pegboard.model.enums import ProductionStatus


class ProductionOrder(CreatedMixin, Base):
    __tablename__ = "production_order"
    __table_args__ = (
        CheckConstraint("qty > 0", name="qty_positive"),
        CheckConstraint("completed_qty >= 0 AND scrapped_qty >= 0", name="done_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(100), unique=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    qty: Mapped[float]
    completed_qty: Mapped[float] = mapped_column(default=0.0)
    scrapped_qty: Mapped[float] = mapped_column(default=0.0)
    due_date: Mapped[date]
    start_date: Mapped[date | None]
    """As given; when empty the planner uses due_date - lead_time_days."""
    status: Mapped[ProductionStatus] = mapped_column(
        enum_column(ProductionStatus, "production_status"), default=ProductionStatus.RELEASED
    )
    components_issued: Mapped[bool] = mapped_column(default=False)
    sales_order_id: Mapped[int | None] = mapped_column(ForeignKey("sales_order.id"), index=True)
    sales_order_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("sales_order_line.id"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("production_order.id"), index=True)
    bom_id: Mapped[int | None] = mapped_column(ForeignKey("bom.id", ondelete="SET NULL"))
    needs_review: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Set when its sales-order line changed after release: the planner must look at it."""
    review_note: Mapped[str] = mapped_column(String(500), default="", server_default="")
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    planned_ref: Mapped[str | None] = mapped_column(String(100))
    """The planned order it was firmed from, ``run N/PLANNED-REF``."""
    mps: Mapped[bool] = mapped_column(default=False, server_default=false())
    """A line of the master production schedule: firm supply the planner keeps."""

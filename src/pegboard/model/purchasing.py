"""Purchase orders and their lines (scheduled receipts while open or in transit)."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

# The modules of the tables this one's foreign keys name: declared with it, so that
# its foreign keys resolve (the model package declares a module on first use).
import pegboard.model.item
import pegboard.model.sales  # noqa: F401
from pegboard.model._types import UtcDateTime, enum_column
from pegboard.model.base import Base, CreatedMixin
from pegboard.model.enums import PurchaseLineStatus, PurchaseOrderStatus


class PurchaseOrder(CreatedMixin, Base):
    __tablename__ = "purchase_order"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(100), unique=True)
    supplier: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[PurchaseOrderStatus] = mapped_column(
        enum_column(PurchaseOrderStatus, "purchase_order_status"),
        default=PurchaseOrderStatus.CONFIRMED,
        server_default=PurchaseOrderStatus.CONFIRMED.value,
    )
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class PurchaseOrderLine(Base):
    __tablename__ = "purchase_order_line"
    __table_args__ = (
        UniqueConstraint("purchase_order_id", "line"),
        CheckConstraint("qty > 0", name="qty_positive"),
        CheckConstraint("received_qty >= 0", name="received_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(
        ForeignKey("purchase_order.id", ondelete="CASCADE")
    )
    line: Mapped[int]
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    qty: Mapped[float]
    received_qty: Mapped[float] = mapped_column(default=0.0)
    due_date: Mapped[date]
    status: Mapped[PurchaseLineStatus] = mapped_column(
        enum_column(PurchaseLineStatus, "purchase_line_status"), default=PurchaseLineStatus.OPEN
    )
    sales_order_id: Mapped[int | None] = mapped_column(ForeignKey("sales_order.id"), index=True)
    supplier: Mapped[str] = mapped_column(String(200), default="")
    unit_price: Mapped[Decimal] = mapped_column(
        Numeric(18, 4), default=Decimal(0), server_default="0"
    )
    """The price of one unit bought (exact, 4 decimals): what its receipts are valued at."""
    ship_date: Mapped[date | None]
    """When the supplier shipped it (set when the line goes in transit)."""
    planned_ref: Mapped[str | None] = mapped_column(String(100))
    """The planned order it was firmed from, ``run N/PLANNED-REF``."""

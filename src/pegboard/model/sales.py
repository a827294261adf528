"""Sales orders and their lines: the backlog, the independent demand."""

from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

# The modules of the tables this one's foreign keys name: declared with it, so that
# its foreign keys resolve (the model package declares a module on first use).
import pegboard.model.company
import pegboard.model.item  # noqa: F401
from pegboard.model._types import enum_column
from pegboard.model.base import Base, CreatedMixin
from pegboard.model.enums import SalesOrderStatus


class SalesOrder(CreatedMixin, Base):
    __tablename__ = "sales_order"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(100), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"), index=True)
    status: Mapped[SalesOrderStatus] = mapped_column(
        enum_column(SalesOrderStatus, "sales_order_status"), default=SalesOrderStatus.CONFIRMED
    )


class SalesOrderLine(CreatedMixin, Base):
    __tablename__ = "sales_order_line"
    __table_args__ = (
        UniqueConstraint("sales_order_id", "line"),
        CheckConstraint("qty > 0", name="qty_positive"),
        CheckConstraint("shipped_qty >= 0", name="shipped_not_negative"),
        CheckConstraint("unit_price >= 0", name="unit_price_not_negative"),
        CheckConstraint("discount_pct >= 0 AND discount_pct <= 100", name="discount_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sales_order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id", ondelete="CASCADE"))
    line: Mapped[int]
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    qty: Mapped[float]
    shipped_qty: Mapped[float] = mapped_column(default=0.0)
    due_date: Mapped[date]
    priority: Mapped[int] = mapped_column(default=100)
    status: Mapped[SalesOrderStatus] = mapped_column(
        enum_column(SalesOrderStatus, "sales_line_status"), default=SalesOrderStatus.CONFIRMED
    )
    unit_price: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    """The quoted price of one unit in the company currency (exact); None: not quoted yet."""
    discount_pct: Mapped[Decimal] = mapped_column(
        Numeric(5, 2), default=Decimal("0"), server_default="0"
    )
    """The discount on the quoted price, in percent (0 to 100)."""

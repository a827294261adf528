"""Shipments: goods sent for a sales-order line, in transit until delivered."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

# The modules of the tables this one's foreign keys name: declared with it, so that
# its foreign keys resolve (the model package declares a module on first use).
import pegboard.model.sales  # noqa: F401
from pegboard.model._types import UtcDateTime, enum_column
from pegboard.model.base import Base, CreatedMixin
from pegboard.model.enums import ShipmentStatus


class Shipment(CreatedMixin, Base):
    """Goods sent for one sales-order line: in transit until the customer has them."""

    __tablename__ = "shipment"
    __table_args__ = (CheckConstraint("qty > 0", name="qty_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(100), unique=True)
    sales_order_line_id: Mapped[int] = mapped_column(ForeignKey("sales_order_line.id"), index=True)
    qty: Mapped[float]
    status: Mapped[ShipmentStatus] = mapped_column(
        enum_column(ShipmentStatus, "shipment_status"), default=ShipmentStatus.IN_TRANSIT
    )
    ship_date: Mapped[date]
    delivered_on: Mapped[date | None]
    tracking: Mapped[str] = mapped_column(String(200), default="")
    author: Mapped[str] = mapped_column(String(100))
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

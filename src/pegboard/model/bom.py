"""Bills of material as headers with lines.

An engineering BOM (``kind = engineering``) is the master structure of an item.
An order BOM (``kind = order``) is the frozen, editable structure of one item
for one sales order (and, when configured from a line, that line): it is what
bom.csv calls the rows with ``sales_order`` set.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from pegboard.model._types import enum_column
from pegboard.model.base import Base, CreatedMixin
from pegboard.model.enums import BomKind


class Bom(CreatedMixin, Base):
    __tablename__ = "bom"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[BomKind] = mapped_column(enum_column(BomKind, "bom_kind"))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    sales_order_id: Mapped[int | None] = mapped_column(
        ForeignKey("sales_order.id", ondelete="CASCADE"), index=True
    )
    sales_order_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("sales_order_line.id", ondelete="CASCADE"), index=True
    )


class BomLine(Base):
    __tablename__ = "bom_line"
    __table_args__ = (
        CheckConstraint("qty_per > 0", name="qty_per_positive"),
        CheckConstraint("scrap_pct >= 0", name="scrap_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bom_id: Mapped[int] = mapped_column(ForeignKey("bom.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    component_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    qty_per: Mapped[float]
    scrap_pct: Mapped[float] = mapped_column(default=0.0)

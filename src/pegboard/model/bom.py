"""Bills of material as headers with lines, and the configuration of templates.

An engineering BOM (``kind = engineering``) is the master structure of an item.
When it has parameters it is a *template*: its lines may carry a quantity
formula, an inclusion condition, a component chosen by a parameter's value and
parameters passed down to a configurable sub-assembly. Configuring it for a
sales-order line gives an order BOM (``kind = order``): plain lines with
quantities, frozen and editable, numbered ``BOM-SO-1042-1`` (its configured
sub-assemblies ``BOM-SO-1042-1.1``…). Order BOMs are what bom.csv calls the
rows with ``sales_order`` set.
"""

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

# The modules of the tables this one's foreign keys name: declared with it, so that
# its foreign keys resolve (the model package declares a module on first use).
import pegboard.model.item
import pegboard.model.sales  # noqa: F401
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
    parent_bom_id: Mapped[int | None] = mapped_column(
        ForeignKey("bom.id", ondelete="CASCADE"), index=True
    )
    """For the order BOM of a configured sub-assembly: the order BOM it belongs to."""
    template_bom_id: Mapped[int | None] = mapped_column(ForeignKey("bom.id", ondelete="SET NULL"))
    """For an order BOM: the engineering template it was configured from."""
    source_item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id", ondelete="SET NULL"))
    """For an order BOM: the product it was derived from (template or master BOM item)."""
    configuration: Mapped[dict[str, object] | None] = mapped_column(JSON)
    """For an order BOM: the parameter values it was configured with."""


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
    qty_formula: Mapped[str | None] = mapped_column(String(500))
    """Template only: the quantity per parent unit as a formula of the parameters."""
    condition: Mapped[str | None] = mapped_column(String(500))
    """Template only: the line is part of the configured BOM when this is true."""
    choice_parameter: Mapped[str | None] = mapped_column(String(100))
    """Template only: the component is picked by this parameter's value (see options)."""

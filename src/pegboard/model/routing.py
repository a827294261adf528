"""Routings: a make item's operations in sequence, each on a work center.

A routing lists a make item's operations in sequence, each on a work center with
setup hours and run hours per unit. As with BOMs, an engineering routing belongs to
an item and an order routing to one configured order BOM (``bom_id``): the order's
production order uses it instead of the item's. A template's operations hold
formulas of its parameters instead of hours.
"""

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

# The modules of the tables this one's foreign keys name: declared with it, so that
# its foreign keys resolve (the model package declares a module on first use).
import pegboard.model.bom
import pegboard.model.item
import pegboard.model.work_center  # noqa: F401
from pegboard.model.base import Base, CreatedMixin


class Routing(CreatedMixin, Base):
    __tablename__ = "routing"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(255), unique=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    bom_id: Mapped[int | None] = mapped_column(
        ForeignKey("bom.id", ondelete="CASCADE"), index=True, unique=True
    )
    """Set for an order routing: the configured order BOM it goes with."""


class RoutingOperation(Base):
    __tablename__ = "routing_operation"
    __table_args__ = (
        UniqueConstraint("routing_id", "sequence"),
        CheckConstraint("setup_hours >= 0", name="setup_not_negative"),
        CheckConstraint("run_hours >= 0", name="run_not_negative"),
        CheckConstraint("queue_days >= 0 AND move_days >= 0", name="days_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    routing_id: Mapped[int] = mapped_column(ForeignKey("routing.id", ondelete="CASCADE"))
    sequence: Mapped[int]
    work_center_id: Mapped[int] = mapped_column(ForeignKey("work_center.id"), index=True)
    description: Mapped[str] = mapped_column(String(200), default="", server_default="")
    setup_hours: Mapped[float] = mapped_column(default=0.0)
    run_hours: Mapped[float] = mapped_column(default=0.0)
    """Hours per unit made."""
    queue_days: Mapped[int] = mapped_column(default=0)
    """Working days the order waits at the work center before the operation starts."""
    move_days: Mapped[int] = mapped_column(default=0)
    """Working days to move the order on to the next operation."""


class TemplateOperation(Base):
    """One routing line of a configurable template (an engineering BOM with parameters).

    Its setup and run hours are formulas of the template's parameters (cutting time
    grows with ``length_m``), checked like the BOM formula lines when the template is
    saved; configuring an order line evaluates them into the order routing of each
    configured node. Deleted with its template.
    """

    __tablename__ = "template_operation"
    __table_args__ = (
        UniqueConstraint("bom_id", "sequence"),
        CheckConstraint("queue_days >= 0 AND move_days >= 0", name="template_days_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bom_id: Mapped[int] = mapped_column(ForeignKey("bom.id", ondelete="CASCADE"), index=True)
    sequence: Mapped[int]
    work_center_id: Mapped[int] = mapped_column(ForeignKey("work_center.id"), index=True)
    description: Mapped[str] = mapped_column(String(200), default="", server_default="")
    setup_formula: Mapped[str] = mapped_column(String(500))
    """Setup hours: a number or a formula of the parameters."""
    run_formula: Mapped[str] = mapped_column(String(500))
    """Run hours per unit: a number or a formula of the parameters."""
    condition: Mapped[str | None] = mapped_column(String(500))
    """When set, the operation is used only where it holds (``emergency == 'yes'``)."""
    queue_days: Mapped[int] = mapped_column(default=0)
    move_days: Mapped[int] = mapped_column(default=0)

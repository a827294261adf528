"""What the shop floor reports back: each operation of a production order started and
finished, with the hours actually worked (what costing uses), and who said so."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

# The modules of the tables this one's foreign keys name: declared with it, so that
# its foreign keys resolve (the model package declares a module on first use).
import pegboard.model.production
import pegboard.model.work_center  # noqa: F401
from pegboard.model._types import UtcDateTime
from pegboard.model.base import Base


class OperationProgress(Base):
    """One operation (by its routing sequence) of one production order, once started.

    The operation itself stays in the routing the order follows; this row holds only
    what happened: when it started and finished, by whom, and the hours worked.
    """

    __tablename__ = "operation_progress"
    __table_args__ = (
        UniqueConstraint("production_order_id", "sequence"),
        CheckConstraint("hours_worked >= 0", name="hours_worked_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    production_order_id: Mapped[int] = mapped_column(
        ForeignKey("production_order.id", ondelete="CASCADE"), index=True
    )
    sequence: Mapped[int]
    work_center_id: Mapped[int] = mapped_column(ForeignKey("work_center.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    started_by: Mapped[str] = mapped_column(String(100))
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    finished_by: Mapped[str | None] = mapped_column(String(100))
    hours_worked: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    """Hours worked in all, confirmed when the operation is finished (exact)."""
    note: Mapped[str] = mapped_column(String(500), default="", server_default="")

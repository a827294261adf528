"""Operations a planner pinned on the planning board (issues #19 item 4, #15 item 4).

Unlike the finite schedule's rows (derived, replaced wholesale by every schedule), a
pin is the planner's decision: it outlives schedules. The finite schedule reads the
pins and places each pinned operation on its work center and days before anything
else (frePPLe's locked operation plans), until the planner unpins it or its order is
completed or cancelled. One pin per operation of an order.
"""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

# The modules of the tables this one's foreign keys name: declared with it, so that
# its foreign keys resolve (the model package declares a module on first use).
import pegboard.model.production
import pegboard.model.work_center  # noqa: F401
from pegboard.model._types import UtcDateTime
from pegboard.model.base import Base


class PinnedOperation(Base):
    """Operation ``sequence`` of a production order, pinned to a work center and days."""

    __tablename__ = "pinned_operation"
    __table_args__ = (
        UniqueConstraint("production_order_id", "sequence"),
        CheckConstraint("end_date >= start_date", name="pin_end_not_before_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    production_order_id: Mapped[int] = mapped_column(
        ForeignKey("production_order.id", ondelete="CASCADE"), index=True
    )
    sequence: Mapped[int]
    work_center_id: Mapped[int] = mapped_column(ForeignKey("work_center.id"), index=True)
    start_date: Mapped[date]
    end_date: Mapped[date]
    """The last day it runs: the schedule spreads its hours over the days from its start
    to it on which its work center works."""
    author: Mapped[str] = mapped_column(String(100))
    pinned_at: Mapped[datetime] = mapped_column(UtcDateTime())

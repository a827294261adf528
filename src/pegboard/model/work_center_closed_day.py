"""The days one work center does not work although the plant does (maintenance, say)."""

from datetime import date

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

# The modules of the tables this one's foreign keys name: declared with it, so that
# its foreign keys resolve (the model package declares a module on first use).
import pegboard.model.work_center  # noqa: F401
from pegboard.model.base import Base


class WorkCenterClosedDay(Base):
    """A day one work center does not work although the plant does (maintenance, say)."""

    __tablename__ = "work_center_closed_day"

    work_center_id: Mapped[int] = mapped_column(
        ForeignKey("work_center.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(primary_key=True)
    description: Mapped[str] = mapped_column(String(200), default="", server_default="")

"""The plant's holidays: days it does not work (holidays.csv; the weekdays it works are
the ``work_days`` setting)."""

from datetime import date

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from pegboard.model.base import Base


class Holiday(Base):
    """A day the plant does not work (holidays.csv; the weekdays are ``work_days``)."""

    __tablename__ = "holiday"

    day: Mapped[date] = mapped_column(primary_key=True)
    description: Mapped[str] = mapped_column(String(200), default="", server_default="")

"""Work centers: where production orders spend their hours.

A work center works on the plant calendar (``work_days``, holidays) less its own
closed days, so many hours a day (the same every working day, or one figure per
weekday), with so many parallel units (machines or people) at an efficiency.
Its routings' operations are in ``model.routing``, its closed days in
``model.work_center_closed_day``.
"""

from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from pegboard.model.base import Base, CreatedMixin


class WorkCenter(CreatedMixin, Base):
    __tablename__ = "work_center"
    __table_args__ = (
        CheckConstraint("hours_per_day >= 0 AND hours_per_day <= 24", name="hours_in_a_day"),
        CheckConstraint("units >= 1", name="at_least_one_unit"),
        CheckConstraint("efficiency_pct > 0 AND efficiency_pct <= 500", name="efficiency_range"),
        CheckConstraint("cost_rate >= 0", name="cost_rate_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    description: Mapped[str] = mapped_column(String(200), default="", server_default="")
    hours_per_day: Mapped[float]
    weekday_hours: Mapped[list[float] | None] = mapped_column(JSON)
    """Hours of one unit per weekday, Monday first (seven figures); overrides
    ``hours_per_day`` when set. 0 on a weekday: the work center does not work it."""
    units: Mapped[int] = mapped_column(default=1)
    efficiency_pct: Mapped[float] = mapped_column(default=100.0)
    cost_rate: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    """Cost per hour worked, in the company currency (exact)."""

"""The finite schedule's operations and the hours it took of each work center each day.

Derived rows of one schedule (``model.schedule``: its run and orders), replaced with it,
with no foreign keys.
"""

from datetime import date

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from pegboard.model.base import Base


class ScheduledOperation(Base):
    """One operation placed on its work center without exceeding its hours on any day."""

    __tablename__ = "scheduled_operation"
    __table_args__ = (
        Index("ix_scheduled_operation_work_center", "work_center_id", "start_date"),
        Index("ix_scheduled_operation_order", "order_ref"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_run_id: Mapped[int]
    order_type: Mapped[str] = mapped_column(String(20))
    order_ref: Mapped[str] = mapped_column(String(200))
    item_id: Mapped[int]
    sequence: Mapped[int]
    work_center_id: Mapped[int]
    hours: Mapped[float]
    """Standard hours it needs (setup + run per unit × quantity)."""
    ready_date: Mapped[date]
    """The first day it could start: material there and the previous operation done."""
    start_date: Mapped[date]
    end_date: Mapped[date]
    rank: Mapped[int]
    """Its place in the scheduling order (priority): what a dispatch list runs first."""
    held_from: Mapped[date | None]
    held_to: Mapped[date | None]
    """Days its work center had fewer free hours than it could have used."""


class ScheduledLoad(Base):
    """The standard hours the finite schedule took of each work center on each day.

    What the schedule itself counted while placing (``engine.schedule.Schedule.used``),
    written with it and replaced with it: a quote promised into the free hours
    (``services.free_hours``) reads exactly what is left, which the operations' first
    and last days and hours alone cannot give back on a work center of several units.
    A move on the planning board moves its operation's hours here too. Days with no
    hours taken have no row; written in key order (SQLite's WITHOUT ROWID tree,
    PostgreSQL's primary key), so no index is built afterwards.
    """

    __tablename__ = "scheduled_load"
    __table_args__ = ({"sqlite_with_rowid": False},)

    schedule_run_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    work_center_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    day: Mapped[date] = mapped_column(primary_key=True)
    hours: Mapped[float]

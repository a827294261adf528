"""The finite schedule: where and when each operation of the open and planned
production orders runs, and when each order is then complete (issue #15, item 4).

One schedule is kept, made from one plan run (``plan_run_id``): a new schedule
replaces these rows in one transaction, and a schedule of an older plan than the
current one is stale (readers ignore it, the plan's own dates stand). Like the
plan's tables they hold derived rows only, with no foreign keys: they are replaced
wholesale, and a key on ``work_center`` would make replacing them lock it.
Orders are named as the plan names them (production order or planned order number).
"""

from datetime import date, datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from pegboard.model._types import UtcDateTime
from pegboard.model.base import Base


class ScheduleRun(Base):
    __tablename__ = "schedule_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_run_id: Mapped[int]
    """The plan run the schedule was made from: current while that plan is."""
    planning_date: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    author: Mapped[str] = mapped_column(String(100))
    orders: Mapped[int] = mapped_column(default=0)
    operations: Mapped[int] = mapped_column(default=0)
    late_orders: Mapped[int] = mapped_column(default=0)
    """Orders completing after their due date in the schedule."""
    late_lines: Mapped[int] = mapped_column(default=0)
    """Sales-order lines projected after their due date once the schedule is applied."""
    seconds: Mapped[float] = mapped_column(default=0.0)


class ScheduledOrder(Base):
    """A production order (open or planned) as the finite schedule completes it."""

    __tablename__ = "scheduled_order"
    __table_args__ = (Index("ix_scheduled_order_ref", "order_ref", "plan_run_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_run_id: Mapped[int]
    plan_run_id: Mapped[int]
    order_type: Mapped[str] = mapped_column(String(20))
    """``production_order`` or ``planned_order``, as in the pegging."""
    order_ref: Mapped[str] = mapped_column(String(200))
    item_id: Mapped[int]
    qty: Mapped[float]
    due_date: Mapped[date]
    ready_date: Mapped[date]
    """The first day its material (and its release) lets it start."""
    start_date: Mapped[date]
    completion: Mapped[date]
    """The day its last operation ends (or its lead time after its start, without a routing)."""
    available_date: Mapped[date]
    """When it serves its demand: the later of its due date and its completion (rule 10)."""
    cause: Mapped[str | None] = mapped_column(String(10))
    """Why its operations, not its lead time or the plan, set its completion: ``full`` (a
    work center had too few free hours) or ``routing`` (they take longer than its lead
    time); None when they did not."""
    bottleneck_work_center_id: Mapped[int | None]
    """The work center of that operation: the one held the most days (``full``), the
    slowest one (``routing``)."""
    held_from: Mapped[date | None]
    held_to: Mapped[date | None]
    """``full``: the first and last day that work center was too full to run it as soon
    as it could; ``routing``: the days the operation ran."""

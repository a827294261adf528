"""The backward load's capacity summary: each work center's loaded weeks, kept.

The work centers themselves are in ``model.work_center``, their operations in
``model.routing``.
"""

from datetime import date, datetime

from sqlalchemy import JSON
from sqlalchemy.orm import Mapped, mapped_column

from pegboard.model._types import UtcDateTime
from pegboard.model.base import Base


class LoadSummary(Base):
    """One working-out of the backward load's weeks (``services.load_weeks``), kept so the
    capacity page reads a few work centers' weeks instead of placing every order of the
    company again (seconds at full size) on each view. It holds while what the load reads
    is unchanged: the plan run and the load's inputs' revision (``plan_inputs.LOAD``) it
    was worked out at; any other summary is worked out again. The plan and capacity
    revisions of that moment are kept too, for the record."""

    __tablename__ = "load_summary"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_run_id: Mapped[int | None]
    inputs_revision: Mapped[int]
    capacity_revision: Mapped[int]
    load_revision: Mapped[int | None]
    """``plan_inputs.LOAD`` when worked out (none on summaries kept before 0034)."""
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    cpu_seconds: Mapped[float] = mapped_column(default=0.0)


class LoadWeek(Base):
    """A work center's loaded ISO week in a ``LoadSummary``: the hours asked and had, how
    many orders ask them and the few that ask most (label and hours, most first), which
    a chart's bar names. Weeks that nothing loads have no row. Written in key order
    (SQLite's WITHOUT ROWID tree, PostgreSQL's primary key)."""

    __tablename__ = "load_week"
    __table_args__ = ({"sqlite_with_rowid": False},)

    summary_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    work_center_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    monday: Mapped[date] = mapped_column(primary_key=True)
    required: Mapped[float]
    available: Mapped[float]
    orders: Mapped[int]
    top: Mapped[list[list[str | float]]] = mapped_column(JSON)
    """The orders asking most of the week, as [label, hours] pairs, most hours first."""

"""Work centers and routings: where production orders spend their hours.

A work center works on the plant calendar (``work_days``, holidays) less its own
closed days, so many hours a day (the same every working day, or one figure per
weekday), with so many parallel units (machines or people) at an efficiency.
A routing lists a make item's operations in sequence, each on a work center with
setup hours and run hours per unit. As with BOMs, an engineering routing belongs to
an item and an order routing to one configured order BOM (``bom_id``): the order's
production order uses it instead of the item's.
"""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

# The modules of the tables this one's foreign keys name: declared with it, so that
# its foreign keys resolve (the model package declares a module on first use).
import pegboard.model.bom
import pegboard.model.item  # noqa: F401
from pegboard.model._types import UtcDateTime
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


class WorkCenterClosedDay(Base):
    """A day one work center does not work although the plant does (maintenance, say)."""

    __tablename__ = "work_center_closed_day"

    work_center_id: Mapped[int] = mapped_column(
        ForeignKey("work_center.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(primary_key=True)
    description: Mapped[str] = mapped_column(String(200), default="", server_default="")


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

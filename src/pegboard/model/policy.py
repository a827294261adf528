"""Stock policy (``pegboard policy``): the settings of one item, and the stored runs.

``item_policy``: a row only where a planner set something; an empty field takes
the company default (``policy_*`` keys of ``company_setting``). ``buffer`` marks a
DDMRP strategic buffer, planned with red/yellow/green zones instead of a reorder point.

``policy_run`` records each computation (who, when, its options, counts, timings);
``policy_line`` holds the newest run's result per MTS item: every input and result
number, enough to show the item and rebuild each formula text without recomputing.
Like the plan's rows they are derived and replaced wholesale by the next run, so
they carry no foreign keys; the item's code and description are copied in so the
list pages filter and sort one table.
"""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, false, func
from sqlalchemy.orm import Mapped, mapped_column

# The modules of the tables this one's foreign keys name: declared with it, so that
# its foreign keys resolve (the model package declares a module on first use).
import pegboard.model.item  # noqa: F401
from pegboard.model._types import UtcDateTime
from pegboard.model.base import Base, CreatedMixin, utcnow


class PolicySetting(CreatedMixin, Base):
    __tablename__ = "item_policy"
    __table_args__ = (
        CheckConstraint(
            "(ordering_cost IS NULL OR ordering_cost >= 0)"
            " AND (holding_pct IS NULL OR holding_pct >= 0)",
            name="costs_not_negative",
        ),
        CheckConstraint(
            "service_level IS NULL OR (service_level > 0 AND service_level < 1)",
            name="service_level",
        ),
    )

    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), primary_key=True)
    ordering_cost: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    """Cost of placing one order (purchase or production set-up): exact money."""
    holding_pct: Mapped[float | None]
    """Yearly holding cost, in percent of the item's unit cost."""
    service_level: Mapped[float | None]
    """Target cycle service level, e.g. 0.95."""
    buffer: Mapped[bool] = mapped_column(default=False, server_default=false())
    """A DDMRP strategic buffer."""
    updated_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), default=utcnow, onupdate=utcnow, server_default=func.now()
    )


class PolicyRun(Base):
    __tablename__ = "policy_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime] = mapped_column(UtcDateTime())
    author: Mapped[str] = mapped_column(String(100))
    planning_date: Mapped[date]
    window_days: Mapped[int | None]
    """The ``window_days`` option of the run (None: the company setting, else per item)."""
    service_level: Mapped[float | None]
    """The ``service_level`` option of the run (None: per item, else the company's)."""
    items: Mapped[int] = mapped_column(default=0)
    below: Mapped[int] = mapped_column(default=0)
    load_seconds: Mapped[float] = mapped_column(default=0.0)
    compute_seconds: Mapped[float] = mapped_column(default=0.0)
    store_seconds: Mapped[float] = mapped_column(default=0.0)
    seconds: Mapped[float] = mapped_column(default=0.0)


class PolicyLine(Base):
    """One MTS item's policy in the newest run (see the module docstring)."""

    __tablename__ = "policy_line"
    __table_args__ = (
        Index("ix_policy_line_item", "item", unique=True),
        Index("ix_policy_line_rank", "rank", "item"),
        Index("ix_policy_line_adu", "adu"),
        Index("ix_policy_line_suggested_qty", "suggested_qty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_run_id: Mapped[int]
    item_id: Mapped[int] = mapped_column(index=True)
    item: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(500))
    unit: Mapped[str] = mapped_column(String(20))
    type: Mapped[str] = mapped_column(String(10))
    lot_rule: Mapped[str] = mapped_column(String(10))
    decimals: Mapped[int] = mapped_column(server_default="-1")
    """The item's decimal places the figures were rounded up to (-1: not rounded)."""
    buffer: Mapped[bool]
    # usage
    window_days: Mapped[int]
    window_source: Mapped[str | None] = mapped_column(String(60))
    """``--window``, the company setting, or None: per item from its lead-time cover."""
    min_window_days: Mapped[int] = mapped_column(server_default="7")
    """The shortest default window of the run (``policy_min_window_days``)."""
    cover_days: Mapped[int] = mapped_column(server_default="0")
    """Calendar days of the item's own lead time plus its parents' cumulative lead time."""
    parent_lead_time: Mapped[int]
    need: Mapped[float]
    adu: Mapped[float]
    sigma_d: Mapped[float]
    qualified_demand: Mapped[float]
    daily: Mapped[str] = mapped_column(Text)
    """The window's daily need, sparse: ``offset:qty`` pairs, comma-separated."""
    # lead time
    lead_time: Mapped[int]
    sigma_lt: Mapped[float]
    lead_time_observations: Mapped[int]
    lead_time_sample: Mapped[str] = mapped_column(String(200))
    """The first observed lead times (days), comma-separated, as the σL text shows them."""
    dlt: Mapped[int]
    # costs and settings, each with where it came from
    service_level: Mapped[float]
    service_level_source: Mapped[str] = mapped_column(String(60))
    ordering_cost: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    ordering_cost_source: Mapped[str] = mapped_column(String(60))
    holding_pct: Mapped[float]
    holding_pct_source: Mapped[str] = mapped_column(String(60))
    lead_time_factor: Mapped[float]
    variability_factor: Mapped[float]
    unit_cost: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    min_qty: Mapped[float]
    multiple: Mapped[float]
    period_days: Mapped[int]
    # position
    on_hand: Mapped[float]
    in_transit: Mapped[float]
    on_order: Mapped[float]
    in_production: Mapped[float]
    position: Mapped[float]
    # reorder point
    z: Mapped[float]
    safety_stock: Mapped[float]
    reorder_point: Mapped[float]
    annual_demand: Mapped[float]
    holding_cost: Mapped[Decimal] = mapped_column(Numeric(20, 6))
    """H = unit cost × holding % / 100, a year's cost of holding one unit (exact)."""
    eoq: Mapped[float | None]
    order_qty: Mapped[float]
    # buffer zones (0 unless ``buffer``)
    red: Mapped[float]
    yellow: Mapped[float]
    green: Mapped[float]
    top_of_red: Mapped[float]
    top_of_yellow: Mapped[float]
    top_of_green: Mapped[float]
    net_flow: Mapped[float]
    # what decides (the buffer for a buffer), and what apply writes
    below: Mapped[bool]
    rank: Mapped[int]
    """0 when below (to order), else 1: the lists' default order is (rank, item)."""
    suggested_qty: Mapped[float]
    target_safety_stock: Mapped[float]
    target_min_qty: Mapped[float]

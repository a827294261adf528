"""The output of a plan run: planned orders, pegging, planning exceptions.

Only the current plan is kept: a new run replaces these rows in one transaction.
The tables carry only the indexes the reports need, and no foreign keys (not
even to ``plan_run``): a plan writes millions of rows, every index entry and
every key check costs time on each run, and the rows are derived from one
consistent snapshot and replaced wholesale by the next run. On PostgreSQL a
foreign key would also make replacing them lock the referenced table (sales-order
lines!) against everyone for the length of the store. Exceptions are
stored in report order (kind, date, order, sales order), so ``ORDER BY id``
with a limit reads the first rows and stops.
References to orders are stored as the strings the bundle format uses
(``PO/line``, production order number, planned order number), so the plan
reads the same in the database, the reports and the CSV export.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pegboard.model._types import UtcDateTime, enum_column
from pegboard.model.base import Base
from pegboard.model.enums import ItemType, PlanRunStatus


class PlanRun(Base):
    __tablename__ = "plan_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    planning_date: Mapped[date]
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    status: Mapped[PlanRunStatus] = mapped_column(enum_column(PlanRunStatus, "plan_run_status"))
    author: Mapped[str] = mapped_column(String(100))
    load_seconds: Mapped[float] = mapped_column(default=0.0)
    engine_seconds: Mapped[float] = mapped_column(default=0.0)
    store_seconds: Mapped[float] = mapped_column(default=0.0)
    items: Mapped[int] = mapped_column(default=0)
    demands: Mapped[int] = mapped_column(default=0)
    planned_orders: Mapped[int] = mapped_column(default=0)
    pegging_rows: Mapped[int] = mapped_column(default=0)
    exceptions: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(String(2000), default="")
    counts: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """What the pages count over the run, counted from the arrays when it is stored:
    ``exceptions`` per kind, ``late`` lines, ``release`` per type per release day."""
    inputs_revision: Mapped[int | None]
    """The ``plan`` revision its inputs were read at (``services.plan_inputs``); None:
    stored before the revisions were kept."""
    capacity_revision: Mapped[int | None]
    """The ``plan-capacity`` revision at the same moment."""


class PlannedOrder(Base):
    __tablename__ = "planned_order"
    __table_args__ = (
        # covering what a component's projection reads of each planned parent
        # (its release date, whether it is firmed) for a hundred thousand parents
        Index("ix_planned_order_number", "number", "release_date", "firmed_as"),
        # the report order (release date, number): the list's first page and the
        # dashboard's "to release by today" read a few entries, not every row
        Index("ix_planned_order_release", "release_date", "number", "id"),
        # an item's planned orders, and (covering) whether it has any of a type still
        # to release by a day: the dashboard's lists walk items asking it (migration 0032)
        Index("ix_planned_order_item", "item_id", "type", "firmed_as", "release_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_run_id: Mapped[int]
    number: Mapped[str] = mapped_column(String(50))
    item_id: Mapped[int]
    type: Mapped[ItemType] = mapped_column(enum_column(ItemType, "planned_order_type"))
    qty: Mapped[float]
    release_date: Mapped[date]
    due_date: Mapped[date]
    earliest_completion: Mapped[date]
    is_late: Mapped[bool] = mapped_column(default=False)
    sales_order_id: Mapped[int | None]
    firmed_as: Mapped[str | None] = mapped_column(String(200))
    """The purchase-order line or production order it became, once firmed."""


PEGGING_REF_OPS = {"supply_ref": "varchar_pattern_ops", "demand_ref": "varchar_pattern_ops"}
"""PostgreSQL compares the pegging's refs byte by byte in their indexes (#18).

A plan builds both indexes anew over millions of refs; in the database's collation
(``C.UTF-8``, ``en_US``...) each comparison of their sort goes through the C library's
``strcoll``, in the pattern operator class through ``memcmp``: the reference plan's two
builds take 2.2 s each instead of 4.1-4.3 s. Readers look refs up by equality (``=``,
``IN``, a join on a planned order's number), which the operator class serves, and the
pegging explorer sorts by a ref in the index's own order (``services.byte_order``).
SQLite compares text byte by byte anyway (``BINARY``)."""


class Pegging(Base):
    __tablename__ = "pegging"
    __table_args__ = (
        # with the item: an item's rows are found through its supplies (its orders,
        # and its stock by location) without a third index on millions of rows
        Index("ix_pegging_supply", "supply_ref", "item_id", postgresql_ops=PEGGING_REF_OPS),
        Index("ix_pegging_demand", "demand_ref", postgresql_ops=PEGGING_REF_OPS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_run_id: Mapped[int]
    supply_type: Mapped[str] = mapped_column(String(20))
    supply_ref: Mapped[str] = mapped_column(String(200))
    item_id: Mapped[int]
    qty: Mapped[float]
    demand_type: Mapped[str] = mapped_column(String(20))
    demand_ref: Mapped[str] = mapped_column(String(200))


class PlanException(Base):
    """A planning exception (rule 9).

    Most rows of a big plan are ``shortage`` rows, one per planned order and sales
    order behind it: those store only what cannot be derived (the planned order and
    the quantity short, in millionths) and leave ``order_ref``, ``date`` and
    ``message`` NULL; readers take them from the planned order
    (``services.plan_results.exception_query``). ``message`` is stored for a quantity
    too big to be counted in millionths.
    """

    __tablename__ = "plan_exception"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_run_id: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    item_id: Mapped[int]
    order_ref: Mapped[str | None] = mapped_column(String(200))
    date: Mapped[date | None]
    sales_order_id: Mapped[int | None]
    """Not indexed: a sales order's rows are found through ``PlanExceptionSalesOrder``."""
    message: Mapped[str | None] = mapped_column(String(1000))
    planned_order_id: Mapped[int | None]
    qty_millionths: Mapped[int | None] = mapped_column(BigInteger)


class PlanExceptionSalesOrder(Base):
    """Which exceptions name which sales order: one row per sales order, its exception
    ids packed in one text (a JSON array, ascending).

    It stands in for an index on ``plan_exception.sales_order_id``, whose keys arrive in
    random order (exceptions are stored in report order): building that index over
    millions of rows was the store's slowest step (0029). A row per (sales order,
    exception) pair then cost ~1 µs a pair to insert, 3.4 s of CPU for the reference
    shape's 3.7 M pairs; a row per sales order is 75 k rows, written from the sorted
    arrays in a fraction of that. A sales order's exceptions are read by unpacking its
    row (``plan_results.of_sales_order``: SQLite's ``json_each``, PostgreSQL's
    ``json_array_elements_text``) and looking each exception up by its id.
    ``services.mps_flags`` moves the packed ids when it renumbers exceptions.
    """

    __tablename__ = "plan_exception_by_sales_order"

    sales_order_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    exception_ids: Mapped[str] = mapped_column(Text)


class PlanLine(Base):
    """Each open sales-order line as the plan sees it: when it can be complete.

    ``projected_date`` is the latest availability of the supplies pegged to the
    line (NULL when the line is beyond the horizon and was not planned). It is
    what "promised vs projected" and the late report read.
    """

    __tablename__ = "plan_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_run_id: Mapped[int]
    sales_order_line_id: Mapped[int] = mapped_column(index=True)
    demand_ref: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[date]
    projected_date: Mapped[date | None]
    late_days: Mapped[int] = mapped_column(default=0)


class PlanProduction(Base):
    """Each open production order as the plan sees it (rule 9): when it can be complete.

    ``earliest_completion`` comes from its components when they are not issued (its due
    date when they all arrive in time); ``available_date`` is when its output serves its
    parents and its sales order: the later of its due date and its earliest completion.
    """

    __tablename__ = "plan_production"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_run_id: Mapped[int]
    production_order_id: Mapped[int] = mapped_column(index=True)
    earliest_completion: Mapped[date]
    available_date: Mapped[date]
    is_late: Mapped[bool]

"""The bundle format's columns, declared once.

The reader parses with it, the writer writes with it, and the docs table and
tests are checked against it, so the three cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from pegboard.services import dataset


class Kind(Enum):
    TEXT = "text"
    INT = "integer"
    QTY = "decimal"
    DATE = "date (YYYY-MM-DD)"
    BOOL = "true/false"
    CHOICE = "choice"
    WEEKDAYS = "weekdays (mon,tue,…)"
    MONEY = "amount (at most 2 decimals)"
    UNIT_PRICE = "unit price (at most 4 decimals)"
    CURRENCY = "currency code (ISO 4217: EUR, USD…)"


class Check(Enum):
    NONE = "none"
    POSITIVE = "> 0"
    NOT_NEGATIVE = ">= 0"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind = Kind.TEXT
    required: bool = False
    default: str = ""
    check: Check = Check.NONE
    choices: tuple[str, ...] = ()
    max_length: int = 100
    """For text: longer values are refused with their location, not cut by the database."""
    multiline: bool = False
    """For text: a line break is part of the value (descriptions, suppliers); anywhere else
    it is refused, since it is what a quote left open makes of the following lines."""
    maximum: int | None = None
    """For numbers: the largest value (lead times and periods: ``MAX_DAYS``)."""


@dataclass(frozen=True)
class FileSpec:
    name: str  # file stem, also the xlsx sheet name
    columns: tuple[Column, ...]
    required_file: bool = False

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


MAX_DAYS = dataset.MAX_DAYS
"""The longest lead time, period or horizon, in days (ten years)."""
FIRST_DAY = dataset.FIRST_DAY.isoformat()
LAST_DAY = dataset.LAST_DAY.isoformat()
"""Every date of a bundle (and of the services) lies within these (``services.dataset``)."""


def _days(name: str, *, default: str = "", check: Check = Check.NOT_NEGATIVE) -> Column:
    return Column(name, Kind.INT, default=default, check=check, maximum=MAX_DAYS)


def _free_text(name: str, max_length: int) -> Column:
    return Column(name, max_length=max_length, multiline=True)


def _qty(
    name: str, *, required: bool = False, default: str = "", check: Check = Check.NOT_NEGATIVE
) -> Column:
    return Column(name, Kind.QTY, required=required, default=default, check=check)


SETTINGS = FileSpec(
    "settings",
    (Column("key", required=True), Column("value", max_length=200)),
)
SETTING_KEYS = {
    "planning_date": Kind.DATE,
    "horizon_days": Kind.INT,
    "reschedule_in_days": Kind.INT,
    "defer_days": Kind.INT,
    # v2: the weekdays the plant works, e.g. "mon,tue,wed,thu,fri" (rule 1)
    "work_days": Kind.WEEKDAYS,
    # extension: how much more than ordered a purchase-order line may receive, in percent
    "receipt_tolerance_pct": Kind.QTY,
    # extension: defaults of ``pegboard policy`` (stock policy of MTS items); see the README
    "policy_service_level": Kind.QTY,
    "policy_ordering_cost": Kind.QTY,
    "policy_holding_pct": Kind.QTY,
    "policy_lead_time_factor": Kind.QTY,
    "policy_variability_factor": Kind.QTY,
    "policy_window_days": Kind.INT,
    "policy_min_window_days": Kind.INT,
    # extension (#17): the master schedule's planning time fence in days (default 14)
    "mps_time_fence_days": Kind.INT,
    # extension (#16): money. The company currency (ISO 4217, default EUR) and the
    # overhead that estimated costs add: per routing hour, and as a percentage of material
    "currency": Kind.CURRENCY,
    "overhead_per_labour_hour": Kind.MONEY,
    "overhead_pct_of_material": Kind.QTY,
}
SETTING_DEFAULTS = {"horizon_days": "365", "reschedule_in_days": "7", "defer_days": "7"}

ITEMS = FileSpec(
    "items",
    (
        Column("item", required=True),
        _free_text("description", 500),
        Column("type", Kind.CHOICE, default="buy", choices=("make", "buy")),
        Column("strategy", Kind.CHOICE, default="mts", choices=("mts", "mto")),
        Column("uom", default="ea", max_length=20),
        _days("lead_time_days", default="0"),
        Column("lot_rule", Kind.CHOICE, default="lfl", choices=("lfl", "foq", "poq")),
        _qty("lot_qty", check=Check.POSITIVE),
        _days("period_days", check=Check.POSITIVE),
        _qty("min_qty", default="0"),
        _qty("multiple", default="0"),
        _qty("safety_stock", default="0"),
        # exact (#16): a unit cost of at most 4 decimals, read as a Decimal
        Column(
            "unit_cost",
            Kind.UNIT_PRICE,
            default="0",
            check=Check.NOT_NEGATIVE,
            maximum=1_000_000_000,
        ),
        _free_text("supplier", 200),
        # v2 (rule 7); empty: 0 for items counted in pieces (ea, pc, pcs, set, pair), else 3
        Column("decimals", Kind.INT, check=Check.NOT_NEGATIVE),
        # extension (#17): on the master production schedule (make items; docs/bundle-format-mps.md)
        Column("mps", Kind.BOOL, default="false"),
    ),
    required_file=True,
)

HOLIDAYS = FileSpec(
    "holidays",
    (Column("date", Kind.DATE, required=True), _free_text("description", 200)),
)

BOM = FileSpec(
    "bom",
    (
        Column("parent", required=True),
        Column("component", required=True),
        _qty("qty_per", required=True, check=Check.POSITIVE),
        _qty("scrap_pct", default="0"),
        Column("sales_order"),
    ),
)

LOCATIONS = FileSpec(
    "locations",
    (Column("location", required=True), _free_text("description", 200)),
)
"""Optional: the stock locations (master data). Absent: the locations stock.csv uses, and main."""

STOCK = FileSpec(
    "stock",
    (
        Column("item", required=True),
        _qty("qty", required=True),
        Column("location", default="main"),
        Column("sales_order"),
    ),
)

PURCHASE_ORDERS = FileSpec(
    "purchase_orders",
    (
        Column("purchase_order", required=True),
        Column("line", Kind.INT, default="1", check=Check.POSITIVE),
        Column("item", required=True),
        _qty("qty", required=True, check=Check.POSITIVE),
        Column("due_date", Kind.DATE, required=True),
        Column("status", Kind.CHOICE, default="open", choices=("open", "in_transit")),
        Column("sales_order"),
        _free_text("supplier", 200),
        # extension (#16): the price of one unit, exact (at most 4 decimals), in the company
        # currency; what its receipts are valued at. Empty: the item's unit_cost.
        Column("unit_price", Kind.UNIT_PRICE, check=Check.NOT_NEGATIVE, maximum=1_000_000_000),
    ),
)

PRODUCTION_ORDERS = FileSpec(
    "production_orders",
    (
        Column("production_order", required=True),
        Column("item", required=True),
        _qty("qty", required=True, check=Check.POSITIVE),
        Column("due_date", Kind.DATE, required=True),
        Column("start_date", Kind.DATE),
        Column(
            "status",
            Kind.CHOICE,
            default="released",
            choices=("planned", "released", "in_progress"),
        ),
        Column("components_issued", Kind.BOOL, default="false"),
        Column("sales_order"),
    ),
)

SALES_ORDERS = FileSpec(
    "sales_orders",
    (
        Column("sales_order", required=True),
        Column("line", Kind.INT, default="1", check=Check.POSITIVE),
        Column("customer", required=True),
        Column("project"),
        Column("item", required=True),
        _qty("qty", required=True, check=Check.POSITIVE),
        _qty("shipped_qty", default="0"),
        Column("due_date", Kind.DATE, required=True),
        Column("priority", Kind.INT, default="100"),
        # extension (#16): the quoted price of one unit in the company currency (settings
        # ``currency``), exact in cents; empty: not quoted. The discount on it in percent.
        Column("unit_price", Kind.MONEY, check=Check.NOT_NEGATIVE, maximum=1_000_000_000),
        Column("discount_pct", Kind.MONEY, default="0", check=Check.NOT_NEGATIVE, maximum=100),
    ),
)

# --- v2 extension: capacity (docs/bundle-format-capacity.md) --------------------------------

MAX_HOURS_A_DAY = 24
MAX_UNITS = 1000
MAX_EFFICIENCY_PCT = 500
MAX_OPERATION_HOURS = 10_000
MAX_QUEUE_DAYS = 365
MAX_SEQUENCE = 100_000

WORK_CENTERS = FileSpec(
    "work_centers",
    (
        Column("work_center", required=True, max_length=50),
        Column("description", max_length=200),
        Column("hours_per_day", Kind.QTY, maximum=MAX_HOURS_A_DAY, check=Check.NOT_NEGATIVE),
        # per weekday instead, e.g. "mon=8,tue=8,wed=8,thu=8,fri=6" (quoted: it holds commas)
        Column("weekday_hours", max_length=200),
        Column("units", Kind.INT, default="1", check=Check.POSITIVE, maximum=MAX_UNITS),
        Column(
            "efficiency_pct",
            Kind.QTY,
            default="100",
            check=Check.POSITIVE,
            maximum=MAX_EFFICIENCY_PCT,
        ),
        Column("cost_rate", Kind.MONEY, default="0", check=Check.NOT_NEGATIVE, maximum=1_000_000),
    ),
)
"""Optional: the work centers (no file: none, and no load)."""

WORK_CENTER_CLOSED_DAYS = FileSpec(
    "work_center_closed_days",
    (
        Column("work_center", required=True, max_length=50),
        Column("date", Kind.DATE, required=True),
        Column("description", max_length=200),
    ),
)
"""Optional: days one work center does not work although the plant does."""


def _hours(name: str) -> Column:
    return Column(
        name, Kind.QTY, default="0", check=Check.NOT_NEGATIVE, maximum=MAX_OPERATION_HOURS
    )


def _queue(name: str) -> Column:
    return Column(name, Kind.INT, default="0", check=Check.NOT_NEGATIVE, maximum=MAX_QUEUE_DAYS)


ROUTINGS = FileSpec(
    "routings",
    (
        Column("item", required=True),
        Column("sales_order"),
        Column("sequence", Kind.INT, required=True, check=Check.POSITIVE, maximum=MAX_SEQUENCE),
        Column("work_center", required=True, max_length=50),
        _hours("setup_hours"),
        _hours("run_hours"),
        _queue("queue_days"),
        _queue("move_days"),
        Column("description", max_length=200),
    ),
)
"""Optional: the operations of make items, one row each; ``sales_order`` set: the order
routing of that order's order BOM of the item (chosen as bom.csv's rows are)."""

# --- extension: the master production schedule (docs/bundle-format-mps.md) -------------------

MAX_MPS_QTY = 1_000_000_000
"""The largest quantity of one schedule line (as ``services.mps`` allows)."""

MPS = FileSpec(
    "mps",
    (
        Column("item", required=True),
        Column("date", Kind.DATE, required=True),
        Column("qty", Kind.QTY, required=True, check=Check.POSITIVE, maximum=MAX_MPS_QTY),
    ),
)
"""Optional: the master-schedule lines of items flagged ``mps`` in items.csv, one a week."""

INPUT_FILES = (
    SETTINGS,
    HOLIDAYS,
    ITEMS,
    BOM,
    LOCATIONS,
    STOCK,
    PURCHASE_ORDERS,
    PRODUCTION_ORDERS,
    SALES_ORDERS,
    WORK_CENTERS,
    WORK_CENTER_CLOSED_DAYS,
    ROUTINGS,
    MPS,
)

PLANNED_ORDERS_COLUMNS = (
    "planned_order",
    "item",
    "type",
    "qty",
    "release_date",
    "due_date",
    "sales_order",
)
PEGGING_COLUMNS = ("supply", "supply_type", "item", "qty", "demand")
EXCEPTIONS_COLUMNS = ("kind", "item", "order", "date", "sales_order", "message")
ORDER_DATES_COLUMNS = (
    "sales_order",
    "line",
    "item",
    "qty",
    "due_date",
    "projected_date",
    "days_late",
)

TEMPLATES_SHEET = "templates"
"""templates.json in a workbook: a sheet of one template a row (item, JSON definition)."""

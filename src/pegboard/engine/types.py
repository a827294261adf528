"""The engine's contract: column tables in, a plan out.

Every table is a frozen dataclass of equal-length columns (NumPy arrays for
numbers, Python lists for strings). Items, sales orders and every input row are
referred to by their position (``int``) in their table, so the engine never
hashes strings in its hot loops. Dates are ``int`` day ordinals
(``datetime.date.toordinal()``); the engine never reads a clock.

``NO_ORDER`` (-1) stands for "no sales order": the free pool, the master BOM.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import overload

import numpy as np
import numpy.typing as npt

from pegboard.engine.calendar import WorkCalendar

NO_ORDER = -1

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

# lot rules
LFL, FOQ, POQ = 0, 1, 2

# supply types, in the order the spec consumes them on one date
STOCK, PURCHASE, PRODUCTION, PLANNED = 0, 1, 2, 3
SUPPLY_TYPE_NAMES = ("stock", "purchase_order", "production_order", "planned_order")

# demand types
SALES_LINE, PLANNED_PARENT, PRODUCTION_PARENT, SAFETY_STOCK = 0, 1, 2, 3


def _ints(values: object = ()) -> IntArray:
    return np.asarray(values, dtype=np.int64)


def _floats(values: object = ()) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


def _bools(values: object = ()) -> BoolArray:
    return np.asarray(values, dtype=np.bool_)


@dataclass(frozen=True)
class Settings:
    planning_date: int
    horizon_days: int = 365
    reschedule_in_days: int = 7
    defer_days: int = 7
    # v2 rule 1: working days; the default (every day works) plans exactly as v1.
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    # The master schedule's planning time fence (issue #17): days from the planning
    # date inside which the schedule of an item flagged ``Items.mps`` is frozen. The
    # plan adds no supply of such an item due before ``planning_date + mps_fence_days``
    # (its planned orders wait for the first working day beyond), lets a demand there
    # take the item's firm supply from anywhere inside the fence, and asks no change of
    # a schedule line (``ProductionOrders.mps``) due inside it. 0: no fence.
    mps_fence_days: int = 0


@dataclass(frozen=True)
class Items:
    code: list[str]
    is_make: BoolArray
    is_mto: BoolArray
    lead_time: IntArray
    lot_rule: IntArray  # LFL / FOQ / POQ
    lot_qty: FloatArray  # FOQ quantity, 0 when unused
    period_days: IntArray  # POQ period, 0 when unused
    min_qty: FloatArray
    multiple: FloatArray  # 0 = none
    safety_stock: FloatArray
    # v2 rule 7: decimal places a planned quantity may have (0 = whole units);
    # None rounds nothing (the quantities are only cut to 6 places, as in v1), and so
    # does a negative entry (an item the caller leaves unrounded).
    decimals: IntArray | None = None
    # Items on the master schedule (issue #17; see ``Settings.mps_fence_days``);
    # None: none is.
    mps: BoolArray | None = None

    def __len__(self) -> int:
        return len(self.code)


@dataclass(frozen=True)
class Bom:
    """Component lines. ``sales_order`` is NO_ORDER for the master BOM."""

    parent: IntArray = field(default_factory=_ints)
    component: IntArray = field(default_factory=_ints)
    qty_per: FloatArray = field(default_factory=_floats)
    scrap_pct: FloatArray = field(default_factory=_floats)
    sales_order: IntArray = field(default_factory=_ints)

    def __len__(self) -> int:
        return len(self.parent)


@dataclass(frozen=True)
class Stock:
    item: IntArray = field(default_factory=_ints)
    qty: FloatArray = field(default_factory=_floats)
    location: list[str] = field(default_factory=list)
    sales_order: IntArray = field(default_factory=_ints)

    def __len__(self) -> int:
        return len(self.item)


@dataclass(frozen=True)
class PurchaseLines:
    """Open purchase order lines; ``ref`` is ``PO/line``."""

    ref: list[str] = field(default_factory=list)
    item: IntArray = field(default_factory=_ints)
    qty: FloatArray = field(default_factory=_floats)
    due: IntArray = field(default_factory=_ints)
    sales_order: IntArray = field(default_factory=_ints)

    def __len__(self) -> int:
        return len(self.ref)


@dataclass(frozen=True)
class ProductionOrders:
    """Open production orders; ``start`` is already defaulted by the caller.

    Their component demand is the BOM explosion unless the order has rows in
    ``PlanInput.production_components`` (see ``ProductionComponents``).
    """

    ref: list[str] = field(default_factory=list)
    item: IntArray = field(default_factory=_ints)
    qty: FloatArray = field(default_factory=_floats)
    due: IntArray = field(default_factory=_ints)
    start: IntArray = field(default_factory=_ints)
    components_issued: BoolArray = field(default_factory=_bools)
    sales_order: IntArray = field(default_factory=_ints)
    # Lines of the master schedule (issue #17): inside the planning time fence the
    # plan asks no change of them. None: no order is.
    mps: BoolArray | None = None

    def __len__(self) -> int:
        return len(self.ref)


@dataclass(frozen=True)
class ProductionComponents:
    """Outstanding component requirements of open production orders.

    ``order`` is a position in ``PlanInput.productions``, ``item`` the
    component's item position and ``qty`` what is still to be issued (required
    minus issued, scrap included, >= 0). An open production order with at least
    one row here is not exploded through the BOM: each of its rows with
    ``qty > 0`` is its dependent demand instead (rows of one order for one item
    add up), under the same conditions and with the same date, sales order and
    priority as an explosion. Rows with ``qty == 0`` demand nothing but still
    mark the order as listed. An order without rows is exploded as before.
    """

    order: IntArray = field(default_factory=_ints)
    item: IntArray = field(default_factory=_ints)
    qty: FloatArray = field(default_factory=_floats)

    def __len__(self) -> int:
        return len(self.order)


@dataclass(frozen=True)
class Demands:
    """Sales-order lines with their *open* quantity (qty - shipped)."""

    sales_order: IntArray = field(default_factory=_ints)
    line: IntArray = field(default_factory=_ints)
    item: IntArray = field(default_factory=_ints)
    qty: FloatArray = field(default_factory=_floats)
    due: IntArray = field(default_factory=_ints)
    priority: IntArray = field(default_factory=_ints)

    def __len__(self) -> int:
        return len(self.item)


@dataclass(frozen=True)
class PlanInput:
    settings: Settings
    items: Items
    sales_orders: list[str]  # position -> sales order id, e.g. "SO-1001"
    bom: Bom = field(default_factory=Bom)
    stock: Stock = field(default_factory=Stock)
    purchases: PurchaseLines = field(default_factory=PurchaseLines)
    productions: ProductionOrders = field(default_factory=ProductionOrders)
    demands: Demands = field(default_factory=Demands)
    production_components: ProductionComponents = field(default_factory=ProductionComponents)


@dataclass(frozen=True)
class PlannedOrders:
    """Planned orders in creation order.

    ``earliest_completion`` (rule 9): a make order ``fwd(s, lead_time)``, s the
    latest of the planning date and its components' availability; a buy order its
    due date, or ``fwd(planning_date + lead_time, 0)`` when its release was
    clamped. ``is_late``: release clamped, or earliest completion after due.
    """

    ref: list[str]
    item: IntArray
    qty: FloatArray
    release: IntArray
    due: IntArray
    sales_order: IntArray
    earliest_completion: IntArray
    is_late: BoolArray

    def __len__(self) -> int:
        return len(self.ref)


@dataclass(frozen=True)
class Pegging:
    """One row per (supply, demand) allocation.

    ``supply_index`` indexes the table named by ``supply_type`` (input stock,
    purchases, productions, or the result's planned orders). ``demand_index``
    indexes ``PlanInput.demands`` for SALES_LINE, the planned orders for
    PLANNED_PARENT, the input productions for PRODUCTION_PARENT, and is -1 for
    SAFETY_STOCK.
    """

    supply_type: IntArray
    supply_index: IntArray
    item: IntArray
    qty: FloatArray
    demand_type: IntArray
    demand_index: IntArray

    def __len__(self) -> int:
        return len(self.item)


class CodedColumn(Sequence[str]):
    """A column of strings held as one integer code per row into a table of names.

    A plan's exceptions run to millions of rows that name one of five kinds and,
    mostly, one planned order's ref each: a Python string per row would cost the
    engine a second of building lists nobody may read (issue #18). The rows keep
    codes; a row's string is looked up when read, and ``tolist`` builds them all
    only for a caller that asks. ``codes`` and ``names`` are public, so a bulk
    reader (the plan store) can gather or group on the integers instead.
    """

    def __init__(self, codes: npt.NDArray[np.integer], names: npt.NDArray[np.object_]) -> None:
        self.codes = codes
        self.names = names

    def __len__(self) -> int:
        return len(self.codes)

    @overload
    def __getitem__(self, key: int) -> str: ...

    @overload
    def __getitem__(self, key: slice) -> list[str]: ...

    def __getitem__(self, key: int | slice) -> str | list[str]:
        if isinstance(key, slice):
            return list(self.names[self.codes[key]].tolist())
        return str(self.names[self.codes[key]])

    def __iter__(self) -> Iterator[str]:
        return iter(self.tolist())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return self.tolist() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable arrays inside, like a list

    def __repr__(self) -> str:
        return f"CodedColumn({self.tolist()!r})"

    def take(self, rows: npt.NDArray[np.integer]) -> npt.NDArray[np.object_]:
        """The strings of these rows, as an object array (no list of all rows)."""
        out: npt.NDArray[np.object_] = self.names[self.codes[rows]]
        return out

    def tolist(self) -> list[str]:
        return list(self.names[self.codes].tolist())

    def count(self, value: object) -> int:
        """Rows equal to ``value``, counted on the codes."""
        named = np.flatnonzero(self.names == value)
        return int(np.count_nonzero(np.isin(self.codes, named))) if named.size else 0


@dataclass(frozen=True)
class Exceptions:
    kind: CodedColumn  # late / expedite / defer / cancel / shortage
    item: IntArray
    order: CodedColumn  # planned order ref, PO/line or production order ref
    date: IntArray
    sales_order: IntArray  # NO_ORDER when none is behind it
    listed: CodedColumn  # the message of each row before the shortage rows, which come last
    # what a shortage row's order and message are made of: the planned order (its
    # position; NO_ORDER on the other kinds) and the quantity short (0 on the others)
    planned: IntArray = field(default_factory=_ints)
    qty: FloatArray = field(default_factory=_floats)
    make: BoolArray = field(default_factory=_bools)  # per shortage row: made, else bought

    def __len__(self) -> int:
        return len(self.kind)

    @functools.cached_property
    def message(self) -> list[str]:
        """Every row's message. A shortage row's ("Q to make") is built on first use:
        the plan store keeps those rows narrow and derives it when read (issue #18)."""
        return self.messages_at(np.arange(len(self), dtype=np.int64))

    def messages_at(self, rows: IntArray) -> list[str]:
        """The messages of these rows, building only theirs."""
        from pegboard.engine.exceptions import _shortage_texts  # it imports this module

        head = len(self.listed)
        rows = np.asarray(rows, dtype=np.int64)
        out = np.empty(len(rows), dtype=object)
        early = rows < head
        out[early] = self.listed.take(rows[early])
        late = rows[~early]
        if late.size:
            texts = _shortage_texts(self.qty[late], self.make[late - head])
            out[~early] = np.asarray(texts, dtype=object)
        return list(out.tolist())


@dataclass(frozen=True)
class ProductionDates:
    """Rule 9, per input production order (aligned with ``PlanInput.productions``).

    ``available``: the day the order's output is available to its parents and its
    sales order (the later of its due date, clamped to the planning date, and its
    earliest completion); ``earliest_completion``: from its components when they are
    not issued, else its due date; ``is_late``: earliest completion after the due date.
    """

    available: IntArray = field(default_factory=_ints)
    earliest_completion: IntArray = field(default_factory=_ints)
    is_late: BoolArray = field(default_factory=_bools)

    def __len__(self) -> int:
        return len(self.available)


@dataclass(frozen=True)
class LineDates:
    """Rule 10, per input sales-order line (aligned with ``PlanInput.demands``).

    ``in_plan``: the line is demand of this plan (open quantity within the horizon);
    ``projected``: the later of its due date and the latest day on which the supplies
    pegged to it are available (meaningful where ``in_plan``).
    """

    in_plan: BoolArray = field(default_factory=_bools)
    projected: IntArray = field(default_factory=_ints)

    def __len__(self) -> int:
        return len(self.projected)


@dataclass(frozen=True)
class PlanResult:
    planned: PlannedOrders
    pegging: Pegging
    exceptions: Exceptions
    production_dates: ProductionDates = field(default_factory=ProductionDates)
    line_dates: LineDates = field(default_factory=LineDates)

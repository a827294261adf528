"""Stock policy of common (MTS) components, from the open order backlog (``pegboard policy``).

The usage comes from the engine (``engine/policy.py``): the open sales lines
exploded gross through their BOMs, averaged over a forward window. This module
adds what the database knows and the rules:

* **Inputs per item.** Lead time L = ``item.lead_time_days``. Its standard
  deviation σL comes from history: a buy item's receipts (days from the
  purchase order's confirmation, else its creation, to the line's first
  receipt move), a make item's completions (days from release, else creation,
  to the order's first completion move). With at least 3 observations σL is
  their sample standard deviation; with fewer it is 0 and said to be unknown.
  Costs and the service level are the item's ``item_policy`` row where set,
  else the company settings ``policy_ordering_cost`` (50), ``policy_holding_pct``
  (25 % of unit cost per year), ``policy_service_level`` (0.95); the window is
  ``window_days`` if given, else ``policy_window_days`` if set, else per item
  the calendar days its lead-time cover spans (its own lead time plus its
  parents' cumulative lead time, ``engine.policy.cover_days``), at least
  ``policy_min_window_days`` (28): the backlog that matters for the item.
* **Whole units.** Safety stock, reorder point, order quantity, suggested order
  and buffer zones are rounded up to the item's ``decimals`` (rule 7), the order
  quantity after ``min_qty`` and ``multiple``, as a planned order is.
* **Position** = free on-hand stock (not reserved for a sales order or a
  production order) + purchase lines in transit + open purchase lines not
  shipped + open production orders still to complete, counting only supply that
  is not reserved for a sales order (orders carrying a sales order are that
  order's, like reserved stock).
* **Reorder point policy** and **DDMRP buffers** (items flagged ``buffer``):
  see ``engine.policy.reorder_policy`` and ``buffer_zones``. For a buffer, the
  buffer decides: "below" means net flow position ≤ top of yellow, and the
  suggested order is the buffer's. The lead-time and variability factors are
  ``policy_lead_time_factor`` and ``policy_variability_factor`` (0.5 each).
* **apply** writes per item ``safety_stock`` := SS (buffer: top of red),
  ``min_qty`` := Q (buffer: green zone) and, for a ``foq`` item, ``lot_qty`` :=
  Q, rounded to 6 decimals, in one transaction with an audit entry per changed
  item; the next plan then keeps that safety stock and orders at least Q.

**Stored runs.** ``run_policy`` computes every MTS item at once (numpy arrays, no
formula text) and stores the result as the newest ``policy_run`` with one
``policy_line`` per item (the previous run's lines are replaced in the same
transaction). The list pages (``policy_page``), ``explain`` and ``apply`` read
those lines; each formula text is built from a line's numbers only when that item
is shown (``ItemPolicy.formulas``: ``engine.policy.reorder_policy`` on its inputs,
which gives the very figures the arrays did). Settings changed after a run take
effect at the next run.

``item_policy`` rows are not part of the bundle: an import replaces the company
and drops them (see ``company_data``).
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from functools import cached_property
from typing import Any

import numpy as np
from sqlalchemy import Connection, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from pegboard import clock
from pegboard.db import WRITE
from pegboard.engine import policy as ep
from pegboard.engine.errors import BomCycleError
from pegboard.engine.levels import low_level_codes
from pegboard.engine.lots import place_scales
from pegboard.engine.policy import BufferZones, Figure
from pegboard.errors import NotFoundError, PlanningError, ValidationError
from pegboard.model import (
    CompanySetting,
    Item,
    PolicyLine,
    PolicyRun,
    PolicySetting,
    ProductionOrder,
    PurchaseOrder,
    PurchaseOrderLine,
    StockBalance,
    StockMove,
)
from pegboard.model.enums import (
    OPEN_PRODUCTION_STATUSES,
    LotRule,
    PurchaseLineStatus,
    StockMoveKind,
)
from pegboard.services import audit
from pegboard.services._bulk import bulk_insert_columns
from pegboard.services._tx import end_read_transaction, for_update, writes
from pegboard.services.jobs import records as job_records
from pegboard.services.planning import snapshot_connection
from pegboard.services.snapshot import load_snapshot

__all__ = [
    "DEFAULTS",
    "QUANTITY_FIGURES",
    "SORTS",
    "BufferZones",
    "Change",
    "Explanation",
    "Figure",
    "ItemPolicy",
    "PolicyPage",
    "PolicyRunView",
    "PolicySettingView",
    "PolicySummary",
    "Position",
    "apply",
    "compute",
    "explain",
    "get_item_policy",
    "latest_run",
    "policy_page",
    "preview",
    "run_policy",
    "set_item_policy",
    "start_policy_job",
]

Progress = Callable[[str, int, int], None]

DEFAULTS: dict[str, float] = {
    "policy_service_level": 0.95,
    "policy_ordering_cost": 50.0,
    "policy_holding_pct": 25.0,
    "policy_lead_time_factor": 0.5,
    "policy_variability_factor": 0.5,
}
"""Company defaults when the setting is not set (``policy_window_days``: none)."""
MIN_WINDOW_KEY = "policy_min_window_days"
"""Company setting: the shortest default window (days)."""

MIN_OBSERVATIONS = 3
QUANTITY_FIGURES = frozenset(
    {
        "safety stock",
        "reorder point",
        "order qty",
        "suggested order",
        "red",
        "yellow",
        "green",
        "top of red",
        "top of yellow",
        "top of green",
    }
)
"""Figures that are quantities of the item, rounded up to its decimals (shown so)."""
DIGITS = 6
MAX_WINDOW_DAYS = 3660


@dataclass(frozen=True)
class Position:
    on_hand: float  # free stock: not reserved for a sales order or a production order
    in_transit: float  # purchase lines the supplier has shipped
    on_order: float  # open purchase lines not shipped yet
    in_production: float  # open production orders, still to be completed

    @property
    def total(self) -> float:
        return self.on_hand + self.in_transit + self.on_order + self.in_production


@dataclass(frozen=True)
class Change:
    field: str
    before: float | None
    after: float


@dataclass(frozen=True)
class PolicySettingView:
    item: str
    ordering_cost: float | None
    holding_pct: float | None
    service_level: float | None
    buffer: bool


# --- checks -------------------------------------------------------------------------------------


def _check_service_level(value: object, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(f"{field} must be a number, not {value!r}", field=field)
    level = float(value)
    if not (0.0 < level < 1.0) or not math.isfinite(level):
        raise ValidationError(
            f"{field} must be between 0 and 1 (e.g. 0.95), not {value!r}", field=field
        )
    return level


def _check_cost(value: object, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(f"{field} must be a number, not {value!r}", field=field)
    cost = float(value)
    if not math.isfinite(cost) or cost < 0 or cost >= 1e15:
        raise ValidationError(f"{field} must be 0 or more, not {value!r}", field=field)
    return cost


def _check_window(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{field} must be a whole number of days, not {value!r}", field=field)
    if value <= 0 or value > MAX_WINDOW_DAYS:
        raise ValidationError(
            f"{field} must be between 1 and {MAX_WINDOW_DAYS} days, not {value!r}", field=field
        )
    return value


def _int_setting(values: Mapping[str, Any], key: str) -> int | None:
    text = str(values.get(key) or "").strip()
    if not text:
        return None
    try:
        number = int(text)
    except ValueError:
        raise ValidationError(
            f"company setting {key} must be a whole number, not {text!r}", field=key
        ) from None
    return _check_window(number, key)


def _company(conn: Connection) -> tuple[dict[str, float], int | None, int]:
    """The company's policy defaults, its fixed window (None: per item) and the shortest
    default window."""
    values = dict(conn.execute(select(CompanySetting.key, CompanySetting.value)).all())
    out: dict[str, float] = {}
    for key, default in DEFAULTS.items():
        text = str(values.get(key) or "").strip()
        try:
            number = float(text) if text else default
        except ValueError:
            raise ValidationError(
                f"company setting {key} must be a number, not {text!r}", field=key
            ) from None
        if key == "policy_service_level":
            number = _check_service_level(number, key)
        else:
            number = _check_cost(number, key)
        out[key] = number
    window = _int_setting(values, "policy_window_days")
    least = _int_setting(values, MIN_WINDOW_KEY)
    return out, window, ep.DEFAULT_MIN_WINDOW_DAYS if least is None else least


# --- reading ------------------------------------------------------------------------------------


def _positions(conn: Connection) -> dict[int, list[float]]:
    """item id -> [free on hand, in transit, on order, in production], free-pool supply only."""
    out: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    for item_id, qty in conn.execute(
        select(StockBalance.item_id, func.sum(StockBalance.qty))
        .where(StockBalance.sales_order_id.is_(None), StockBalance.reserved_mo_id.is_(None))
        .group_by(StockBalance.item_id)
    ):
        out[item_id][0] += float(qty or 0.0)
    remaining = PurchaseOrderLine.qty - PurchaseOrderLine.received_qty
    for item_id, status, qty in conn.execute(
        select(PurchaseOrderLine.item_id, PurchaseOrderLine.status, func.sum(remaining))
        .where(
            PurchaseOrderLine.status.in_((PurchaseLineStatus.OPEN, PurchaseLineStatus.IN_TRANSIT)),
            PurchaseOrderLine.sales_order_id.is_(None),
            remaining > 0,
        )
        .group_by(PurchaseOrderLine.item_id, PurchaseOrderLine.status)
    ):
        slot = 1 if str(status) == PurchaseLineStatus.IN_TRANSIT.value else 2
        out[item_id][slot] += float(qty or 0.0)
    to_make = ProductionOrder.qty - ProductionOrder.completed_qty
    for item_id, qty in conn.execute(
        select(ProductionOrder.item_id, func.sum(to_make))
        .where(
            ProductionOrder.status.in_(OPEN_PRODUCTION_STATUSES),
            ProductionOrder.sales_order_id.is_(None),
            to_make > 0,
        )
        .group_by(ProductionOrder.item_id)
    ):
        out[item_id][3] += float(qty or 0.0)
    return out


def _day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return datetime.fromisoformat(str(value)).date()


def _lead_time_history(conn: Connection) -> dict[int, list[int]]:
    """item id -> observed lead times in days (receipts of buy items, completions of make)."""
    out: dict[int, list[int]] = defaultdict(list)
    start = func.coalesce(PurchaseOrder.confirmed_at, PurchaseOrder.created_at)
    for item_id, began, received in conn.execute(
        select(PurchaseOrderLine.item_id, start, func.min(StockMove.created_at))
        .join(PurchaseOrderLine, PurchaseOrderLine.id == StockMove.purchase_order_line_id)
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
        .where(StockMove.kind == StockMoveKind.RECEIPT)
        .group_by(PurchaseOrderLine.id, PurchaseOrderLine.item_id, start)
    ):
        out[item_id].append(max((_day(received) - _day(began)).days, 0))
    released = func.coalesce(ProductionOrder.released_at, ProductionOrder.created_at)
    for item_id, began, done in conn.execute(
        select(ProductionOrder.item_id, released, func.min(StockMove.created_at))
        .join(ProductionOrder, ProductionOrder.id == StockMove.production_order_id)
        .where(StockMove.kind == StockMoveKind.COMPLETION)
        .group_by(ProductionOrder.id, ProductionOrder.item_id, released)
    ):
        out[item_id].append(max((_day(done) - _day(began)).days, 0))
    return out


# --- one item's policy: the stored numbers, formulas built when shown -----------------------


COMPANY_DEFAULT = "company default "


@dataclass(frozen=True)
class ItemPolicy:
    """One MTS item's policy: every input and result number (a ``policy_line``); the
    texts (``inputs``, ``formulas``, ``zones``) are built from them on first use."""

    item: str
    description: str
    unit: str
    type: str
    lot_rule: str
    decimals: int
    buffer: bool
    window_days: int
    window_source: str | None
    min_window_days: int
    cover_days: int
    parent_lead_time: int
    need: float
    adu: float
    sigma_d: float
    qualified_demand: float
    daily: str
    lead_time: int
    sigma_lt: float
    lead_time_observations: int
    lead_time_sample: str
    dlt: int
    service_level: float
    service_level_source: str
    ordering_cost: float
    ordering_cost_source: str
    holding_pct: float
    holding_pct_source: str
    lead_time_factor: float
    variability_factor: float
    unit_cost: float
    min_qty: float
    multiple: float
    period_days: int
    on_hand: float
    in_transit: float
    on_order: float
    in_production: float
    z: float
    safety_stock: float
    reorder_point: float
    annual_demand: float
    holding_cost: float
    eoq: float | None
    order_qty: float
    red: float
    yellow: float
    green: float
    top_of_red: float
    top_of_yellow: float
    top_of_green: float
    net_flow: float
    below: bool
    suggested_qty: float
    target_safety_stock: float
    target_min_qty: float
    planning_date: date
    current: tuple[float | None, float | None, float | None]
    """The item's safety stock, min qty and lot qty when read (None: the item is gone)."""

    strategy = "mts"

    @property
    def below_rop(self) -> bool:
        """Below the reorder point (a buffer: net flow position at or below top of yellow)."""
        return self.below

    @property
    def position(self) -> Position:
        return Position(self.on_hand, self.in_transit, self.on_order, self.in_production)

    @property
    def scale(self) -> float:
        """10 ** the item's decimals, the steps of one unit (0: figures not rounded)."""
        return 10.0**self.decimals if self.decimals >= 0 else 0.0

    def quantity(self, value: float) -> float:
        """A figure in the item's unit as shown: to its decimal places (2 when the figures
        are not rounded), so a whole number shows without a fraction."""
        digits = self.decimals if self.decimals >= 0 else 2
        return round(value, digits) if digits else round(value)

    @property
    def window_dates(self) -> str:
        """The window's first and last day."""
        pd = self.planning_date.toordinal()
        return f"{_fmt_day(pd)} to {_fmt_day(pd + self.window_days - 1)}"

    @cached_property
    def _reorder(self) -> ep.ReorderPolicy:
        return ep.reorder_policy(
            ep.ReorderInputs(
                adu=self.adu,
                sigma_d=self.sigma_d,
                lead_time=float(self.lead_time),
                sigma_lt=self.sigma_lt,
                service_level=self.service_level,
                ordering_cost=self.ordering_cost,
                holding_pct=self.holding_pct,
                unit_cost=self.unit_cost,
                min_qty=self.min_qty,
                multiple=self.multiple,
                position=self.position.total,
                scale=self.scale,
                need=self.need,
                window_days=self.window_days,
                window=self.window_dates,
            )
        )

    @property
    def formulas(self) -> tuple[Figure, ...]:
        """The reorder-point formulas with their figures."""
        return self._reorder.figures

    @cached_property
    def zones(self) -> BufferZones | None:
        """The DDMRP zones with their formulas (a buffer only)."""
        if not self.buffer:
            return None
        return ep.buffer_zones(
            ep.BufferInputs(
                adu=self.adu,
                dlt=float(self.dlt),
                lead_time_factor=self.lead_time_factor,
                variability_factor=self.variability_factor,
                min_qty=self.min_qty,
                multiple=self.multiple,
                period_days=self.period_days,
                on_hand=self.on_hand,
                on_order=self.in_transit + self.on_order + self.in_production,
                qualified_demand=self.qualified_demand,
                scale=self.scale,
            )
        )

    @cached_property
    def inputs(self) -> tuple[Figure, ...]:
        """Each input with where it came from."""
        num = ep.num
        w = self.window_days
        if self.lead_time_observations >= MIN_OBSERVATIONS:
            more = " …" if self.lead_time_observations > SAMPLE else ""
            slt_text = (
                f"sample std dev of {self.lead_time_observations} observed lead times "
                f"({self.lead_time_sample}{more}) = {num(self.sigma_lt)}"
            )
        else:
            kind = "receipts" if self.type == "buy" else "completions"
            slt_text = f"unknown (fewer than {MIN_OBSERVATIONS} {kind}): 0"
        w_src = self.window_source if self.window_source is not None else self.cover_text
        p = self.position
        return (
            Figure(
                "window",
                float(w),
                f"W = {w} days ({w_src}): {self.window_dates}",
            ),
            Figure(
                "need in window", self.need, "gross need of the exploded open backlog in the window"
            ),
            Figure("ADU", self.adu, f"ADU = need / W = {num(self.need)} / {w} = {num(self.adu)}"),
            Figure(
                "σd",
                self.sigma_d,
                f"σd = population std dev of the {w} daily needs (0 on days without) = "
                f"{num(self.sigma_d)}",
            ),
            Figure("L", float(self.lead_time), f"L = item lead time = {self.lead_time} days"),
            Figure("σL", self.sigma_lt, f"σL = {slt_text}"),
            Figure(
                "service level",
                self.service_level,
                f"{num(self.service_level, 3)} ({self.service_level_source})",
            ),
            Figure(
                "ordering cost S",
                self.ordering_cost,
                f"S = {num(self.ordering_cost)} per order ({self.ordering_cost_source})",
            ),
            Figure(
                "holding %",
                self.holding_pct,
                f"{num(self.holding_pct)} % of unit cost per year ({self.holding_pct_source})",
            ),
            Figure("unit cost", self.unit_cost, f"item unit cost = {num(self.unit_cost)}"),
            Figure("min qty", self.min_qty, f"item min_qty = {num(self.min_qty)}"),
            Figure("multiple", self.multiple, f"item multiple = {num(self.multiple)}"),
            Figure(
                "position",
                p.total,
                f"free on hand + in transit + on order + in production = {num(p.on_hand)} + "
                f"{num(p.in_transit)} + {num(p.on_order)} + {num(p.in_production)} = "
                f"{num(p.total)}",
            ),
        )

    @property
    def cover_text(self) -> str:
        """How the default window was made: the lead-time cover, at least the minimum."""
        own = "working days" if self.type == "make" else "days"
        parents = f"{self.parent_lead_time} working days"
        cover = f"lead time {self.lead_time} {own} + parents' cumulative lead time {parents}"
        if self.cover_days != self.lead_time + self.parent_lead_time:
            cover += f", {self.cover_days} calendar days"
        else:
            cover += f" = {self.cover_days} days"
        least = f"policy_min_window_days {self.min_window_days}"
        if self.cover_days >= self.min_window_days:
            return f"{cover}; at least {least}"
        return f"{cover}, less than {least}: the minimum"

    @property
    def daily_need(self) -> tuple[float, ...]:
        """The need per day of the window, from the planning date."""
        out = [0.0] * self.window_days
        for pair in filter(None, self.daily.split(",")):
            offset, qty = pair.split(":")
            if 0 <= int(offset) < self.window_days:
                out[int(offset)] += float(qty)
        return tuple(out)

    @property
    def changes(self) -> tuple[Change, ...]:
        """What ``apply`` would write (only fields whose value changes)."""
        safety_stock, min_qty, lot_qty = self.current
        if min_qty is None:
            return ()
        proposed: list[tuple[str, float | None, float]] = [
            ("safety_stock", safety_stock, self.target_safety_stock),
            ("min_qty", min_qty, self.target_min_qty),
        ]
        if self.lot_rule == LotRule.FOQ.value:
            proposed.append(("lot_qty", lot_qty, self.target_min_qty))
        return tuple(
            Change(name, before, round(after, DIGITS))
            for name, before, after in proposed
            if before is None or abs(round(after, DIGITS) - before) > 1e-9
        )


LINE_FIELDS = tuple(
    f.name for f in fields(ItemPolicy) if f.name not in ("planning_date", "current")
)
"""The ``policy_line`` columns an ``ItemPolicy`` carries."""
SAMPLE = 10
"""Observed lead times the σL text lists."""


@dataclass(frozen=True)
class Explanation:
    policy: ItemPolicy
    start: date
    daily: tuple[float, ...]
    """The item's need per day of its window, from ``start``."""
    run: PolicyRunView | None = None
    """The stored run it comes from (None: computed afresh)."""


@dataclass(frozen=True)
class PolicyRunView:
    id: int
    started_at: datetime
    finished_at: datetime
    author: str
    planning_date: date
    window_days: int | None
    service_level: float | None
    items: int
    below: int
    load_seconds: float
    compute_seconds: float
    store_seconds: float
    seconds: float


@dataclass(frozen=True)
class PolicySummary:
    run_id: int
    planning_date: date
    items: int
    below: int
    load_seconds: float
    compute_seconds: float
    store_seconds: float
    seconds: float


@dataclass(frozen=True)
class PolicyPage:
    run: PolicyRunView | None
    rows: list[ItemPolicy]
    total: int


# --- computing ----------------------------------------------------------------------------------


def _fmt_day(ordinal: int) -> str:
    return date.fromordinal(ordinal).isoformat()


def _number(value: object) -> float:
    return 0.0 if value is None else float(value)  # type: ignore[arg-type]


def _compute(
    conn: Connection,
    *,
    items: Sequence[str] | None,
    window_days: int | None,
    service_level: float | None,
    today: date | None,
    progress: Progress | None = None,
) -> tuple[dict[str, list[Any]], int, float]:
    """Every number of the selected items' policies, as ``policy_line`` columns (plus
    ``item_id``), in item order; the planning date; and the snapshot's load seconds."""
    if window_days is not None:
        _check_window(window_days, "window_days")
    if service_level is not None:
        service_level = _check_service_level(service_level, "service_level")
    note = progress or (lambda _stage, _done, _total: None)
    defaults, company_window, min_window = _company(conn)
    t0 = time.perf_counter()
    snap = load_snapshot(conn, today=today or clock.today())
    load_seconds = time.perf_counter() - t0
    note("computing", 1, 4)
    inp = snap.input
    codes = inp.items.code
    n = len(codes)
    pd = inp.settings.planning_date
    if items is not None:
        position_of = {code: k for k, code in enumerate(codes)}
        wanted: list[int] = []
        for code in dict.fromkeys(c.strip() for c in items if c.strip()):
            if code not in position_of:
                raise NotFoundError(f"no item {code!r}", item=code, field="items")
            k = position_of[code]
            if inp.items.is_mto[k]:
                raise ValidationError(
                    f"{code} is make-to-order: it has no stock policy", item=code, field="items"
                )
            wanted.append(k)
        selected = np.asarray(sorted(wanted), dtype=np.int64)
    else:
        selected = np.flatnonzero(~inp.items.is_mto).astype(np.int64)

    try:
        llc = low_level_codes(n, inp.bom.parent, inp.bom.component)
    except BomCycleError as e:
        names = [codes[i] for i in e.cycle]
        cycle = " -> ".join([*names, names[0]])
        raise PlanningError(f"the BOM has a cycle: {cycle}", cycle=names) from e
    lead = inp.items.lead_time
    parent_lt = ep.parent_lead_times(n, inp.bom.parent, inp.bom.component, lead, llc)
    needs = ep.gross_needs(inp, llc)
    window = window_days if window_days is not None else company_window
    cover = ep.cover_days(pd, lead, inp.items.is_make, parent_lt, inp.settings.calendar)
    use = ep.usage(needs, n, pd, cover, window, min_window)
    decimals = (
        np.full(n, -1, dtype=np.int64)
        if inp.items.decimals is None
        else np.asarray(inp.items.decimals, dtype=np.int64)
    )
    scale = place_scales(decimals, n)[selected]

    ids = snap.item_ids[selected]
    position_of_id = {int(i): k for k, i in enumerate(ids.tolist())}
    m = len(selected)
    rows = _item_columns(conn, position_of_id, m)

    own_cost, own_hold, own_level, buffer_all = _own_settings(conn, snap.item_ids, position_of_id)
    buffer = buffer_all[selected]
    dlt_all = (
        ep.decoupled_lead_times(
            n,
            inp.bom.parent,
            inp.bom.component,
            inp.bom.sales_order,
            lead,
            inp.items.is_make,
            buffer_all,
            llc,
        )
        if buffer_all.any()
        else lead
    )
    positions = np.zeros((m, 4), dtype=np.float64)
    for item_id, parts in _positions(conn).items():
        j = position_of_id.get(item_id)
        if j is not None:
            positions[j] = parts
    observations, sigma_lt, samples = _observed(conn, position_of_id, m)

    def pick(own: Any, key: str, label: str) -> tuple[Any, list[str]]:
        mine = ~np.isnan(own)
        value = np.where(mine, own, defaults[key])
        source = np.where(mine, "item setting", label).tolist()
        return value, source

    if service_level is not None:
        level: Any = np.full(m, service_level)
        level_src = ["--service-level"] * m
    else:
        level, level_src = pick(
            own_level, "policy_service_level", COMPANY_DEFAULT + "policy_service_level"
        )
    cost, cost_src = pick(
        own_cost, "policy_ordering_cost", COMPANY_DEFAULT + "policy_ordering_cost"
    )
    hold, hold_src = pick(own_hold, "policy_holding_pct", COMPANY_DEFAULT + "policy_holding_pct")
    window_source = (
        "--window"
        if window_days is not None
        else "company setting policy_window_days"
        if company_window is not None
        else None
    )

    adu = use.adu[selected]
    lt = lead[selected].astype(np.float64)
    dlt = np.asarray(dlt_all, dtype=np.int64)[selected]
    on_hand, in_transit, on_order, in_production = (positions[:, c] for c in range(4))
    position = on_hand + in_transit + on_order + in_production
    ltf, vf = defaults["policy_lead_time_factor"], defaults["policy_variability_factor"]
    period = np.asarray(rows["period_days"], dtype=np.float64)
    min_qty = np.asarray(rows["min_qty"], dtype=np.float64)
    res = ep.policy_arrays(
        adu=adu,
        sigma_d=use.sigma[selected],
        lead_time=lt,
        sigma_lt=sigma_lt,
        service_level=level,
        ordering_cost=cost,
        holding_pct=hold,
        unit_cost=np.asarray(rows["unit_cost"], dtype=np.float64),
        min_qty=min_qty,
        multiple=np.asarray(rows["multiple"], dtype=np.float64),
        position=position,
        buffer=buffer,
        dlt=dlt.astype(np.float64),
        lead_time_factor=ltf,
        variability_factor=vf,
        period_days=period,
        on_hand=on_hand,
        on_order=in_transit + on_order + in_production,
        qualified_demand=use.due_now[selected],
        scale=scale,
    )
    zero = np.zeros(m, dtype=np.float64)

    def zone(values: Any) -> list[float]:
        return list(np.where(buffer, values, zero).tolist())

    eoq = np.where(res.has_eoq, res.eoq, np.nan).tolist()
    cols: dict[str, list[Any]] = {
        "item_id": ids.tolist(),
        "item": rows["item"],
        "description": rows["description"],
        "unit": rows["unit"],
        "type": rows["type"],
        "lot_rule": rows["lot_rule"],
        "decimals": decimals[selected].tolist(),
        "buffer": buffer.tolist(),
        "window_days": use.window[selected].tolist(),
        "window_source": [window_source] * m,
        "min_window_days": [min_window] * m,
        "cover_days": use.cover[selected].tolist(),
        "parent_lead_time": parent_lt[selected].tolist(),
        "need": use.total[selected].tolist(),
        "adu": adu.tolist(),
        "sigma_d": use.sigma[selected].tolist(),
        "qualified_demand": use.due_now[selected].tolist(),
        "daily": _daily_texts(needs, selected, use.window, pd, n),
        "lead_time": lead[selected].tolist(),
        "sigma_lt": sigma_lt.tolist(),
        "lead_time_observations": observations.tolist(),
        "lead_time_sample": samples,
        "dlt": dlt.tolist(),
        "service_level": np.asarray(level, dtype=np.float64).tolist(),
        "service_level_source": level_src,
        "ordering_cost": np.asarray(cost, dtype=np.float64).tolist(),
        "ordering_cost_source": cost_src,
        "holding_pct": np.asarray(hold, dtype=np.float64).tolist(),
        "holding_pct_source": hold_src,
        "lead_time_factor": [ltf] * m,
        "variability_factor": [vf] * m,
        "unit_cost": rows["unit_cost"],
        "min_qty": rows["min_qty"],
        "multiple": rows["multiple"],
        "period_days": rows["period_days"],
        "on_hand": on_hand.tolist(),
        "in_transit": in_transit.tolist(),
        "on_order": on_order.tolist(),
        "in_production": in_production.tolist(),
        "position": position.tolist(),
        "z": res.z.tolist(),
        "safety_stock": res.safety_stock.tolist(),
        "reorder_point": res.reorder_point.tolist(),
        "annual_demand": res.annual_demand.tolist(),
        "holding_cost": res.holding_cost.tolist(),
        "eoq": [None if math.isnan(x) else x for x in eoq],
        "order_qty": res.order_qty.tolist(),
        "red": zone(res.red),
        "yellow": zone(res.yellow),
        "green": zone(res.green),
        "top_of_red": zone(res.top_of_red),
        "top_of_yellow": zone(res.top_of_yellow),
        "top_of_green": zone(res.top_of_green),
        "net_flow": zone(res.net_flow),
        "below": res.below.tolist(),
        "suggested_qty": res.suggested.tolist(),
        "target_safety_stock": np.where(buffer, res.top_of_red, res.safety_stock).tolist(),
        "target_min_qty": np.where(buffer, res.green, res.order_qty).tolist(),
        "current": list(zip(rows["safety_stock"], rows["min_qty"], rows["lot_qty"], strict=True)),
    }
    return cols, pd, load_seconds


def _own_settings(
    conn: Connection, item_ids: Any, position_of_id: Mapping[int, int]
) -> tuple[Any, Any, Any, Any]:
    """The selected items' own ordering cost, holding % and service level (NaN: the
    company default), and the buffer flag of every item of the snapshot."""
    m = len(position_of_id)
    own_cost, own_hold, own_level = (np.full(m, np.nan) for _ in range(3))
    buffer_all = np.zeros(len(item_ids), dtype=np.bool_)
    k_of_id = {int(i): k for k, i in enumerate(item_ids.tolist())}
    for item_id, cost, hold, level, is_buffer in conn.execute(
        select(
            PolicySetting.item_id,
            PolicySetting.ordering_cost,
            PolicySetting.holding_pct,
            PolicySetting.service_level,
            PolicySetting.buffer,
        )
    ):
        if is_buffer and item_id in k_of_id:
            buffer_all[k_of_id[item_id]] = True
        j = position_of_id.get(item_id)
        if j is not None:
            own_cost[j] = np.nan if cost is None else cost
            own_hold[j] = np.nan if hold is None else hold
            own_level[j] = np.nan if level is None else level
    return own_cost, own_hold, own_level, buffer_all


def _observed(
    conn: Connection, position_of_id: Mapping[int, int], m: int
) -> tuple[Any, Any, list[str]]:
    """Per selected item: how many lead times were observed, their sample std dev (0 with
    fewer than ``MIN_OBSERVATIONS``), and the first ``SAMPLE`` of them as text."""
    observations = np.zeros(m, dtype=np.int64)
    sigma_lt = np.zeros(m, dtype=np.float64)
    samples = [""] * m
    for item_id, observed in _lead_time_history(conn).items():
        j = position_of_id.get(item_id)
        if j is None:
            continue
        observations[j] = len(observed)
        if len(observed) >= MIN_OBSERVATIONS:
            sigma_lt[j] = float(np.std(np.asarray(observed, dtype=np.float64), ddof=1))
            samples[j] = ", ".join(str(d) for d in observed[:SAMPLE])
    return observations, sigma_lt, samples


def _daily_texts(
    needs: ep.Needs, selected: Any, window: Any, planning_date: int, n_items: int
) -> list[str]:
    """Per selected item, its window's need as ``offset:qty`` pairs (needs are sorted)."""
    inside = needs.day < planning_date + window[needs.item]
    chosen = np.zeros(n_items, dtype=np.bool_)
    chosen[selected] = True
    inside &= chosen[needs.item]
    item = needs.item[inside]
    pairs = [
        f"{o}:{q!r}"
        for o, q in zip(
            (needs.day[inside] - planning_date).tolist(), needs.qty[inside].tolist(), strict=True
        )
    ]
    lo = np.searchsorted(item, selected, side="left").tolist()
    hi = np.searchsorted(item, selected, side="right").tolist()
    return [",".join(pairs[a:b]) if b > a else "" for a, b in zip(lo, hi, strict=True)]


def _item_columns(
    conn: Connection, position_of_id: Mapping[int, int], m: int
) -> dict[str, list[Any]]:
    """The selected items' columns, in the selection's order."""
    names = (
        "item",
        "description",
        "unit",
        "type",
        "unit_cost",
        "lot_rule",
        "lot_qty",
        "min_qty",
        "multiple",
        "safety_stock",
        "period_days",
    )
    rows = conn.execute(
        select(
            Item.id,
            Item.code,
            Item.description,
            Item.uom,
            Item.type,
            Item.unit_cost,
            Item.lot_rule,
            Item.lot_qty,
            Item.min_qty,
            Item.multiple,
            Item.safety_stock,
            Item.period_days,
        ).where(Item.strategy == "mts")
    ).all()
    found = [(position_of_id.get(r[0], -1), r) for r in rows]
    at = np.asarray([j for j, _ in found if j >= 0], dtype=np.int64)
    kept = [r for j, r in found if j >= 0]
    columns = list(zip(*kept, strict=True)) if kept else [()] * 12
    out: dict[str, list[Any]] = {}
    for k, name in enumerate(names, start=1):
        values = np.full(m, None, dtype=object)
        values[at] = np.asarray(columns[k], dtype=object) if kept else values[at]
        out[name] = values.tolist()
    out["type"] = [str(getattr(v, "value", v)) for v in out["type"]]
    out["lot_rule"] = [str(getattr(v, "value", v)) for v in out["lot_rule"]]
    for name in ("unit_cost", "min_qty", "multiple", "safety_stock"):
        out[name] = [float(v) for v in out[name]]
    out["lot_qty"] = [None if v is None else float(v) for v in out["lot_qty"]]
    out["period_days"] = [int(v or 0) for v in out["period_days"]]
    return out


def _policies(cols: Mapping[str, list[Any]], pd: int) -> list[ItemPolicy]:
    day = date.fromordinal(pd)
    names = [*LINE_FIELDS, "current"]
    return [
        ItemPolicy(**dict(zip(names, values, strict=True)), planning_date=day)
        for values in zip(*(cols[name] for name in names), strict=True)
    ]


# --- the use cases ------------------------------------------------------------------------------


def compute(
    session: Session,
    *,
    items: Sequence[str] | None = None,
    window_days: int | None = None,
    service_level: float | None = None,
    today: date | None = None,
) -> list[ItemPolicy]:
    """The policy of every MTS item (or of ``items``), computed afresh and not stored;
    those below reorder point first."""
    end_read_transaction(session)
    with session.begin():
        cols, pd, _ = _compute(
            snapshot_connection(session),
            items=items,
            window_days=window_days,
            service_level=service_level,
            today=today,
        )
    out = _policies(cols, pd)
    out.sort(key=lambda p: (not p.below, p.item))
    return out


STORE_LOCK_KEY = 7_300_002  # PostgreSQL advisory lock: "replacing the policy lines"


def run_policy(
    session: Session,
    *,
    author: str,
    window_days: int | None = None,
    service_level: float | None = None,
    today: date | None = None,
    progress: Progress | None = None,
) -> PolicySummary:
    """Compute every MTS item's policy and store it as the newest run, replacing the
    previous run's lines in one transaction."""
    note = progress or (lambda _stage, _done, _total: None)
    started = clock.now()
    t0 = time.perf_counter()
    note("loading", 0, 4)
    end_read_transaction(session)
    with session.begin():
        cols, pd, load_seconds = _compute(
            snapshot_connection(session),
            items=None,
            window_days=window_days,
            service_level=service_level,
            today=today,
            progress=note,
        )
    t1 = time.perf_counter()
    note("storing", 2, 4)
    m = len(cols["item_id"])
    below = int(sum(cols["below"]))
    with session.begin():
        conn = session.connection(execution_options={WRITE: True})
        if conn.dialect.name == "postgresql":
            conn.execute(select(func.pg_advisory_xact_lock(STORE_LOCK_KEY)))
        conn.execute(delete(PolicyLine))
        run_id = conn.execute(
            insert(PolicyRun)
            .values(
                started_at=started,
                finished_at=started,
                author=author,
                planning_date=date.fromordinal(pd),
                window_days=window_days,
                service_level=service_level,
                items=m,
                below=below,
            )
            .returning(PolicyRun.id)
        ).scalar_one()
        data = {"policy_run_id": [run_id] * m, "item_id": cols["item_id"]}
        data |= {name: cols[name] for name in LINE_FIELDS}
        data["position"] = cols["position"]
        data["rank"] = [0 if b else 1 for b in cols["below"]]
        bulk_insert_columns(conn, PolicyLine, data)
        t2 = time.perf_counter()
        conn.execute(
            update(PolicyRun)
            .where(PolicyRun.id == run_id)
            .values(
                finished_at=clock.now(),
                load_seconds=load_seconds,
                compute_seconds=t1 - t0 - load_seconds,
                store_seconds=t2 - t1,
                seconds=t2 - t0,
            )
        )
    note("done", 4, 4)
    return PolicySummary(
        run_id=run_id,
        planning_date=date.fromordinal(pd),
        items=m,
        below=below,
        load_seconds=load_seconds,
        compute_seconds=t1 - t0 - load_seconds,
        store_seconds=t2 - t1,
        seconds=t2 - t0,
    )


def start_policy_job(session: Session, *, author: str) -> int:
    """Register a policy-run job; refused while another policy run or an import is open
    (the ``policy`` kind of ``services.jobs``). A plan run may go on meanwhile: they
    write different tables."""
    return job_records.start_job(session, "policy", author=author)


def summary_result(summary: PolicySummary) -> dict[str, Any]:
    """A policy run's summary as a job's (JSON) result."""
    return {
        "run_id": summary.run_id,
        "planning_date": summary.planning_date.isoformat(),
        "items": summary.items,
        "below": summary.below,
        "load_seconds": round(summary.load_seconds, 3),
        "compute_seconds": round(summary.compute_seconds, 3),
        "store_seconds": round(summary.store_seconds, 3),
        "seconds": round(summary.seconds, 3),
    }


def _run_view(run: PolicyRun) -> PolicyRunView:
    return PolicyRunView(
        run.id,
        run.started_at,
        run.finished_at,
        run.author,
        run.planning_date,
        run.window_days,
        run.service_level,
        run.items,
        run.below,
        run.load_seconds,
        run.compute_seconds,
        run.store_seconds,
        run.seconds,
    )


def latest_run(session: Session) -> PolicyRunView | None:
    """The newest policy run, whose lines are stored; None before the first."""
    run = session.scalars(select(PolicyRun).order_by(PolicyRun.id.desc()).limit(1)).first()
    return None if run is None else _run_view(run)


SORTS: dict[str, Any] = {
    "item": PolicyLine.item,
    "adu": PolicyLine.adu,
    "lead_time": PolicyLine.lead_time,
    "safety_stock": PolicyLine.safety_stock,
    "reorder_point": PolicyLine.reorder_point,
    "order_qty": PolicyLine.order_qty,
    "position": PolicyLine.position,
    "suggested_qty": PolicyLine.suggested_qty,
}
"""What the list sorts by (``-name``: descending); ties by item code."""


def _line_query() -> Any:
    columns = [getattr(PolicyLine, name) for name in LINE_FIELDS]
    return (
        select(*columns, PolicyRun.planning_date, Item.safety_stock, Item.min_qty, Item.lot_qty)
        .join(PolicyRun, PolicyRun.id == PolicyLine.policy_run_id)
        .outerjoin(Item, Item.code == PolicyLine.item)
    )


def _from_row(row: Sequence[Any]) -> ItemPolicy:
    k = len(LINE_FIELDS)
    values = dict(zip(LINE_FIELDS, row[:k], strict=True))
    values["buffer"] = bool(values["buffer"])
    values["below"] = bool(values["below"])
    ss, mq, lq = row[k + 1], row[k + 2], row[k + 3]
    current = (
        None if ss is None else float(ss),
        None if mq is None else float(mq),
        None if lq is None else float(lq),
    )
    return ItemPolicy(**values, planning_date=row[k], current=current)


def _search(text: str) -> Any:
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(
        PolicyLine.item.ilike(pattern, escape="\\"),
        PolicyLine.description.ilike(pattern, escape="\\"),
    )


def policy_page(
    session: Session,
    *,
    below_only: bool = False,
    q: str | None = None,
    sort: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> PolicyPage:
    """One page of the latest run's lines (default order: to order first, then by item)."""
    run = latest_run(session)
    if run is None:
        return PolicyPage(None, [], 0)
    conditions = []
    if below_only:
        conditions.append(PolicyLine.rank == 0)
    if q and q.strip():
        conditions.append(_search(q.strip()[:200]))
    order: list[Any] = []
    for part in (sort or "").split(","):
        name = part.strip()
        if not name:
            continue
        descending = name.startswith("-")
        name = name.lstrip("-+")
        if name not in SORTS:
            known = ", ".join(sorted(SORTS))
            raise ValidationError(f"cannot sort by {name!r} (can: {known})", field="sort")
        order.append(SORTS[name].desc() if descending else SORTS[name].asc())
    if not order:
        order = [PolicyLine.rank]
    if below_only and not conditions[1:]:
        total = run.below
    elif not conditions:
        total = run.items
    else:
        total = int(
            session.scalar(select(func.count()).select_from(PolicyLine).where(*conditions)) or 0
        )
    stmt = _line_query().where(*conditions).order_by(*order, PolicyLine.item)
    rows = session.execute(stmt.limit(limit).offset(offset)).all()
    return PolicyPage(run, [_from_row(r) for r in rows], total)


def _stored(session: Session, codes: Sequence[str]) -> dict[str, ItemPolicy]:
    out: dict[str, ItemPolicy] = {}
    for start in range(0, len(codes), 500):
        chunk = list(codes[start : start + 500])
        for row in session.execute(_line_query().where(PolicyLine.item.in_(chunk))):
            p = _from_row(row)
            out[p.item] = p
    return out


def _require_run(session: Session) -> PolicyRunView:
    run = latest_run(session)
    if run is None:
        raise NotFoundError(
            "there is no policy run yet: start one (`pegboard policy run`, "
            "POST /api/policy/runs, or Recompute on the Stock policy page)",
            field="run",
        )
    return run


def explain(session: Session, item: str) -> Explanation:
    """One item's policy from the latest run, with the daily need behind its ADU and σd."""
    strategy = session.scalar(select(Item.strategy).where(Item.code == item))
    if strategy is None:
        raise NotFoundError(f"no item {item!r}", item=item, field="item")
    if str(getattr(strategy, "value", strategy)) != "mts":
        raise NotFoundError(
            f"{item} is make-to-order: it has no stock policy", item=item, field="item"
        )
    run = _require_run(session)
    found = _stored(session, [item]).get(item)
    if found is None:
        raise NotFoundError(
            f"{item} is not in the latest policy run (run {run.id} of "
            f"{run.finished_at:%Y-%m-%d %H:%M}); recompute to include it",
            item=item,
            field="item",
        )
    return Explanation(found, found.planning_date, found.daily_need, run)


def preview(session: Session, items: Sequence[str] | None = None) -> list[ItemPolicy]:
    """The latest run's policies (of ``items``, else all) that ``apply`` would change."""
    _require_run(session)
    if items is None:
        stmt = _line_query().order_by(PolicyLine.item)
        found = [_from_row(r) for r in session.execute(stmt)]
    else:
        codes = list(dict.fromkeys(c.strip() for c in items if c.strip()))
        stored = _stored(session, codes)
        missing = [c for c in codes if c not in stored]
        if missing:
            raise NotFoundError(
                f"not in the latest policy run: {', '.join(missing[:20])}",
                item=missing[0],
                field="items",
            )
        found = [stored[c] for c in sorted(codes)]
    return [p for p in found if p.changes]


def _item_id(session: Session, code: str) -> int:
    item_id = session.scalar(select(Item.id).where(Item.code == code))
    if item_id is None:
        raise NotFoundError(f"no item {code!r}", item=code, field="item")
    return item_id


def get_item_policy(session: Session, item: str) -> PolicySettingView:
    """The item's own policy settings (empty fields take the company defaults)."""
    row = session.get(PolicySetting, _item_id(session, item))
    if row is None:
        return PolicySettingView(item, None, None, None, False)
    return PolicySettingView(
        item, row.ordering_cost, row.holding_pct, row.service_level, row.buffer
    )


SETTING_FIELDS = ("ordering_cost", "holding_pct", "service_level", "buffer")


@writes
def set_item_policy(
    session: Session, item: str, changes: Mapping[str, object], *, author: str
) -> PolicySettingView:
    """Change an item's policy settings; a cost or service level of None goes back to the
    company default. Fields left out keep their values."""
    unknown = sorted(set(changes) - set(SETTING_FIELDS))
    if unknown:
        raise ValidationError(
            f"unknown policy field(s) {', '.join(unknown)} (known: {', '.join(SETTING_FIELDS)})",
            field=unknown[0],
        )
    item_id = _item_id(session, item)
    strategy = session.scalar(select(Item.strategy).where(Item.id == item_id))
    if str(strategy) != "mts":
        raise ValidationError(
            f"{item} is make-to-order: it has no stock policy", item=item, field="item"
        )
    cleaned: dict[str, object] = {}
    for name, value in changes.items():
        if name == "buffer":
            if not isinstance(value, bool):
                raise ValidationError(f"buffer must be true or false, not {value!r}", field=name)
            cleaned[name] = value
        elif value is None:
            cleaned[name] = None
        elif name == "service_level":
            cleaned[name] = _check_service_level(value, name)
        else:
            cleaned[name] = _check_cost(value, name)
    row = session.get(PolicySetting, item_id, with_for_update=for_update(session))
    if row is None:
        row = PolicySetting(item_id=item_id, buffer=False)
        session.add(row)
    before = {name: getattr(row, name) for name in SETTING_FIELDS}
    before["buffer"] = bool(before["buffer"])
    changed = {name: value for name, value in cleaned.items() if before[name] != value}
    if changed:
        for name, value in changed.items():
            setattr(row, name, value)
        session.flush()
        audit.record(
            session,
            author=author,
            entity="item_policy",
            ref=item,
            action="update",
            before={name: before[name] for name in changed},
            after=changed,
        )
    return PolicySettingView(
        item, row.ordering_cost, row.holding_pct, row.service_level, bool(row.buffer)
    )


@writes
def apply(session: Session, items: Sequence[str] | None = None, *, author: str) -> list[ItemPolicy]:
    """Write safety stock, min qty and (foq) lot qty of the latest run's policies (of
    ``items``, else all) to the items, with an audit entry per changed item; returns the
    policies that changed something (their ``changes`` as they were before)."""
    changed = preview(session, items)
    if not changed:
        return []
    objects: dict[str, Item] = {}
    codes = [p.item for p in changed]
    for start in range(0, len(codes), 500):
        stmt = select(Item).where(Item.code.in_(codes[start : start + 500])).order_by(Item.id)
        if for_update(session):
            stmt = stmt.with_for_update()
        objects |= {i.code: i for i in session.scalars(stmt)}
    out: list[ItemPolicy] = []
    for p in changed:
        obj = objects.get(p.item)
        if obj is None or str(getattr(obj.strategy, "value", obj.strategy)) != "mts":
            continue
        now = (obj.safety_stock, obj.min_qty, obj.lot_qty)
        fresh = ItemPolicy(
            **{f.name: getattr(p, f.name) for f in fields(ItemPolicy) if f.name != "current"},
            current=now,
        )
        if not fresh.changes:
            continue
        for c in fresh.changes:
            setattr(obj, c.field, c.after)
        audit.record(
            session,
            author=author,
            entity="item",
            ref=p.item,
            action="policy_apply",
            before={c.field: c.before for c in fresh.changes},
            after={c.field: c.after for c in fresh.changes},
            note=f"pegboard policy: ADU {ep.num(p.adu)} over {p.window_days} days, "
            f"service level {ep.num(p.service_level, 3)}",
        )
        out.append(fresh)
    session.flush()
    return out

"""One item's policy as stored (a ``policy_line``): every input and result number;
the texts (its inputs with where they came from, the reorder-point formulas, the
buffer zones) are built from those numbers only when the item is shown."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from functools import cached_property

from pegboard.engine import policy as ep
from pegboard.engine.policy import BufferZones, Figure
from pegboard.model.enums import (
    LotRule,
)
from pegboard.services import wording
from pegboard.services.policy.inputs import MIN_OBSERVATIONS, SAMPLE

__all__ = [
    "COMPANY_DEFAULT",
    "DIGITS",
    "LINE_FIELDS",
    "QUANTITY_FIGURES",
    "BufferZones",
    "Change",
    "Figure",
    "ItemPolicy",
    "Position",
]
"""``BufferZones`` and ``Figure`` are the engine's: an item policy's zones and formulas are
of those types, so they are named with it."""

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


COMPANY_DEFAULT = "company default "


def _fmt_day(ordinal: int) -> str:
    return date.fromordinal(ordinal).isoformat()


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
    ordering_cost: Decimal
    ordering_cost_source: str
    holding_pct: float
    holding_pct_source: str
    lead_time_factor: float
    variability_factor: float
    unit_cost: Decimal
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
    holding_cost: Decimal
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
                ordering_cost=float(self.ordering_cost),
                holding_pct=self.holding_pct,
                unit_cost=float(self.unit_cost),
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
                f"W = {wording.plural(w, 'day')} ({w_src}): {self.window_dates}",
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
            Figure(
                "L",
                float(self.lead_time),
                f"L = item lead time = {wording.plural(self.lead_time, 'day')}",
            ),
            Figure("σL", self.sigma_lt, f"σL = {slt_text}"),
            Figure(
                "service level",
                self.service_level,
                f"{num(self.service_level, 3)} ({self.service_level_source})",
            ),
            Figure(
                "ordering cost S",
                float(self.ordering_cost),
                f"S = {num(float(self.ordering_cost))} per order ({self.ordering_cost_source})",
            ),
            Figure(
                "holding %",
                self.holding_pct,
                f"{num(self.holding_pct)} % of unit cost per year ({self.holding_pct_source})",
            ),
            Figure(
                "unit cost", float(self.unit_cost), f"item unit cost = {num(float(self.unit_cost))}"
            ),
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
            cover += f", {wording.plural(self.cover_days, 'calendar day')}"
        else:
            cover += f" = {wording.plural(self.cover_days, 'day')}"
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

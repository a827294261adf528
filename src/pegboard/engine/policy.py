"""Inventory policy of common (MTS) components, from the open order backlog.

There is no sales history worth forecasting in make-to-order, but the open
sales lines, exploded through their BOMs, say how much of every component
will be used and when. This module turns a ``PlanInput`` into that usage and
computes, per item, a reorder-point policy and (for strategic buffers) DDMRP
zones, each number with the formula that gave it, written out with its
figures so a planner can check it by hand.

**Gross explosion** (``gross_needs``). Each open sales line's remaining
quantity is need of its item on its due date. Items are taken level by level
(low-level codes over master and order-specific BOM lines); the need of a make
item on day d explodes into need of each component line on ``d - lead_time``
of ``qty × qty_per × (1 + scrap_pct/100)``, through the sales order's own rows
for that parent when it has any, else the master rows (the planner's choice,
``explode.BomIndex``). Buy items do not explode. Nothing is netted: stock, open
orders and safety stock are ignored, since this is *usage*, not net
requirements (an order whose components were already issued still counts; a
sub-assembly in stock still passes its need on). Need dated before the
planning date counts on the planning date. The horizon is not applied. With a
plant calendar a parent's need on day d is its components' need on ``back(d,
lead time)`` (rule 1: made in working days); with every day working that is
``d - lead time``.

**Figures** are quantities a planner acts on: safety stock, reorder point,
order quantity, suggested order and buffer zones are rounded up to the item's
decimal places (``scale`` = 10 ** decimals, 0 = not rounded), the order quantity
after it is raised to ``min_qty`` and rounded up to ``multiple`` (rule 7's
steps, ``lots.lot_size``, without a FOQ ``lot_qty``: the policy is what proposes it).

**Usage** (``usage``). Per item a forward window of W days from the planning
date ``pd``: the given window, else the days its lead-time cover spans
(``cover_days``: its own lead time plus the longest cumulative lead time of its
parents over the paths from the item up to an end item, working days where the
rules count working days), but at least ``min_window_days`` (28 unless the caller
says otherwise), so that the backlog that will be felt within the item's
replenishment and its parents' making is in the average.
ADU = need in ``[pd, pd + W)`` / W; σd = population standard deviation of the
W daily totals, days without need counting as 0.

**Formulas** (``reorder_policy``, ``buffer_zones``): see their docstrings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from pegboard.engine._arrays import group_starts, lex_order, ranges
from pegboard.engine.calendar import WorkCalendar
from pegboard.engine.explode import BomIndex
from pegboard.engine.levels import low_level_codes
from pegboard.engine.lots import TOL
from pegboard.engine.types import NO_ORDER, BoolArray, FloatArray, IntArray, PlanInput

DEFAULT_MIN_WINDOW_DAYS = 28
"""The shortest default window unless the caller gives another minimum."""
DAYS_PER_YEAR = 365


# --- usage from the backlog ------------------------------------------------------------------


@dataclass(frozen=True)
class Needs:
    """Gross need per (item, day), summed, days clamped to the planning date; sorted."""

    item: IntArray
    day: IntArray
    qty: FloatArray

    def __len__(self) -> int:
        return len(self.item)


def _sum_rows(
    item: IntArray, so: IntArray, day: IntArray, qty: FloatArray
) -> tuple[IntArray, IntArray, IntArray, FloatArray]:
    """Rows summed per (item, sales order, day), sorted by those keys."""
    if item.size == 0:
        return item, so, day, qty
    order = lex_order(item, so + 1, day)
    item, so, day, qty = item[order], so[order], day[order], qty[order]
    starts = group_starts(item, so, day)
    return item[starts], so[starts], day[starts], np.add.reduceat(qty, starts)


def gross_needs(inp: PlanInput, llc: IntArray | None = None) -> Needs:
    """The backlog exploded through the BOMs, level by level (see the module docstring)."""
    items = inp.items
    n = len(items)
    pd = inp.settings.planning_date
    calendar = inp.settings.calendar
    if llc is None:
        llc = low_level_codes(n, inp.bom.parent, inp.bom.component)
    index = BomIndex(inp.bom, len(inp.sales_orders))
    d = inp.demands
    keep = np.asarray(d.qty, dtype=np.float64) > TOL
    item = np.asarray(d.item, dtype=np.int64)[keep]
    so = np.asarray(d.sales_order, dtype=np.int64)[keep]
    day = np.asarray(d.due, dtype=np.int64)[keep]
    qty = np.asarray(d.qty, dtype=np.float64)[keep]
    out_item: list[IntArray] = []
    out_day: list[IntArray] = []
    out_qty: list[FloatArray] = []
    level = 0
    while item.size:
        item, so, day, qty = _sum_rows(item, so, day, qty)
        here = llc[item] <= level
        out_item.append(item[here])
        out_day.append(day[here])
        out_qty.append(qty[here])
        make = here & items.is_make[item]
        lo, hi = index.lines(item[make], so[make])
        counts = hi - lo
        rows = ranges(lo, counts)
        owner = np.repeat(np.flatnonzero(make), counts)
        later = ~here
        child_day = calendar.back(day[owner], items.lead_time[item[owner]])
        child_qty = qty[owner] * index.factor[rows]
        item = np.concatenate([item[later], index.component[rows]])
        so = np.concatenate([so[later], so[owner]])
        day = np.concatenate([day[later], child_day])
        qty = np.concatenate([qty[later], child_qty])
        level += 1
    if not out_item:
        empty = np.zeros(0, dtype=np.int64)
        return Needs(empty, empty.copy(), np.zeros(0, dtype=np.float64))
    all_item = np.concatenate(out_item)
    all_day = np.maximum(np.concatenate(out_day), pd)
    all_qty = np.concatenate(out_qty)
    none = np.full(all_item.size, NO_ORDER, dtype=np.int64)
    s_item, _, s_day, s_qty = _sum_rows(all_item, none, all_day, all_qty)
    return Needs(s_item, s_day, s_qty)


def parent_lead_times(
    n_items: int, parent: IntArray, component: IntArray, lead_time: IntArray, llc: IntArray
) -> IntArray:
    """Per item, the longest sum of parents' lead times on a path up to an end item (0 for
    an end item), over every BOM line (master and order-specific)."""
    out = np.zeros(n_items, dtype=np.int64)
    parent = np.asarray(parent, dtype=np.int64)
    component = np.asarray(component, dtype=np.int64)
    if parent.size == 0:
        return out
    plevel = llc[parent]
    by_level = np.argsort(plevel, kind="stable")
    bounds = np.searchsorted(plevel[by_level], np.arange(int(plevel.max()) + 2))
    for level in range(int(plevel.max()) + 1):
        edges = by_level[bounds[level] : bounds[level + 1]]
        if edges.size:
            p = parent[edges]
            np.maximum.at(out, component[edges], out[p] + lead_time[p])
    return out


@dataclass(frozen=True)
class Backlog:
    """What the open backlog of a plan input asks of every item (by position): its gross
    needs, its parents' cumulative lead time, its usage over its window, and the
    low-level codes they were exploded by."""

    needs: Needs
    parent_lead_time: IntArray
    usage: Usage
    llc: IntArray


def backlog(
    inp: PlanInput,
    llc: IntArray,
    window_days: int | None = None,
    min_window_days: int = DEFAULT_MIN_WINDOW_DAYS,
) -> Backlog:
    """The usage side of every item's policy, from the whole input at once: the gross
    needs, each item's lead-time cover and its ADU and σd over its window (``usage``)."""
    n = len(inp.items.code)
    lead = inp.items.lead_time
    pd = inp.settings.planning_date
    parent_lt = parent_lead_times(n, inp.bom.parent, inp.bom.component, lead, llc)
    needs = gross_needs(inp, llc)
    cover = cover_days(pd, lead, inp.items.is_make, parent_lt, inp.settings.calendar)
    use = usage(needs, n, pd, cover, window_days, min_window_days)
    return Backlog(needs, parent_lt, use, llc)


def buffer_lead_times(inp: PlanInput, llc: IntArray, buffer: BoolArray) -> IntArray:
    """Every item's DDMRP decoupled lead time given which items are buffers
    (``decoupled_lead_times``); its own lead time when there is no buffer at all."""
    if not buffer.any():
        return inp.items.lead_time
    b = inp.bom
    lead = inp.items.lead_time
    n = len(inp.items.code)
    return decoupled_lead_times(
        n, b.parent, b.component, b.sales_order, lead, inp.items.is_make, buffer, llc
    )


def decoupled_lead_times(
    n_items: int,
    parent: IntArray,
    component: IntArray,
    sales_order: IntArray,
    lead_time: IntArray,
    is_make: BoolArray,
    buffer: BoolArray,
    llc: IntArray,
) -> IntArray:
    """DDMRP decoupled lead time: a buy item's lead time; a make item's lead time plus the
    longest decoupled lead time of its master-BOM components that are not buffers
    themselves (a buffered component decouples: it adds 0)."""
    dlt = np.asarray(lead_time, dtype=np.int64).copy()
    master = np.asarray(sales_order, dtype=np.int64) == NO_ORDER
    par = np.asarray(parent, dtype=np.int64)[master]
    comp = np.asarray(component, dtype=np.int64)[master]
    if par.size == 0:
        return dlt
    plevel = llc[par]
    for level in range(int(plevel.max()), -1, -1):
        at = plevel == level
        if not at.any():
            continue
        p, c = par[at], comp[at]
        contrib = np.where(buffer[c], 0, dlt[c])
        longest = np.zeros(n_items, dtype=np.int64)
        np.maximum.at(longest, p, contrib)
        parents = np.unique(p)
        parents = parents[is_make[parents]]
        dlt[parents] = lead_time[parents] + longest[parents]
    return dlt


def cover_days(
    planning_date: int,
    lead_time: IntArray,
    is_make: BoolArray,
    parent_lead_time: IntArray,
    calendar: WorkCalendar | None = None,
) -> IntArray:
    """Per item, the calendar days from the planning date its lead-time cover spans: its
    own lead time plus its parents' cumulative lead time. Make lead times (the parents',
    and the item's own when it is made) count working days of ``calendar`` (rule 1), so
    they span ``fwd(pd, n) - pd`` calendar days; a buy item's own lead time is calendar
    days. Without a calendar, or with every day working, it is the plain sum."""
    own = np.asarray(lead_time, dtype=np.int64)
    make = np.asarray(is_make, dtype=np.bool_)
    working = np.asarray(parent_lead_time, dtype=np.int64) + np.where(make, own, 0)
    if calendar is None or calendar.every_day:
        span = working
    else:
        start = np.full(working.size, planning_date, dtype=np.int64)
        span = np.where(working > 0, calendar.fwd(start, working) - planning_date, 0)
    out: IntArray = span + np.where(make, 0, own)
    return out


@dataclass(frozen=True)
class Usage:
    """Per item position: the window and the usage over it."""

    window: IntArray  # days
    cover: IntArray  # calendar days of the item's lead-time cover (``cover_days``)
    total: FloatArray  # need in [pd, pd + window)
    adu: FloatArray
    sigma: FloatArray  # population std dev of the window's daily totals
    due_now: FloatArray  # need on pd (overdue included): DDMRP's qualified demand


def usage(
    needs: Needs,
    n_items: int,
    planning_date: int,
    cover: IntArray,
    window_days: int | None = None,
    min_window_days: int = DEFAULT_MIN_WINDOW_DAYS,
) -> Usage:
    """ADU and σd per item over its window: ``window_days`` when given, else the item's
    ``cover`` (``cover_days``) but at least ``min_window_days``."""
    cover = np.asarray(cover, dtype=np.int64)
    if window_days is not None:
        window = np.full(n_items, window_days, dtype=np.int64)
    else:
        window = np.maximum(cover, max(int(min_window_days), 1))
    inside = needs.day < planning_date + window[needs.item]
    item = needs.item[inside]
    qty = needs.qty[inside]
    total = np.bincount(item, weights=qty, minlength=n_items).astype(np.float64)
    squares = np.bincount(item, weights=qty * qty, minlength=n_items).astype(np.float64)
    w = window.astype(np.float64)
    adu = total / w
    variance = np.maximum(squares / w - adu * adu, 0.0)
    now = needs.day == planning_date
    due_now = np.bincount(needs.item[now], weights=needs.qty[now], minlength=n_items)
    return Usage(
        window=window,
        cover=cover,
        total=total,
        adu=adu,
        sigma=np.sqrt(variance),
        due_now=due_now.astype(np.float64),
    )


def daily_series(needs: Needs, item: int, planning_date: int, window: int) -> FloatArray:
    """The need of one item per day of its window (day 0 = the planning date)."""
    rows = (needs.item == item) & (needs.day < planning_date + window)
    out = np.zeros(window, dtype=np.float64)
    np.add.at(out, needs.day[rows] - planning_date, needs.qty[rows])
    return out


# --- formulas -------------------------------------------------------------------------------


def num(value: float, digits: int = 2) -> str:
    """A figure as written in a formula: fixed decimals, no thousands separator, no -0."""
    text = f"{value:.{digits}f}"
    return text.lstrip("-") if float(text) == 0 else text


@dataclass(frozen=True)
class Figure:
    """One number of a policy and how it was obtained."""

    name: str
    value: float | None
    formula: str


def round_up(qty: float, scale: float) -> float:
    """Up to the item's decimal places (``scale`` = 10 ** decimals, 0 = not rounded), with
    ``TOL`` forgiven as by every rounding up of the rules; 0 stays 0 (a policy figure may
    be nothing, unlike a planned order)."""
    if scale <= 0:
        return qty
    return max(math.ceil((qty - TOL) * scale), 0) / scale


def round_order(qty: float, min_qty: float, multiple: float, scale: float = 0.0) -> float:
    """Raised to ``min_qty``, then up to a multiple of ``multiple`` (0 = none), then up to
    the item's decimal places: rule 7's steps after the lot rule (``lots.lot_size``)."""
    q = max(qty, min_qty)
    if multiple > 0 and q > 0:
        q = max(1, math.ceil((q - TOL) / multiple)) * multiple
    return round_up(q, scale)


def places_of(scale: float) -> int:
    """The decimal places a scale stands for (-1: not rounded)."""
    return round(math.log10(scale)) if scale > 0 else -1


def qty_text(value: float, scale: float) -> str:
    """A rounded quantity as written: with the item's decimal places (``num`` when the
    item's quantities are not rounded)."""
    digits = places_of(scale)
    return num(value) if digits < 0 else num(value, digits)


def _places_text(scale: float) -> str:
    digits = places_of(scale)
    return "whole units" if digits == 0 else f"{digits} decimal{'s' if digits != 1 else ''}"


def _up(raw: float, value: float, scale: float) -> str:
    """``= raw`` and, when rounding changed it, what it was rounded up to."""
    if scale <= 0:
        return f"= {num(raw)}"
    if abs(value - raw) <= TOL:
        return f"= {qty_text(value, scale)}"
    return f"= {num(raw, max(2, places_of(scale) + 1))}, up to {_places_text(scale)}: " + (
        qty_text(value, scale)
    )


def _rounding_text(raw: str, min_qty: float, multiple: float, scale: float = 0.0) -> str:
    text = f"max({raw}, min_qty {num(min_qty)})"
    if multiple > 0:
        text = f"⌈{text} / {num(multiple)}⌉ × {num(multiple)}"
    if scale > 0:
        text = f"{text} up to {_places_text(scale)}"
    return text


@dataclass(frozen=True)
class ReorderInputs:
    adu: float
    sigma_d: float
    lead_time: float
    sigma_lt: float
    service_level: float
    ordering_cost: float
    holding_pct: float
    unit_cost: float
    min_qty: float
    multiple: float
    position: float
    scale: float = 0.0  # 10 ** the item's decimals; 0 = quantities not rounded
    need: float | None = None  # the need in the window behind ADU, to say where D comes from
    window_days: int | None = None
    window: str = ""  # the window's first and last day, as the explanation writes them


@dataclass(frozen=True)
class ReorderPolicy:
    z: float
    safety_stock: float
    reorder_point: float
    annual_demand: float
    holding_cost: float
    eoq: float | None  # None when there is no demand or no holding cost
    order_qty: float
    below: bool
    suggested: float
    figures: tuple[Figure, ...]


def _annual_text(p: ReorderInputs, d: float) -> str:
    if p.need is None or not p.window_days:
        return f"D = ADU × 365 = {num(p.adu)} × 365 = {num(d)}"
    where = f" ({p.window})" if p.window else ""
    return (
        f"D = ADU × 365, extrapolated from the need of the {p.window_days}-day window{where}: "
        f"{num(p.need)} / {p.window_days} × 365 = {num(d)}"
    )


def reorder_policy(p: ReorderInputs) -> ReorderPolicy:
    """Reorder point and order quantity.

    z = NormalDist().inv_cdf(service level); SS = z·√(L·σd² + ADU²·σL²) (demand
    and lead time variability, independent); ROP = ADU·L + SS; D = ADU·365 (the
    window's need extrapolated to a year); H = unit cost · holding % / 100; EOQ =
    √(2·D·S/H). Without demand or holding cost there is no EOQ: the quantity is
    then a lead time's usage, ADU·max(L, 1). Q = that raised to min_qty and rounded
    up to the multiple. SS, ROP and Q are rounded up to the item's decimal places.
    The item is below its reorder point when it has usage and position ≤ ROP; the
    suggested order is then the smallest n·Q with position + n·Q > ROP.
    """
    z = NormalDist().inv_cdf(p.service_level)
    adu, sd, lt, slt, scale = p.adu, p.sigma_d, p.lead_time, p.sigma_lt, p.scale
    ss_raw = max(z, 0.0) * math.sqrt(lt * sd * sd + adu * adu * slt * slt)
    ss = round_up(ss_raw, scale)
    rop_raw = adu * lt + ss
    rop = round_up(rop_raw, scale)
    d = adu * DAYS_PER_YEAR
    h = p.unit_cost * p.holding_pct / 100.0
    s = p.ordering_cost
    figures = [
        Figure("z", z, f"z = Φ⁻¹(service level {num(p.service_level, 3)}) = {num(z, 3)}"),
        Figure(
            "safety stock",
            ss,
            f"SS = z × √(L·σd² + ADU²·σL²) = {num(max(z, 0.0), 3)} × √({num(lt)} × "
            f"{num(sd)}² + {num(adu)}² × {num(slt)}²) {_up(ss_raw, ss, scale)}",
        ),
        Figure(
            "reorder point",
            rop,
            f"ROP = ADU × L + SS = {num(adu)} × {num(lt)} + {qty_text(ss, scale)} "
            f"{_up(rop_raw, rop, scale)}",
        ),
        Figure("annual demand", d, _annual_text(p, d)),
        Figure(
            "holding cost",
            h,
            f"H = unit cost × holding % / 100 = {num(p.unit_cost)} × {num(p.holding_pct)} "
            f"/ 100 = {num(h)} per unit and year",
        ),
    ]
    eoq: float | None
    if d > TOL and h > TOL:
        eoq = math.sqrt(2.0 * d * s / h)
        figures.append(
            Figure(
                "EOQ",
                eoq,
                f"EOQ = √(2 × D × S / H) = √(2 × {num(d)} × {num(s)} / {num(h)}) = {num(eoq)}",
            )
        )
        raw, raw_text = eoq, f"EOQ {num(eoq)}"
    else:
        eoq = None
        why = "no usage in the window" if d <= TOL else "no holding cost (unit cost or %)"
        raw = adu * max(lt, 1.0)
        figures.append(Figure("EOQ", None, f"EOQ: none ({why})"))
        raw_text = f"ADU × max(L, 1) = {num(adu)} × {num(max(lt, 1.0))} = {num(raw)}"
    q = round_order(raw, p.min_qty, p.multiple, scale)
    figures.append(
        Figure(
            "order qty",
            q,
            f"Q = {_rounding_text(raw_text, p.min_qty, p.multiple, scale)} = {qty_text(q, scale)}",
        )
    )
    below = adu > TOL and p.position <= rop + TOL
    suggested = 0.0
    if below:
        if q > TOL:
            n = math.floor((rop - p.position) / q + TOL) + 1
            suggested = round_up(n * q, scale)
            text = (
                f"position {num(p.position)} ≤ ROP {qty_text(rop, scale)}: n × Q with n = "
                f"⌊(ROP − position) / Q⌋ + 1 = ⌊({qty_text(rop, scale)} − {num(p.position)}) / "
                f"{qty_text(q, scale)}⌋ + 1 = {n}; {n} × {qty_text(q, scale)} = "
                f"{qty_text(suggested, scale)}"
            )
        else:
            text = f"position {num(p.position)} ≤ ROP {qty_text(rop, scale)}, but Q is 0"
    elif adu <= TOL:
        text = "no order: no usage in the window"
    else:
        text = f"no order: position {num(p.position)} > ROP {qty_text(rop, scale)}"
    figures.append(Figure("suggested order", suggested, text))
    return ReorderPolicy(z, ss, rop, d, h, eoq, q, below, suggested, tuple(figures))


@dataclass(frozen=True)
class BufferInputs:
    adu: float
    dlt: float
    lead_time_factor: float
    variability_factor: float
    min_qty: float
    multiple: float
    period_days: int
    on_hand: float
    on_order: float
    qualified_demand: float
    scale: float = 0.0  # 10 ** the item's decimals; 0 = quantities not rounded


@dataclass(frozen=True)
class BufferZones:
    dlt: float
    red_base: float
    red_safety: float
    red: float
    yellow: float
    green: float
    top_of_red: float
    top_of_yellow: float
    top_of_green: float
    net_flow: float
    order: bool
    suggested: float
    figures: tuple[Figure, ...]


def buffer_zones(b: BufferInputs) -> BufferZones:
    """DDMRP zones (Ptak & Smith).

    red base = ADU·DLT·LTF; red safety = red base·VF; red = base + safety;
    yellow = ADU·DLT; green = max(ADU·DLT·LTF, min_qty, ADU·period_days); each
    zone rounded up to the item's decimal places; tops are cumulative. Net flow
    position = free on hand + on order − qualified demand (need due on or before
    the planning date). Order when NFP ≤ top of yellow: top of green − NFP,
    raised to min_qty, rounded up to the multiple and to the decimal places.
    """
    adu, dlt, ltf, vf, scale = b.adu, b.dlt, b.lead_time_factor, b.variability_factor, b.scale
    red_base = adu * dlt * ltf
    red_safety = red_base * vf
    red_raw = red_base + red_safety
    red = round_up(red_raw, scale)
    yellow_raw = adu * dlt
    yellow = round_up(yellow_raw, scale)
    by_period = adu * b.period_days
    green_raw = max(red_base, b.min_qty, by_period)
    green = round_up(green_raw, scale)
    tor = red
    toy = round_up(red + yellow, scale)
    tog = round_up(toy + green, scale)
    nfp = b.on_hand + b.on_order - b.qualified_demand
    order = adu > TOL and nfp <= toy + TOL
    suggested = round_order(tog - nfp, b.min_qty, b.multiple, scale) if order else 0.0

    def q(value: float) -> str:
        return qty_text(value, scale)

    figures = [
        Figure("DLT", dlt, f"DLT = decoupled lead time = {num(dlt)} days"),
        Figure(
            "red base",
            red_base,
            f"red base = ADU × DLT × LTF = {num(adu)} × {num(dlt)} × {num(ltf)} = {num(red_base)}",
        ),
        Figure(
            "red safety",
            red_safety,
            f"red safety = red base × VF = {num(red_base)} × {num(vf)} = {num(red_safety)}",
        ),
        Figure(
            "red",
            red,
            f"red = red base + red safety = {num(red_base)} + {num(red_safety)} "
            f"{_up(red_raw, red, scale)}",
        ),
        Figure(
            "yellow",
            yellow,
            f"yellow = ADU × DLT = {num(adu)} × {num(dlt)} {_up(yellow_raw, yellow, scale)}",
        ),
        Figure(
            "green",
            green,
            f"green = max(ADU × DLT × LTF, min_qty, ADU × period) = max({num(red_base)}, "
            f"{num(b.min_qty)}, {num(adu)} × {b.period_days}) {_up(green_raw, green, scale)}",
        ),
        Figure("top of red", tor, f"TOR = red = {q(tor)}"),
        Figure("top of yellow", toy, f"TOY = TOR + yellow = {q(tor)} + {q(yellow)} = {q(toy)}"),
        Figure("top of green", tog, f"TOG = TOY + green = {q(toy)} + {q(green)} = {q(tog)}"),
        Figure(
            "net flow position",
            nfp,
            f"NFP = on hand + on order − qualified demand = {num(b.on_hand)} + "
            f"{num(b.on_order)} − {num(b.qualified_demand)} = {num(nfp)}",
        ),
    ]
    if order:
        raw = f"TOG − NFP {num(tog - nfp)}"
        text = (
            f"NFP {num(nfp)} ≤ TOY {q(toy)}: "
            f"{_rounding_text(raw, b.min_qty, b.multiple, scale)} = {q(suggested)}"
        )
    elif adu <= TOL:
        text = "no order: no usage in the window"
    else:
        text = f"no order: NFP {num(nfp)} > TOY {q(toy)}"
    figures.append(Figure("suggested order", suggested, text))
    return BufferZones(
        dlt,
        red_base,
        red_safety,
        red,
        yellow,
        green,
        tor,
        toy,
        tog,
        nfp,
        order,
        suggested,
        tuple(figures),
    )


# --- every item at once -------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyArrays:
    """The numbers of ``reorder_policy`` and ``buffer_zones`` for many items at once, one
    array entry per item, computed the same way (the same operations in the same order, so
    the same floats); the formula texts are built from them only for an item on show."""

    z: FloatArray
    safety_stock: FloatArray
    reorder_point: FloatArray
    annual_demand: FloatArray
    holding_cost: FloatArray
    has_eoq: BoolArray
    eoq: FloatArray  # 0 where there is no EOQ
    order_qty: FloatArray
    below_rop: BoolArray  # by the reorder point
    rop_suggested: FloatArray
    red_base: FloatArray
    red_safety: FloatArray
    red: FloatArray
    yellow: FloatArray
    green: FloatArray
    top_of_red: FloatArray
    top_of_yellow: FloatArray
    top_of_green: FloatArray
    net_flow: FloatArray
    buffer_order: BoolArray
    buffer_suggested: FloatArray
    below: BoolArray  # what decides: the buffer for a buffer, else the reorder point
    suggested: FloatArray


def inv_cdf(levels: FloatArray) -> FloatArray:
    """``NormalDist().inv_cdf`` of each level, computed once per distinct level."""
    distinct, inverse = np.unique(np.asarray(levels, dtype=np.float64), return_inverse=True)
    normal = NormalDist()
    values = np.asarray([normal.inv_cdf(x) for x in distinct.tolist()], dtype=np.float64)
    return values[inverse.reshape(-1)]


def round_ups(qty: FloatArray, scale: FloatArray) -> FloatArray:
    """``round_up`` of every entry, with the same arithmetic (the same floats)."""
    rounds = scale > 0
    steps = np.maximum(np.ceil((qty - TOL) * scale), 0.0)
    out: FloatArray = np.where(rounds, steps / np.where(rounds, scale, 1.0), qty)
    return out


def round_orders(
    qty: FloatArray, min_qty: FloatArray, multiple: FloatArray, scale: FloatArray | None = None
) -> FloatArray:
    """``round_order`` of every entry."""
    q = np.maximum(qty, min_qty)
    rounds = (multiple > 0) & (q > 0)
    safe = np.where(rounds, multiple, 1.0)
    steps = np.maximum(1.0, np.ceil((q - TOL) / safe))
    out: FloatArray = np.where(rounds, steps * safe, q)
    return out if scale is None else round_ups(out, scale)


def policy_arrays(
    *,
    adu: FloatArray,
    sigma_d: FloatArray,
    lead_time: FloatArray,
    sigma_lt: FloatArray,
    service_level: FloatArray,
    ordering_cost: FloatArray,
    holding_pct: FloatArray,
    unit_cost: FloatArray,
    min_qty: FloatArray,
    multiple: FloatArray,
    position: FloatArray,
    buffer: BoolArray,
    dlt: FloatArray,
    lead_time_factor: float,
    variability_factor: float,
    period_days: FloatArray,
    on_hand: FloatArray,
    on_order: FloatArray,
    qualified_demand: FloatArray,
    scale: FloatArray | None = None,
) -> PolicyArrays:
    """``reorder_policy`` and (where ``buffer``) ``buffer_zones`` of every item, vectorised."""
    z = inv_cdf(service_level)
    if scale is None:
        scale = np.zeros(len(adu), dtype=np.float64)
    ss = round_ups(
        np.maximum(z, 0.0)
        * np.sqrt(lead_time * sigma_d * sigma_d + adu * adu * sigma_lt * sigma_lt),
        scale,
    )
    rop = round_ups(adu * lead_time + ss, scale)
    d = adu * DAYS_PER_YEAR
    h = unit_cost * holding_pct / 100.0
    has_eoq = (d > TOL) & (h > TOL)
    eoq = np.where(has_eoq, np.sqrt(2.0 * d * ordering_cost / np.where(has_eoq, h, 1.0)), 0.0)
    raw = np.where(has_eoq, eoq, adu * np.maximum(lead_time, 1.0))
    q = round_orders(raw, min_qty, multiple, scale)
    below_rop = (adu > TOL) & (position <= rop + TOL)
    can = below_rop & (q > TOL)
    n = np.floor((rop - position) / np.where(can, q, 1.0) + TOL) + 1
    rop_suggested = np.where(can, round_ups(n * q, scale), 0.0)

    red_base = adu * dlt * lead_time_factor
    red_safety = red_base * variability_factor
    red = round_ups(red_base + red_safety, scale)
    yellow = round_ups(adu * dlt, scale)
    green = round_ups(np.maximum(np.maximum(red_base, min_qty), adu * period_days), scale)
    tor = red
    toy = round_ups(red + yellow, scale)
    tog = round_ups(toy + green, scale)
    nfp = on_hand + on_order - qualified_demand
    order = (adu > TOL) & (nfp <= toy + TOL)
    buffer_suggested = np.where(order, round_orders(tog - nfp, min_qty, multiple, scale), 0.0)
    below = np.where(buffer, order, below_rop)
    suggested = np.where(buffer, buffer_suggested, rop_suggested)
    return PolicyArrays(
        z=z,
        safety_stock=ss,
        reorder_point=rop,
        annual_demand=d,
        holding_cost=h,
        has_eoq=has_eoq,
        eoq=eoq,
        order_qty=q,
        below_rop=below_rop,
        rop_suggested=rop_suggested,
        red_base=red_base,
        red_safety=red_safety,
        red=red,
        yellow=yellow,
        green=green,
        top_of_red=tor,
        top_of_yellow=toy,
        top_of_green=tog,
        net_flow=nfp,
        buffer_order=order,
        buffer_suggested=buffer_suggested,
        below=below,
        suggested=suggested,
    )

"""Rough-cut capacity of the master schedule: does the schedule fit the key work centers?

Before the plan explodes a schedule into orders and the load schedules their
operations, a planner checks the schedule itself against capacity, week by week. Each
scheduled item has a bill of resources: the hours of its engineering routing, plus those
of the made components of its engineering BOM (quantity per unit, with scrap, level by
level) that are not on the master schedule themselves (those have a schedule, and a
check, of their own). A scheduled week costs each operation's setup once and its run
time per unit, all in the week the schedule names (no lead-time offset: the "overall
factors" of textbook rough-cut planning). The key work centers are those the bills of
resources reach; each week's hours are set against what the work center has that week
(its hours by weekday, units and efficiency, on the plant's working days less its
closed days), as the capacity load counts them, next to the hours the load's other
orders (open ones off the schedule, the plan's unfirmed make orders) ask that week: the
schedule's hours alone against what the work center has, and the total.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.engine import mps as engine_mps
from pegboard.model import (
    Bom,
    BomKind,
    BomLine,
    Item,
    ItemType,
    ProductionOrder,
    Routing,
    RoutingOperation,
)
from pegboard.services import load, mps

EPS = 1e-6
MAX_DEPTH = 50
"""BOM levels followed at most (the importer refuses cycles; this is a guard)."""


@dataclass(frozen=True)
class RoughCutWeek(load.HoursAgainstCapacity):
    """A week of the rough cut; ``over``: the schedule alone asks more than the work center
    has."""

    start: date
    label: str
    required: float
    """Hours the schedule asks of the work center in the week."""
    available: float
    other: float = 0.0
    """Hours the load's other orders ask of the work center in the week: open production
    orders off the schedule and the plan's unfirmed make orders (``services.load``)."""

    @property
    def total(self) -> float:
        return self.required + self.other

    @property
    def total_over(self) -> bool:
        """The schedule and the other load together ask more than the work center has."""
        return self.total > self.available + EPS


@dataclass(frozen=True)
class RoughCutCenter:
    work_center: str
    items: tuple[str, ...]
    """The scheduled items whose bill of resources reaches it."""
    weeks: list[RoughCutWeek]

    @property
    def over_weeks(self) -> list[str]:
        return [w.label for w in self.weeks if w.over]


@dataclass(frozen=True)
class RoughCut:
    items: list[str]
    weeks: list[date]
    centers: list[RoughCutCenter]
    """Empty when no scheduled item has a routing (or no work center exists)."""


@dataclass
class _Resources:
    setup: dict[int, float]
    run: dict[int, float]


_IDS = 500
"""Item ids per IN list."""


def _routings(session: Session, items: list[int]) -> dict[int, list[tuple[int, float, float]]]:
    """(work center id, setup, run) of each of ``items``' engineering routing."""
    out: dict[int, list[tuple[int, float, float]]] = defaultdict(list)
    for i in range(0, len(items), _IDS):
        for item_id, wc_id, setup, run in session.execute(
            select(
                Routing.item_id,
                RoutingOperation.work_center_id,
                RoutingOperation.setup_hours,
                RoutingOperation.run_hours,
            )
            .join(RoutingOperation, RoutingOperation.routing_id == Routing.id)
            .where(Routing.bom_id.is_(None), Routing.item_id.in_(items[i : i + _IDS]))
        ):
            out[item_id].append((wc_id, float(setup), float(run)))
    return out


def _made_components(session: Session, parents: list[int]) -> dict[int, list[tuple[int, float]]]:
    """(component id, quantity per unit with scrap) of each of ``parents``' engineering
    BOM: the made components not on the master schedule, plain lines only (a template's
    lines with formulas, conditions or choices are configured per order, not scheduled)."""
    out: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for i in range(0, len(parents), _IDS):
        for parent, component, qty, scrap in session.execute(
            select(Bom.item_id, BomLine.component_id, BomLine.qty_per, BomLine.scrap_pct)
            .join(BomLine, BomLine.bom_id == Bom.id)
            .join(Item, Item.id == BomLine.component_id)
            .where(
                Bom.item_id.in_(parents[i : i + _IDS]),
                Bom.kind == BomKind.ENGINEERING,
                Bom.sales_order_id.is_(None),
                Item.type == ItemType.MAKE,
                Item.mps.is_(False),
                BomLine.qty_formula.is_(None),
                BomLine.condition.is_(None),
                BomLine.choice_parameter.is_(None),
            )
            .order_by(BomLine.id)
        ):
            out[parent].append((component, float(qty) * (1 + float(scrap or 0) / 100)))
    return out


def _structure(
    session: Session, roots: list[int]
) -> tuple[dict[int, list[tuple[int, float, float]]], dict[int, list[tuple[int, float]]]]:
    """The routings and made components of what the scheduled items are made of, read
    level by level from them (``MAX_DEPTH`` levels, as ``_bill`` walks): only their own
    structure, never every routing and BOM line of the company (586,000 operations and
    1.8 million lines at full size, for a schedule of a few items)."""
    components: dict[int, list[tuple[int, float]]] = {}
    seen = set(roots)
    frontier = sorted(seen)
    for _ in range(MAX_DEPTH):
        if not frontier:
            break
        found = _made_components(session, frontier)
        components.update(found)
        frontier = sorted({c for lines in found.values() for c, _q in lines} - seen)
        seen.update(frontier)
    return _routings(session, sorted(seen)), components


def _bill(
    item_id: int,
    routings: dict[int, list[tuple[int, float, float]]],
    components: dict[int, list[tuple[int, float]]],
) -> _Resources:
    """The bill of resources of one unit of the item (setups once per scheduled week)."""
    bill = _Resources(defaultdict(float), defaultdict(float))
    stack: list[tuple[int, float, int]] = [(item_id, 1.0, 0)]
    while stack:
        current, per_unit, depth = stack.pop()
        for wc_id, setup, run in routings.get(current, []):
            bill.setup[wc_id] += setup
            bill.run[wc_id] += run * per_unit
        if depth < MAX_DEPTH:
            stack.extend((c, per_unit * q, depth + 1) for c, q in components.get(current, []))
    return bill


def _hours(value: float) -> float:
    """A difference of float sums, without its noise (0.1999999999999993 is 0.2 h)."""
    return max(round(value, 6), 0.0)


def _other_load(session: Session) -> dict[tuple[str, date], float]:
    """Hours per (work center, Monday) the load's orders other than the schedule's own
    lines ask: the whole load less that of the lines (each order is loaded on its own at
    infinite capacity, so the difference is exactly the other orders'). The planned
    orders of a scheduled item's made components are part of the other load: the plan
    makes them for the schedule as for any other demand."""
    lines = set(
        session.scalars(
            select(ProductionOrder.number).where(
                ProductionOrder.mps.is_(True), ProductionOrder.status.in_(load.OPEN)
            )
        )
    )
    hours = {(p.work_center, p.start): p.required for p in load.capacity_load(session).weeks}
    if lines:
        for p in load.capacity_load(session, orders=lines).weeks:
            hours[(p.work_center, p.start)] -= p.required
    return hours


def rough_cut(session: Session, item: str | None = None, *, weeks: int = 12) -> RoughCut:
    """The hours the master schedule (of ``item``, or of every scheduled item) asks of
    the key work centers per week from the current one, against what they have."""
    codes = [item] if item is not None else mps.mps_items(session)
    rows = [mps.scheduled_item(session, code) for code in codes]
    records = [mps.mps_record(session, code, weeks=weeks) for code in codes]
    mondays = [w.start for w in records[0].weeks] if records else []
    wcs, position = load.work_centers(session)
    routings, components = _structure(session, [row.id for row in rows])
    bills = [_bill(row.id, routings, components) for row in rows]
    n_wc = len(wcs)
    setup = np.zeros((len(rows), n_wc))
    run = np.zeros((len(rows), n_wc))
    for i, bill in enumerate(bills):
        for wc_id, hours in bill.setup.items():
            setup[i, position[wc_id]] = hours
        for wc_id, hours in bill.run.items():
            run[i, position[wc_id]] = hours
    quantities = np.array([[w.mps for w in rec.weeks] for rec in records]).reshape(
        len(rows), len(mondays)
    )
    required = engine_mps.rough_cut(quantities, setup, run)
    other = _other_load(session) if rows else {}
    centers = [
        RoughCutCenter(
            wcs.code[k],
            tuple(code for i, code in enumerate(codes) if setup[i, k] > 0 or run[i, k] > 0),
            [
                RoughCutWeek(
                    monday,
                    mps.week_label(monday),
                    float(required[k, t]),
                    sum(wcs.available(k, monday.toordinal() + d) for d in range(7)),
                    _hours(other.get((wcs.code[k], monday), 0.0)),
                )
                for t, monday in enumerate(mondays)
            ],
        )
        for k in range(n_wc)
        if (setup[:, k] > 0).any() or (run[:, k] > 0).any()
    ]
    return RoughCut(codes, mondays, centers)

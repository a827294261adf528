"""Readable builders for engine inputs and views of engine results.

Tests write items, BOM lines and orders with string ids and day offsets from
``D0`` (the default planning date); ``view`` turns a result back into tuples
of ids and offsets, so expected values read like the spec's examples.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pegboard.engine.calendar import ALL_DAYS, WorkCalendar
from pegboard.engine.types import (
    FOQ,
    LFL,
    NO_ORDER,
    PLANNED_PARENT,
    POQ,
    PRODUCTION_PARENT,
    SAFETY_STOCK,
    SALES_LINE,
    SUPPLY_TYPE_NAMES,
    Bom,
    Demands,
    Items,
    PlanInput,
    PlanResult,
    ProductionComponents,
    ProductionOrders,
    PurchaseLines,
    Settings,
    Stock,
)

D0 = dt.date(2025, 1, 6).toordinal()
"""The default planning date, a Monday: with a mon-fri calendar D0 + 5 and D0 + 6
are the weekend."""
MON_FRI = (0, 1, 2, 3, 4)
RULES = {"lfl": LFL, "foq": FOQ, "poq": POQ}


@dataclass
class Item:
    code: str
    make: bool = False
    mto: bool = False
    lt: int = 0
    rule: str = "lfl"
    lot_qty: float = 0.0
    period: int = 0
    min_qty: float = 0.0
    multiple: float = 0.0
    ss: float = 0.0
    decimals: int | None = None  # None: not rounded (v1)
    mps: bool = False  # on the master schedule (behind the fence, if any)


@dataclass
class Case:
    """A planning situation in test words; ``build`` makes the engine input."""

    items: list[Item]
    bom: list[tuple[Any, ...]] = field(default_factory=list)  # parent, comp, qty_per[, scrap, so]
    stock: list[tuple[Any, ...]] = field(default_factory=list)  # item, qty[, location, so]
    purchases: list[tuple[Any, ...]] = field(default_factory=list)  # ref, item, qty, due[, so]
    # ref, item, qty, due, start[, issued, so, mps]
    productions: list[tuple[Any, ...]] = field(default_factory=list)
    # production order ref, component, outstanding qty
    components: list[tuple[Any, ...]] = field(default_factory=list)
    demands: list[tuple[Any, ...]] = field(default_factory=list)  # so, line, item, qty, due[, prio]
    horizon: int = 365
    reschedule_in: int = 7
    defer: int = 7
    planning_date: int = 0
    work_days: tuple[int, ...] = ALL_DAYS
    holidays: tuple[int, ...] = ()  # day offsets from D0
    fence: int = 0  # the master schedule's planning time fence in days (0: none)

    def sales_orders(self) -> list[str]:
        ids = {d[0] for d in self.demands}
        ids |= {b[4] for b in self.bom if len(b) > 4 and b[4]}
        ids |= {s[3] for s in self.stock if len(s) > 3 and s[3]}
        ids |= {p[4] for p in self.purchases if len(p) > 4 and p[4]}
        ids |= {p[6] for p in self.productions if len(p) > 6 and p[6]}
        return sorted(ids)

    def build(self, sales_orders: Sequence[str] | None = None) -> PlanInput:
        items = self.items
        code = {it.code: i for i, it in enumerate(items)}
        sos = list(sales_orders) if sales_orders is not None else self.sales_orders()
        so = {s: i for i, s in enumerate(sos)}
        order = {p[0]: i for i, p in enumerate(self.productions)}

        def so_of(row: tuple[Any, ...], at: int) -> int:
            return so[row[at]] if len(row) > at and row[at] else NO_ORDER

        def arr(values: list[Any], kind: type) -> Any:
            return np.asarray(values, dtype=np.int64 if kind is int else kind)

        return PlanInput(
            settings=Settings(
                D0 + self.planning_date,
                self.horizon,
                self.reschedule_in,
                self.defer,
                WorkCalendar(self.work_days, tuple(D0 + h for h in self.holidays)),
                mps_fence_days=self.fence,
            ),
            items=Items(
                code=[it.code for it in items],
                is_make=arr([it.make for it in items], bool),
                is_mto=arr([it.mto for it in items], bool),
                lead_time=arr([it.lt for it in items], int),
                lot_rule=arr([RULES[it.rule] for it in items], int),
                lot_qty=arr([it.lot_qty for it in items], float),
                period_days=arr([it.period for it in items], int),
                min_qty=arr([it.min_qty for it in items], float),
                multiple=arr([it.multiple for it in items], float),
                safety_stock=arr([it.ss for it in items], float),
                decimals=(
                    None
                    if all(it.decimals is None for it in items)
                    else arr([-1 if it.decimals is None else it.decimals for it in items], int)
                ),
                mps=arr([it.mps for it in items], bool) if any(it.mps for it in items) else None,
            ),
            sales_orders=sos,
            bom=Bom(
                parent=arr([code[b[0]] for b in self.bom], int),
                component=arr([code[b[1]] for b in self.bom], int),
                qty_per=arr([b[2] for b in self.bom], float),
                scrap_pct=arr([b[3] if len(b) > 3 else 0.0 for b in self.bom], float),
                sales_order=arr([so_of(b, 4) for b in self.bom], int),
            ),
            stock=Stock(
                item=arr([code[s[0]] for s in self.stock], int),
                qty=arr([s[1] for s in self.stock], float),
                location=[s[2] if len(s) > 2 else "main" for s in self.stock],
                sales_order=arr([so_of(s, 3) for s in self.stock], int),
            ),
            purchases=PurchaseLines(
                ref=[p[0] for p in self.purchases],
                item=arr([code[p[1]] for p in self.purchases], int),
                qty=arr([p[2] for p in self.purchases], float),
                due=arr([D0 + p[3] for p in self.purchases], int),
                sales_order=arr([so_of(p, 4) for p in self.purchases], int),
            ),
            productions=ProductionOrders(
                ref=[p[0] for p in self.productions],
                item=arr([code[p[1]] for p in self.productions], int),
                qty=arr([p[2] for p in self.productions], float),
                due=arr([D0 + p[3] for p in self.productions], int),
                start=arr([D0 + p[4] for p in self.productions], int),
                components_issued=arr(
                    [p[5] if len(p) > 5 else False for p in self.productions], bool
                ),
                sales_order=arr([so_of(p, 6) for p in self.productions], int),
                mps=(
                    arr([len(p) > 7 and bool(p[7]) for p in self.productions], bool)
                    if any(len(p) > 7 and p[7] for p in self.productions)
                    else None
                ),
            ),
            production_components=ProductionComponents(
                order=arr([order[c[0]] for c in self.components], int),
                item=arr([code[c[1]] for c in self.components], int),
                qty=arr([c[2] for c in self.components], float),
            ),
            demands=Demands(
                sales_order=arr([so[d[0]] for d in self.demands], int),
                line=arr([d[1] for d in self.demands], int),
                item=arr([code[d[2]] for d in self.demands], int),
                qty=arr([d[3] for d in self.demands], float),
                due=arr([D0 + d[4] for d in self.demands], int),
                priority=arr([d[5] if len(d) > 5 else 100 for d in self.demands], int),
            ),
        )


@dataclass(frozen=True)
class View:
    """A result in ids and day offsets from D0."""

    planned: list[tuple[str, str, float, int, int, str]]  # ref, item, qty, release, due, so
    completion: dict[str, tuple[int, bool]]  # ref -> (earliest completion, is_late)
    pegging: list[tuple[str, str, float, str]]  # supply, item, qty, demand
    exceptions: list[tuple[str, str, str, int, str]]  # kind, item, order, date, so
    messages: list[str]
    # production order ref -> (available, earliest completion, is_late)
    productions: dict[str, tuple[int, int, bool]] = field(default_factory=dict)
    # "SO/line" -> projected date, for the lines in the plan
    lines: dict[str, int] = field(default_factory=dict)

    def exc(self, kind: str) -> list[tuple[str, str, str, int, str]]:
        return [e for e in self.exceptions if e[0] == kind]


def supply_label(inp: PlanInput, res: PlanResult, stype: int, index: int) -> str:
    name = SUPPLY_TYPE_NAMES[stype]
    if name == "stock":
        s = inp.stock
        so = int(s.sales_order[index])
        return f"stock:{s.location[index]}" + (f"@{inp.sales_orders[so]}" if so >= 0 else "")
    if name == "purchase_order":
        return inp.purchases.ref[index]
    if name == "production_order":
        return inp.productions.ref[index]
    return res.planned.ref[index]


def demand_label(inp: PlanInput, res: PlanResult, dtype: int, index: int) -> str:
    if dtype == SALES_LINE:
        d = inp.demands
        return f"{inp.sales_orders[int(d.sales_order[index])]}/{int(d.line[index])}"
    if dtype == PLANNED_PARENT:
        return res.planned.ref[index]
    if dtype == PRODUCTION_PARENT:
        return inp.productions.ref[index]
    assert dtype == SAFETY_STOCK and index == -1
    return "safety_stock"


def view(inp: PlanInput, res: PlanResult) -> View:
    codes = inp.items.code
    sos = inp.sales_orders

    def so_id(s: int) -> str:
        return sos[s] if s >= 0 else ""

    p = res.planned
    g = res.pegging
    e = res.exceptions
    return View(
        planned=[
            (
                p.ref[i],
                codes[int(p.item[i])],
                float(p.qty[i]),
                int(p.release[i]) - D0,
                int(p.due[i]) - D0,
                so_id(int(p.sales_order[i])),
            )
            for i in range(len(p))
        ],
        completion={
            p.ref[i]: (int(p.earliest_completion[i]) - D0, bool(p.is_late[i]))
            for i in range(len(p))
        },
        pegging=[
            (
                supply_label(inp, res, int(g.supply_type[i]), int(g.supply_index[i])),
                codes[int(g.item[i])],
                float(g.qty[i]),
                demand_label(inp, res, int(g.demand_type[i]), int(g.demand_index[i])),
            )
            for i in range(len(g))
        ],
        exceptions=[
            (
                e.kind[i],
                codes[int(e.item[i])],
                e.order[i],
                int(e.date[i]) - D0,
                so_id(int(e.sales_order[i])),
            )
            for i in range(len(e))
        ],
        messages=list(e.message),
        productions={
            inp.productions.ref[k]: (
                int(res.production_dates.available[k]) - D0,
                int(res.production_dates.earliest_completion[k]) - D0,
                bool(res.production_dates.is_late[k]),
            )
            for k in range(len(res.production_dates))
        },
        lines={
            demand_label(inp, res, SALES_LINE, k): int(res.line_dates.projected[k]) - D0
            for k in range(len(res.line_dates))
            if res.line_dates.in_plan[k]
        },
    )


def plan_view(case: Case) -> View:
    from pegboard.engine import plan

    inp = case.build()
    return view(inp, plan(inp))

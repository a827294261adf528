"""The planning run: levels top-down, then completion dates and exceptions.

Per low-level code: sort the level's demand once, net the items (the simple
ones vectorised, the others one by one), number the new planned orders, trace
them to sales orders and explode the make orders into the next levels' demand.
"""

from __future__ import annotations

import numpy as np

from pegboard.engine._arrays import group_starts, ints, lex_order, string_rank, unique_inverse
from pegboard.engine.bulk import (
    MAX_SUPPLY_ROWS,
    LevelPlan,
    free_pool_run,
    net_free_pool,
    net_without_supply,
)
from pegboard.engine.demand import DemandRows, independent_demand, netting_order, pool_rank
from pegboard.engine.errors import BomCycleError
from pegboard.engine.exceptions import ExceptionFacts, build_exceptions
from pegboard.engine.explode import BomIndex, MakeOrders, explode
from pegboard.engine.levels import low_level_codes
from pegboard.engine.lots import TOL
from pegboard.engine.netting import DayDemands, ItemRule, NetOutput, PoolSupply, net_item
from pegboard.engine.pegging import build_pegging
from pegboard.engine.planned import PegColumns, PlannedStore
from pegboard.engine.supply import build_supplies, id_order
from pegboard.engine.trace import TraceStore
from pegboard.engine.types import (
    LFL,
    NO_ORDER,
    PLANNED,
    PLANNED_PARENT,
    PRODUCTION,
    PRODUCTION_PARENT,
    PURCHASE,
    SAFETY_STOCK,
    SALES_LINE,
    FloatArray,
    IntArray,
    PlanInput,
    PlanResult,
)

LOOP, NO_SUPPLY, FREE_POOL = 0, 1, 2
"""Netting paths: the per-item loop, and the two vectorised ones of ``bulk.py``."""
UNRANKED = np.iinfo(np.int64).max
"""Priority of safety stock: it makes no parent order more urgent."""
DEFAULT_PRIORITY = 100


def plan(inp: PlanInput) -> PlanResult:
    """Plan the input (rules 1-9 of the bundle format)."""
    return execute(inp)


def execute(inp: PlanInput, *, fast_path: bool = True) -> PlanResult:
    """``plan`` with the vectorised netting paths switchable, so tests can check
    that they agree with the general per-item netting."""
    run = _Run(inp, fast_path)
    for level in range(run.n_levels):
        run.plan_level(level)
    return run.finish()


class _Run:
    def __init__(self, inp: PlanInput, fast_path: bool) -> None:
        self.inp = inp
        settings = inp.settings
        self.pd = settings.planning_date
        self.last_day = settings.planning_date + settings.horizon_days
        items = inp.items
        n_items = len(items)
        self.code_rank = id_order(items.code)
        self.so_rank = id_order(inp.sales_orders)
        self.so_rank_list: list[int] = self.so_rank.tolist()
        try:
            self.llc = low_level_codes(n_items, inp.bom.parent, inp.bom.component)
        except BomCycleError as error:
            raise BomCycleError(error.cycle, items.code) from None
        self.n_levels = int(self.llc.max()) + 1 if n_items else 0
        self.lead_time = ints(items.lead_time)
        self.is_mto = np.asarray(items.is_mto, dtype=np.bool_)
        self.is_make = np.asarray(items.is_make, dtype=np.bool_)
        self.safety = np.where(self.is_mto, 0.0, np.asarray(items.safety_stock, dtype=float))
        self.supply = build_supplies(inp)
        self.pool_supply = PoolSupply(
            self.supply.pool.tolist(), self.supply.avail.tolist(), self.supply.qty.tolist()
        )
        self.path = self._paths(fast_path)
        loop_items = np.flatnonzero(self.path == LOOP).tolist()
        self.rules = dict(zip(loop_items, self._rules(), strict=True))
        self.bom = BomIndex(inp.bom, len(inp.sales_orders))
        self.traces = TraceStore(len(inp.purchases), len(inp.productions), self.so_rank)
        self.planned = PlannedStore()
        self.prod_prio = np.full(len(inp.productions), UNRANKED, dtype=np.int64)
        self.level_pegs: list[PegColumns] = []
        self.level_expedites: list[PegColumns] = []
        self.pending: list[list[DemandRows]] = [[] for _ in range(self.n_levels)]
        self._queue(independent_demand(inp))

    def _paths(self, fast_path: bool) -> IntArray:
        """Which netting path each item takes (see ``bulk.py``)."""
        items = self.inp.items
        n_items = len(items)
        path = np.full(n_items, LOOP, dtype=np.int64)
        if not fast_path:
            return path
        plain = (
            (ints(items.lot_rule) == LFL)
            & (np.asarray(items.min_qty, dtype=float) <= TOL)
            & (np.asarray(items.multiple, dtype=float) <= TOL)
        )
        rows = np.diff(self.supply.offsets)
        pegged = np.bincount(self.supply.item[self.supply.pool != NO_ORDER], minlength=n_items)
        path[plain & (pegged == 0) & (rows <= MAX_SUPPLY_ROWS)] = FREE_POOL
        path[plain & (rows == 0) & (self.safety <= TOL)] = NO_SUPPLY
        return path

    def _queue(self, rows: DemandRows) -> None:
        level = self.llc[rows.item]
        for lv in np.flatnonzero(np.bincount(level)).tolist():
            self.pending[lv].append(rows.take(np.flatnonzero(level == lv)))

    def _rules(self) -> list[ItemRule]:
        it = self.inp.items
        columns = (
            ints(it.lead_time),
            ints(it.lot_rule),
            np.asarray(it.lot_qty, dtype=np.float64),
            ints(it.period_days),
            np.asarray(it.min_qty, dtype=np.float64),
            np.asarray(it.multiple, dtype=np.float64),
            self.safety,
            self.is_mto,
        )
        loop = np.flatnonzero(self.path == LOOP)
        return [ItemRule(*row) for row in zip(*(c[loop].tolist() for c in columns), strict=True)]

    def _parent_rank(self, rows: DemandRows) -> IntArray:
        """Rank of each demand's parent order ref ("" for sales lines) as strings."""
        rank = np.zeros(len(rows), dtype=np.int64)
        dep = np.flatnonzero(rows.dtype != SALES_LINE)
        if dep.size == 0:
            return rank
        key = rows.dtype[dep] * (1 << 40) + rows.didx[dep]
        uniq, inverse = unique_inverse(key)
        prod_refs = self.inp.productions.ref
        refs = [
            self.planned.refs[k & ((1 << 40) - 1)]
            if k >> 40 == PLANNED_PARENT
            else prod_refs[k & ((1 << 40) - 1)]
            for k in uniq.tolist()
        ]
        rank[dep] = string_rank(refs)[inverse] + 1
        return rank

    def plan_level(self, level: int) -> None:
        rows = DemandRows.concat(self.pending[level])
        self.pending[level] = []
        rows = rows.take(netting_order(rows, self.code_rank, self.so_rank, self._parent_rank(rows)))
        path = self.path[rows.item]
        safety_items = np.flatnonzero((self.llc == level) & (self.safety > TOL))
        settings = (self.pd, self.inp.settings.reschedule_in_days)
        free_pool = free_pool_run(
            np.flatnonzero(path == FREE_POOL),
            rows,
            safety_items[self.path[safety_items] == FREE_POOL],
            self.safety,
            self.is_mto,
            self.code_rank,
            settings,
        )
        plan = LevelPlan.concat(
            [
                self._net_loop(rows, safety_items[self.path[safety_items] == LOOP]),
                net_without_supply(np.flatnonzero(path == NO_SUPPLY), rows, self.is_mto),
                net_free_pool(free_pool, self.supply, self.pd),
            ]
        )
        for row, left in zip(plan.rem_rows.tolist(), plan.rem_qty.tolist(), strict=True):
            self.pool_supply.rem[row] = left
        item, day, pool = plan.pl_item, plan.pl_day, plan.pl_pool
        creation = lex_order(self.code_rank[item], day, pool_rank(pool, self.so_rank))
        base = len(self.planned)
        number = np.empty(item.size, dtype=np.int64)
        number[creation] = base + np.arange(item.size)
        self.planned.append_level(
            item[creation],
            plan.pl_qty[creation],
            day[creation],
            pool[creation],
            self.lead_time,
            self.pd,
        )
        pegs = self._peg_columns(plan.peg_sup, plan.peg_dem, plan.peg_qty, rows, number)
        self.level_pegs.append(pegs)
        no_qty = np.zeros(plan.ex_sup.size)
        self.level_expedites.append(
            self._peg_columns(plan.ex_sup, plan.ex_dem, no_qty, rows, number)
        )
        self._trace_and_explode(level, pegs, base)

    def _net_loop(self, rows: DemandRows, safety_items: IntArray) -> LevelPlan:
        """The per-item loop, for items the vectorised paths do not cover."""
        out = NetOutput()
        mine = np.flatnonzero(self.path[rows.item] == LOOP)
        starts = group_starts(rows.item[mine])
        spans = {
            int(rows.item[mine[s]]): (int(mine[s]), int(mine[s]) + int(n))
            for s, n in zip(starts, np.diff(np.append(starts, mine.size)), strict=True)
        }
        todo = sorted(set(spans) | set(safety_items.tolist()), key=self.code_rank.__getitem__)
        if todo:
            days = DayDemands(rows.date.tolist(), rows.qty.tolist(), rows.so.tolist())
            offsets = self.supply.offsets
            settings = (self.pd, self.inp.settings.reschedule_in_days)
            for item in todo:
                lo, hi = spans.get(item, (0, 0))
                net_item(
                    item,
                    range(lo, hi),
                    self.pool_supply,
                    range(int(offsets[item]), int(offsets[item + 1])),
                    days,
                    self.rules[item],
                    settings,
                    self.so_rank_list,
                    out,
                )
        none = np.zeros(0, dtype=np.int64)
        return LevelPlan(
            ints(out.pl_item),
            ints(out.pl_day),
            ints(out.pl_pool),
            np.asarray(out.pl_qty, dtype=np.float64),
            ints(out.pg_sup),
            ints(out.pg_dem),
            np.asarray(out.pg_qty, dtype=np.float64),
            ints(out.ex_sup),
            ints(out.ex_dem),
            none,
            np.zeros(0, dtype=np.float64),
        )

    def _peg_columns(
        self, sup: IntArray, dem: IntArray, qty: FloatArray, rows: DemandRows, number: IntArray
    ) -> PegColumns:
        """Level-local supply and demand references to the result's numbering."""
        n = sup.size
        table = self.supply
        existing = np.flatnonzero(sup >= 0)
        planned = np.flatnonzero(sup < 0)
        stype = np.full(n, PLANNED, dtype=np.int64)
        sidx = np.zeros(n, dtype=np.int64)
        item = np.zeros(n, dtype=np.int64)
        stype[existing] = table.stype[sup[existing]]
        sidx[existing] = table.sidx[sup[existing]]
        item[existing] = table.item[sup[existing]]
        sidx[planned] = number[-sup[planned] - 1]
        item[planned] = self.planned.item[sidx[planned]]
        real = np.flatnonzero(dem >= 0)
        d = dem[real]
        dtype = np.full(n, SAFETY_STOCK, dtype=np.int64)
        didx = np.full(n, -1, dtype=np.int64)
        ddate = np.full(n, self.pd, dtype=np.int64)
        dprio = np.full(n, UNRANKED, dtype=np.int64)
        dso = np.full(n, NO_ORDER, dtype=np.int64)
        dtype[real] = rows.dtype[d]
        didx[real] = rows.didx[d]
        ddate[real] = rows.date[d]
        dprio[real] = rows.prio[d]
        dso[real] = rows.so[d]
        return {
            "stype": stype,
            "sidx": sidx,
            "item": item,
            "qty": qty,
            "dtype": dtype,
            "didx": didx,
            "ddate": ddate,
            "dprio": dprio,
            "dso": dso,
        }

    def _trace_and_explode(self, level: int, pegs: PegColumns, base: int) -> None:
        """Priorities and traces of the level's supply, then its dependent demand."""
        stype, sidx, dprio = pegs["stype"], pegs["sidx"], pegs["dprio"]
        n_planned = len(self.planned)
        prio = np.full(n_planned - base, UNRANKED, dtype=np.int64)
        mine = stype == PLANNED
        np.minimum.at(prio, sidx[mine] - base, dprio[mine])
        mine = stype == PRODUCTION
        np.minimum.at(self.prod_prio, sidx[mine], dprio[mine])
        prio[prio == UNRANKED] = DEFAULT_PRIORITY
        self.traces.grow_planned(n_planned)
        productions = self.inp.productions
        self.traces.add_level(
            (stype, sidx, pegs["qty"], pegs["dtype"], pegs["didx"], pegs["dso"]),
            {PLANNED: self.planned.qty, PRODUCTION: np.asarray(productions.qty, dtype=float)},
        )
        new = np.arange(base, n_planned, dtype=np.int64)
        new = new[self.is_make[self.planned.item[new]]]
        prod = self._productions_to_explode(level)
        prod_prio = self.prod_prio[prod]
        orders = MakeOrders(
            dtype=np.concatenate(
                [np.full(new.size, PLANNED_PARENT), np.full(prod.size, PRODUCTION_PARENT)]
            ).astype(np.int64),
            index=np.concatenate([new, prod]),
            item=np.concatenate([self.planned.item[new], ints(productions.item)[prod]]),
            qty=np.concatenate(
                [self.planned.qty[new], np.asarray(productions.qty, dtype=float)[prod]]
            ),
            date=np.concatenate(
                [self.planned.release[new], np.maximum(ints(productions.start)[prod], self.pd)]
            ),
            so=np.concatenate([self.planned.so[new], ints(productions.sales_order)[prod]]),
            prio=np.concatenate(
                [prio[new - base], np.where(prod_prio == UNRANKED, DEFAULT_PRIORITY, prod_prio)]
            ),
        )
        if orders.item.size:
            self._queue(explode(self.bom, orders))

    def _productions_to_explode(self, level: int) -> IntArray:
        """Open production orders of this level whose components are still demand."""
        pr = self.inp.productions
        item = ints(pr.item)
        if item.size == 0:
            return item
        keep = (
            (self.llc[item] == level)
            & ~np.asarray(pr.components_issued, dtype=np.bool_)
            & self.is_make[item]
            & (ints(pr.start) <= self.last_day)
        )
        return np.flatnonzero(keep).astype(np.int64)

    def finish(self) -> PlanResult:
        inp = self.inp
        open_due = {PURCHASE: ints(inp.purchases.due), PRODUCTION: ints(inp.productions.due)}
        completion = self.planned.earliest_completion(
            self.level_pegs, self.lead_time, self.pd, open_due
        )
        planned = self.planned.result(completion)
        pegs = _concat_pegs(self.level_pegs)
        facts = ExceptionFacts(
            inp=inp,
            planned=planned,
            clamped=self.planned.clamped,
            traces=self.traces,
            pegs=pegs,
            expedites=_concat_pegs(self.level_expedites),
            supply=self.supply,
            remaining=np.asarray(self.pool_supply.rem, dtype=np.float64),
        )
        return PlanResult(
            planned=planned,
            pegging=build_pegging(inp, pegs, self.code_rank, self.so_rank),
            exceptions=build_exceptions(facts),
        )


def _concat_pegs(levels: list[PegColumns]) -> PegColumns:
    names = ("stype", "sidx", "item", "qty", "dtype", "didx", "ddate", "dprio", "dso")
    if not levels:
        return {name: np.zeros(0, dtype=float if name == "qty" else np.int64) for name in names}
    return {name: np.concatenate([lv[name] for lv in levels]) for name in names}

"""The planning run: levels top-down, then completion dates and exceptions.

Per low-level code: sort the level's demand once, net the items (the simple
ones vectorised, the others one by one), number the new planned orders, trace
them to sales orders and explode the make orders into the next levels' demand
(open production orders with listed components demand those instead).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from pegboard.engine._arrays import group_starts, ints, lex_order, narrowest, unique_values
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
from pegboard.engine.explode import BomIndex, ListedComponents, MakeOrders, explode
from pegboard.engine.levels import low_level_codes
from pegboard.engine.lots import TOL, place_scales, whole_steps
from pegboard.engine.netting import NEVER, DayDemands, ItemRule, NetOutput, PoolSupply, net_item

if TYPE_CHECKING:
    from pegboard.engine.netting_kernel import Rules
from pegboard.engine.pegging import build_pegging
from pegboard.engine.planned import (
    CompletionFacts,
    OpenProductions,
    ParentRank,
    PegColumns,
    PlannedStore,
)
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
    BoolArray,
    FloatArray,
    IntArray,
    LineDates,
    PlanInput,
    PlanResult,
)

LOOP, NO_SUPPLY, FREE_POOL = 0, 1, 2
"""Netting paths: the per-item loop, and the two vectorised ones of ``bulk.py``."""
UNRANKED = np.iinfo(np.int64).max
"""Priority of safety stock: it makes no parent order more urgent."""
DEFAULT_PRIORITY = 100


def plan(inp: PlanInput) -> PlanResult:
    """Plan the input (rules 1-10 of the bundle format)."""
    return execute(inp)


def execute(inp: PlanInput, *, fast_path: bool = True, compiled: bool = True) -> PlanResult:
    """``plan`` with the vectorised netting paths and the compiled per-item loop
    (``netting_kernel.py``) switchable, so tests can check that they agree with the
    general per-item netting of ``netting.py``."""
    run = _Run(inp, fast_path, compiled)
    for level in range(run.n_levels):
        run.plan_level(level)
    return run.finish()


class _Run:
    def __init__(self, inp: PlanInput, fast_path: bool, compiled: bool) -> None:
        self.inp = inp
        self.compiled = compiled
        settings = inp.settings
        self.pd = settings.planning_date
        self.last_day = settings.planning_date + settings.horizon_days
        self.calendar = settings.calendar
        items = inp.items
        n_items = len(items)
        self.scale = place_scales(items.decimals, n_items)
        self.rounds = bool((self.scale > 0).any())
        self.code_rank = id_order(items.code)
        self.so_rank = id_order(inp.sales_orders)
        self.so_rank_list: list[int] = self.so_rank.tolist()
        self.is_make = np.asarray(items.is_make, dtype=np.bool_)
        self.prod_live = self._live_productions()
        self.listed = ListedComponents(inp.production_components, len(inp.productions))
        parent, component = self._edges()
        try:
            self.llc = low_level_codes(n_items, parent, component, self._sort)
        except BomCycleError as error:
            raise BomCycleError(error.cycle, items.code) from None
        self.n_levels = int(self.llc.max()) + 1 if n_items else 0
        self.lead_time = ints(items.lead_time)
        self.is_mto = np.asarray(items.is_mto, dtype=np.bool_)
        self.safety = np.where(self.is_mto, 0.0, np.asarray(items.safety_stock, dtype=float))
        self.fenced, self.fence_due = self._fence()
        self.supply = build_supplies(inp)
        # what is left of each supply row: a NumPy column for the compiled loop, lists
        # for the plain one
        self.rem = np.array(self.supply.qty, dtype=np.float64)
        self.pool_supply = PoolSupply(
            [] if compiled else self.supply.pool.tolist(),
            [] if compiled else self.supply.avail.tolist(),
            [] if compiled else self.supply.qty.tolist(),
        )
        self.path = self._paths(fast_path)
        self.rules = {} if compiled else self._rules(np.flatnonzero(self.path == LOOP))
        self.bom = BomIndex(inp.bom, len(inp.sales_orders), self._sort)
        self.traces = TraceStore(len(inp.purchases), len(inp.productions), self.so_rank)
        self.planned = PlannedStore()
        self.parents = ParentRank(inp.productions.ref, self._sort)
        self.prod_prio = np.full(len(inp.productions), UNRANKED, dtype=np.int64)
        self.level_pegs: list[PegColumns] = []
        self.level_expedites: list[PegColumns] = []
        self.pending: list[list[DemandRows]] = [[] for _ in range(self.n_levels)]
        self._queue(independent_demand(inp))

    def _fence(self) -> tuple[BoolArray | None, int]:
        """The items behind the master schedule's planning time fence (None: none), and
        the first working day beyond it, the earliest day their planned orders are due."""
        days = self.inp.settings.mps_fence_days
        mps = self.inp.items.mps
        if days <= 0 or mps is None or not np.any(mps):
            return None, self.pd
        return np.asarray(mps, dtype=np.bool_), int(self.calendar.fwd(self.pd + days, 0))

    def _reach_earliest(self) -> tuple[IntArray, IntArray]:
        """Per item, ``net_item``'s ``reach`` and ``earliest`` (see ``netting.py``): for
        an item behind the fence, the last day before its first planned order may be
        due, and that day; for the others values that change nothing."""
        n_items = len(self.inp.items)
        reach = np.full(n_items, NEVER, dtype=np.int64)
        earliest = np.full(n_items, self.pd, dtype=np.int64)
        if self.fenced is not None:
            reach[self.fenced] = self.fence_due - 1
            earliest[self.fenced] = self.fence_due
        return reach, earliest

    def _live_productions(self) -> BoolArray:
        """Open production orders whose components are still demand: make items,
        components not issued, start within the horizon."""
        pr = self.inp.productions
        item = ints(pr.item)
        live: BoolArray = (
            ~np.asarray(pr.components_issued, dtype=np.bool_)
            & self.is_make[item]
            & (ints(pr.start) <= self.last_day)
        )
        return live

    def _edges(self) -> tuple[IntArray, IntArray]:
        """Parent -> component edges for low-level codes: every BOM line, and the
        listed components that are demand (a listed component need not be in
        any BOM of the order's item, yet must be planned after it)."""
        bom = self.inp.bom
        listed = self.listed
        live = self.prod_live[listed.order]
        parent = ints(self.inp.productions.item)[listed.order[live]]
        return (
            np.concatenate([ints(bom.parent), parent]),
            np.concatenate([ints(bom.component), listed.item[live]]),
        )

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
        if self.rounds:
            # rounding a requirement of fractional steps leaves excess (see ``bulk.py``)
            table = self.supply
            odd = ~whole_steps(table.qty, self.scale[table.item])
            plain &= np.bincount(table.item[odd], minlength=n_items) == 0
            plain &= whole_steps(self.safety, self.scale)
        path[plain & (pegged == 0) & (rows <= MAX_SUPPLY_ROWS)] = FREE_POOL
        path[plain & (rows == 0) & (self.safety <= TOL)] = NO_SUPPLY
        if self.fenced is not None:  # the fence is netted by the loop alone
            path[self.fenced] = LOOP
        return path

    def _queue(self, rows: DemandRows) -> None:
        level = self.llc[rows.item]
        for lv in np.flatnonzero(np.bincount(level)).tolist():
            self.pending[lv].append(rows.take(np.flatnonzero(level == lv)))

    def _rules(self, loop: IntArray) -> dict[int, ItemRule]:
        """The per-item loop's rule tuple of each of the items ``loop``."""
        it = self.inp.items
        columns = (
            ints(it.lot_rule),
            np.asarray(it.lot_qty, dtype=np.float64),
            ints(it.period_days),
            np.asarray(it.min_qty, dtype=np.float64),
            np.asarray(it.multiple, dtype=np.float64),
            self.safety,
            self.is_mto,
            self.scale,
        )
        rules = zip(*(c[loop].tolist() for c in columns), strict=True)
        return dict(zip(loop.tolist(), rules, strict=True))

    def _due_days(self, date: IntArray, item: IntArray) -> IntArray:
        """Rule 1: the due day of a planned order for a net requirement on ``date``,
        the working day on or before it but not before pd; ``date`` itself (the
        same array) on the default calendar. An item behind the master schedule's
        time fence has none due before the first working day beyond it."""
        due = date if self.calendar.every_day else np.maximum(self.calendar.back(date, 0), self.pd)
        if self.fenced is None:
            return due
        return np.where(self.fenced[item], np.maximum(due, self.fence_due), due)

    def _level_paths(self, rows: DemandRows) -> IntArray:
        """The netting path per item for this level: items whose demand here is not
        whole steps of their decimal places go through the loop (see ``bulk.py``)."""
        if not self.rounds:
            return self.path
        odd = rows.item[~whole_steps(rows.qty, self.scale[rows.item])]
        moved = odd[self.path[odd] != LOOP]
        if moved.size == 0:
            return self.path
        path = self.path.copy()
        path[moved] = LOOP
        if self.compiled:  # it reads the rules of every item
            return path
        new = unique_values(moved)
        fresh = np.asarray([i not in self.rules for i in new.tolist()], dtype=np.bool_)
        self.rules.update(self._rules(new[fresh]))
        return path

    def _parent_rank(self, rows: DemandRows) -> IntArray:
        """Rank of each dependent demand's parent (see ``ParentRank``); 0 for sales lines."""
        rank = np.zeros(len(rows), dtype=np.int64)
        dep = np.flatnonzero(rows.dtype != SALES_LINE)
        if dep.size:
            rank[dep] = self.parents.rank(rows.dtype[dep], rows.didx[dep], len(self.planned))
        return rank

    def plan_level(self, level: int) -> None:
        rows = DemandRows.concat_sorted(
            self.pending[level],
            lambda new: netting_order(
                new, self.code_rank, self.so_rank, self._parent_rank(new), self._sort
            ),
        )
        due = self._due_days(rows.date, rows.item)
        item_path = self._level_paths(rows)
        path = item_path[rows.item]
        safety_items = np.flatnonzero((self.llc == level) & (self.safety > TOL))
        settings = (self.pd, self.inp.settings.reschedule_in_days)
        free_pool = free_pool_run(
            np.flatnonzero(path == FREE_POOL),
            rows,
            due,
            safety_items[item_path[safety_items] == FREE_POOL],
            self.safety,
            self.is_mto,
            self.code_rank,
            settings,
        )
        plan = LevelPlan.concat(
            [
                self._net_loop(rows, due, path, safety_items[item_path[safety_items] == LOOP]),
                net_without_supply(
                    np.flatnonzero(path == NO_SUPPLY), rows, due, self.is_mto, self.scale
                ),
                net_free_pool(free_pool, self.supply, self.pd, self.scale),
            ]
        )
        if self.compiled:
            self.rem[plan.rem_rows] = plan.rem_qty
        else:
            for row, left in zip(plan.rem_rows.tolist(), plan.rem_qty.tolist(), strict=True):
                self.pool_supply.rem[row] = left
        item, day, pool = plan.pl_item, plan.pl_day, plan.pl_pool
        creation = lex_order(
            self.code_rank[item], day, pool_rank(pool, self.so_rank), sort=self._sort
        )
        base = len(self.planned)
        number = np.empty(item.size, dtype=np.int64)
        number[creation] = base + np.arange(item.size)
        self.planned.append_level(
            item[creation],
            plan.pl_qty[creation],
            day[creation],
            pool[creation],
            (self.lead_time, self.is_make),
            self.pd,
            self.calendar,
        )
        pegs = self._peg_columns(plan.peg_sup, plan.peg_dem, plan.peg_qty, rows, number)
        self.level_pegs.append({name: narrowest(pegs[name]) for name in KEPT_PEGS})
        no_qty = np.zeros(plan.ex_sup.size)
        self.level_expedites.append(
            self._peg_columns(plan.ex_sup, plan.ex_dem, no_qty, rows, number)
        )
        del rows, plan, free_pool, path, due  # big, and not needed by what follows
        self._trace_and_explode(level, pegs, base)

    def _net_loop(
        self, rows: DemandRows, due: IntArray, path: IntArray, safety_items: IntArray
    ) -> LevelPlan:
        """The per-item loop, for the level's rows whose ``path`` is the loop."""
        if self.compiled:
            return self._net_compiled(rows, due, np.flatnonzero(path == LOOP), safety_items)
        out = NetOutput()
        mine = np.flatnonzero(path == LOOP)
        item = rows.item[mine]
        starts = group_starts(item)
        ends = np.append(starts[1:], mine.size)[: starts.size]
        spans = dict(
            zip(
                item[starts].tolist(), zip(starts.tolist(), ends.tolist(), strict=True), strict=True
            )
        )
        todo = sorted(set(spans) | set(safety_items.tolist()), key=self.code_rank.__getitem__)
        if todo:
            # the loop's rows only: its demand references are positions in ``mine``
            dates = array("q", rows.date[mine].tobytes())
            days = DayDemands(
                dates,
                dates if due is rows.date else array("q", due[mine].tobytes()),
                array("d", rows.qty[mine].tobytes()),
                array("q", rows.so[mine].tobytes()),
                self._own_supply(item, rows.so[mine]).tolist(),
            )
            offsets = self.supply.offsets.tolist()
            reschedule_in = self.inp.settings.reschedule_in_days
            reach, earliest = (column.tolist() for column in self._reach_earliest())
            rules = self.rules
            pool_supply = self.pool_supply
            so_rank = self.so_rank_list
            for it in todo:
                lo, hi = spans.get(it, (0, 0))
                net_item(
                    it,
                    range(lo, hi),
                    pool_supply,
                    range(offsets[it], offsets[it + 1]),
                    days,
                    rules[it],
                    (self.pd, reschedule_in, reach[it], earliest[it]),
                    so_rank,
                    out,
                )
        none = np.zeros(0, dtype=np.int64)
        pg_dem = np.frombuffer(out.pg_dem, dtype=np.int64)
        ex_dem = ints(out.ex_dem)
        return LevelPlan(
            ints(out.pl_item),
            ints(out.pl_day),
            ints(out.pl_pool),
            np.asarray(out.pl_qty, dtype=np.float64),
            np.frombuffer(out.pg_sup, dtype=np.int64),
            np.where(pg_dem >= 0, mine[np.maximum(pg_dem, 0)], pg_dem) if mine.size else pg_dem,
            np.frombuffer(out.pg_qty, dtype=np.float64),
            ints(out.ex_sup),
            mine[ex_dem],
            none,
            np.zeros(0, dtype=np.float64),
        )

    def _net_compiled(
        self, rows: DemandRows, due: IntArray, mine: IntArray, safety_items: IntArray
    ) -> LevelPlan:
        """``_net_loop`` through the compiled loop (``netting_kernel.py``)."""
        # imported here: Numba is loaded only when a plan is made
        from pegboard.engine.netting_kernel import LevelLoop, Supply, net_level

        item = rows.item[mine]
        starts = group_starts(item)
        ends = np.append(starts[1:], mine.size)[: starts.size].astype(np.int64)
        lo = np.zeros(len(self.inp.items), dtype=np.int64)
        hi = np.zeros(len(self.inp.items), dtype=np.int64)
        lo[item[starts]] = starts
        hi[item[starts]] = ends
        todo = unique_values(np.concatenate([item[starts], safety_items]).astype(np.int64))
        todo = todo[np.argsort(self.code_rank[todo], kind="stable")]
        loop = LevelLoop(
            items=todo,
            lo=lo[todo],
            hi=hi[todo],
            date=_int64(rows.date[mine]),
            due=_int64(due[mine]),
            qty=np.ascontiguousarray(rows.qty[mine], dtype=np.float64),
            so=_int64(rows.so[mine]),
            own=_int64(self._own_supply(item, rows.so[mine])),
        )
        table = self.supply
        out = net_level(
            loop,
            Supply(_int64(table.offsets), _int64(table.pool), _int64(table.avail), self.rem),
            self.rule_columns,
            (self.pd, self.inp.settings.reschedule_in_days),
            _int64(self.so_rank),
        )
        pg_dem = out.pg_dem
        return LevelPlan(
            out.pl_item,
            out.pl_day,
            out.pl_pool,
            out.pl_qty,
            out.pg_sup,
            np.where(pg_dem >= 0, mine[np.maximum(pg_dem, 0)], pg_dem) if mine.size else pg_dem,
            out.pg_qty,
            out.ex_sup,
            mine[out.ex_dem],
            np.zeros(0, dtype=np.int64),
            np.zeros(0, dtype=np.float64),
        )

    @cached_property
    def _sort(self) -> Callable[[IntArray], IntArray]:
        """The compiled sort of ``lex_order``'s words (``sort_kernel.sorted_ints``)."""
        from pegboard.engine.sort_kernel import sorted_ints  # Numba: plans only

        return sorted_ints

    @cached_property
    def rule_columns(self) -> Rules:
        """The lot rules of every item as columns, for the compiled loop."""
        from pegboard.engine.netting_kernel import Rules

        it = self.inp.items
        reach, earliest = self._reach_earliest()
        return Rules(
            lot_rule=_int64(ints(it.lot_rule)),
            lot_qty=np.ascontiguousarray(it.lot_qty, dtype=np.float64),
            period_days=_int64(ints(it.period_days)),
            min_qty=np.ascontiguousarray(it.min_qty, dtype=np.float64),
            multiple=np.ascontiguousarray(it.multiple, dtype=np.float64),
            safety=np.ascontiguousarray(self.safety, dtype=np.float64),
            is_mto=np.ascontiguousarray(self.is_mto, dtype=np.bool_),
            scale=np.ascontiguousarray(self.scale, dtype=np.float64),
            reach=reach,
            earliest=earliest,
        )

    def _own_supply(self, item: IntArray, so: IntArray) -> IntArray:
        """Positions of the demands whose item has supply pegged to their sales order."""
        table = self.supply
        pegged = table.pool != NO_ORDER
        width = len(self.inp.sales_orders) + 1
        keys = unique_values(table.item[pegged] * width + table.pool[pegged])
        if keys.size == 0:
            return np.zeros(0, dtype=np.int64)
        key = item * width + so
        found = keys[np.minimum(np.searchsorted(keys, key), keys.size - 1)] == key
        return np.flatnonzero(found & (so != NO_ORDER)).astype(np.int64)

    def _peg_columns(
        self, sup: IntArray, dem: IntArray, qty: FloatArray, rows: DemandRows, number: IntArray
    ) -> PegColumns:
        """Level-local supply and demand references to the result's numbering.

        One gather per column: supply ``s >= 0`` is a row of the supply columns,
        ``s < 0`` the level's planned order ``-s - 1``; demand -1 is safety stock,
        whose fields are filled in after the gather (no column of the level's rows,
        millions of them, is copied to append its value).
        """
        table = self.supply
        stype = np.full(sup.size, PLANNED, dtype=np.int64)
        sidx = np.empty(sup.size, dtype=np.int64)
        rows_of = np.flatnonzero(sup >= 0)
        row = sup[rows_of]
        stype[rows_of] = table.stype[row]
        sidx[rows_of] = table.sidx[row]
        new = np.flatnonzero(sup < 0)
        sidx[new] = number[-sup[new] - 1]  # local planned order -> result index
        safety = np.flatnonzero(dem < 0)  # few rows: their positions, not a mask
        at = np.maximum(dem, 0)

        def demand(column: IntArray, fill: int) -> IntArray:
            out = column[at] if column.size else np.full(at.size, fill, dtype=np.int64)
            if safety.size:
                out[safety] = fill
            return out

        return {
            "stype": stype,
            "sidx": sidx,
            "qty": qty,
            "dtype": demand(rows.dtype, SAFETY_STOCK),
            "didx": demand(rows.didx, -1),
            "ddate": demand(rows.date, self.pd),
            "dprio": demand(rows.prio, UNRANKED),
            "dso": demand(rows.so, NO_ORDER),
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
        listed = np.concatenate([np.zeros(new.size, dtype=np.bool_), self.listed.listed[prod]])
        if listed.any():
            self._queue(self.listed.demand(orders.take(np.flatnonzero(listed))))
            orders = orders.take(np.flatnonzero(~listed))
        if orders.item.size:
            self._queue(explode(self.bom, orders))

    def _productions_to_explode(self, level: int) -> IntArray:
        """Open production orders of this level whose components are still demand
        (through the BOM, or their listed components)."""
        item = ints(self.inp.productions.item)
        if item.size == 0:
            return item
        return np.flatnonzero(self.prod_live & (self.llc[item] == level)).astype(np.int64)

    def finish(self) -> PlanResult:
        inp = self.inp
        pr = inp.productions
        prod_item = ints(pr.item)
        facts = CompletionFacts(
            planning_date=self.pd,
            calendar=self.calendar,
            lead_time=self.lead_time,
            is_make=self.is_make,
            purchase_avail=np.maximum(ints(inp.purchases.due), self.pd),
            not_before=None if self.fenced is None else self._reach_earliest()[1],
        )
        productions = OpenProductions(
            item=prod_item,
            due=ints(pr.due),
            start=ints(pr.start),
            live=self.prod_live,
            level=self.llc[prod_item],
        )
        completion, production_dates = self.planned.earliest_completion(
            self.level_pegs, facts, productions
        )
        planned = self.planned.result(completion)
        # big columns are let go as soon as they are read for the last time
        pegs = _concat_pegs(self.level_pegs, KEPT_PEGS)
        self.level_pegs = []
        line_dates = self._line_dates(pegs, completion, production_dates.available)
        pegging = build_pegging(inp, pegs, self.code_rank, self.so_rank, self.planned.item)
        exception_facts = ExceptionFacts(
            inp=inp,
            planned=planned,
            production_dates=production_dates,
            clamped=self.planned.clamped,
            traces=self.traces,
            pegs={name: pegs[name] for name in ("stype", "sidx", "ddate")},
            expedites=_concat_pegs(self.level_expedites, ALL_PEGS),
            supply=self.supply,
            remaining=self.rem if self.compiled else np.asarray(self.pool_supply.rem),
        )
        del pegs
        return PlanResult(
            planned=planned,
            pegging=pegging,
            exceptions=build_exceptions(exception_facts),
            production_dates=production_dates,
            line_dates=line_dates,
        )

    def _line_dates(
        self, pegs: PegColumns, planned_avail: IntArray, production_avail: IntArray
    ) -> LineDates:
        """Rule 10: each sales line's projected date, the later of its due date and
        the availability of the supplies pegged to it (as components' in rule 9)."""
        d = self.inp.demands
        due = ints(d.due)
        projected = due.copy()
        mine = pegs["dtype"] == SALES_LINE
        stype = pegs["stype"][mine]
        sidx = pegs["sidx"][mine]
        avail = np.full(stype.size, self.pd, dtype=np.int64)
        sel = stype == PURCHASE
        avail[sel] = np.maximum(ints(self.inp.purchases.due)[sidx[sel]], self.pd)
        sel = stype == PRODUCTION
        avail[sel] = production_avail[sidx[sel]]
        sel = stype == PLANNED
        avail[sel] = planned_avail[sidx[sel]]
        np.maximum.at(projected, pegs["didx"][mine], avail)
        in_plan = (due <= self.last_day) & (np.asarray(d.qty, dtype=np.float64) > TOL)
        return LineDates(in_plan=in_plan, projected=projected)


ALL_PEGS = ("stype", "sidx", "qty", "dtype", "didx", "ddate", "dprio", "dso")
KEPT_PEGS = ("stype", "sidx", "qty", "dtype", "didx", "ddate")
"""Pegging columns kept after a level is traced: priorities and sales orders
are read only while the level is planned."""


def _int64(values: IntArray) -> IntArray:
    """A contiguous int64 column: the compiled loop is compiled for that type once."""
    return np.ascontiguousarray(values, dtype=np.int64)


def _concat_pegs(levels: list[PegColumns], names: tuple[str, ...]) -> PegColumns:
    """The levels' columns joined, one column at a time, each level's column let go
    once joined (the levels' dicts are emptied): a plan's pegging rows are millions,
    and joining all columns before letting any go held them twice (issue #18)."""
    if not levels:
        return {name: np.zeros(0, dtype=float if name == "qty" else np.int64) for name in names}
    return {name: np.concatenate([lv.pop(name) for lv in levels]) for name in names}

"""Whole-level netting, vectorised, for lot-for-lot items with only free supply.

An item qualifies when its lot rule is plain lot-for-lot (no ``min_qty``, no
``multiple``), all its existing supply, if any, is in the free pool and, when its
quantities are rounded to decimal places (rule 7), its demand, supply and safety
stock are whole numbers of steps (``lots.whole_steps``; ``run.py`` checks the
demand level by level). Its planned orders are then exactly its net requirements:
they leave no excess, so the item's supply never changes while it is netted, and
summing the requirements whose orders are due on one working day (rule 6) is
only a grouping. One pool read front to
back (rule 6 steps (b) and (d) meet end to end, and there are no (a)/(c)
steps) means demand k, in netting order with safety stock first, can use what
is available by its limit L_k (date + reschedule_in; pd for safety stock), and
what demands 1..k consume together is ``C_k = min(C_{k-1} + q_k, A_k)`` with
A_k the supply available by L_k. Unrolled, ``C_k = Q_k + min(0, min_{j<=k}
(A_j - Q_j))`` with Q the running demand: two running scans per level instead
of a Python step per demand. Items without any supply skip even that.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pegboard.engine._arrays import group_starts, lex_order, ranges, segment_scan, unique_values
from pegboard.engine.demand import DemandRows
from pegboard.engine.lots import TOL, round_to_places_array
from pegboard.engine.supply import SupplyTable
from pegboard.engine.types import NO_ORDER, BoolArray, FloatArray, IntArray

MAX_SUPPLY_ROWS = 32
"""Items with more supply rows than this use the per-item loop: pegging walks
supply rows one array pass per row position."""


@dataclass(frozen=True)
class LevelPlan:
    """Planned orders (local numbering) and pegging from one netting path.

    ``peg_sup >= 0`` is a supply-table row, ``< 0`` the local planned order
    ``-ref - 1``; ``peg_dem`` a position in the level's demand rows, -1 for
    safety stock. ``rem_rows``/``rem_qty``: supply rows and what is left of them.
    """

    pl_item: IntArray
    pl_day: IntArray
    pl_pool: IntArray
    pl_qty: FloatArray
    peg_sup: IntArray
    peg_dem: IntArray
    peg_qty: FloatArray
    ex_sup: IntArray
    ex_dem: IntArray
    rem_rows: IntArray
    rem_qty: FloatArray

    @staticmethod
    def concat(parts: list[LevelPlan]) -> LevelPlan:
        """One plan from several, renumbering each part's local planned orders."""
        shifted = []
        offset = 0
        for part in parts:
            shifted.append(np.where(part.peg_sup < 0, part.peg_sup - offset, part.peg_sup))
            offset += part.pl_item.size
        return LevelPlan(
            pl_item=np.concatenate([p.pl_item for p in parts]),
            pl_day=np.concatenate([p.pl_day for p in parts]),
            pl_pool=np.concatenate([p.pl_pool for p in parts]),
            pl_qty=np.concatenate([p.pl_qty for p in parts]),
            peg_sup=np.concatenate(shifted),
            peg_dem=np.concatenate([p.peg_dem for p in parts]),
            peg_qty=np.concatenate([p.peg_qty for p in parts]),
            ex_sup=np.concatenate([p.ex_sup for p in parts]),
            ex_dem=np.concatenate([p.ex_dem for p in parts]),
            rem_rows=np.concatenate([p.rem_rows for p in parts]),
            rem_qty=np.concatenate([p.rem_qty for p in parts]),
        )


_NONE = np.zeros(0, dtype=np.int64)


def _plan_requirements(
    item: IntArray, day: IntArray, pool: IntArray, need: FloatArray, scale: FloatArray
) -> tuple[IntArray, IntArray, IntArray, FloatArray, IntArray]:
    """One planned order per (item, due day, pool) for the sum of its net
    requirements, rounded to the item's decimal places (``scale`` per item).

    Returns the orders' (item, day, pool, qty) and each requirement's order.
    """
    order = lex_order(item, day, pool)
    starts = group_starts(item[order], day[order], pool[order])
    group = np.zeros(item.size, dtype=np.int64)
    if item.size:
        marks = np.zeros(item.size, dtype=np.int64)
        marks[starts] = 1
        group[order] = np.cumsum(marks) - 1
    firsts = order[starts]
    sums = np.add.reduceat(need[order], starts) if starts.size else np.zeros(0)
    qty = round_to_places_array(sums.astype(np.float64), scale[item[firsts]])
    return item[firsts], day[firsts], pool[firsts], qty, group


def net_without_supply(
    positions: IntArray, rows: DemandRows, due: IntArray, is_mto: BoolArray, scale: FloatArray
) -> LevelPlan:
    """Items with no supply and no safety stock: every demand is a net requirement,
    planned on its order's due day ``due`` (per level row)."""
    item = rows.item[positions]
    pool = np.where(is_mto[item], rows.so[positions], NO_ORDER)
    qty = rows.qty[positions]
    p_item, p_day, p_pool, p_qty, group = _plan_requirements(item, due[positions], pool, qty, scale)
    return LevelPlan(
        p_item, p_day, p_pool, p_qty, -group - 1, positions, qty,
        _NONE, _NONE, _NONE, np.zeros(0),
    )  # fmt: skip


@dataclass(frozen=True)
class FreePoolRun:
    """The level's demand of qualifying items, in netting order, as columns."""

    item: IntArray
    qty: FloatArray
    date: IntArray
    due: IntArray  # due day of its planned order (rule 1)
    limit: IntArray  # last day supply may be available for it
    demand: IntArray  # level position, -1 for safety stock
    pool: IntArray  # pool its net requirement is planned in


def free_pool_run(
    positions: IntArray,
    rows: DemandRows,
    due: IntArray,
    safety_items: IntArray,
    safety: FloatArray,
    is_mto: BoolArray,
    code_rank: IntArray,
    settings: tuple[int, int],
) -> FreePoolRun:
    """Safety stock first (pd, no pull-in), then each item's demands in level order."""
    pd, reschedule_in = settings
    n_ss = safety_items.size
    item = np.concatenate([safety_items, rows.item[positions]])
    demand = np.concatenate([np.full(n_ss, -1, dtype=np.int64), positions])
    date = np.concatenate([np.full(n_ss, pd, dtype=np.int64), rows.date[positions]])
    due_day = np.concatenate([np.full(n_ss, pd, dtype=np.int64), due[positions]])
    limit = np.concatenate([np.full(n_ss, pd, dtype=np.int64), date[n_ss:] + reschedule_in])
    mto_pool = np.where(is_mto[rows.item[positions]], rows.so[positions], NO_ORDER)
    pool = np.concatenate([np.full(n_ss, NO_ORDER, dtype=np.int64), mto_pool])
    qty = np.concatenate([safety[safety_items], rows.qty[positions]])
    order = lex_order(code_rank[item], demand)
    return FreePoolRun(
        item[order],
        qty[order],
        date[order],
        due_day[order],
        limit[order],
        demand[order],
        pool[order],
    )


def net_free_pool(
    run: FreePoolRun, supply: SupplyTable, planning_date: int, scale: FloatArray
) -> LevelPlan:
    """Net every qualifying item of a level at once (see the module docstring)."""
    item, qty = run.item, run.qty
    running = segment_scan(qty, item, np.add)
    lo = supply.offsets[item]
    # supply available by each limit: exact integer search on (item, day) keys
    span = int(max(supply.avail.max(initial=planning_date), run.limit.max(initial=0)))
    span = span - planning_date + 2
    found = np.searchsorted(
        supply.item * span + (supply.avail - planning_date),
        item * span + (run.limit - planning_date),
        side="right",
    )
    owned = unique_values(item)
    first = supply.offsets[owned]
    rows = ranges(first, supply.offsets[owned + 1] - first)
    cumulative = np.zeros(len(supply) + 1, dtype=np.float64)  # + 1: never empty
    cumulative[rows] = segment_scan(supply.qty[rows], supply.item[rows], np.add)
    available = np.where(found > lo, cumulative[np.maximum(found - 1, 0)], 0.0)
    lowest = segment_scan(available - running, item, np.minimum)
    used = running + np.minimum(lowest, 0.0)  # C_k
    starts = group_starts(item)
    before = np.zeros(item.size, dtype=np.float64)
    before[1:] = used[:-1]
    before[starts] = 0.0
    taken = used - before
    pegs = _supply_pegs(run, supply, cumulative, used, before, np.flatnonzero(taken > TOL))
    need = qty - taken
    short = np.flatnonzero(need > TOL)
    p_item, p_day, p_pool, p_qty, group = _plan_requirements(
        item[short], run.due[short], run.pool[short], need[short], scale
    )
    last = np.append(starts[1:], item.size) - 1 if item.size else _NONE
    rem_rows, rem_qty = _left_over(supply, cumulative, item[last], used[last])
    return LevelPlan(
        p_item, p_day, p_pool, p_qty,
        np.concatenate([pegs[0], -group - 1]),
        np.concatenate([pegs[1], run.demand[short]]),
        np.concatenate([pegs[2], need[short]]),
        pegs[3], pegs[4], rem_rows, rem_qty,
    )  # fmt: skip


def _supply_pegs(
    run: FreePoolRun,
    supply: SupplyTable,
    cumulative: FloatArray,
    used: FloatArray,
    before: FloatArray,
    takers: IntArray,
) -> tuple[IntArray, IntArray, FloatArray, IntArray, IntArray]:
    """Overlap of each demand's slice (before, used] with each supply row's slice
    of the item's cumulative supply: one pass per row position within an item."""
    lo = supply.offsets[run.item[takers]]
    count = supply.offsets[run.item[takers] + 1] - lo
    sup: list[IntArray] = []
    dem: list[IntArray] = []
    qty: list[FloatArray] = []
    for j in range(int(count.max(initial=0))):
        sel = np.flatnonzero(count > j)
        row = lo[sel] + j
        k = takers[sel]
        start = cumulative[row - 1] if j else np.zeros(sel.size)
        overlap = np.minimum(cumulative[row], used[k]) - np.maximum(start, before[k])
        keep = overlap > TOL
        sup.append(row[keep])
        dem.append(k[keep])
        qty.append(overlap[keep])
    rows = np.concatenate(sup) if sup else _NONE
    taker = np.concatenate(dem) if dem else _NONE
    late = supply.avail[rows] > run.date[taker]  # pulled in: expedite
    return (
        rows,
        run.demand[taker],
        np.concatenate(qty) if qty else np.zeros(0),
        rows[late],
        run.demand[taker[late]],
    )


def _left_over(
    supply: SupplyTable, cumulative: FloatArray, items: IntArray, used: FloatArray
) -> tuple[IntArray, FloatArray]:
    """What each supply row of the items keeps after the items' total use."""
    first = supply.offsets[items]
    count = supply.offsets[items + 1] - first
    rows = ranges(first, count)
    total = np.repeat(used, count)
    start = np.where(rows == np.repeat(first, count), 0.0, cumulative[np.maximum(rows - 1, 0)])
    qty = supply.qty[rows]
    return rows, qty - np.clip(total - start, 0.0, qty)

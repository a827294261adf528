"""The pegging table of the result: merged, rounded, sorted by ids, not positions."""

from __future__ import annotations

import numpy as np

from pegboard.engine._arrays import ints, narrowest, string_rank
from pegboard.engine.demand import pool_rank
from pegboard.engine.planned import PegColumns
from pegboard.engine.supply import id_order
from pegboard.engine.types import IntArray, Pegging, PlanInput


def _rank_of(order: IntArray) -> IntArray:
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    return rank


def _stock_rank(inp: PlanInput, so_rank: IntArray) -> IntArray:
    st = inp.stock
    n = len(st)
    return _rank_of(
        np.lexsort(
            (np.arange(n), pool_rank(ints(st.sales_order), so_rank), string_rank(st.location))
        )
    )


def _line_rank(inp: PlanInput, so_rank: IntArray) -> IntArray:
    d = inp.demands
    n = len(d)
    return _rank_of(
        np.lexsort((np.arange(n), ints(d.line), pool_rank(ints(d.sales_order), so_rank)))
    )


def _positions(ranks: list[IntArray]) -> tuple[IntArray, IntArray]:
    """Dense positions of the rows of several tables taken one after the other, each
    table by its own rank: (offset of each table, position of each of its rows)."""
    sizes = np.asarray([rank.size for rank in ranks], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    return offsets, np.concatenate([rank + offsets[t] for t, rank in enumerate(ranks)])


def _pair_starts(supply: IntArray, demand: IntArray, order: IntArray) -> IntArray:
    """``group_starts`` of (supply, demand) taken in ``order``, one column at a time
    (a plan's pegging rows are millions: the two reordered columns are not both kept)."""
    change = np.zeros(order.size, dtype=np.bool_)
    if order.size == 0:
        return np.zeros(0, dtype=np.int64)
    change[0] = True
    for key in (supply, demand):
        taken = np.take(key, order)
        change[1:] |= taken[1:] != taken[:-1]
        del taken
    return np.flatnonzero(change).astype(np.int64)


def build_pegging(
    inp: PlanInput,
    pegs: PegColumns,
    code_rank: IntArray,
    so_rank: IntArray,
    planned_item: IntArray,
) -> Pegging:
    """Sort by (item code, supply type, supply id, demand type, demand id), merging
    repeated (supply, demand) pairs, so the table does not depend on row order.

    Every supply (stock row, purchase line, production order, planned order) gets
    its dense position in that order once, and so does every demand (by type, id);
    the rows are then ordered by the two positions with two linear counting-sort
    passes (``sort_kernel``) instead of a comparison sort of millions of rows.
    """
    from pegboard.engine.sort_kernel import dense_order  # imports Numba: plans only

    stype, sidx, dtype, didx = pegs["stype"], pegs["sidx"], pegs["dtype"], pegs["didx"]
    n_planned = planned_item.size
    supplies = [
        (ints(inp.stock.item), _stock_rank(inp, so_rank)),
        (ints(inp.purchases.item), id_order(inp.purchases.ref)),
        (ints(inp.productions.item), id_order(inp.productions.ref)),
        (ints(planned_item), np.arange(n_planned, dtype=np.int64)),
    ]  # indexed by STOCK, PURCHASE, PRODUCTION, PLANNED
    offsets, by_type = _positions([rank for _, rank in supplies])
    item = np.concatenate([it for it, _ in supplies])
    supply_pos = np.empty(item.size, dtype=np.int64)
    supply_pos[dense_order(code_rank[item], by_type)] = np.arange(item.size, dtype=np.int64)
    # the row columns are millions long: each temporary is made once and reused in place
    at = np.take(offsets, stype)
    at += sidx
    supply = np.take(supply_pos, at)
    demands = [
        _line_rank(inp, so_rank),
        np.arange(n_planned, dtype=np.int64),
        id_order(inp.productions.ref),
        np.zeros(1, dtype=np.int64),
    ]  # indexed by SALES_LINE, PLANNED_PARENT, PRODUCTION_PARENT, SAFETY_STOCK
    d_offsets, d_pos = _positions(demands)
    np.maximum(didx, 0, out=at)
    at += np.take(d_offsets, dtype)
    demand = d_pos[at]
    del at
    order = dense_order(supply, demand)
    starts = _pair_starts(supply, demand, order)
    del supply, demand
    qty = np.add.reduceat(pegs["qty"][order], starts) if starts.size else np.zeros(0)
    keep = order[starts]
    del order
    # the run keeps its pegging columns in the narrowest integer type that holds them
    # (``_arrays.narrowest``), and so does the result: a big plan keeps millions of
    # rows while it is stored (issue #18)
    kept_type, kept_index = stype[keep], sidx[keep]
    at = np.take(offsets, kept_type)
    at += kept_index
    return Pegging(
        supply_type=narrowest(kept_type),
        supply_index=narrowest(kept_index),
        item=narrowest(item)[at],
        qty=np.round(qty, 6),
        demand_type=narrowest(dtype[keep]),
        demand_index=narrowest(didx[keep]),
    )

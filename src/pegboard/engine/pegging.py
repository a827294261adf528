"""The pegging table of the result: merged, rounded, sorted by ids, not positions."""

from __future__ import annotations

import numpy as np

from pegboard.engine._arrays import group_starts, ints, lex_order, string_rank
from pegboard.engine.demand import pool_rank
from pegboard.engine.planned import PegColumns
from pegboard.engine.supply import id_order
from pegboard.engine.types import (
    PRODUCTION,
    PRODUCTION_PARENT,
    PURCHASE,
    SALES_LINE,
    STOCK,
    IntArray,
    Pegging,
    PlanInput,
)


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


def _ranked(kind: IntArray, index: IntArray, ranks: dict[int, IntArray]) -> IntArray:
    out = index.copy()
    for k, rank in ranks.items():
        sel = kind == k
        out[sel] = rank[index[sel]]
    return out


def build_pegging(
    inp: PlanInput, pegs: PegColumns, code_rank: IntArray, so_rank: IntArray
) -> Pegging:
    """Sort by (item code, supply type, supply id, demand type, demand id), merging
    repeated (supply, demand) pairs, so the table does not depend on row order."""
    stype, sidx, dtype, didx = pegs["stype"], pegs["sidx"], pegs["dtype"], pegs["didx"]
    supply_rank = _ranked(
        stype,
        sidx,
        {
            STOCK: _stock_rank(inp, so_rank),
            PURCHASE: id_order(inp.purchases.ref),
            PRODUCTION: id_order(inp.productions.ref),
        },
    )
    demand_rank = _ranked(
        dtype,
        didx,
        {SALES_LINE: _line_rank(inp, so_rank), PRODUCTION_PARENT: id_order(inp.productions.ref)},
    )
    order = lex_order(code_rank[pegs["item"]], stype, supply_rank, dtype, demand_rank)
    stype, sidx, dtype, didx = stype[order], sidx[order], dtype[order], didx[order]
    starts = group_starts(stype, sidx, dtype, didx)
    qty = np.add.reduceat(pegs["qty"][order], starts) if starts.size else np.zeros(0)
    return Pegging(
        supply_type=stype[starts],
        supply_index=sidx[starts],
        item=pegs["item"][order][starts],
        qty=np.round(qty, 6),
        demand_type=dtype[starts],
        demand_index=didx[starts],
    )

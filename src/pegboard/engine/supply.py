"""Existing supply (stock, purchase lines, production orders) as one sorted table.

Sorting once by (item, availability, supply type, id) puts every pool of every
item in exactly the consumption order of rule 6, so netting only ever reads a
pool from the front.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pegboard.engine._arrays import ints, lex_order, sorted_positions
from pegboard.engine.lots import TOL
from pegboard.engine.types import (
    PRODUCTION,
    PURCHASE,
    STOCK,
    FloatArray,
    IntArray,
    PlanInput,
)


@dataclass(frozen=True)
class SupplyTable:
    item: IntArray
    pool: IntArray  # sales order, NO_ORDER for the free pool
    avail: IntArray  # day the supply can first be used (never before planning_date)
    stype: IntArray  # STOCK / PURCHASE / PRODUCTION
    sidx: IntArray  # row in the input table named by stype
    qty: FloatArray
    offsets: IntArray  # rows of item i are offsets[i]:offsets[i + 1]

    def __len__(self) -> int:
        return len(self.item)


def id_order(refs: list[str]) -> IntArray:
    """Position of each row when sorted by id, input position breaking exact ties."""
    return sorted_positions(refs)


def stock_order(inp: PlanInput) -> IntArray:
    """Stock rows are consumed by location, input position deciding only among
    rows of one location (whose sum is all that matters)."""
    return id_order(inp.stock.location)


def build_supplies(inp: PlanInput) -> SupplyTable:
    pd = inp.settings.planning_date
    st, pu, pr = inp.stock, inp.purchases, inp.productions
    parts = [
        (STOCK, st.item, st.sales_order, np.full(len(st), pd), st.qty, stock_order(inp)),
        (PURCHASE, pu.item, pu.sales_order, np.maximum(pu.due, pd), pu.qty, id_order(pu.ref)),
        (PRODUCTION, pr.item, pr.sales_order, np.maximum(pr.due, pd), pr.qty, id_order(pr.ref)),
    ]
    item = np.concatenate([ints(p[1]) for p in parts])
    pool = np.concatenate([ints(p[2]) for p in parts])
    avail = np.concatenate([ints(p[3]) for p in parts])
    stype = np.concatenate([np.full(len(p[1]), p[0], dtype=np.int64) for p in parts])
    sidx = np.concatenate([np.arange(len(p[1]), dtype=np.int64) for p in parts])
    qty = np.concatenate([np.asarray(p[4], dtype=np.float64) for p in parts])
    key = np.concatenate([p[5] for p in parts])
    keep = qty > TOL
    order = lex_order(item[keep], avail[keep], stype[keep], key[keep])
    item = item[keep][order]
    n_items = len(inp.items)
    offsets = np.searchsorted(item, np.arange(n_items + 1, dtype=np.int64)).astype(np.int64)
    return SupplyTable(
        item=item,
        pool=pool[keep][order],
        avail=avail[keep][order],
        stype=stype[keep][order],
        sidx=sidx[keep][order],
        qty=qty[keep][order],
        offsets=offsets,
    )

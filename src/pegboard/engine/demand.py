"""Demand rows (independent and dependent) and their netting order.

Demands travel as column arrays grouped per low-level code: the explosion of
one level appends chunks to the levels of the components, and a level is
sorted once, with one sort, when its turn comes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pegboard.engine._arrays import ints, lex_order
from pegboard.engine.lots import TOL
from pegboard.engine.types import (
    NO_ORDER,
    SALES_LINE,
    FloatArray,
    IntArray,
    PlanInput,
)


@dataclass(frozen=True)
class DemandRows:
    item: IntArray
    qty: FloatArray
    date: IntArray  # effective date: max(due, planning_date)
    so: IntArray  # sales order carried, NO_ORDER for none
    prio: IntArray
    line: IntArray  # sales line number, 0 for dependent demand
    dtype: IntArray  # SALES_LINE / PLANNED_PARENT / PRODUCTION_PARENT
    didx: IntArray  # sales line row, or the parent order's index

    def __len__(self) -> int:
        return len(self.item)

    def take(self, index: IntArray) -> DemandRows:
        return DemandRows(
            item=self.item[index],
            qty=self.qty[index],
            date=self.date[index],
            so=self.so[index],
            prio=self.prio[index],
            line=self.line[index],
            dtype=self.dtype[index],
            didx=self.didx[index],
        )

    @staticmethod
    def concat(chunks: list[DemandRows]) -> DemandRows:
        if not chunks:
            return empty_rows()
        return DemandRows(
            item=np.concatenate([c.item for c in chunks]),
            qty=np.concatenate([c.qty for c in chunks]),
            date=np.concatenate([c.date for c in chunks]),
            so=np.concatenate([c.so for c in chunks]),
            prio=np.concatenate([c.prio for c in chunks]),
            line=np.concatenate([c.line for c in chunks]),
            dtype=np.concatenate([c.dtype for c in chunks]),
            didx=np.concatenate([c.didx for c in chunks]),
        )


def empty_rows() -> DemandRows:
    none = np.zeros(0, dtype=np.int64)
    return DemandRows(none, np.zeros(0), none, none, none, none, none, none)


def independent_demand(inp: PlanInput) -> DemandRows:
    """Open sales-line quantities within the horizon, dated no earlier than today."""
    pd = inp.settings.planning_date
    d = inp.demands
    due = ints(d.due)
    qty = np.asarray(d.qty, dtype=np.float64)
    keep = np.flatnonzero((due <= pd + inp.settings.horizon_days) & (qty > TOL))
    return DemandRows(
        item=ints(d.item)[keep],
        qty=qty[keep],
        date=np.maximum(due[keep], pd),
        so=ints(d.sales_order)[keep],
        prio=ints(d.priority)[keep],
        line=ints(d.line)[keep],
        dtype=np.full(keep.size, SALES_LINE, dtype=np.int64),
        didx=keep.astype(np.int64),
    )


def pool_rank(so: IntArray, so_rank: IntArray) -> IntArray:
    """Sort key of a sales order by its id string; NO_ORDER ("") sorts first."""
    safe = np.where(so >= 0, so, 0)
    return np.where(so == NO_ORDER, -1, so_rank[safe] if so_rank.size else -1)


def netting_order(
    rows: DemandRows, code_rank: IntArray, so_rank: IntArray, parent_rank: IntArray
) -> IntArray:
    """Item by item code, then rule 6's key (date, priority, sales order, line,
    parent order ref); the input row only separates duplicate sales lines."""
    return lex_order(
        code_rank[rows.item],
        rows.date,
        rows.prio,
        pool_rank(rows.so, so_rank),
        rows.line,
        parent_rank,
        rows.dtype,
        rows.didx,
    )

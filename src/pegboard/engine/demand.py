"""Demand rows (independent and dependent) and their netting order.

Demands travel as column arrays grouped per low-level code: the explosion of
one level appends chunks to the levels of the components, and a level is
sorted once, with one sort, when its turn comes.
"""

from __future__ import annotations

from collections.abc import Callable
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
    def concat_sorted(
        chunks: list[DemandRows], order_of: Callable[[DemandRows], IntArray]
    ) -> DemandRows:
        """The chunks as one table in the order ``order_of`` gives it; empties
        ``chunks`` and holds little more than one copy of the rows at a time."""
        if not chunks:
            return empty_rows()
        return _sorted_concat(chunks, order_of)


def _sorted_concat(
    chunks: list[DemandRows], order_of: Callable[[DemandRows], IntArray]
) -> DemandRows:
    """``DemandRows.concat_sorted``."""
    columns = {name: np.concatenate([getattr(c, name) for c in chunks]) for name in _COLUMNS}
    chunks.clear()
    order = order_of(DemandRows(**columns))
    for name in _COLUMNS:  # one column at a time, each unsorted one freed as it goes
        columns[name] = columns[name][order]
    return DemandRows(**columns)


_COLUMNS = ("item", "qty", "date", "so", "prio", "line", "dtype", "didx")


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
    rows: DemandRows,
    code_rank: IntArray,
    so_rank: IntArray,
    parent_rank: IntArray,
    sort: Callable[[IntArray], IntArray] | None = None,
) -> IntArray:
    """Item by item code, then rule 6's key (date, priority, sales order, line,
    parent order ref); the input row only separates duplicate sales lines.

    ``parent_rank`` ranks each dependent demand's parent by (ref, demand type,
    index), distinctly, so one key orders what follows the line: sales lines
    (no parent) by input row, then dependent demand by parent.
    """
    sales = rows.dtype == SALES_LINE
    lines = int(rows.didx[sales].max()) + 1 if sales.any() else 0
    tail = np.where(sales, rows.didx, lines + parent_rank)
    return lex_order(
        code_rank[rows.item],
        rows.date,
        rows.prio,
        pool_rank(rows.so, so_rank),
        rows.line,
        tail,
        sort=sort,
    )

"""Explosion (rule 8): make orders become dependent demand on their components.

Planned make orders and open production orders explode through the BOM; an
open production order listed in ``ProductionComponents`` demands its listed
outstanding quantities instead (``ListedComponents``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from pegboard.engine._arrays import floats, group_starts, ints, lex_order, ranges
from pegboard.engine.demand import DemandRows
from pegboard.engine.lots import TOL
from pegboard.engine.types import (
    NO_ORDER,
    Bom,
    BoolArray,
    FloatArray,
    IntArray,
    ProductionComponents,
)


class BomIndex:
    """BOM lines grouped by (parent, sales order), the master BOM under NO_ORDER.

    One ``searchsorted`` per batch of orders finds each order's lines, which is
    how the order-specific-BOM-else-master choice stays vectorised.
    """

    def __init__(
        self,
        bom: Bom,
        n_sales_orders: int,
        sort: Callable[[IntArray], IntArray] | None = None,
    ) -> None:
        """``sort``: ``lex_order``'s (a plan's compiled one; NumPy's by default)."""
        self.width = n_sales_orders + 1
        parent = np.asarray(bom.parent, dtype=np.int64)
        so = np.asarray(bom.sales_order, dtype=np.int64)
        component = np.asarray(bom.component, dtype=np.int64)
        key = parent * self.width + (so + 1)
        order = lex_order(key, component, sort=sort)
        factor = np.asarray(bom.qty_per, dtype=np.float64) * (
            1.0 + np.asarray(bom.scrap_pct, dtype=np.float64) / 100.0
        )
        self.component: IntArray = component[order]
        self.factor: FloatArray = factor[order]
        sorted_key = key[order]
        first = np.ones(sorted_key.size, dtype=np.bool_)
        first[1:] = sorted_key[1:] != sorted_key[:-1]
        self.keys: IntArray = sorted_key[first]
        self.starts: IntArray = np.flatnonzero(first).astype(np.int64)
        self.ends: IntArray = np.append(self.starts[1:], key.size).astype(np.int64)

    def _find(self, key: IntArray) -> tuple[np.ndarray, IntArray]:
        pos = np.searchsorted(self.keys, key)
        safe = np.minimum(pos, max(self.keys.size - 1, 0))
        found = (pos < self.keys.size) & (self.keys[safe] == key) if self.keys.size else pos < 0
        return found, safe

    def lines(self, item: IntArray, so: IntArray) -> tuple[IntArray, IntArray]:
        """Line range of each order's BOM: its sales order's own rows if any, else master."""
        own_found, own = self._find(item * self.width + (so + 1))
        own_found &= so != NO_ORDER
        master_found, master = self._find(item * self.width)
        lo = np.zeros(item.size, dtype=np.int64)
        hi = np.zeros(item.size, dtype=np.int64)
        use_master = ~own_found & master_found
        lo[own_found] = self.starts[own[own_found]]
        hi[own_found] = self.ends[own[own_found]]
        lo[use_master] = self.starts[master[use_master]]
        hi[use_master] = self.ends[master[use_master]]
        return lo, hi


@dataclass(frozen=True)
class MakeOrders:
    """Orders to explode: planned make orders or open production orders."""

    dtype: IntArray  # PLANNED_PARENT / PRODUCTION_PARENT, as their demand will say
    index: IntArray
    item: IntArray
    qty: FloatArray
    date: IntArray  # release (planned) or max(start, planning_date) (production)
    so: IntArray
    prio: IntArray

    def take(self, index: IntArray) -> MakeOrders:
        return MakeOrders(
            dtype=self.dtype[index],
            index=self.index[index],
            item=self.item[index],
            qty=self.qty[index],
            date=self.date[index],
            so=self.so[index],
            prio=self.prio[index],
        )


def explode(bom: BomIndex, orders: MakeOrders) -> DemandRows:
    """Dependent demand of the orders; two lines of one BOM for the same component
    are one demand, since they share every key of the netting order."""
    lo, hi = bom.lines(orders.item, orders.so)
    counts = hi - lo
    rows = ranges(lo, counts)
    owner = np.repeat(np.arange(orders.item.size, dtype=np.int64), counts)
    component = bom.component[rows]
    qty = orders.qty[owner] * bom.factor[rows]
    starts = group_starts(owner, component)  # lines are sorted by component per BOM
    qty = np.add.reduceat(qty, starts) if starts.size else qty
    owner = owner[starts]
    component = component[starts]
    keep = qty > TOL
    owner, component, qty = owner[keep], component[keep], qty[keep]
    return DemandRows(
        item=component,
        qty=qty,
        date=orders.date[owner],
        so=orders.so[owner],
        prio=orders.prio[owner],
        line=np.zeros(owner.size, dtype=np.int64),
        dtype=orders.dtype[owner],
        didx=orders.index[owner],
    )


class ListedComponents:
    """The outstanding components listed for open production orders.

    ``listed`` marks every order with at least one row (even a zero one): those
    orders are not exploded through the BOM. The rows are summed per (order,
    component), rows with nothing left to issue dropped, and grouped by order,
    so ``offsets[k]:offsets[k + 1]`` are order k's demand rows.
    """

    def __init__(self, table: ProductionComponents, n_orders: int) -> None:
        order = ints(table.order)
        item = ints(table.item)
        qty = floats(table.qty)
        self.listed: BoolArray = np.zeros(n_orders, dtype=np.bool_)
        self.listed[order] = True
        by = lex_order(order, item)
        order, item, qty = order[by], item[by], qty[by]
        starts = group_starts(order, item)
        qty = np.add.reduceat(qty, starts) if starts.size else qty
        order, item = order[starts], item[starts]
        keep = qty > TOL
        self.order: IntArray = order[keep]
        self.item: IntArray = item[keep]
        self.qty: FloatArray = qty[keep]
        self.offsets: IntArray = np.searchsorted(
            self.order, np.arange(n_orders + 1, dtype=np.int64)
        ).astype(np.int64)

    def demand(self, orders: MakeOrders) -> DemandRows:
        """Dependent demand of the orders (``index`` = production order positions),
        in the format of ``explode``: the order's date, sales order and priority."""
        lo = self.offsets[orders.index]
        counts = self.offsets[orders.index + 1] - lo
        rows = ranges(lo, counts)
        owner = np.repeat(np.arange(orders.index.size, dtype=np.int64), counts)
        return DemandRows(
            item=self.item[rows],
            qty=self.qty[rows],
            date=orders.date[owner],
            so=orders.so[owner],
            prio=orders.prio[owner],
            line=np.zeros(owner.size, dtype=np.int64),
            dtype=orders.dtype[owner],
            didx=orders.index[owner],
        )

"""Tracing supply up to the sales orders behind it, through pooled supply.

A supply serves sales order s with the quantity it pegs to s's lines, plus, for
each dependent demand of a parent order X it covers, the covered quantity
times the share of X that serves s. Parents are netted before their
components, so a level's traces only read traces that are already complete.
"""

from __future__ import annotations

import numpy as np

from pegboard.engine._arrays import group_starts, lex_order, ranges
from pegboard.engine.types import (
    NO_ORDER,
    PLANNED,
    PLANNED_PARENT,
    PRODUCTION,
    PRODUCTION_PARENT,
    PURCHASE,
    SALES_LINE,
    STOCK,
    FloatArray,
    IntArray,
)

PARENT_SUPPLY = {PLANNED_PARENT: PLANNED, PRODUCTION_PARENT: PRODUCTION}


class TraceStore:
    """Per order (planned, purchase, production): rows of (sales order, quantity).

    The rows of one order are contiguous in two flat arrays, in sales-order id
    order; ``start``/``end`` per supply type give each order's slice, empty
    until its level is traced. Safety stock traces to nothing, so no row is
    ever NO_ORDER.
    """

    def __init__(self, n_purchases: int, n_productions: int, so_rank: IntArray) -> None:
        self.so_rank = so_rank
        self.so: IntArray = np.zeros(0, dtype=np.int64)
        self.qty: FloatArray = np.zeros(0, dtype=np.float64)
        self.start: dict[int, IntArray] = {
            PURCHASE: np.zeros(n_purchases, dtype=np.int64),
            PRODUCTION: np.zeros(n_productions, dtype=np.int64),
            PLANNED: np.zeros(0, dtype=np.int64),
        }
        self.end: dict[int, IntArray] = {k: v.copy() for k, v in self.start.items()}

    def grow_planned(self, n_planned: int) -> None:
        extra = n_planned - self.start[PLANNED].size
        if extra > 0:
            pad = np.zeros(extra, dtype=np.int64)
            self.start[PLANNED] = np.concatenate([self.start[PLANNED], pad])
            self.end[PLANNED] = np.concatenate([self.end[PLANNED], pad])

    def rows(self, stype: int, index: int) -> list[tuple[int, float]]:
        lo = int(self.start[stype][index])
        hi = int(self.end[stype][index])
        return list(zip(self.so[lo:hi].tolist(), self.qty[lo:hi].tolist(), strict=True))

    def sales_orders(self, stype: int, index: int) -> list[int]:
        lo = int(self.start[stype][index])
        hi = int(self.end[stype][index])
        return list(self.so[lo:hi].tolist())

    def add_level(
        self,
        pegs: tuple[IntArray, IntArray, FloatArray, IntArray, IntArray, IntArray],
        parent_qty: dict[int, FloatArray],
    ) -> None:
        """Trace the supplies of one level from their pegging rows.

        ``pegs`` = (supply type, supply index, quantity, demand type, demand
        index, demand sales order); ``parent_qty`` gives each planned and
        production order's quantity, the denominator of its shares.
        """
        stype, sidx, qty, dtype, didx, dso = pegs
        traced = stype != STOCK
        owners = [np.flatnonzero(traced & (dtype == SALES_LINE) & (dso != NO_ORDER))]
        sos = [dso[owners[0]]]
        vals = [qty[owners[0]]]
        for dkind, skind in PARENT_SUPPLY.items():
            sel = np.flatnonzero(traced & (dtype == dkind))
            if sel.size == 0:
                continue
            parent = didx[sel]
            lo = self.start[skind][parent]
            counts = self.end[skind][parent] - lo
            rows = ranges(lo, counts)
            share = qty[sel] / parent_qty[skind][parent]
            owners.append(np.repeat(sel, counts))
            sos.append(self.so[rows])
            vals.append(self.qty[rows] * np.repeat(share, counts))
        owner = np.concatenate(owners)
        so = np.concatenate(sos)
        val = np.concatenate(vals)
        if owner.size == 0:
            return
        # one int64 key (owner, sales-order rank): a single sort instead of a lexsort,
        # and each order's rows come out in sales-order id order for the exceptions
        width = self.so_rank.size + 1
        span = max(self.start[PLANNED].size, self.start[PURCHASE].size, self.start[PRODUCTION].size)
        owner_key = stype[owner] * (span + 1) + sidx[owner]
        key = owner_key * width + self.so_rank[so] + 1
        from pegboard.engine.sort_kernel import sorted_ints  # Numba: plans only

        order = lex_order(key, sort=sorted_ints)
        key = key[order]
        starts = group_starts(key)
        sums = np.add.reduceat(val[order], starts)
        so = so[order][starts]
        owner_key = key[starts] // width
        o_type = owner_key // (span + 1)
        o_idx = owner_key % (span + 1)
        base = self.so.size
        self.so = np.concatenate([self.so, so])
        self.qty = np.concatenate([self.qty, sums])
        firsts = group_starts(owner_key)
        lasts = np.append(firsts[1:], owner_key.size)
        for kind in (PURCHASE, PRODUCTION, PLANNED):
            mine = o_type[firsts] == kind
            self.start[kind][o_idx[firsts[mine]]] = base + firsts[mine]
            self.end[kind][o_idx[firsts[mine]]] = base + lasts[mine]

"""The planned orders a run creates, numbered in creation order, level by level."""

from __future__ import annotations

import bisect

import numpy as np

from pegboard.engine._arrays import ints, sorted_positions, unique_inverse
from pegboard.engine.types import (
    PLANNED,
    PLANNED_PARENT,
    PRODUCTION,
    PURCHASE,
    STOCK,
    BoolArray,
    FloatArray,
    IntArray,
    PlannedOrders,
)

PegColumns = dict[str, np.ndarray]
"""One level's pegging rows: stype, sidx, item, qty, dtype, didx, ddate, dprio, dso."""


NUMBERED_REFS = 999_999
"""Refs ``PL-000001`` to ``PL-999999`` sort as strings in the order of their numbers."""


def planned_ref(number: int) -> str:
    return f"PL-{number + 1:06d}"


def planned_refs(start: int, stop: int) -> list[str]:
    """``planned_ref`` of each number in ``range(start, stop)``."""
    return list(map("PL-%06d".__mod__, range(start + 1, stop + 1)))


def _slot(ref: str) -> int:
    """Where a production ref falls among the numbered planned refs: planned
    order n sits at ``2 * (n + 1)``; ``2 * k + 1`` is between planned orders
    k - 1 and k; an equal ref shares its planned order's slot."""
    if not ref.startswith("PL-"):
        return 1 if ref < "PL-" else 2 * NUMBERED_REFS + 1
    below = bisect.bisect_left(range(NUMBERED_REFS), ref, key=planned_ref)
    if below < NUMBERED_REFS and planned_ref(below) == ref:
        return 2 * (below + 1)
    return 2 * below + 1


class ParentRank:
    """Rank of parent orders, planned and production, by (ref as a string,
    demand type, index): the tail of the netting order of dependent demand.

    While planned refs have six digits their string order is their number
    order, so ranking is a merge of the planned numbers with the production
    refs, placed once among all numbered refs; no strings per row.
    """

    def __init__(self, production_refs: list[str]) -> None:
        self.production_refs = production_refs
        self.position = sorted_positions(production_refs)
        self.slot = ints([_slot(ref) for ref in production_refs])
        self.sorted_slots = np.sort(self.slot)

    def rank(self, dtype: IntArray, didx: IntArray, n_planned: int) -> IntArray:
        """A distinct rank per parent (``dtype`` PLANNED_PARENT or
        PRODUCTION_PARENT, ``didx`` its index) among all ``n_planned`` planned
        and all production orders."""
        if n_planned > NUMBERED_REFS:
            return self._by_strings(dtype, didx)
        rank = np.empty(dtype.size, dtype=np.int64)
        planned = np.flatnonzero(dtype == PLANNED_PARENT)
        number = didx[planned]
        rank[planned] = number + np.searchsorted(self.sorted_slots, 2 * (number + 1))
        production = np.flatnonzero(dtype != PLANNED_PARENT)
        index = didx[production]
        rank[production] = self.position[index] + np.minimum(self.slot[index] // 2, n_planned)
        return rank

    def _by_strings(self, dtype: IntArray, didx: IntArray) -> IntArray:
        """The same order from the refs themselves, once planned refs outgrow six digits."""
        key = dtype * (1 << 40) + didx
        unique, inverse = unique_inverse(key)
        kinds = (unique >> 40).tolist()
        indexes = (unique & ((1 << 40) - 1)).tolist()
        refs = [
            planned_ref(k) if kind == PLANNED_PARENT else self.production_refs[k]
            for kind, k in zip(kinds, indexes, strict=True)
        ]
        order = sorted(range(len(refs)), key=lambda u: (refs[u], kinds[u], indexes[u]))
        rank = np.empty(len(refs), dtype=np.int64)
        rank[np.asarray(order, dtype=np.int64)] = np.arange(len(refs))
        return rank[inverse]


class PlannedStore:
    """Columns of all planned orders so far; a level appends one sorted block."""

    def __init__(self) -> None:
        self.item: IntArray = np.zeros(0, dtype=np.int64)
        self.qty: FloatArray = np.zeros(0, dtype=np.float64)
        self.release: IntArray = np.zeros(0, dtype=np.int64)
        self.due: IntArray = np.zeros(0, dtype=np.int64)
        self.so: IntArray = np.zeros(0, dtype=np.int64)
        self.clamped: BoolArray = np.zeros(0, dtype=np.bool_)
        self.refs: list[str] = []
        self.level_range: list[tuple[int, int]] = []

    def __len__(self) -> int:
        return len(self.refs)

    def append_level(
        self,
        item: IntArray,
        qty: FloatArray,
        due: IntArray,
        so: IntArray,
        lead_time: IntArray,
        planning_date: int,
    ) -> None:
        """Add one level's orders, already in creation order; release is clamped to
        the planning date (rule 1) and the clamping remembered for ``late``."""
        base = len(self.refs)
        release = due - lead_time[item]
        clamped = release < planning_date
        self.item = np.concatenate([self.item, item])
        self.qty = np.concatenate([self.qty, qty])
        self.release = np.concatenate([self.release, np.maximum(release, planning_date)])
        self.due = np.concatenate([self.due, due])
        self.so = np.concatenate([self.so, so])
        self.clamped = np.concatenate([self.clamped, clamped])
        self.refs.extend(planned_refs(base, base + item.size))
        self.level_range.append((base, len(self.refs)))

    def earliest_completion(
        self,
        level_pegs: list[PegColumns],
        lead_time: IntArray,
        planning_date: int,
        open_due: dict[int, IntArray],
    ) -> IntArray:
        """Rule 9's earliest completion, deepest level first.

        An order can finish ``lead_time`` after the latest of today and the
        availability of the supplies pegged to its dependent demand: stock
        today, an open order on its own (unclamped) due date, a planned order
        at its own earliest completion, which is known because components sit
        at deeper levels.
        """
        n = len(self.refs)
        ready = np.full(n, planning_date, dtype=np.int64)
        done = np.zeros(n, dtype=np.int64)
        for level in range(len(self.level_range) - 1, -1, -1):
            lo, hi = self.level_range[level]
            done[lo:hi] = lead_time[self.item[lo:hi]] + ready[lo:hi]
            pegs = level_pegs[level]
            mine = pegs["dtype"] == PLANNED_PARENT
            stype = pegs["stype"][mine]
            sidx = pegs["sidx"][mine]
            avail = np.full(stype.size, planning_date, dtype=np.int64)
            for kind in (PURCHASE, PRODUCTION):
                sel = stype == kind
                avail[sel] = open_due[kind][sidx[sel]]
            sel = stype == PLANNED
            avail[sel] = done[sidx[sel]]
            avail[stype == STOCK] = planning_date
            np.maximum.at(ready, pegs["didx"][mine], avail)
        return done

    def result(self, completion: IntArray) -> PlannedOrders:
        return PlannedOrders(
            ref=list(self.refs),
            item=self.item.copy(),
            qty=np.round(self.qty, 6),
            release=self.release.copy(),
            due=self.due.copy(),
            sales_order=self.so.copy(),
            earliest_completion=ints(completion),
            is_late=self.clamped | (completion > self.due),
        )

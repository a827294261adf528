"""The planned orders a run creates, numbered in creation order, level by level."""

from __future__ import annotations

import numpy as np

from pegboard.engine._arrays import ints
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


def planned_ref(number: int) -> str:
    return f"PL-{number + 1:06d}"


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
        self.refs.extend(planned_ref(n) for n in range(base, base + item.size))
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

"""The planned orders a run creates, numbered in creation order, level by level."""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from pegboard.engine._arrays import (
    ints,
    lex_order,
    narrowest,
    sorted_positions,
    unique_inverse,
)
from pegboard.engine.calendar import WorkCalendar
from pegboard.engine.ref_order import planned_keys, ref_keys
from pegboard.engine.types import (
    PLANNED,
    PLANNED_PARENT,
    PRODUCTION,
    PRODUCTION_PARENT,
    PURCHASE,
    BoolArray,
    FloatArray,
    IntArray,
    PlannedOrders,
    ProductionDates,
)

PegColumns = dict[str, np.ndarray]
"""One level's pegging rows: stype, sidx, qty, dtype, didx, ddate, dprio, dso (a
supply's item is read from its order when the pegging table is built)."""


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

    def __init__(
        self, production_refs: list[str], sort: Callable[[IntArray], IntArray] | None = None
    ) -> None:
        self.production_refs = production_refs
        self.sort = sort  # ``lex_order``'s: a plan's compiled one
        self.position = sorted_positions(production_refs)
        self.slot = ints([_slot(ref) for ref in production_refs])
        self.sorted_slots = np.sort(self.slot)
        self.key = ref_keys(production_refs)

    def rank(self, dtype: IntArray, didx: IntArray, n_planned: int) -> IntArray:
        """A distinct rank per parent (``dtype`` PLANNED_PARENT or
        PRODUCTION_PARENT, ``didx`` its index) among all ``n_planned`` planned
        and all production orders."""
        if n_planned > NUMBERED_REFS:
            return self._by_keys(dtype, didx)
        rank = np.empty(dtype.size, dtype=np.int64)
        planned = np.flatnonzero(dtype == PLANNED_PARENT)
        number = didx[planned]
        rank[planned] = number + np.searchsorted(self.sorted_slots, 2 * (number + 1))
        production = np.flatnonzero(dtype != PLANNED_PARENT)
        index = didx[production]
        rank[production] = self.position[index] + np.minimum(self.slot[index] // 2, n_planned)
        return rank

    def _by_keys(self, dtype: IntArray, didx: IntArray) -> IntArray:
        """The same order once planned refs outgrow six digits, from the refs' integer
        keys (``ref_order``): each distinct parent once, one sort of integers."""
        key = dtype * (1 << 40) + didx
        unique, inverse = unique_inverse(key, self.sort)
        planned = (unique >> 40) == PLANNED_PARENT
        index = unique & ((1 << 40) - 1)
        ref = np.zeros(unique.size, dtype=np.int64)
        position = np.zeros(unique.size, dtype=np.int64)  # among equal keys: by ref, index
        ref[planned] = planned_keys(index[planned])
        ref[~planned] = self.key[index[~planned]]
        position[~planned] = self.position[index[~planned]]
        rank = np.empty(unique.size, dtype=np.int64)
        rank[lex_order(ref, ~planned, position, sort=self.sort)] = np.arange(unique.size)
        return rank[inverse]

    def _by_strings(self, dtype: IntArray, didx: IntArray) -> IntArray:
        """The same order from the refs themselves: the statement ``_by_keys`` is
        judged against (``tests/engine/test_engine_arrays.py``)."""
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
        item_facts: tuple[IntArray, BoolArray],
        planning_date: int,
        calendar: WorkCalendar,
    ) -> None:
        """Add one level's orders, already in creation order.

        ``item_facts`` = (lead time, is make) per item. Rule 1: a make order is
        released ``lead_time`` working days before its due day, a buy order on the
        last working day on or before ``due - lead_time`` calendar days (the
        supplier's days). Release is clamped to the planning date and the
        clamping remembered for ``late``.
        """
        lead_time, is_make = item_facts
        base = len(self.refs)
        lead = lead_time[item]
        if calendar.every_day:
            release = due - lead
        else:
            release = np.where(
                is_make[item], calendar.back(due, lead), calendar.back(due - lead, 0)
            )
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
        facts: CompletionFacts,
        productions: OpenProductions,
    ) -> tuple[IntArray, ProductionDates]:
        """Rule 9's earliest completion of planned and open production orders,
        deepest level first (components sit at deeper levels, so their dates are
        known when their parents' are computed).

        A make order can finish ``lead_time`` working days after the latest of
        today and the availability of the supplies pegged to its dependent demand
        (``available``); a planned buy order on its due date, or ``lead_time``
        calendar days after today when its release was clamped. An open production
        order whose components are all available by ``max(start, pd)`` finishes on
        its due date (it may be running already), else like a make order; it is
        available to its parents on the later of that and its clamped due date. A
        planned order of an item behind the master schedule's time fence completes no
        sooner than the first working day beyond it (``CompletionFacts.not_before``).
        """
        pd, calendar = facts.planning_date, facts.calendar
        lead_time, is_make = facts.lead_time, facts.is_make
        n = len(self.refs)
        ready = np.full(n, pd, dtype=np.int64)
        done = np.zeros(n, dtype=np.int64)
        pr = productions
        p_ready = np.full(pr.item.size, pd, dtype=np.int64)
        p_done = pr.due.copy()
        p_avail = np.maximum(pr.due, pd)
        by_level = np.argsort(pr.level, kind="stable")
        level_starts = np.searchsorted(pr.level[by_level], np.arange(len(self.level_range) + 1))
        for level in range(len(self.level_range) - 1, -1, -1):
            lo, hi = self.level_range[level]
            item = self.item[lo:hi]
            lead = lead_time[item]
            made = calendar.fwd(ready[lo:hi], lead)
            late_buy = calendar.fwd(np.full(hi - lo, pd, dtype=np.int64) + lead, 0)
            bought = np.where(self.clamped[lo:hi], late_buy, self.due[lo:hi])
            done[lo:hi] = np.where(is_make[item], made, bought)
            if facts.not_before is not None:
                done[lo:hi] = np.maximum(done[lo:hi], facts.not_before[item])
            k = by_level[level_starts[level] : level_starts[level + 1]]
            k = k[pr.live[k]]
            if k.size:
                waits = p_ready[k] > np.maximum(pr.start[k], pd)
                k = k[waits]
                p_done[k] = calendar.fwd(p_ready[k], lead_time[pr.item[k]])
                p_avail[k] = np.maximum(p_avail[k], p_done[k])
            pegs = level_pegs[level]
            for dtype, target in ((PLANNED_PARENT, ready), (PRODUCTION_PARENT, p_ready)):
                mine = pegs["dtype"] == dtype
                if not mine.any():
                    continue
                stype = pegs["stype"][mine]
                sidx = pegs["sidx"][mine]
                avail = np.full(stype.size, pd, dtype=np.int64)
                sel = stype == PURCHASE
                avail[sel] = facts.purchase_avail[sidx[sel]]
                sel = stype == PRODUCTION
                avail[sel] = p_avail[sidx[sel]]
                sel = stype == PLANNED
                avail[sel] = done[sidx[sel]]
                np.maximum.at(target, pegs["didx"][mine], avail)
        dates = ProductionDates(
            available=p_avail, earliest_completion=p_done, is_late=p_done > pr.due
        )
        return done, dates

    def result(self, completion: IntArray) -> PlannedOrders:
        """The planned orders of the run, sharing the store's columns: the store is
        complete once the levels are planned and is dropped with the run, so copies
        would only hold a million-row plan's columns twice (issue #18). The integer
        columns are narrowed first (``_arrays.narrowest``), the store's own replaced,
        so each is held once, in the type the stored plan keeps."""
        self.item, self.release = narrowest(self.item), narrowest(self.release)
        self.due, self.so = narrowest(self.due), narrowest(self.so)
        return PlannedOrders(
            ref=self.refs,
            item=self.item,
            qty=np.round(self.qty, 6),
            release=self.release,
            due=self.due,
            sales_order=self.so,
            earliest_completion=narrowest(ints(completion)),
            is_late=self.clamped | (completion > self.due),
        )


@dataclass(frozen=True)
class CompletionFacts:
    """What completion dates read besides the pegging: rule 1's calendar, the items'
    lead times and types, and when each open purchase line is available."""

    planning_date: int
    calendar: WorkCalendar
    lead_time: IntArray
    is_make: BoolArray
    purchase_avail: IntArray  # max(due, planning_date)
    # per item, the first day its planned orders may be available: the first working
    # day beyond the master schedule's time fence for an item behind it (issue #17),
    # whose planned orders may not come sooner; None when no item is
    not_before: IntArray | None = None


@dataclass(frozen=True)
class OpenProductions:
    """The open production orders as completion dates read them: ``live`` when
    their components are still demand (rule 8), ``level`` their item's low-level
    code, ``start`` and ``due`` as input."""

    item: IntArray
    due: IntArray
    start: IntArray
    live: BoolArray
    level: IntArray

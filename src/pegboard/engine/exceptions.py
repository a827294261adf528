"""Planning exceptions (rule 9) as rows: late, expedite, defer, cancel, shortage.

Each row names one sales order behind it, found through the traces, so a
planner can filter the list by the order a customer asks about. Rows come out
sorted by (kind, order ref, sales-order id, date). ``late`` and ``shortage``
can run to millions of rows on a big plan, so they are built as arrays in that
order directly (traces are kept in sales-order id order), with one message
object shared by all rows that say the same thing.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from pegboard.engine._arrays import lex_order, ranges, unique_inverse
from pegboard.engine.lots import TOL
from pegboard.engine.planned import NUMBERED_REFS, PegColumns
from pegboard.engine.ref_order import planned_keys, ref_keys
from pegboard.engine.supply import SupplyTable
from pegboard.engine.trace import TraceStore
from pegboard.engine.types import (
    NO_ORDER,
    PLANNED,
    PLANNED_PARENT,
    PRODUCTION,
    PRODUCTION_PARENT,
    PURCHASE,
    SALES_LINE,
    STOCK,
    BoolArray,
    Exceptions,
    FloatArray,
    IntArray,
    PlanInput,
    PlannedOrders,
    ProductionDates,
)

Row = tuple[int, str, int, int, str]  # item, order ref, date, sales order, message
K = TypeVar("K")


@functools.lru_cache(maxsize=4096)
def day(ordinal: int) -> str:
    """ISO date for messages; a day ordinal outside the calendar is shown as is."""
    try:
        return dt.date.fromordinal(ordinal).isoformat()
    except (ValueError, OverflowError):
        return str(ordinal)


def quantity(value: float) -> str:
    text = f"{round(value, 6):.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


@dataclass(frozen=True)
class ExceptionFacts:
    inp: PlanInput
    planned: PlannedOrders
    production_dates: ProductionDates
    clamped: BoolArray
    traces: TraceStore
    pegs: PegColumns
    expedites: PegColumns  # one row per pull-in: supply, pulling demand, its date
    supply: SupplyTable
    remaining: FloatArray  # unallocated quantity per supply-table row


@dataclass(frozen=True)
class _Block:
    """Rows of one kind, already in their final order."""

    item: IntArray
    order: list[str]
    date: IntArray
    so: IntArray
    message: list[str]
    planned: IntArray | None = None  # shortage rows: the planned order short
    qty: FloatArray | None = None  # shortage rows: the quantity short
    make: BoolArray | None = None  # shortage rows, whose messages are built when read


def _rank_of_each(values: Iterable[K], key: Callable[[K], str] = str) -> dict[K, int]:
    """Each distinct value's rank by ``key`` (a string; equal strings share a rank)."""
    ordered = sorted((key(v), v) for v in values)
    rank: dict[K, int] = {}
    dense = -1
    previous: str | None = None
    for text, value in ordered:
        if text != previous:
            dense += 1
            previous = text
        rank[value] = dense
    return rank


def _ranks(values: Sequence[K], rank: dict[K, int]) -> IntArray:
    return np.fromiter(map(rank.__getitem__, values), dtype=np.int64, count=len(values))


def _sorted_block(rows: list[Row], ids: list[str]) -> _Block:
    """The rows sorted by (order ref, sales-order id, date, message, item), stably:
    the strings are ranked once each (few distinct refs and messages), then the rows
    are ordered by integer keys."""
    if not rows:
        none = np.zeros(0, dtype=np.int64)
        return _Block(none, [], none, none, [])
    item, ref, date, so, text = zip(*rows, strict=True)
    so_rank = _rank_of_each(set(so), lambda k: ids[k] if k >= 0 else "")
    order = lex_order(
        _ranks(ref, _rank_of_each(set(ref))),
        _ranks(so, so_rank),
        np.asarray(date, dtype=np.int64),
        _ranks(text, _rank_of_each(set(text))),
        np.asarray(item, dtype=np.int64),
    ).tolist()
    rows = [rows[k] for k in order]
    return _Block(
        item=np.asarray([r[0] for r in rows], dtype=np.int64),
        order=[r[1] for r in rows],
        date=np.asarray([r[2] for r in rows], dtype=np.int64),
        so=np.asarray([r[3] for r in rows], dtype=np.int64),
        message=[r[4] for r in rows],
    )


def _millionths_text(units: int) -> str:
    """``quantity`` of a quantity rounded to ``units`` millionths."""
    sign = "-" if units < 0 else ""
    whole, part = divmod(abs(units), 1_000_000)
    if part == 0:
        return f"{sign}{whole}" if whole else "0"
    return f"{sign}{whole}." + f"{part:06d}".rstrip("0")


def _shortage_texts(qty: FloatArray, is_make: BoolArray) -> list[str]:
    """ "Q to make" / "Q to buy" per row, one string object per distinct text.

    Distinct texts are found on whole millionths (``np.round(q, 6)`` is
    ``rint(q * 1e6) / 1e6``), so only integers are sorted and each distinct
    quantity is formatted once, from its integer.
    """
    millionths = np.rint(qty * 1e6)
    if qty.size and float(np.abs(millionths).max()) >= 1e14:  # beyond exact integers: slow path
        rounded = np.round(qty, 6)
        return [
            f"{quantity(q)} to {'make' if m else 'buy'}"
            for q, m in zip(rounded.tolist(), is_make.tolist(), strict=True)
        ]
    key = millionths.astype(np.int64) * 2 + is_make
    distinct, inverse = unique_inverse(key)
    texts = np.asarray(
        [f"{_millionths_text(k >> 1)} to {'make' if k & 1 else 'buy'}" for k in distinct.tolist()]
        or [""],
        dtype=object,
    )
    return list(texts[inverse].tolist())


class _Builder:
    def __init__(self, facts: ExceptionFacts) -> None:
        self.facts = facts
        inp = facts.inp
        self.ids = inp.sales_orders
        self.open_ref = {PURCHASE: inp.purchases.ref, PRODUCTION: inp.productions.ref}
        self.open_item = {PURCHASE: inp.purchases.item, PRODUCTION: inp.productions.item}
        self.open_due = {PURCHASE: inp.purchases.due, PRODUCTION: inp.productions.due}
        p = facts.planned
        self.refs = np.asarray(p.ref, dtype=object)
        # the string order of the refs, as integers (refs PL-000001.. sort by number
        # while they have six digits: then the rank is not needed)
        self.ref_key = planned_keys(np.arange(len(p), dtype=np.int64))
        self.by_ref: IntArray | None = None  # the planned orders in ref order, if not by number
        self.ref_rank = np.zeros(0, dtype=np.int64)
        if len(p) >= NUMBERED_REFS:
            self.by_ref = lex_order(self.ref_key)
            self.ref_rank = np.empty(len(p), dtype=np.int64)
            self.ref_rank[self.by_ref] = np.arange(len(p), dtype=np.int64)

    def _per_order(self, orders: IntArray, with_none: bool) -> tuple[IntArray, IntArray, IntArray]:
        """(row's order, row's sales order, row's position in ``orders``) for the
        traced sales orders of planned orders; a row without sales order for an
        order with none when ``with_none``."""
        traces = self.facts.traces
        if self.by_ref is not None:  # rows of an order stay together: sort the orders
            # ``orders`` are distinct and ascending: all of them are ``by_ref``
            all_orders = orders.size == self.by_ref.size
            orders = self.by_ref if all_orders else orders[lex_order(self.ref_rank[orders])]
        lo = traces.start[PLANNED][orders]
        count = traces.end[PLANNED][orders] - lo
        per = np.maximum(count, 1) if with_none else count
        which = np.repeat(np.arange(orders.size, dtype=np.int64), per)
        so = np.full(which.size, NO_ORDER, dtype=np.int64)
        first = np.cumsum(per) - per
        traced = count > 0
        so[ranges(first[traced], count[traced])] = traces.so[ranges(lo[traced], count[traced])]
        rows = np.repeat(lo, per) + (np.arange(which.size) - np.repeat(first, per))
        return orders[which], so, rows

    def late(self) -> _Block:
        p = self.facts.planned
        late = np.flatnonzero(p.is_late).astype(np.int64)
        texts = [
            f"due {day(due)}, earliest completion {day(done)}"
            + (", release would be before the planning date" if clamped else "")
            for due, done, clamped in zip(
                p.due[late].tolist(),
                p.earliest_completion[late].tolist(),
                self.facts.clamped[late].tolist(),
                strict=True,
            )
        ]
        owner, so, _ = self._per_order(late, with_none=True)
        by_order = np.empty(len(p), dtype=object)
        by_order[late] = texts
        planned = _Block(
            item=p.item[owner],
            order=self.refs[owner].tolist(),
            date=p.earliest_completion[owner],
            so=so,
            message=by_order[owner].tolist(),
        )
        return _merge(planned, self.ref_key[owner], self.late_productions(), self.ids)

    def late_productions(self) -> _Block:
        """Open production orders that cannot finish by their due date (rule 9): one
        row per sales order traced behind them (one without if none)."""
        dates = self.facts.production_dates
        rows: list[Row] = []
        for index in np.flatnonzero(dates.is_late).tolist():
            done = int(dates.earliest_completion[index])
            text = (
                f"due {day(int(self.open_due[PRODUCTION][index]))}, earliest completion {day(done)}"
            )
            item = int(self.open_item[PRODUCTION][index])
            ref = self.open_ref[PRODUCTION][index]
            traced = self.facts.traces.sales_orders(PRODUCTION, index) or [NO_ORDER]
            rows.extend((item, ref, done, so, text) for so in traced)
        return _sorted_block(rows, self.ids)

    def shortage(self) -> _Block:
        p = self.facts.planned
        owner, so, rows = self._per_order(np.arange(len(p), dtype=np.int64), with_none=False)
        item = p.item[owner]
        is_make = np.asarray(self.facts.inp.items.is_make, dtype=np.bool_)[item]
        qty = self.facts.traces.qty[rows]
        return _Block(
            item=item,
            order=self.refs[owner].tolist(),
            date=p.release[owner],
            so=so,
            message=[],  # Exceptions.message builds them if asked: the store does not
            planned=owner,
            qty=qty,
            make=is_make,
        )

    def _demand_orders(self, dtype: int, didx: int, dso: int) -> list[int]:
        if dtype == SALES_LINE:
            return [dso]
        traces = self.facts.traces
        if dtype == PLANNED_PARENT:
            return traces.sales_orders(PLANNED, didx) or [NO_ORDER]
        if dtype == PRODUCTION_PARENT:
            return traces.sales_orders(PRODUCTION, didx) or [NO_ORDER]
        return [NO_ORDER]

    def expedite(self) -> _Block:
        ex = self.facts.expedites
        needed: dict[tuple[int, int, int], int] = {}
        columns = (ex["stype"], ex["sidx"], ex["dtype"], ex["didx"], ex["dso"], ex["ddate"])
        for stype, sidx, dtype, didx, dso, date in zip(*(c.tolist() for c in columns), strict=True):
            for so in self._demand_orders(dtype, didx, dso):
                key = (stype, sidx, so)
                needed[key] = min(needed.get(key, date), date)
        rows: list[Row] = []
        for (stype, sidx, so), date in needed.items():
            due = int(self.open_due[stype][sidx])
            text = f"due {day(due)}, needed on {day(date)}"
            rows.append(
                (int(self.open_item[stype][sidx]), self.open_ref[stype][sidx], date, so, text)
            )
        return _sorted_block(rows, self.ids)

    def defer(self) -> _Block:
        pegs = self.facts.pegs
        inp = self.facts.inp
        pd = inp.settings.planning_date
        never = np.iinfo(np.int64).max
        rows: list[Row] = []
        for stype in (PURCHASE, PRODUCTION):
            due = np.asarray(self.open_due[stype], dtype=np.int64)
            first = np.full(due.size, never, dtype=np.int64)
            mine = pegs["stype"] == stype
            np.minimum.at(first, pegs["sidx"][mine], pegs["ddate"][mine])
            late_use = (first != never) & (first > np.maximum(due, pd) + inp.settings.defer_days)
            for index in np.flatnonzero(late_use).tolist():
                date = int(first[index])
                text = f"due {day(int(due[index]))}, first needed on {day(date)}"
                item = int(self.open_item[stype][index])
                ref = self.open_ref[stype][index]
                traced = self.facts.traces.sales_orders(stype, index) or [NO_ORDER]
                rows.extend((item, ref, date, so, text) for so in traced)
        return _sorted_block(rows, self.ids)

    def cancel(self) -> _Block:
        table = self.facts.supply
        spare = (self.facts.remaining > TOL) & (table.stype != STOCK)
        rows: list[Row] = []
        for row in np.flatnonzero(spare).tolist():
            stype, index = int(table.stype[row]), int(table.sidx[row])
            text = f"{quantity(float(self.facts.remaining[row]))} not needed"
            due = int(self.open_due[stype][index])
            rows.append((int(table.item[row]), self.open_ref[stype][index], due, NO_ORDER, text))
        return _sorted_block(rows, self.ids)


def _merge(big: _Block, big_keys: IntArray, small: _Block, ids: list[str]) -> _Block:
    """Two sorted blocks as one, in the same order: ``small`` (a few open production
    orders) is placed into ``big`` (the planned orders, possibly millions of rows)
    without sorting ``big`` again. ``big_keys`` are the ``ref_order`` keys of the big
    block's refs: a small row's ref key finds, by one vectorised search, the run of big
    rows whose refs it cannot tell from its own; only within that run (the rows of one
    planned order, if any) are whole rows compared."""
    if not small.order:
        return big
    if not big.order:
        return small

    def key(block: _Block, k: int) -> tuple[str, str, int, str, int]:
        so = int(block.so[k])
        return (
            block.order[k],
            ids[so] if so >= 0 else "",
            int(block.date[k]),
            block.message[k],
            int(block.item[k]),
        )

    placed = ref_keys(small.order)
    lows = np.searchsorted(big_keys, placed, side="left").tolist()
    highs = np.searchsorted(big_keys, placed, side="right").tolist()
    at = [
        bisect.bisect_right(range(lo, hi), key(small, k), key=lambda r: key(big, r)) + lo
        for k, (lo, hi) in enumerate(zip(lows, highs, strict=True))
    ]
    order: list[str] = []
    message: list[str] = []
    prev = 0
    for k, pos in enumerate(at):
        order.extend(big.order[prev:pos])
        message.extend(big.message[prev:pos])
        order.append(small.order[k])
        message.append(small.message[k])
        prev = pos
    order.extend(big.order[prev:])
    message.extend(big.message[prev:])
    where = np.asarray(at, dtype=np.int64)
    return _Block(
        item=np.insert(big.item, where, small.item),
        order=order,
        date=np.insert(big.date, where, small.date),
        so=np.insert(big.so, where, small.so),
        message=message,
    )


def build_exceptions(facts: ExceptionFacts) -> Exceptions:
    b = _Builder(facts)
    blocks = {
        "cancel": b.cancel(),
        "defer": b.defer(),
        "expedite": b.expedite(),
        "late": b.late(),
        "shortage": b.shortage(),
    }
    shortages = blocks["shortage"]
    assert shortages.make is not None and list(blocks)[-1] == "shortage"
    kind: list[str] = []
    order: list[str] = []
    message: list[str] = []
    planned: list[IntArray] = []
    qty: list[FloatArray] = []
    for name, block in blocks.items():
        n = len(block.order)
        kind.extend([name] * n)
        order.extend(block.order)
        assert block.make is None or name == "shortage"  # the last block: messages unbuilt
        message.extend(block.message)
        planned.append(np.full(n, NO_ORDER, np.int64) if block.planned is None else block.planned)
        qty.append(np.zeros(n, np.float64) if block.qty is None else block.qty)
    return Exceptions(
        kind=kind,
        item=np.concatenate([b.item for b in blocks.values()], dtype=np.int64),
        order=order,
        date=np.concatenate([b.date for b in blocks.values()], dtype=np.int64),
        sales_order=np.concatenate([b.so for b in blocks.values()], dtype=np.int64),
        listed=message,
        planned=np.concatenate(planned, dtype=np.int64),
        qty=np.concatenate(qty, dtype=np.float64),
        make=shortages.make,
    )

"""Planning exceptions (rule 9) as rows: late, expedite, defer, cancel, shortage.

A master schedule line due inside the planning time fence (issue #17:
``ProductionOrders.mps``, ``Settings.mps_fence_days``) is frozen: the plan asks no
change of it (no expedite, defer or cancel row); whether it covers the backlog is
said by the service's ``mps_short`` rows. It can still be ``late``: that is a fact
of the order, not a change asked.

Each row names one sales order behind it, found through the traces, so a
planner can filter the list by the order a customer asks about. Rows come out
sorted by (kind, order ref, sales-order id, date). ``late`` and ``shortage``
can run to millions of rows on a big plan, so they are built as arrays in that
order directly (traces are kept in sales-order id order); the other kinds are
built as arrays too and sorted on integer ranks of their strings. No string is
made per row: a row's kind, ref and message are codes into small tables
(``CodedColumn``), looked up when a row is read (issue #18).
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from pegboard.engine._arrays import (
    group_starts,
    ints,
    lex_order,
    narrowest,
    ranges,
    span_type,
    string_rank,
    unique_inverse,
)
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
    CodedColumn,
    Exceptions,
    FloatArray,
    IntArray,
    PlanInput,
    PlannedOrders,
    ProductionDates,
)

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
    # the two below are the caller's to give: ``build_exceptions`` empties them once read
    pegs: PegColumns
    expedites: PegColumns  # one row per pull-in: supply, pulling demand, its date
    supply: SupplyTable
    remaining: FloatArray  # unallocated quantity per supply-table row


KINDS = ("cancel", "defer", "expedite", "late", "shortage")
"""The kinds, in the order their rows come."""


@dataclass(frozen=True)
class _Block:
    """Rows of one kind, already in their final order. A row's ref and message are
    codes: positions in the builder's table of refs and in its list of texts."""

    item: IntArray
    order: IntArray
    date: IntArray
    so: IntArray
    message: IntArray  # none on shortage rows, whose messages are built when read
    planned: IntArray | None = None  # shortage rows: the planned order short
    qty: FloatArray | None = None  # shortage rows: the quantity short
    make: BoolArray | None = None  # shortage rows: made, else bought

    def __len__(self) -> int:
        return self.item.size


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


def _string_ranks(codes: IntArray, text: Callable[[int], str]) -> IntArray:
    """Each row's rank by the string its code stands for (equal strings share a
    rank); each distinct code's string is read and compared once."""
    distinct, inverse = unique_inverse(codes)
    values: list[int] = distinct.tolist()
    rank = _rank_of_each(values, text)
    return np.fromiter(map(rank.__getitem__, values), np.int64, len(values))[inverse]


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
        p = facts.planned
        pu, pr = inp.purchases, inp.productions
        n = self.n_planned = len(p)
        # every ref a row can name, in one table: a planned order's code is its
        # position, an open order's follows the planned orders (purchases first)
        self.open_base = {PURCHASE: n, PRODUCTION: n + len(pu)}
        self.ref_names = np.empty(n + len(pu) + len(pr), dtype=object)
        self.ref_names[:n] = p.ref
        self.ref_names[n : n + len(pu)] = pu.ref
        self.ref_names[n + len(pu) :] = pr.ref
        self.open_item = np.concatenate([ints(pu.item), ints(pr.item)])  # by code - n
        self.open_due = np.concatenate([ints(pu.due), ints(pr.due)])
        self.frozen = _frozen(inp)  # by code - n, None if no order is
        self.texts: list[str] = []  # the messages rows name by position
        # the string order of the refs, as integers (refs PL-000001.. sort by number
        # while they have six digits: then the rank is not needed)
        self.ref_key = planned_keys(np.arange(n, dtype=np.int64))
        self.by_ref: IntArray | None = None  # the planned orders in ref order, if not by number
        self.ref_rank = np.zeros(0, dtype=np.int64)
        if n >= NUMBERED_REFS:
            self.by_ref = lex_order(self.ref_key)
            self.ref_rank = np.empty(n, dtype=np.int64)
            self.ref_rank[self.by_ref] = np.arange(n, dtype=np.int64)

    def _texts(self, texts: list[str]) -> IntArray:
        """Codes of these new messages."""
        base = len(self.texts)
        self.texts.extend(texts)
        return np.arange(base, len(self.texts), dtype=np.int64)

    def _changeable(self, code: IntArray) -> IntArray:
        """Positions of the open orders ``code`` the plan may ask to change: all but
        the frozen schedule lines."""
        if self.frozen is None:
            return np.arange(code.size, dtype=np.int64)
        return np.flatnonzero(~self.frozen[code - self.n_planned]).astype(np.int64)

    def _open_code(self, stype: IntArray, index: IntArray) -> IntArray:
        """The ref code of open purchase lines and production orders."""
        return np.where(
            stype == PURCHASE, self.open_base[PURCHASE] + index, self.open_base[PRODUCTION] + index
        )

    def _fan_out(self, lo: IntArray, count: IntArray) -> tuple[IntArray, IntArray]:
        """(row's owner, row's sales order) for owners whose traces are
        ``count`` rows from ``lo``: one row per traced sales order, in sales-order id
        order, and one without sales order for an owner with none."""
        per = np.maximum(count, 1)
        which = np.repeat(np.arange(lo.size, dtype=np.int64), per)
        so = np.full(which.size, NO_ORDER, dtype=np.int64)
        first = np.cumsum(per) - per
        traced = count > 0
        so[ranges(first[traced], count[traced])] = self.facts.traces.so[
            ranges(lo[traced], count[traced])
        ]
        return which, so

    def _traced(
        self, kinds: tuple[int, ...], stype: IntArray, index: IntArray
    ) -> tuple[IntArray, IntArray]:
        """(start, count) of the traces of each order ``index`` of type ``stype``
        (one of ``kinds``); no traces for the other types."""
        traces = self.facts.traces
        lo = np.zeros(index.size, dtype=np.int64)
        count = np.zeros(index.size, dtype=np.int64)
        for kind in kinds:
            sel = np.flatnonzero(stype == kind)
            lo[sel] = traces.start[kind][index[sel]]
            count[sel] = traces.end[kind][index[sel]] - lo[sel]
        return lo, count

    def _open_block(
        self, code: IntArray, item: IntArray, date: IntArray, so: IntArray, message: IntArray
    ) -> _Block:
        """Rows of open orders sorted by (order ref, sales-order id, date, message,
        item): each distinct ref, sales order and message ranked once by its string,
        then the rows ordered by integer keys."""
        order = lex_order(
            self.open_ref_rank[code - self.n_planned],
            self.so_id_rank[so + 1],
            date,
            _string_ranks(message, self.texts.__getitem__),
            item,
        )
        return _Block(item[order], code[order], date[order], so[order], message[order])

    @functools.cached_property
    def open_ref_rank(self) -> IntArray:
        """Each open order's rank by its ref (by code - n_planned; equal refs share
        one): ranked once for every block of open orders, not per block's rows."""
        return string_rank(self.ref_names[self.n_planned :].tolist())

    @functools.cached_property
    def so_id_rank(self) -> IntArray:
        """Each sales order's rank by its id, at position + 1 (none: "" first)."""
        return string_rank(["", *self.ids])

    def _per_order(self, orders: IntArray) -> tuple[IntArray, IntArray]:
        """(row's order, row's sales order) for the traced sales orders of these
        planned orders, by order ref; a row without sales order for an order with none."""
        traces = self.facts.traces
        if self.by_ref is not None:  # rows of an order stay together: sort the orders
            orders = orders[lex_order(self.ref_rank[orders])]
        lo = traces.start[PLANNED][orders]
        which, so = self._fan_out(lo, traces.end[PLANNED][orders] - lo)
        return orders[which], so

    def late(self) -> _Block:
        p = self.facts.planned
        late = np.flatnonzero(p.is_late).astype(np.int64)
        codes = self._texts(
            [
                f"due {day(due)}, earliest completion {day(done)}"
                + (", release would be before the planning date" if clamped else "")
                for due, done, clamped in zip(
                    p.due[late].tolist(),
                    p.earliest_completion[late].tolist(),
                    self.facts.clamped[late].tolist(),
                    strict=True,
                )
            ]
        )
        owner, so = self._per_order(late)
        by_order = np.zeros(len(p), dtype=np.int64)
        by_order[late] = codes
        planned = _Block(
            item=p.item[owner],
            order=owner,
            date=p.earliest_completion[owner],
            so=so,
            message=by_order[owner],
        )
        return self._merge(planned, self.ref_key[owner], self.late_productions())

    def late_productions(self) -> _Block:
        """Open production orders that cannot finish by their due date (rule 9): one
        row per sales order traced behind them (one without if none)."""
        dates = self.facts.production_dates
        late = np.flatnonzero(dates.is_late).astype(np.int64)
        code = self.open_base[PRODUCTION] + late
        done = ints(dates.earliest_completion)[late]
        due = self.open_due[code - self.n_planned]
        texts = self._texts(
            [
                f"due {day(d)}, earliest completion {day(c)}"
                for d, c in zip(due.tolist(), done.tolist(), strict=True)
            ]
        )
        stype = np.full(late.size, PRODUCTION, dtype=np.int64)
        which, so = self._fan_out(*self._traced((PRODUCTION,), stype, late))
        item = self.open_item[code - self.n_planned]
        return self._open_block(code[which], item[which], done[which], so, texts[which])

    def shortages(self) -> tuple[IntArray, IntArray, IntArray]:
        """The shortage rows, one per planned order and sales order traced behind it
        (none for an order with none), by order ref and sales-order id: (planned
        orders in ref order, start and count of each one's rows in the traces)."""
        traces = self.facts.traces
        orders = np.arange(self.n_planned, dtype=np.int64)
        if self.by_ref is not None:
            orders = self.by_ref
        lo = traces.start[PLANNED][orders]
        return orders, lo, traces.end[PLANNED][orders] - lo

    def expedite(self) -> _Block:
        """One row per open order pulled in and sales order behind the demand that
        pulls it (the demand's own, or those traced behind its parent order; none
        for safety stock), dated the earliest day it is needed."""
        ex = self.facts.expedites
        stype, sidx, dtype, didx = ex["stype"], ex["sidx"], ex["dtype"], ex["didx"]
        kind = np.where(dtype == PLANNED_PARENT, PLANNED, NO_ORDER)
        kind = np.where(dtype == PRODUCTION_PARENT, PRODUCTION, kind)
        which, so = self._fan_out(*self._traced((PLANNED, PRODUCTION), kind, didx))
        so = np.where(dtype[which] == SALES_LINE, ex["dso"][which], so)
        s_type, s_idx, date = stype[which], sidx[which], ex["ddate"][which]
        order = lex_order(s_type, s_idx, so)
        starts = group_starts(s_type[order], s_idx[order], so[order])
        first = order[starts]
        date = np.minimum.reduceat(date[order], starts) if starts.size else date[first]
        code = self._open_code(s_type[first], s_idx[first])
        if self.frozen is not None:
            keep = self._changeable(code)
            first, date, code = first[keep], date[keep], code[keep]
        due = self.open_due[code - self.n_planned]
        texts = self._texts(
            [
                f"due {day(d)}, needed on {day(n)}"
                for d, n in zip(due.tolist(), date.tolist(), strict=True)
            ]
        )
        item = self.open_item[code - self.n_planned]
        return self._open_block(code, item, date, so[first], texts)

    def defer(self) -> _Block:
        pegs = self.facts.pegs
        settings = self.facts.inp.settings
        never = np.iinfo(np.int64).max
        parts: list[tuple[IntArray, IntArray, IntArray]] = []  # (code, date, message)
        for stype in (PURCHASE, PRODUCTION):
            base = self.open_base[stype]
            due = self.open_due[base - self.n_planned : base - self.n_planned + self._size(stype)]
            first = np.full(due.size, never, dtype=np.int64)
            mine = pegs["stype"] == stype
            np.minimum.at(first, pegs["sidx"][mine], pegs["ddate"][mine])
            late_use = (first != never) & (
                first > np.maximum(due, settings.planning_date) + settings.defer_days
            )
            index = np.flatnonzero(late_use).astype(np.int64)
            if self.frozen is not None:
                index = index[self._changeable(base + index)]
            date = first[index]
            texts = self._texts(
                [
                    f"due {day(d)}, first needed on {day(n)}"
                    for d, n in zip(due[index].tolist(), date.tolist(), strict=True)
                ]
            )
            parts.append((base + index, date, texts))
        code, date, texts = (np.concatenate([part[k] for part in parts]) for k in range(3))
        kind = np.where(code < self.open_base[PRODUCTION], PURCHASE, PRODUCTION)
        index = code - np.where(
            kind == PURCHASE, self.open_base[PURCHASE], self.open_base[PRODUCTION]
        )
        which, so = self._fan_out(*self._traced((PURCHASE, PRODUCTION), kind, index))
        item = self.open_item[code - self.n_planned]
        return self._open_block(code[which], item[which], date[which], so, texts[which])

    def _size(self, stype: int) -> int:
        inp = self.facts.inp
        return len(inp.purchases) if stype == PURCHASE else len(inp.productions)

    def cancel(self) -> _Block:
        table = self.facts.supply
        spare = np.flatnonzero((self.facts.remaining > TOL) & (table.stype != STOCK))
        code = self._open_code(table.stype[spare], table.sidx[spare])
        if self.frozen is not None:
            keep = self._changeable(code)
            spare, code = spare[keep], code[keep]
        texts = self._texts(
            [f"{quantity(q)} not needed" for q in self.facts.remaining[spare].tolist()]
        )
        due = self.open_due[code - self.n_planned]
        none = np.full(spare.size, NO_ORDER, dtype=np.int64)
        return self._open_block(code, ints(table.item)[spare], due, none, texts)

    def _merge(self, big: _Block, big_keys: IntArray, small: _Block) -> _Block:
        """Two sorted blocks as one, in the same order: ``small`` (a few open
        production orders) is placed into ``big`` (the planned orders, possibly
        millions of rows) without sorting ``big`` again. ``big_keys`` are the
        ``ref_order`` keys of the big block's refs: a small row's ref key finds, by
        one vectorised search, the run of big rows whose refs it cannot tell from its
        own; only within that run (the rows of one planned order, if any) are whole
        rows compared."""
        if not len(small):
            return big
        if not len(big):
            return small
        ids, refs, texts = self.ids, self.ref_names, self.texts

        def key(block: _Block, k: int) -> tuple[str, str, int, str, int]:
            so = int(block.so[k])
            return (
                refs[block.order[k]],
                ids[so] if so >= 0 else "",
                int(block.date[k]),
                texts[block.message[k]],
                int(block.item[k]),
            )

        placed = ref_keys(refs[small.order].tolist())
        lows = np.searchsorted(big_keys, placed, side="left").tolist()
        highs = np.searchsorted(big_keys, placed, side="right").tolist()
        at = [
            bisect.bisect_right(range(lo, hi), key(small, k), key=lambda r: key(big, r)) + lo
            for k, (lo, hi) in enumerate(zip(lows, highs, strict=True))
        ]
        where = np.asarray(at, dtype=np.int64)
        return _Block(
            item=np.insert(big.item, where, small.item),
            order=np.insert(big.order, where, small.order),
            date=np.insert(big.date, where, small.date),
            so=np.insert(big.so, where, small.so),
            message=np.insert(big.message, where, small.message),
        )


def _frozen(inp: PlanInput) -> BoolArray | None:
    """Per open order (purchases, then production orders): a master schedule line
    due inside the planning time fence; None when there is none."""
    pr = inp.productions
    days = inp.settings.mps_fence_days
    if pr.mps is None or days <= 0 or not np.any(pr.mps):
        return None
    inside = np.asarray(pr.mps, dtype=np.bool_) & (ints(pr.due) < inp.settings.planning_date + days)
    if not inside.any():
        return None
    return np.concatenate([np.zeros(len(inp.purchases), dtype=np.bool_), inside])


def _column(
    head: list[np.ndarray], tail: np.ndarray, at: IntArray, dtype: type | None = None
) -> np.ndarray:
    """The head blocks' values, then ``tail[at]``: written into one new array (a plan
    has millions of shortage rows: no second copy of them). Without ``dtype``, integers
    in the narrowest type that holds the blocks and the tail (``span_type``), in which
    the plan keeps them while it is stored (issue #18)."""
    if dtype is None:
        dtype = span_type(*head, tail)
        tail = narrowest(tail)  # ``take`` into a narrower ``out`` would buffer it
    n_head = sum(part.size for part in head)
    out: np.ndarray = np.empty(n_head + at.size, dtype=dtype)
    if head:
        np.concatenate(head, out=out[:n_head])
    np.take(tail, at, out=out[n_head:], mode="clip")  # "raise" would buffer ``out``
    return out


def build_exceptions(facts: ExceptionFacts) -> Exceptions:
    """Every exception row, sorted by (kind, order ref, sales-order id, date); the
    kinds, refs and messages as codes into small tables (``CodedColumn``). The
    shortage rows, the last and most of them, are written straight into the
    columns; their messages are built when read (``Exceptions.messages_at``).
    ``facts.pegs`` and ``facts.expedites`` are emptied once read."""
    b = _Builder(facts)
    head = [b.cancel(), b.defer(), b.expedite(), b.late()]  # as KINDS, shortage last
    # only defer and expedite read the pegging and pull-in columns (millions of rows on
    # a big plan): they are let go before the shortage rows are written (issue #18)
    facts.pegs.clear()
    facts.expedites.clear()
    orders, lo, count = b.shortages()
    n_head = sum(len(block) for block in head)
    # each row's planned order: none on the head rows
    planned = np.repeat(
        narrowest(np.concatenate([np.full(n_head, NO_ORDER, dtype=np.int64), orders])),
        np.concatenate([np.ones(n_head, dtype=np.int64), count]),
    )
    short = planned[n_head:]
    traced = ranges(lo, count)  # the shortage rows' positions in the traces
    p, traces = facts.planned, facts.traces
    item = _column([block.item for block in head], p.item, short)
    is_make = np.asarray(facts.inp.items.is_make, dtype=np.bool_)
    return Exceptions(
        kind=CodedColumn(
            np.repeat(np.arange(len(KINDS), dtype=np.uint8), [*map(len, head), short.size]),
            np.asarray(KINDS, dtype=object),
        ),
        item=item,
        order=CodedColumn(
            np.concatenate(
                [*(block.order for block in head), short],
                dtype=span_type(*(block.order for block in head), short),
            ),
            b.ref_names,
        ),
        date=_column([block.date for block in head], p.release, short),
        sales_order=_column([block.so for block in head], traces.so, traced),
        listed=CodedColumn(
            np.concatenate([block.message for block in head], dtype=np.int64),
            np.asarray(b.texts, dtype=object),
        ),
        planned=planned,
        qty=_column([np.zeros(n_head)], traces.qty, traced, np.float64),
        make=is_make[item[n_head:]],
    )

"""Netting a level's loop items in compiled code: ``netting.net_item``, item after item.

The per-item loop of ``netting.py`` is the engine's hot spot on dense companies
(a million demands and more per level, most of a plan's netting time), and its
work is scalar: walking each pool's supply front to back. This module is the
same algorithm, statement for statement, compiled by Numba: the same steps of
rule 6, the same shortcuts, the same arithmetic in the same order, so it gives
the very plan the plain function gives (``tests/engine`` checks both against
each other and against the reference implementation). Keep the two in step:
``netting.py`` is the readable statement of the rules and the judge.

What differs is only the data layout. A pool is a linked list of the item's
supply entries (``nxt``) with its head entry in ``head[pool + 1]``: putting a
planned order's excess in front of a pool is pushing on the list, and an
absent pool is ``ABSENT``. The outputs are preallocated to their bound (see
``net_level``) instead of appended to.

Importing this module imports Numba, which takes a while: ``run.py`` imports it
only when a plan is made, never at CLI start-up. The compiled code is cached on
disk by Numba (``cache=True``): in ``__pycache__`` beside this file when that is
writable, else in the user's cache directory (``NUMBA_CACHE_DIR`` if set), so a
read-only install caches too; ``scripts/install`` warms the cache (``warm``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar, cast

import numba
import numpy as np

from pegboard.engine.lots import TOL
from pegboard.engine.netting import NEVER
from pegboard.engine.types import FOQ, NO_ORDER, POQ, BoolArray, FloatArray, IntArray

_F = TypeVar("_F", bound=Callable[..., Any])
# the state the compiled functions pass on (see the comment above ``_take``)
Dem = tuple[IntArray, IntArray, FloatArray, IntArray, IntArray]
Ent = tuple[IntArray, IntArray, IntArray]
Out = tuple[
    IntArray, IntArray, FloatArray, IntArray, IntArray, IntArray, IntArray, IntArray, FloatArray
]
Reqs = tuple[IntArray, FloatArray, IntArray]
Pools = tuple[IntArray, IntArray, IntArray, FloatArray, IntArray]
Lot = tuple[bool, float, float, float, float]
Env = tuple[int, int, bool, int, bool, Lot, int, int]


def _compiled(function: _F) -> _F:
    """``numba.njit`` with an on-disk cache, typed as the function it compiles."""
    return cast(_F, numba.njit(cache=True, nogil=True)(function))


ABSENT = -2
"""``head`` of a pool the item has no (more) supply in: not in ``pools``."""
END = -1
"""End of a pool's list (``head`` of a pool walked to its end in a simulation)."""
# counters in ``count``
_PEG, _EXP, _PLAN, _POOLS, _REQS, _TOUCHED = 0, 1, 2, 3, 4, 5


class LevelLoop(NamedTuple):
    """What the level's loop items are and what they read (see ``run._net_loop``)."""

    items: IntArray  # loop items in netting order
    lo: IntArray  # their rows in the demand columns: lo:hi
    hi: IntArray
    date: IntArray  # demand columns of the loop rows, in netting order
    due: IntArray
    qty: FloatArray
    so: IntArray
    own: IntArray  # rows whose item has supply pegged to the row's sales order


class Rules(NamedTuple):
    """Per item (indexed by item): the fields of ``netting.ItemRule``."""

    lot_rule: IntArray
    lot_qty: FloatArray
    period_days: IntArray
    min_qty: FloatArray
    multiple: FloatArray
    safety: FloatArray
    is_mto: BoolArray
    scale: FloatArray
    reach: IntArray  # the planning time fence (``netting.net_item``'s settings)
    earliest: IntArray


class Supply(NamedTuple):
    """The supply table's columns; ``rem`` is consumed in place."""

    offsets: IntArray
    pool: IntArray
    avail: IntArray
    rem: FloatArray


class LoopOutput(NamedTuple):
    """``netting.NetOutput`` as arrays."""

    pl_item: IntArray
    pl_day: IntArray
    pl_pool: IntArray
    pl_qty: FloatArray
    pg_sup: IntArray
    pg_dem: IntArray
    pg_qty: FloatArray
    ex_sup: IntArray
    ex_dem: IntArray


def net_level(
    loop: LevelLoop,
    supply: Supply,
    rules: Rules,
    settings: tuple[int, int],
    so_rank: IntArray,
) -> LoopOutput:
    """Net the loop items of a level, as ``net_item`` does one after the other.

    Bounds of the outputs: a planned order per net requirement at most; a
    pegging row either ends its demand's need or uses up a supply entry, and
    the entries are the supply rows plus the planned orders' excess.
    """
    items = loop.items
    n_items = items.size
    n_dem = loop.date.size
    n_safety = int(np.count_nonzero(rules.safety[items] > TOL)) if n_items else 0
    rows = supply.offsets[items + 1] - supply.offsets[items]
    demands = loop.hi - loop.lo
    n_sup = int(rows.sum())
    max_plan = n_dem + n_safety
    max_peg = 2 * max_plan + n_sup + max_plan
    width = int((rows + demands).max()) + 2 if n_items else 2
    out = _net_level(
        items,
        loop.lo,
        loop.hi,
        loop.date,
        loop.due,
        loop.qty,
        loop.so,
        loop.own,
        supply.offsets,
        supply.pool,
        supply.avail,
        supply.rem,
        rules.lot_rule,
        rules.lot_qty,
        rules.period_days,
        rules.min_qty,
        rules.multiple,
        rules.safety,
        rules.is_mto,
        rules.scale,
        rules.reach,
        rules.earliest,
        int(settings[0]),
        int(settings[1]),
        so_rank,
        (max_plan, max_peg, width),
    )
    return LoopOutput(*out)


# The compiled functions below mirror ``netting.net_item`` and its inner functions;
# their comments name the Python statement each part is.
# State tuples: dem = (date, due, qty, so, own) of the loop rows; ent = (avail, ref,
# nxt) of the item's entries (``rem`` apart: a simulation works on a copy); out = the
# output columns; reqs = (demand, qty, pool) of the net requirements of the current
# due day; count = the fill of out and reqs, the number of pools, of touched pools.


@_compiled
def _take(
    pool: int,
    limit: int,
    need: float,
    demand: int,
    record: bool,
    ent: Ent,
    rem: FloatArray,
    heads: IntArray,
    dem: Dem,
    out: Out,
    count: IntArray,
) -> float:
    """``take``: consume a pool from its front while available by ``limit``."""
    e_avail, e_ref, nxt = ent
    dates = dem[0]
    pg_sup, pg_dem, pg_qty, ex_sup, ex_dem = out[0], out[1], out[2], out[3], out[4]
    entry = heads[pool + 1]
    while entry != END:
        if e_avail[entry] > limit:
            break
        used = entry
        left = rem[entry]
        if left <= need:
            use = left
            rem[entry] = 0.0
            need -= left
            entry = nxt[entry]
        else:
            use = need
            left -= need
            rem[entry] = left
            need = 0.0
            if left <= TOL:
                entry = nxt[entry]
        if record:
            p = count[_PEG]
            pg_sup[p] = e_ref[used]
            pg_dem[p] = demand
            pg_qty[p] = use
            count[_PEG] = p + 1
            if demand >= 0 and e_avail[used] > dates[demand]:
                x = count[_EXP]
                ex_sup[x] = e_ref[used]
                ex_dem[x] = demand
                count[_EXP] = x + 1
        if need <= TOL:
            break
    if entry != END or not record:
        heads[pool + 1] = entry
    else:  # used up: forget the pool
        heads[pool + 1] = ABSENT
        count[_POOLS] -= 1
    return need


@_compiled
def _net_one(
    demand: int,
    ent: Ent,
    rem: FloatArray,
    heads: IntArray,
    real: IntArray,
    dem: Dem,
    reschedule_in: int,
    reach: int,
    out: Out,
    count: IntArray,
) -> float:
    """``net_one`` (simulation only): pools present are those of ``real``."""
    date = dem[0][demand]
    so = dem[3][demand]
    need: float = dem[2][demand]
    if so != NO_ORDER and real[so + 1] != ABSENT:
        need = _take(so, date, need, demand, False, ent, rem, heads, dem, out, count)
    if need > TOL and real[0] != ABSENT:
        need = _take(NO_ORDER, date, need, demand, False, ent, rem, heads, dem, out, count)
    if need > TOL:
        limit = date + reschedule_in
        if limit < reach:
            limit = reach
        if so != NO_ORDER and real[so + 1] != ABSENT:
            need = _take(so, limit, need, demand, False, ent, rem, heads, dem, out, count)
        if need > TOL and real[0] != ABSENT:
            need = _take(NO_ORDER, limit, need, demand, False, ent, rem, heads, dem, out, count)
    return need


@_compiled
def _period_rest(  # noqa: C901 - one statement per statement of ``period_rest``
    start: int,
    end_day: int,
    pool: int,
    hi: int,
    is_mto: bool,
    n_entries: int,
    ent: Ent,
    rem: FloatArray,
    pools: Pools,
    dem: Dem,
    reschedule_in: int,
    reach: int,
    out: Out,
    count: IntArray,
) -> float:
    """``period_rest``: POQ, what the pool's later days in the period still miss."""
    dates, qtys, sos = dem[0], dem[2], dem[3]
    e_avail, nxt = ent[0], ent[2]
    real, copy_heads, touched, rem_copy = pools[0], pools[1], pools[2], pools[3]
    total = 0.0
    stop = start + np.searchsorted(dates[start:hi], end_day)
    if count[_POOLS] == 0:
        if not is_mto:
            for demand in range(start, stop):
                total += qtys[demand]
            return total
        for demand in range(start, stop):
            if sos[demand] == pool:
                total += qtys[demand]
        return total
    has_free = real[0] != ABSENT
    head = real[0] if has_free else END
    now = rem[head] if has_free else 0.0
    copied = False
    for demand in range(start, stop):
        so = sos[demand]
        need = qtys[demand]
        if so != NO_ORDER and real[so + 1] != ABSENT:
            if not copied:
                rem_copy[:n_entries] = rem[:n_entries]
                for t in range(count[_TOUCHED]):
                    copy_heads[touched[t] + 1] = real[touched[t] + 1]
                copied = True
            if has_free:
                copy_heads[0] = head
                if head != END:
                    rem_copy[head] = now
            need = _net_one(
                demand, ent, rem_copy, copy_heads, real, dem, reschedule_in, reach, out, count
            )
            if has_free:
                head = copy_heads[0]
                now = rem_copy[head] if head != END else 0.0
        elif has_free:
            limit = dates[demand] + reschedule_in  # steps (b) and (d): one walk
            if limit < reach:
                limit = reach
            while head != END:
                if e_avail[head] > limit:
                    break
                if now <= need:
                    need -= now
                    head = nxt[head]
                    now = rem[head] if head != END else 0.0
                else:
                    now -= need
                    need = 0.0
                    if now <= TOL:
                        head = nxt[head]
                        now = rem[head] if head != END else 0.0
                if need <= TOL:
                    break
        if need > TOL and (so if is_mto else NO_ORDER) == pool:
            total += need
    return total


@_compiled
def _miss_day(
    j: int, empty: bool, due: int, hi: int, dem: Dem, real: IntArray, reqs: Reqs, count: IntArray
) -> int:
    """``miss_day``: the run of mts demands from ``j`` that find nothing to take."""
    dates, dues, qtys, sos = dem[0], dem[1], dem[2], dem[3]
    r_dem, r_qty, r_pool = reqs
    k = j + 1
    if empty:
        while k < hi and dues[k] == due:
            k += 1
    else:
        day = dates[j]
        while k < hi and dates[k] == day and (sos[k] == NO_ORDER or real[sos[k] + 1] == ABSENT):
            k += 1
    r = count[_REQS]
    for demand in range(j, k):
        r_dem[r] = demand
        r_qty[r] = qtys[demand]
        r_pool[r] = NO_ORDER
        r += 1
    count[_REQS] = r
    return k


@_compiled
def _push_req(demand: int, qty: float, pool: int, reqs: Reqs, count: IntArray) -> None:
    r = count[_REQS]
    reqs[0][r] = demand
    reqs[1][r] = qty
    reqs[2][r] = pool
    count[_REQS] = r + 1


@_compiled
def _peg(sup: int, demand: int, qty: float, out: Out, count: IntArray) -> None:
    p = count[_PEG]
    out[0][p] = sup
    out[1][p] = demand
    out[2][p] = qty
    count[_PEG] = p + 1


@_compiled
def _lot_size(qty: float, rule: Lot) -> float:
    """``lots.lot_size`` as ``net_item`` inlines it: the same steps, the same arithmetic."""
    foq, lot_qty, min_qty, multiple, scale = rule
    if foq:
        qty = max(1, math.ceil((qty - TOL) / lot_qty)) * lot_qty
    if min_qty > qty:
        qty = min_qty
    if multiple > 0:
        qty = max(1, math.ceil((qty - TOL) / multiple)) * multiple
    if scale > 0:
        qty = max(1, math.ceil((qty - TOL) * scale)) / scale
    return qty


@_compiled
def _pool_order(reqs: Reqs, n: int, so_rank: IntArray) -> IntArray:
    """The requirements in planning order: free pool first, then by sales order;
    within a pool in the order they were found."""
    pool = reqs[2]
    first = pool[0]
    for i in range(1, n):
        if pool[i] != first:
            keys = np.empty(n, dtype=np.int64)
            for r in range(n):
                keys[r] = -1 if pool[r] == NO_ORDER else so_rank[pool[r]]
            return np.argsort(keys, kind="mergesort")
    return np.arange(n)


@_compiled
def _flush(
    item: int,
    due: int,
    j: int,
    hi: int,
    env: Env,
    n_entries: int,
    ent: Ent,
    e_rem: FloatArray,
    pools: Pools,
    dem: Dem,
    reqs: Reqs,
    out: Out,
    count: IntArray,
    so_rank: IntArray,
) -> int:
    """The planned orders due on ``due``: one per pool with net requirements."""
    pd, reschedule_in, poq, period_days, is_mto, lot, reach, earliest = env
    e_avail, e_ref, nxt = ent
    heads, touched = pools[0], pools[2]
    r_dem, r_qty, r_pool = reqs
    pl_item, pl_day, pl_pool, pl_qty = out[5], out[6], out[7], out[8]
    n = count[_REQS]
    order = _pool_order(reqs, n, so_rank)
    g = 0
    while g < n:
        pool = r_pool[order[g]]
        h = g
        net = 0.0
        while h < n and r_pool[order[h]] == pool:
            net += r_qty[order[h]]
            h += 1
        qty = net
        if poq:
            # the period counts calendar days from the first net requirement,
            # behind the time fence from its first day beyond (``net_item``)
            wanting = r_dem[order[g]]
            first_day = dem[0][wanting] if wanting >= 0 else pd
            if earliest > pd and first_day < earliest:
                first_day = earliest
            qty += _period_rest(
                j, first_day + period_days, pool, hi, is_mto, n_entries, ent, e_rem, pools, dem,
                reschedule_in, reach, out, count,
            )  # fmt: skip
        qty = _lot_size(qty, lot)
        c = count[_PLAN]
        planned = -c - 1
        pl_item[c] = item
        pl_day[c] = due
        pl_pool[c] = pool
        pl_qty[c] = qty
        count[_PLAN] = c + 1
        for i in range(g, h):
            _peg(planned, r_dem[order[i]], r_qty[order[i]], out, count)
        if qty - net > TOL:
            # the excess is the earliest supply left in the pool: it goes in front
            e = n_entries
            n_entries += 1
            e_avail[e] = due
            e_rem[e] = qty - net
            e_ref[e] = planned
            if heads[pool + 1] != ABSENT:
                nxt[e] = heads[pool + 1]
            else:
                nxt[e] = END
                count[_POOLS] += 1
                touched[count[_TOUCHED]] = pool
                count[_TOUCHED] += 1
            heads[pool + 1] = e
        g = h
    count[_REQS] = 0
    return n_entries


@_compiled
def _shortcut(
    j: int, hi: int, due: int, rest: float, dem: Dem, heads: IntArray, count: IntArray, is_mto: bool
) -> tuple[int, float]:
    """``net_item``'s common case: the free pool's first entry covers whole demands
    from ``j`` on, one after the other, and keeps some; returns where they end and
    what the entry keeps; ``rest`` is what it has, more than demand ``j`` needs."""
    dues, qtys, sos, own = dem[1], dem[2], dem[3], dem[4]
    stop = hi
    if count[_REQS] > 0:
        stop = j + int(np.searchsorted(dues[j:stop], due, side="right"))
    k = j
    n_pools = count[_POOLS]
    if n_pools > 1 and is_mto:
        # stop before a demand with supply of its own sales order
        while True:
            rest -= qtys[k]
            k += 1
            if rest <= TOL or k == stop or rest <= qtys[k]:
                break
            if sos[k] != NO_ORDER and heads[sos[k] + 1] != ABSENT:
                break
    else:
        if n_pools > 1:
            n = np.searchsorted(own, j, side="right")
            if n < own.size and own[n] < stop:
                stop = own[n]
        while True:
            rest -= qtys[k]
            k += 1
            if rest <= TOL or k == stop or rest <= qtys[k]:
                break
    return k, rest


@_compiled
def _net_item(  # noqa: C901 - rule 6's steps inline, as in ``net_item``
    item: int,
    lo: int,
    hi: int,
    first: int,
    end: int,
    env: Env,
    safety: float,
    ent: Ent,
    e_rem: FloatArray,
    pools: Pools,
    dem: Dem,
    reqs: Reqs,
    out: Out,
    count: IntArray,
    so_rank: IntArray,
    s_pool: IntArray,
    s_avail: IntArray,
    s_rem: FloatArray,
) -> None:
    """``net_item``: net one item's sorted demands day by day."""
    pd, reschedule_in, _poq, _period, is_mto, _lot, reach, earliest = env
    e_avail, e_ref, nxt = ent
    heads, touched = pools[0], pools[2]
    dates, dues, qtys, sos = dem[0], dem[1], dem[2], dem[3]
    tails = pools[4]  # the pools' last entries while they are built
    n_entries = end - first
    count[_POOLS] = 0
    count[_TOUCHED] = 0
    for e in range(n_entries):
        e_avail[e] = s_avail[first + e]
        e_rem[e] = s_rem[first + e]
        e_ref[e] = first + e
        nxt[e] = END
        pool = s_pool[first + e]
        if heads[pool + 1] == ABSENT:
            heads[pool + 1] = e
            touched[count[_TOUCHED]] = pool
            count[_TOUCHED] += 1
            count[_POOLS] += 1
        else:
            nxt[tails[pool + 1]] = e
        tails[pool + 1] = e
    j = lo
    count[_REQS] = 0
    due = earliest
    if safety > TOL:
        # rule 5's safety-stock demand: free supply available on pd, no pull-in
        left = safety
        if heads[0] != ABSENT:
            left = _take(NO_ORDER, pd, left, -1, True, ent, e_rem, heads, dem, out, count)
        if left > TOL:
            _push_req(-1, left, NO_ORDER, reqs, count)
    elif j < hi:
        due = dues[j]
    while True:
        while j < hi and dues[j] == due:
            so = sos[j]
            left = qtys[j]
            day = dates[j]
            if count[_POOLS] > 0 and (so == NO_ORDER or heads[so + 1] == ABSENT):
                # no supply of its own sales order: steps (b) and (d) in one walk
                if heads[0] != ABSENT:
                    entry = heads[0]
                    if e_avail[entry] <= day and e_rem[entry] > left:
                        k, rest = _shortcut(j, hi, due, e_rem[entry], dem, heads, count, is_mto)
                        e_rem[entry] = rest
                        for d in range(j, k):
                            _peg(e_ref[entry], d, qtys[d], out, count)
                        if rest <= TOL:
                            if nxt[entry] != END:
                                heads[0] = nxt[entry]
                            else:
                                heads[0] = ABSENT
                                count[_POOLS] -= 1
                        due = dues[k - 1]
                        j = k
                        continue
                    limit = day + reschedule_in
                    if limit < reach:
                        limit = reach
                    if e_avail[entry] <= limit:
                        left = _take(
                            NO_ORDER, limit, left, j, True, ent, e_rem, heads, dem, out, count
                        )
                    elif not is_mto:
                        j = _miss_day(j, False, due, hi, dem, heads, reqs, count)
                        continue
                elif not is_mto:
                    j = _miss_day(j, False, due, hi, dem, heads, reqs, count)
                    continue
            elif count[_POOLS] > 0:
                # rule 6's four steps, as in ``net_one``
                left = _take(so, day, left, j, True, ent, e_rem, heads, dem, out, count)
                if left > TOL and heads[0] != ABSENT:
                    left = _take(NO_ORDER, day, left, j, True, ent, e_rem, heads, dem, out, count)
                if left > TOL:
                    limit = day + reschedule_in
                    if limit < reach:
                        limit = reach
                    if heads[so + 1] != ABSENT:
                        left = _take(so, limit, left, j, True, ent, e_rem, heads, dem, out, count)
                    if left > TOL and heads[0] != ABSENT:
                        left = _take(
                            NO_ORDER, limit, left, j, True, ent, e_rem, heads, dem, out, count
                        )
            elif not is_mto:  # every pool used up
                j = _miss_day(j, True, due, hi, dem, heads, reqs, count)
                continue
            if left > TOL:
                _push_req(j, left, so if is_mto else NO_ORDER, reqs, count)
            j += 1
        if count[_REQS] > 0:
            n_entries = _flush(
                item, due, j, hi, env, n_entries, ent, e_rem, pools, dem, reqs, out, count,
                so_rank,
            )  # fmt: skip
        if j >= hi:
            break
        due = dues[j]
    for e in range(end - first):
        s_rem[first + e] = e_rem[e]
    for t in range(count[_TOUCHED]):
        heads[touched[t] + 1] = ABSENT


@_compiled
def _net_level(
    items: IntArray,
    lo: IntArray,
    hi: IntArray,
    dates: IntArray,
    dues: IntArray,
    qtys: FloatArray,
    sos: IntArray,
    own: IntArray,
    offsets: IntArray,
    s_pool: IntArray,
    s_avail: IntArray,
    s_rem: FloatArray,
    lot_rule: IntArray,
    lot_qty: FloatArray,
    period_days: IntArray,
    min_qty: FloatArray,
    multiple: FloatArray,
    safety: FloatArray,
    is_mto: BoolArray,
    scale: FloatArray,
    reach: IntArray,
    earliest: IntArray,
    pd: int,
    reschedule_in: int,
    so_rank: IntArray,
    sizes: tuple[int, int, int],
) -> tuple[
    IntArray, IntArray, IntArray, FloatArray, IntArray, IntArray, FloatArray, IntArray, IntArray
]:
    """Every loop item of the level, in order; the outputs trimmed to their fill."""
    max_plan, max_peg, width = sizes
    out = (
        np.empty(max_peg, dtype=np.int64),
        np.empty(max_peg, dtype=np.int64),
        np.empty(max_peg, dtype=np.float64),
        np.empty(max_peg, dtype=np.int64),
        np.empty(max_peg, dtype=np.int64),
        np.empty(max_plan, dtype=np.int64),
        np.empty(max_plan, dtype=np.int64),
        np.empty(max_plan, dtype=np.int64),
        np.empty(max_plan, dtype=np.float64),
    )
    n_pools = so_rank.size + 1
    pools = (
        np.full(n_pools, ABSENT, dtype=np.int64),  # heads
        np.full(n_pools, ABSENT, dtype=np.int64),  # heads of a simulation
        np.empty(width, dtype=np.int64),  # touched pools
        np.empty(width, dtype=np.float64),  # rem of a simulation
        np.empty(n_pools, dtype=np.int64),  # tails
    )
    ent = (
        np.empty(width, dtype=np.int64),
        np.empty(width, dtype=np.int64),
        np.empty(width, dtype=np.int64),
    )
    e_rem = np.empty(width, dtype=np.float64)
    reqs = (
        np.empty(width, dtype=np.int64),
        np.empty(width, dtype=np.float64),
        np.empty(width, dtype=np.int64),
    )
    count = np.zeros(6, dtype=np.int64)
    dem = (dates, dues, qtys, sos, own)
    for t in range(items.size):
        item = items[t]
        env = (
            pd,
            reschedule_in,
            lot_rule[item] == POQ and period_days[item] > 1,
            period_days[item],
            is_mto[item],
            (
                lot_rule[item] == FOQ and lot_qty[item] > 0,
                lot_qty[item],
                min_qty[item],
                multiple[item],
                scale[item],
            ),
            reach[item],
            earliest[item],
        )
        _net_item(
            item, lo[t], hi[t], offsets[item], offsets[item + 1], env, safety[item], ent,
            e_rem, pools, dem, reqs, out, count, so_rank, s_pool, s_avail, s_rem,
        )  # fmt: skip
    n_peg, n_exp, n_plan = count[_PEG], count[_EXP], count[_PLAN]
    return (
        out[5][:n_plan].copy(),
        out[6][:n_plan].copy(),
        out[7][:n_plan].copy(),
        out[8][:n_plan].copy(),
        out[0][:n_peg].copy(),
        out[1][:n_peg].copy(),
        out[2][:n_peg].copy(),
        out[3][:n_exp].copy(),
        out[4][:n_exp].copy(),
    )


def warm() -> None:
    """Compile the loop (or load it from Numba's cache) on a tiny level.

    ``scripts/install`` calls it, so that the first ``pegboard plan`` after an
    install does not pay for compiling. The argument types are those of a plan
    (C-contiguous int64, float64 and bool columns), for which the code is cached.
    The pegging table's counting sort (``sort_kernel``) is warmed with it.
    """
    from pegboard.engine import sort_kernel

    sort_kernel.warm()
    ints = np.array([0, 1], dtype=np.int64)
    net_level(
        LevelLoop(
            items=np.array([0], dtype=np.int64),
            lo=np.array([0], dtype=np.int64),
            hi=np.array([2], dtype=np.int64),
            date=ints.copy(),
            due=ints.copy(),
            qty=np.array([1.0, 2.0]),
            so=np.array([0, NO_ORDER], dtype=np.int64),
            own=np.array([0], dtype=np.int64),
        ),
        Supply(
            offsets=np.array([0, 1], dtype=np.int64),
            pool=np.array([0], dtype=np.int64),
            avail=np.array([0], dtype=np.int64),
            rem=np.array([0.5]),
        ),
        Rules(
            lot_rule=np.array([POQ], dtype=np.int64),
            lot_qty=np.array([0.0]),
            period_days=np.array([7], dtype=np.int64),
            min_qty=np.array([0.0]),
            multiple=np.array([0.0]),
            safety=np.array([0.0]),
            is_mto=np.array([True]),
            scale=np.array([0.0]),
            reach=np.array([NEVER], dtype=np.int64),
            earliest=np.array([0], dtype=np.int64),
        ),
        (0, 0),
        np.array([0], dtype=np.int64),
    )

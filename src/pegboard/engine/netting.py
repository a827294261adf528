"""Netting one item (rules 4-7): demands consume pooled supply, the rest is planned.

``net_item`` walks one item's demands day by day in plain Python (no
per-demand objects). It is the general path, used for items with supply
pegged to sales orders, a lot rule other than plain lot-for-lot, or many
supply rows; ``bulk.py`` nets the other items a whole level at a time, and a
test checks that both paths give the same plan.

This is the hot loop of a big plan (over a million demands), hence one
function with its state in local variables, the four steps of rule 6 written
out in the loop over demands, and shortcuts that do several demands in one
step where rule 6 allows it (see the comments in ``net_item``). Every demand
row has a quantity above ``TOL`` (``demand.py`` and ``explode.py`` drop the
rest), so a demand that finds nothing to take is a net requirement as a whole.

An item on the master schedule inside the planning time fence (issue #17) nets
with two more numbers per item, ``reach`` and ``earliest`` (``NEVER`` and pd for
every other item, which then nets exactly as without them): a pull-in reaches at
least to ``reach``, the last day inside the fence, because the frozen schedule is
all the supply there is there (a demand takes a line due later in the fence and is
late, rather than wait for new supply beyond it); and no planned order is due
before ``earliest``, the first working day beyond the fence (``run.py`` gives the
item's demand rows due days no earlier, so the rows of the fence share one order).
A ``poq`` period of such an item starts on ``earliest`` when its first requirement
falls inside the fence: the period is that of the order, due no sooner, so it covers
``period_days`` beyond the first day an order can come, not fewer.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from itertools import repeat

from pegboard.engine.lots import TOL
from pegboard.engine.types import FOQ, NO_ORDER, POQ

NEVER = -(2**62)
"""``reach`` of an item without a fence: a pull-in limit never raised to it."""

ItemRule = tuple[int, float, int, float, float, float, bool, float]
"""(lot_rule, lot_qty, period_days, min_qty, multiple, safety_stock, is_mto, scale);
``safety_stock`` is already 0 for mto items; ``scale`` is ``10 ** decimals``, 0 for
no rounding (``lots.round_to_places``)."""


@dataclass(frozen=True)
class DayDemands:
    """The demand rows the loop nets, in netting order, as machine-word arrays."""

    date: array[int]
    due: array[int]  # due day of the row's planned order (rule 1); ``date`` itself on
    # the default calendar. Never decreases along an item's rows.
    qty: array[float]
    so: array[int]
    own: list[int]  # rows whose item has supply pegged to the row's sales order


@dataclass(frozen=True)
class PoolSupply:
    """The existing supply of the whole run as lists: ``rem`` is consumed in place."""

    pool: list[int]
    avail: list[int]
    rem: list[float]


@dataclass
class NetOutput:
    """What netting a level produced, in level-local numbering.

    A supply reference ``>= 0`` is a row of the supply table; ``< 0`` is the
    local planned order ``-ref - 1``. A demand reference is a position in the
    ``DayDemands`` rows, ``-1`` the item's safety stock.
    """

    pl_item: list[int] = field(default_factory=list)
    pl_day: list[int] = field(default_factory=list)
    pl_pool: list[int] = field(default_factory=list)
    pl_qty: list[float] = field(default_factory=list)
    # machine-word arrays, not lists: a million rows and more, read by NumPy in place
    pg_sup: array[int] = field(default_factory=lambda: array("q"))
    pg_dem: array[int] = field(default_factory=lambda: array("q"))
    pg_qty: array[float] = field(default_factory=lambda: array("d"))
    ex_sup: list[int] = field(default_factory=list)
    ex_dem: list[int] = field(default_factory=list)


def net_item(  # noqa: C901 - rule 6's steps stay inline: this loop runs per demand
    item: int,
    demands: range,
    supply: PoolSupply,
    supply_rows: range,
    days: DayDemands,
    rule: ItemRule,
    settings: tuple[int, int, int, int],
    so_rank: list[int],
    out: NetOutput,
) -> None:
    """Net one item's sorted demands day by day; ``settings`` = (pd, reschedule_in,
    reach, earliest), the last two the item's planning time fence (see ``fence``).

    All net requirements of one pool whose planned orders are due on one day
    (rule 6: ``days.due``, the working day on or before the demand's date, not
    before pd) become one planned order, made after every demand of those days
    has been netted. On the default calendar those days are one day. A demand
    consumes existing supply by its own date, whichever its order's due day.

    The item's supply entries are its supply rows, then the excess of its
    planned orders; ``ref`` names each entry as ``NetOutput`` does. Each pool is
    a list of entries in consumption order with a head: everything before the
    head is used up.
    """
    lot_rule, lot_qty, period_days, min_qty, multiple, safety_stock, is_mto, scale = rule
    pd, reschedule_in, reach, earliest = settings
    first, end = supply_rows.start, supply_rows.stop
    avail = supply.avail[first:end]
    rem = supply.rem[first:end]
    ref = list(range(first, end))
    pools: dict[int, list[int]] = {}
    for entry, pool in enumerate(supply.pool[first:end]):
        if pool in pools:
            pools[pool].append(entry)
        else:
            pools[pool] = [entry]
    heads = dict.fromkeys(pools, 0)
    dates, dues, qtys, sos, own = days.date, days.due, days.qty, days.so, days.own
    pg_sup, pg_dem, pg_qty = out.pg_sup.append, out.pg_dem.append, out.pg_qty.append
    ex_sup, ex_dem = out.ex_sup.append, out.ex_dem.append
    pg_sups, pg_dems, pg_qtys = out.pg_sup.extend, out.pg_dem.extend, out.pg_qty.extend
    hi = demands.stop
    poq = lot_rule == POQ and period_days > 1
    foq = lot_rule == FOQ and lot_qty > 0
    pl_item, pl_day, pl_pool, pl_qty = out.pl_item, out.pl_day, out.pl_pool, out.pl_qty

    def take(
        pool: int,
        limit: int,
        need: float,
        demand: int,
        rem: list[float],
        heads: dict[int, int],
        record: bool,
    ) -> float:
        """Consume a pool from its front while its supply is available by ``limit``.

        By the time a pull-in is tried, everything of the pool available by the
        demand's date is used up, and all that is left after that date is open
        orders (stock is available today, planned excess by the current day);
        so one front-to-back walk serves both the plain and the reschedule-in
        steps of rule 6.
        """
        entries = pools[pool]
        head = heads[pool]
        count = len(entries)
        while head < count:
            entry = entries[head]
            if avail[entry] > limit:
                break
            left = rem[entry]
            if left <= need:
                use = left
                rem[entry] = 0.0
                need -= left
                head += 1
            else:
                use = need
                left -= need
                rem[entry] = left
                need = 0.0
                if left <= TOL:
                    head += 1
            if record:
                pg_sup(ref[entry])
                pg_dem(demand)
                pg_qty(use)
                if demand >= 0 and avail[entry] > dates[demand]:
                    ex_sup(ref[entry])
                    ex_dem(demand)
            if need <= TOL:
                break
        if head < count or not record:
            heads[pool] = head
        else:  # used up: forget the pool, so later demands skip it at once
            del pools[pool]
            del heads[pool]
        return need

    def net_one(demand: int, rem: list[float], heads: dict[int, int], record: bool) -> float:
        """What one demand still misses after rule 6's four steps."""
        date = dates[demand]
        so = sos[demand]
        need = qtys[demand]
        # a used-up pool is dropped from ``pools`` (in recording mode), so ask again
        # before each step
        if so != NO_ORDER and so in pools:
            need = take(so, date, need, demand, rem, heads, record)
        if need > TOL and NO_ORDER in pools:
            need = take(NO_ORDER, date, need, demand, rem, heads, record)
        if need > TOL:
            limit = date + reschedule_in
            if limit < reach:
                limit = reach
            if so != NO_ORDER and so in pools:
                need = take(so, limit, need, demand, rem, heads, record)
            if need > TOL and NO_ORDER in pools:
                need = take(NO_ORDER, limit, need, demand, rem, heads, record)
        return need

    def period_rest(start: int, end_day: int, pool: int) -> float:  # noqa: C901 - see net_item
        """POQ: what the pool's later days in the period still miss, netted on
        a copy of the supply state without the order being sized.

        The free pool is walked as ``take`` would, without copying it (``now``
        is what is left of the entry at ``head``); the state is copied only for
        a demand with supply of its own sales order, which ``net_one`` nets.
        """
        total = 0.0
        stop = bisect_left(dates, end_day, start, hi)
        if not pools:
            if not is_mto:
                for qty in qtys[start:stop]:
                    total += qty
                return total
            for demand in range(start, stop):
                if sos[demand] == pool:
                    total += qtys[demand]
            return total
        free = pools.get(NO_ORDER)
        count = len(free) if free is not None else 0
        head = heads[NO_ORDER] if free is not None else 0
        now = rem[free[head]] if free is not None else 0.0
        rem_copy: list[float] | None = None
        heads_copy: dict[int, int] = {}
        for demand in range(start, stop):
            so = sos[demand]
            need = qtys[demand]
            if so != NO_ORDER and so in pools:
                if rem_copy is None:
                    rem_copy = list(rem)
                    heads_copy = dict(heads)
                if free is not None:
                    heads_copy[NO_ORDER] = head
                    if head < count:
                        rem_copy[free[head]] = now
                need = net_one(demand, rem_copy, heads_copy, False)
                if free is not None:
                    head = heads_copy[NO_ORDER]
                    now = rem_copy[free[head]] if head < count else 0.0
            elif free is not None:
                limit = dates[demand] + reschedule_in  # steps (b) and (d): one walk
                if limit < reach:
                    limit = reach
                while head < count:
                    if avail[free[head]] > limit:
                        break
                    if now <= need:
                        need -= now
                        head += 1
                        now = rem[free[head]] if head < count else 0.0
                    else:
                        now -= need
                        need = 0.0
                        if now <= TOL:
                            head += 1
                            now = rem[free[head]] if head < count else 0.0
                    if need <= TOL:
                        break
            if need > TOL and (so if is_mto else NO_ORDER) == pool:
                total += need
        return total

    def miss_day(
        j: int, empty: bool, due: int, reqs: dict[int, tuple[list[int], list[float]]]
    ) -> int:
        """An mts item's demands from ``j`` on whose orders are due on ``due``
        which, like ``j``, find nothing to take (all pools used up if ``empty``,
        else, on ``j``'s own date, no free supply within the limit and none of
        their own): all of them net requirements of the free pool. Returns the
        first demand after them."""
        k = j + 1
        if empty:
            while k < hi and dues[k] == due:
                k += 1
        else:
            day = dates[j]
            while k < hi and dates[k] == day and (sos[k] == NO_ORDER or sos[k] not in pools):
                k += 1
        if NO_ORDER in reqs:
            want = reqs[NO_ORDER]
            want[0].extend(range(j, k))
            want[1].extend(qtys[j:k])
        else:
            reqs[NO_ORDER] = (list(range(j, k)), qtys[j:k].tolist())
        return k

    j = demands.start
    # per pool, the demands with a net requirement whose order is due on ``due``
    # (their orders' due day), and that requirement
    reqs: dict[int, tuple[list[int], list[float]]] = {}
    due = earliest
    if safety_stock > TOL:
        # rule 5's safety-stock demand, before every other demand: free supply
        # available on pd, no pull-in
        left = safety_stock
        if NO_ORDER in pools:
            left = take(NO_ORDER, pd, left, -1, rem, heads, True)
        if left > TOL:
            reqs[NO_ORDER] = ([-1], [left])
    elif j < hi:
        due = dues[j]
    while True:
        while j < hi and dues[j] == due:
            so = sos[j]
            left = qtys[j]
            day = dates[j]
            if pools and (so == NO_ORDER or so not in pools):
                # no supply of its own sales order: steps (b) and (d) read the
                # free pool front to back, so they are one walk up to the limit
                if NO_ORDER in pools:
                    entries = pools[NO_ORDER]
                    head = heads[NO_ORDER]
                    entry = entries[head]
                    rest = rem[entry]
                    if avail[entry] <= day and rest > left:
                        # The common case, ``take`` cut short: the free pool's first
                        # entry covers whole demands like this one, one after the
                        # other, and keeps some. Nothing is missed, so the run may
                        # cross days unless an order due on ``due`` is to be planned.
                        stop = hi
                        if reqs:
                            stop = bisect_right(dues, due, j, stop)
                        k = j
                        if len(pools) > 1 and is_mto:
                            # stop before a demand with supply of its own sales
                            # order, which may be the excess of an earlier order
                            while True:
                                rest -= qtys[k]
                                k += 1
                                if rest <= TOL or k == stop or rest <= qtys[k]:
                                    break
                                if sos[k] != NO_ORDER and sos[k] in pools:
                                    break
                        else:
                            if len(pools) > 1:
                                # the same; an mts item's orders are all in the
                                # free pool, so only its supply rows matter
                                n = bisect_right(own, j)
                                if n < len(own) and own[n] < stop:
                                    stop = own[n]
                            while True:
                                rest -= qtys[k]
                                k += 1
                                if rest <= TOL or k == stop or rest <= qtys[k]:
                                    break
                        rem[entry] = rest
                        if k - j == 1:
                            pg_sup(ref[entry])
                            pg_dem(j)
                            pg_qty(left)
                        else:
                            pg_sups(repeat(ref[entry], k - j))
                            pg_dems(range(j, k))
                            pg_qtys(qtys[j:k])
                        if rest <= TOL:
                            if head + 1 < len(entries):
                                heads[NO_ORDER] = head + 1
                            else:
                                del pools[NO_ORDER]
                                del heads[NO_ORDER]
                        due = dues[k - 1]
                        j = k
                        continue
                    limit = day + reschedule_in
                    if limit < reach:
                        limit = reach
                    if avail[entry] <= limit:
                        left = take(NO_ORDER, limit, left, j, rem, heads, True)
                    elif not is_mto:
                        j = miss_day(j, False, due, reqs)
                        continue
                elif not is_mto:
                    j = miss_day(j, False, due, reqs)
                    continue
            elif pools:
                # rule 6's four steps, as in ``net_one``
                left = take(so, day, left, j, rem, heads, True)
                if left > TOL and NO_ORDER in pools:
                    left = take(NO_ORDER, day, left, j, rem, heads, True)
                if left > TOL:
                    limit = day + reschedule_in
                    if limit < reach:
                        limit = reach
                    if so in pools:
                        left = take(so, limit, left, j, rem, heads, True)
                    if left > TOL and NO_ORDER in pools:
                        left = take(NO_ORDER, limit, left, j, rem, heads, True)
            elif not is_mto:  # every pool used up (common once stock runs out)
                j = miss_day(j, True, due, reqs)
                continue
            if left > TOL:
                pool = so if is_mto else NO_ORDER
                if pool in reqs:
                    want = reqs[pool]
                    want[0].append(j)
                    want[1].append(left)
                else:
                    reqs[pool] = ([j], [left])
            j += 1
        if reqs:
            # one planned order per pool with net requirements whose orders are due on
            # ``due``
            if len(reqs) == 1:
                order = list(reqs)
            else:
                order = sorted(reqs, key=lambda p: -1 if p == NO_ORDER else so_rank[p])
            for pool in order:
                wanting, wants = reqs[pool]
                net = sum(wants)
                qty = net
                if poq:
                    # the period counts calendar days from the first net requirement,
                    # behind the time fence from its first day beyond (no order due sooner)
                    first_day = dates[wanting[0]] if wanting[0] >= 0 else pd
                    if earliest > pd and first_day < earliest:
                        first_day = earliest
                    qty += period_rest(j, first_day + period_days, pool)
                # ``lots.lot_size``, inline: the same steps, the same arithmetic
                if foq:
                    qty = max(1, math.ceil((qty - TOL) / lot_qty)) * lot_qty
                if min_qty > qty:
                    qty = min_qty
                if multiple > 0:
                    qty = max(1, math.ceil((qty - TOL) / multiple)) * multiple
                if scale > 0:
                    qty = max(1, math.ceil((qty - TOL) * scale)) / scale
                planned = -len(pl_item) - 1
                pl_item.append(item)
                pl_day.append(due)
                pl_pool.append(pool)
                pl_qty.append(qty)
                if len(wanting) == 1:
                    pg_sup(planned)
                    pg_dem(wanting[0])
                    pg_qty(wants[0])
                else:
                    pg_sups(repeat(planned, len(wanting)))
                    pg_dems(wanting)
                    pg_qtys(wants)
                if qty - net > TOL:
                    # all of the pool available by ``due`` (and by the requirement's
                    # later date) is used up, so the excess is the earliest supply
                    # left in it: it goes in front
                    avail.append(due)
                    rem.append(qty - net)
                    ref.append(planned)
                    entry = len(avail) - 1
                    if pool in pools:
                        pools[pool].insert(heads[pool], entry)
                    else:
                        pools[pool] = [entry]
                        heads[pool] = 0
            reqs = {}
        if j >= hi:
            break
        due = dues[j]
    supply.rem[first:end] = rem[: end - first]

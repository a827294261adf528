"""Netting one item (rules 4-7): demands consume pooled supply, the rest is planned.

``net_item`` walks one item's demands day by day in plain Python lists (no
per-demand objects). It is the general path, used for items with supply
pegged to sales orders, a lot rule other than plain lot-for-lot, or many
supply rows; ``bulk.py`` nets the other items a whole level at a time, and a
test checks that both paths give the same plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pegboard.engine.lots import TOL, lot_size
from pegboard.engine.types import NO_ORDER, POQ


@dataclass(frozen=True)
class ItemRule:
    lead_time: int
    lot_rule: int
    lot_qty: float
    period_days: int
    min_qty: float
    multiple: float
    safety_stock: float  # already 0 for mto items
    is_mto: bool


@dataclass(frozen=True)
class DayDemands:
    """One level's sorted demand columns as lists, for the per-item loop."""

    date: list[int]
    qty: list[float]
    so: list[int]


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
    level's sorted demand rows, ``-1`` the item's safety stock.
    """

    pl_item: list[int] = field(default_factory=list)
    pl_day: list[int] = field(default_factory=list)
    pl_pool: list[int] = field(default_factory=list)
    pl_qty: list[float] = field(default_factory=list)
    pg_sup: list[int] = field(default_factory=list)
    pg_dem: list[int] = field(default_factory=list)
    pg_qty: list[float] = field(default_factory=list)
    ex_sup: list[int] = field(default_factory=list)
    ex_dem: list[int] = field(default_factory=list)


class _Netter:
    """One item being netted: its supply entries, pools and the level's output.

    This is the hot loop of a big plan, hence plain lists and ints, and hot
    methods that copy attributes to locals first. Entries ``< len(supply rows)``
    are existing supply; later ones are the excess of planned orders.
    """

    def __init__(
        self,
        item: int,
        supply: PoolSupply,
        supply_rows: range,
        days: DayDemands,
        rule: ItemRule,
        out: NetOutput,
    ) -> None:
        first, end = supply_rows.start, supply_rows.stop
        self.item = item
        self.rule = rule
        self.out = out
        self.avail = supply.avail[first:end]
        self.rem = supply.rem[first:end]
        self.ref = list(range(first, end))  # < 0: the excess of planned order -ref - 1
        self.pools: dict[int, list[int]] = {}
        for entry, pool in enumerate(supply.pool[first:end]):
            self.pools.setdefault(pool, []).append(entry)
        self.heads = dict.fromkeys(self.pools, 0)
        self.dates, self.qtys, self.sos = days.date, days.qty, days.so
        self.reschedule_in = 0
        self.hi = 0

    def take(
        self,
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
        entries = self.pools[pool]
        avail = self.avail
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
                out = self.out
                out.pg_sup.append(self.ref[entry])
                out.pg_dem.append(demand)
                out.pg_qty.append(use)
                if demand >= 0 and avail[entry] > self.dates[demand]:
                    out.ex_sup.append(self.ref[entry])
                    out.ex_dem.append(demand)
            if need <= TOL:
                break
        if head < count or not record:
            heads[pool] = head
        else:  # used up: forget the pool, so later demands skip it at once
            del self.pools[pool]
            del heads[pool]
        return need

    def _peg(self, supply: int, demand: int, qty: float) -> None:
        out = self.out
        out.pg_sup.append(supply)
        out.pg_dem.append(demand)
        out.pg_qty.append(qty)

    def net_one(self, demand: int, rem: list[float], heads: dict[int, int], record: bool) -> float:
        """What one demand still misses after rule 6's four steps."""
        pools = self.pools
        date = self.dates[demand]
        so = self.sos[demand]
        need = self.qtys[demand]
        # a used-up pool is dropped from ``pools`` (in recording mode), so ask again
        # before each step
        if so != NO_ORDER and so in pools:
            need = self.take(so, date, need, demand, rem, heads, record)
        if need > TOL and NO_ORDER in pools:
            need = self.take(NO_ORDER, date, need, demand, rem, heads, record)
        if need > TOL:
            limit = date + self.reschedule_in
            if so != NO_ORDER and so in pools:
                need = self.take(so, limit, need, demand, rem, heads, record)
            if need > TOL and NO_ORDER in pools:
                need = self.take(NO_ORDER, limit, need, demand, rem, heads, record)
        return need

    def pool_of(self, demand: int) -> int:
        """The pool a net requirement is planned in (rule 5)."""
        return self.sos[demand] if self.rule.is_mto else NO_ORDER

    def period_rest(self, start: int, end_day: int, pool: int) -> float:
        """POQ: what the pool's later days in the period still miss, netted on
        a copy of the supply state without the order being sized."""
        rem = list(self.rem)
        heads = dict(self.heads)
        total = 0.0
        for demand in range(start, self.hi):
            if self.dates[demand] >= end_day:
                break
            left = self.net_one(demand, rem, heads, False) if self.pools else self.qtys[demand]
            if left > TOL and self.pool_of(demand) == pool:
                total += left
        return total

    def plan_day(
        self,
        day: int,
        reqs: dict[int, list[tuple[int, float]]],
        next_demand: int,
        so_rank: list[int],
    ) -> None:
        """One planned order per pool with net requirements on ``day``."""
        rule = self.rule
        out = self.out
        for pool in sorted(reqs, key=lambda p: -1 if p == NO_ORDER else so_rank[p]):
            wants = reqs[pool]
            net = sum(left for _, left in wants)
            requirement = net
            if rule.lot_rule == POQ and rule.period_days > 1:
                requirement += self.period_rest(next_demand, day + rule.period_days, pool)
            qty = lot_size(requirement, rule.lot_rule, rule.lot_qty, rule.min_qty, rule.multiple)
            planned = -len(out.pl_item) - 1
            out.pl_item.append(self.item)
            out.pl_day.append(day)
            out.pl_pool.append(pool)
            out.pl_qty.append(qty)
            for demand, left in wants:
                self._peg(planned, demand, left)
            if qty - net > TOL:
                # all of the pool available by ``day`` is used up, so the
                # excess is the earliest supply left in it: it goes in front
                self.avail.append(day)
                self.rem.append(qty - net)
                self.ref.append(planned)
                entry = len(self.avail) - 1
                if pool in self.pools:
                    self.pools[pool].insert(self.heads[pool], entry)
                else:
                    self.pools[pool] = [entry]
                    self.heads[pool] = 0

    def safety_stock(self, pd: int) -> dict[int, list[tuple[int, float]]]:
        """Rule 5's safety-stock demand: free supply available on pd, no pull-in."""
        left = self.rule.safety_stock
        if NO_ORDER in self.pools:
            left = self.take(NO_ORDER, pd, left, -1, self.rem, self.heads, True)
        return {NO_ORDER: [(-1, left)]} if left > TOL else {}


def net_item(
    item: int,
    demands: range,
    supply: PoolSupply,
    supply_rows: range,
    days: DayDemands,
    rule: ItemRule,
    settings: tuple[int, int],
    so_rank: list[int],
    out: NetOutput,
) -> None:
    """Net one item's sorted demands day by day; ``settings`` = (pd, reschedule_in).

    All net requirements of one pool on one day become one planned order, made
    after every demand of that day has been netted.
    """
    pd, reschedule_in = settings
    netter = _Netter(item, supply, supply_rows, days, rule, out)
    netter.reschedule_in = reschedule_in
    netter.hi = hi = demands.stop
    dates, qtys = days.date, days.qty
    net_one = netter.net_one
    rem, heads = netter.rem, netter.heads
    safety = rule.safety_stock > TOL
    j = demands.start
    while j < hi or safety:
        if safety:  # before every other demand, on pd
            safety = False
            day = pd
            reqs = netter.safety_stock(pd)
        else:
            day = dates[j]
            reqs = {}
        while j < hi and dates[j] == day:
            # with every pool used up (common once stock runs out) nothing is left to take
            left = net_one(j, rem, heads, True) if netter.pools else qtys[j]
            if left > TOL:
                reqs.setdefault(netter.pool_of(j), []).append((j, left))
            j += 1
        if reqs:
            netter.plan_day(day, reqs, j, so_rank)
    first, end = supply_rows.start, supply_rows.stop
    supply.rem[first:end] = rem[: end - first]

"""A deliberately naive second reading of the planning rules, for the property tests.

No pointers, no pools as queues, no NumPy: every netting step scans all supply
of the item, filters it by pool, window and kind, sorts it and takes from it.
Working days are counted one day at a time from ``date.weekday()`` and the
holiday set. It computes planned orders and pegging, then (``dates``) the
earliest completion of planned and open production orders (rule 9) and the
projected date of each sales line (rule 10), by recursion over the pegging; no
traces, no exceptions. Everything is labelled by ids so it can be compared with
the engine's result.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pegboard.engine.types import FOQ, NO_ORDER, POQ, PlanInput

TOL = 1e-9


@dataclass
class Sup:
    avail: int
    order: tuple[Any, ...]
    pool: int
    rem: float
    label: str
    is_open: bool


@dataclass
class Dem:
    date: int
    key: tuple[Any, ...]
    so: int
    qty: float
    label: str
    prio: int | None  # None: safety stock


def _lot(net: float, inp: PlanInput, i: int) -> float:
    it = inp.items
    q = net
    lot = float(it.lot_qty[i])
    if int(it.lot_rule[i]) == FOQ and lot > 0:
        k = max(1, -int(-(q - TOL) // lot))
        q = k * lot
    q = max(q, float(it.min_qty[i]))
    m = float(it.multiple[i])
    if m > 0:
        q = max(1, -int(-(q - TOL) // m)) * m
    if it.decimals is not None and int(it.decimals[i]) >= 0:
        steps = 10 ** int(it.decimals[i])
        q = max(1, math.ceil((q - TOL) * steps)) / steps  # up to whole steps
    return q


class Days:
    """back and fwd of rule 1, one day at a time."""

    def __init__(self, inp: PlanInput) -> None:
        cal = inp.settings.calendar
        self.work = set(cal.work_days)
        self.holidays = set(cal.holidays)

    def working(self, d: int) -> bool:
        return dt.date.fromordinal(d).weekday() in self.work and d not in self.holidays

    def back(self, d: int, n: int) -> int:
        while not self.working(d):
            d -= 1
        for _ in range(n):
            d -= 1
            while not self.working(d):
                d -= 1
        return d

    def fwd(self, d: int, n: int) -> int:
        while not self.working(d):
            d += 1
        for _ in range(n):
            d += 1
            while not self.working(d):
                d += 1
        return d


class Reference:
    def __init__(self, inp: PlanInput) -> None:
        self.inp = inp
        s = inp.settings
        self.pd, self.last, self.r = (
            s.planning_date,
            s.planning_date + s.horizon_days,
            s.reschedule_in_days,
        )
        self.days = Days(inp)
        # the master schedule's time fence: its items' first planned order is due on
        # ``fence_due``, and their demands reach for supply up to the day before
        mps = inp.items.mps
        self.fence_due: int | None = None
        if s.mps_fence_days > 0 and mps is not None and any(bool(x) for x in mps):
            self.fence_due = self.days.fwd(self.pd + s.mps_fence_days, 0)
        self.reach = -(2**62)  # of the item being netted
        self.period_from: int | None = None
        self.planned: list[tuple[str, str, float, int, int, int]] = []
        self.clamped: dict[str, bool] = {}
        self.pegs: dict[tuple[str, str], float] = {}
        self.prios: dict[str, list[int]] = {}
        n = len(inp.items)
        self.dem: list[list[Dem]] = [[] for _ in range(n)]
        self.sup: list[list[Sup]] = [[] for _ in range(n)]
        d = inp.demands
        for k in range(len(d)):
            if int(d.due[k]) <= self.last and float(d.qty[k]) > TOL:
                so = int(d.sales_order[k])
                self.dem[int(d.item[k])].append(
                    Dem(
                        max(int(d.due[k]), self.pd),
                        (int(d.priority[k]), inp.sales_orders[so], int(d.line[k]), ""),
                        so,
                        float(d.qty[k]),
                        f"{inp.sales_orders[so]}/{int(d.line[k])}",
                        int(d.priority[k]),
                    )
                )
        st = inp.stock
        for k in range(len(st)):
            if float(st.qty[k]) > TOL:
                self.sup[int(st.item[k])].append(
                    Sup(
                        self.pd,
                        (self.pd, 0, st.location[k], k),
                        int(st.sales_order[k]),
                        float(st.qty[k]),
                        f"stock#{k}",
                        False,
                    )
                )
        for kind, table in ((1, inp.purchases), (2, inp.productions)):
            for k in range(len(table)):
                avail = max(int(table.due[k]), self.pd)
                self.sup[int(table.item[k])].append(
                    Sup(
                        avail,
                        (avail, kind, table.ref[k], k),
                        int(table.sales_order[k]),
                        float(table.qty[k]),
                        table.ref[k],
                        True,
                    )
                )

    def live(self, k: int) -> bool:
        """Whether production order k's components are still demand."""
        pr = self.inp.productions
        return (
            bool(self.inp.items.is_make[int(pr.item[k])])
            and not bool(pr.components_issued[k])
            and int(pr.start[k]) <= self.last
        )

    def listed(self, k: int) -> dict[int, float] | None:
        """Production order k's listed outstanding quantity per component, None
        when it lists nothing (then it explodes through the BOM)."""
        pc = self.inp.production_components
        rows = [r for r in range(len(pc)) if int(pc.order[r]) == k]
        if not rows:
            return None
        need: dict[int, float] = {}
        for r in rows:
            need[int(pc.item[r])] = need.get(int(pc.item[r]), 0.0) + float(pc.qty[r])
        return {c: q for c, q in need.items() if q > TOL}

    def llc(self) -> list[int]:
        n = len(self.inp.items)
        level = [0] * n
        bom = self.inp.bom
        edges = list(zip(bom.parent.tolist(), bom.component.tolist(), strict=True))
        pr = self.inp.productions
        for k in range(len(pr)):
            need = self.listed(k)
            if need and self.live(k):
                edges += [(int(pr.item[k]), c) for c in need]
        for _ in range(n + 1):
            for p, c in edges:
                level[c] = max(level[c], level[p] + 1)
        return level

    def take(
        self,
        d: Dem,
        sups: list[Sup],
        pool: int,
        lo: float,
        hi: float,
        open_only: bool,
        need: float,
        record: bool,
    ) -> float:
        cands = sorted(
            (
                x
                for x in sups
                if x.pool == pool
                and lo <= x.avail <= hi
                and x.rem > TOL
                and (x.is_open or not open_only)
            ),
            key=lambda x: x.order,
        )
        for x in cands:
            if need <= TOL:
                break
            use = min(x.rem, need)
            x.rem -= use
            need -= use
            if record:
                self.pegs[(x.label, d.label)] = self.pegs.get((x.label, d.label), 0.0) + use
                if d.prio is not None:
                    self.prios.setdefault(x.label, []).append(d.prio)
        return need

    def consume(self, d: Dem, sups: list[Sup], record: bool) -> float:
        inf = float("-inf")
        if d.prio is None:
            return self.take(d, sups, NO_ORDER, inf, self.pd, False, d.qty, record)
        need = d.qty
        steps = []
        if d.so != NO_ORDER:
            steps.append((d.so, inf, d.date, False))
        steps.append((NO_ORDER, inf, d.date, False))
        if d.so != NO_ORDER:
            steps.append((d.so, d.date + 1, max(d.date + self.r, self.reach), True))
        steps.append((NO_ORDER, d.date + 1, max(d.date + self.r, self.reach), True))
        for pool, lo, hi, open_only in steps:
            need = self.take(d, sups, pool, lo, hi, open_only, need, record)
        return need

    def period_rest(self, later: list[Dem], sups: list[Sup], in_pool: Any) -> float:
        """POQ: what the later demands of the period still miss, on a copy of the supply."""
        sim = copy.deepcopy(sups)
        rest = 0.0
        for d in later:
            left = self.consume(d, sim, False)
            if left > TOL and in_pool(d):
                rest += left
        return rest

    def net(self, i: int) -> None:
        inp = self.inp
        it = inp.items
        mto = bool(it.is_mto[i])
        ds = sorted(self.dem[i], key=lambda d: (d.date, *d.key))
        if not mto and float(it.safety_stock[i]) > TOL:
            ds.insert(0, Dem(self.pd, (), NO_ORDER, float(it.safety_stock[i]), "ss", None))
        sups = self.sup[i]
        fenced = self.fence_due is not None and bool(it.mps is not None and it.mps[i])
        earliest = self.fence_due if fenced and self.fence_due is not None else self.pd
        self.reach = earliest - 1 if fenced else -(2**62)
        self.period_from = earliest if fenced else None  # a POQ period starts no sooner

        def pool_of(d: Dem) -> int:
            return d.so if mto and d.prio is not None else NO_ORDER

        def due_of(d: Dem) -> int:
            """Rule 1: the due day of a planned order for a requirement on d's date."""
            return max(self.days.back(d.date, 0), earliest)

        for due in sorted({due_of(d) for d in ds}):
            reqs: dict[int, list[tuple[Dem, float]]] = {}
            for d in ds:
                if due_of(d) == due:
                    left = self.consume(d, sups, True)
                    if left > TOL:
                        reqs.setdefault(pool_of(d), []).append((d, left))
            for pool in sorted(reqs, key=lambda p: "" if p < 0 else inp.sales_orders[p]):
                later = [d for d in ds if due_of(d) > due]
                self.plan_pool(i, due, pool, reqs[pool], later, pool_of)

    def plan_pool(
        self,
        i: int,
        due: int,
        pool: int,
        reqs: list[tuple[Dem, float]],
        later: list[Dem],
        pool_of: Callable[[Dem], int],
    ) -> None:
        """One planned order of item ``i`` due on ``due`` for the pool's requirements
        (POQ: also what ``later`` requirements of its period leave uncovered), pegged."""
        inp = self.inp
        it = inp.items
        sups = self.sup[i]
        net = sum(left for _, left in reqs)
        req = net
        period = int(it.period_days[i])
        if int(it.lot_rule[i]) == POQ and period > 1:
            first = min(d.date for d, _ in reqs)
            if self.period_from is not None:
                first = max(first, self.period_from)
            within = [d for d in later if d.date < first + period]
            req += self.period_rest(within, sups, lambda d, p=pool: pool_of(d) == p)
        qty = _lot(req, inp, i)
        label = f"PL-{len(self.planned) + 1:06d}"
        lt = int(it.lead_time[i])
        make = bool(it.is_make[i])
        release = self.days.back(due, lt) if make else self.days.back(due - lt, 0)
        self.clamped[label] = release < self.pd
        self.planned.append((label, it.code[i], qty, max(release, self.pd), due, pool))
        for d, left in reqs:
            self.pegs[(label, d.label)] = left
            if d.prio is not None:
                self.prios.setdefault(label, []).append(d.prio)
        sups.append(Sup(due, (due, 3, len(self.planned)), pool, qty - net, label, False))

    def explode(
        self,
        i: int,
        label: str,
        qty: float,
        date: int,
        so: int,
        listed: dict[int, float] | None = None,
    ) -> None:
        """Dependent demand of a make order: ``listed`` quantities if given, else
        the order's BOM."""
        bom = self.inp.bom
        rows = [k for k in range(len(bom)) if int(bom.parent[k]) == i]
        own = [k for k in rows if so != NO_ORDER and int(bom.sales_order[k]) == so]
        use = own or [k for k in rows if int(bom.sales_order[k]) == NO_ORDER]
        need: dict[int, float] = {}
        for k in use:
            c = int(bom.component[k])
            need[c] = need.get(c, 0.0) + qty * float(bom.qty_per[k]) * (
                1 + float(bom.scrap_pct[k]) / 100
            )
        if listed is not None:
            need = listed
        prio = min(self.prios.get(label, [100]))
        for c, q in need.items():
            self.dem[c].append(
                Dem(
                    date,
                    (prio, self.inp.sales_orders[so] if so >= 0 else "", 0, label),
                    so,
                    q,
                    label,
                    prio,
                )
            )

    def run(self) -> Reference:
        inp = self.inp
        level = self.llc()
        order = sorted(range(len(inp.items)), key=lambda i: (level[i], inp.items.code[i]))
        pr = inp.productions
        for i in order:
            first = len(self.planned)
            self.net(i)
            if not bool(inp.items.is_make[i]):
                continue
            for label, _, qty, release, _, so in self.planned[first:]:
                self.explode(i, label, qty, release, so)
            for k in range(len(pr)):
                if int(pr.item[k]) == i and self.live(k):
                    self.explode(
                        i,
                        pr.ref[k],
                        float(pr.qty[k]),
                        max(int(pr.start[k]), self.pd),
                        int(pr.sales_order[k]),
                        self.listed(k),
                    )
        return self

    def dates(self) -> Dates:
        """Rules 9 and 10 from the pegging, by memoised recursion down the structure."""
        return _DateReader(self).read()


@dataclass
class Dates:
    planned: dict[str, tuple[int, bool]]  # ref -> (earliest completion, is_late)
    productions: dict[str, tuple[int, int, bool]]  # ref -> (available, completion, late)
    lines: dict[str, int]  # "SO/line" -> projected date


class _DateReader:
    """Availability of every supply label, recursively: what a component waits for."""

    def __init__(self, ref: Reference) -> None:
        self.ref = ref
        self.inp = ref.inp
        self.pegged: dict[str, list[str]] = {}
        for (sup, dem), qty in ref.pegs.items():
            if qty > TOL:
                self.pegged.setdefault(dem, []).append(sup)
        self.code = {c: i for i, c in enumerate(self.inp.items.code)}
        self.planned = {p[0]: p for p in ref.planned}
        self.po = {r: k for k, r in enumerate(self.inp.purchases.ref)}
        self.mo = {r: k for k, r in enumerate(self.inp.productions.ref)}
        self.memo: dict[str, int] = {}

    def ready(self, label: str) -> int:
        """The latest of today and the supplies pegged to ``label``'s demand."""
        return max([self.ref.pd, *(self.avail(s) for s in self.pegged.get(label, []))])

    def made_or_bought(self, label: str) -> int:
        _, item, _, _, due, _ = self.planned[label]
        i = self.code[item]
        lt = int(self.inp.items.lead_time[i])
        if bool(self.inp.items.is_make[i]):
            return self.ref.days.fwd(self.ready(label), lt)
        if self.ref.clamped[label]:
            return self.ref.days.fwd(self.ref.pd + lt, 0)
        return due

    def done(self, label: str) -> int:
        """Rule 9's earliest completion; behind the master schedule's time fence no
        sooner than its end."""
        done = self.made_or_bought(label)
        i = self.code[self.planned[label][1]]
        mps = self.inp.items.mps
        if self.ref.fence_due is not None and mps is not None and bool(mps[i]):
            return max(done, self.ref.fence_due)
        return done

    def mo_done(self, k: int) -> int:
        pr = self.inp.productions
        due = int(pr.due[k])
        if not self.ref.live(k):
            return due
        r = self.ready(pr.ref[k])
        if r <= max(int(pr.start[k]), self.ref.pd):
            return due
        return self.ref.days.fwd(r, int(self.inp.items.lead_time[int(pr.item[k])]))

    def avail(self, label: str) -> int:
        if label not in self.memo:
            pd = self.ref.pd
            if label.startswith("stock#"):
                self.memo[label] = pd
            elif label in self.planned:
                self.memo[label] = self.done(label)
            elif label in self.mo:
                k = self.mo[label]
                due = int(self.inp.productions.due[k])
                self.memo[label] = max(due, pd, self.mo_done(k))
            else:
                self.memo[label] = max(int(self.inp.purchases.due[self.po[label]]), pd)
        return self.memo[label]

    def read(self) -> Dates:
        inp = self.inp
        d = inp.demands
        lines = {}
        for k in range(len(d)):
            if int(d.due[k]) <= self.ref.last and float(d.qty[k]) > TOL:
                label = f"{inp.sales_orders[int(d.sales_order[k])]}/{int(d.line[k])}"
                lines[label] = max(
                    [int(d.due[k]), *(self.avail(s) for s in self.pegged.get(label, []))]
                )
        pr = inp.productions
        late = {p[0]: self.ref.clamped[p[0]] or self.done(p[0]) > p[4] for p in self.ref.planned}
        return Dates(
            planned={p[0]: (self.done(p[0]), late[p[0]]) for p in self.ref.planned},
            productions={
                pr.ref[k]: (
                    self.avail(pr.ref[k]),
                    self.mo_done(k),
                    self.mo_done(k) > int(pr.due[k]),
                )
                for k in range(len(pr))
            },
            lines=lines,
        )

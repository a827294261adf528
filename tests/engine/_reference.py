"""A deliberately naive second reading of the planning rules, for the property tests.

No pointers, no pools as queues, no NumPy: every netting step scans all supply
of the item, filters it by pool, window and kind, sorts it and takes from it.
It computes planned orders and pegging only (no traces, no exceptions), labelled
by ids so it can be compared with the engine's result.
"""

from __future__ import annotations

import copy
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
    return q


class Reference:
    def __init__(self, inp: PlanInput) -> None:
        self.inp = inp
        s = inp.settings
        self.pd, self.last, self.r = (
            s.planning_date,
            s.planning_date + s.horizon_days,
            s.reschedule_in_days,
        )
        self.planned: list[tuple[str, str, float, int, int, int]] = []
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
            steps.append((d.so, d.date + 1, d.date + self.r, True))
        steps.append((NO_ORDER, d.date + 1, d.date + self.r, True))
        for pool, lo, hi, open_only in steps:
            need = self.take(d, sups, pool, lo, hi, open_only, need, record)
        return need

    def net(self, i: int) -> None:
        inp = self.inp
        it = inp.items
        mto = bool(it.is_mto[i])
        ds = sorted(self.dem[i], key=lambda d: (d.date, *d.key))
        if not mto and float(it.safety_stock[i]) > TOL:
            ds.insert(0, Dem(self.pd, (), NO_ORDER, float(it.safety_stock[i]), "ss", None))
        sups = self.sup[i]

        def pool_of(d: Dem) -> int:
            return d.so if mto and d.prio is not None else NO_ORDER

        days = sorted({d.date for d in ds})
        for day in days:
            reqs: dict[int, list[tuple[Dem, float]]] = {}
            for d in ds:
                if d.date == day:
                    left = self.consume(d, sups, True)
                    if left > TOL:
                        reqs.setdefault(pool_of(d), []).append((d, left))
            for pool in sorted(reqs, key=lambda p: "" if p < 0 else inp.sales_orders[p]):
                net = sum(left for _, left in reqs[pool])
                req = net
                period = int(it.period_days[i])
                if int(it.lot_rule[i]) == POQ and period > 1:
                    sim = copy.deepcopy(sups)
                    for d in ds:
                        if day < d.date < day + period:
                            left = self.consume(d, sim, False)
                            if left > TOL and pool_of(d) == pool:
                                req += left
                qty = _lot(req, inp, i)
                label = f"PL-{len(self.planned) + 1:06d}"
                self.planned.append(
                    (label, it.code[i], qty, max(day - int(it.lead_time[i]), self.pd), day, pool)
                )
                for d, left in reqs[pool]:
                    self.pegs[(label, d.label)] = left
                    if d.prio is not None:
                        self.prios.setdefault(label, []).append(d.prio)
                sups.append(Sup(day, (day, 3, len(self.planned)), pool, qty - net, label, False))

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

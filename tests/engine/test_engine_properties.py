"""Properties of plans for generated small inputs.

The strongest check is the comparison with ``_reference.py``, a naive second
reading of the rules; the others are invariants any correct plan must keep.
Cases draw working-day calendars (weekday masks, holidays) and decimal places
as well as v1's inputs, so every check also covers planning rules v2.
"""

from __future__ import annotations

import os
import random
from collections import defaultdict

import numpy as np
from _build import Case, Item, view
from _reference import Reference
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pegboard.engine import plan
from pegboard.engine.run import execute
from pegboard.engine.types import (
    FOQ,
    LFL,
    NO_ORDER,
    PLANNED,
    PLANNED_PARENT,
    PRODUCTION,
    PRODUCTION_PARENT,
    PURCHASE,
    SAFETY_STOCK,
    SALES_LINE,
    STOCK,
    PlanInput,
    PlanResult,
)

TOL = 1e-6
QTY = st.sampled_from([0.5, 1.0, 1.25, 2.0, 3.0, 7.0, 10.0])
LISTED = st.sampled_from([0.0, 0.5, 1.25, 3.0])
SOS = ["SO-1", "SO-2", "SO-3"]
WORK_DAYS = st.one_of(
    st.just((0, 1, 2, 3, 4, 5, 6)),
    st.just((0, 1, 2, 3, 4)),
    st.lists(st.integers(0, 6), min_size=1, max_size=7, unique=True).map(
        lambda days: tuple(sorted(days))
    ),
)
CHECK = settings(
    max_examples=int(os.environ.get("ENGINE_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@st.composite
def cases(draw: st.DrawFn, max_items: int = 5, bom: bool = True, max_demands: int = 8) -> Case:
    n = draw(st.integers(1, max_items))
    codes = draw(st.permutations([f"I{k}" for k in range(n)]))
    items = [
        Item(
            code,
            make=draw(st.booleans()),
            mto=draw(st.booleans()),
            lt=draw(st.integers(0, 5)),
            rule=draw(st.sampled_from(["lfl", "lfl", "foq", "poq"])),
            lot_qty=draw(st.sampled_from([0.0, 2.5, 4.0])),
            period=draw(st.integers(0, 6)),
            min_qty=draw(st.sampled_from([0.0, 0.0, 3.0])),
            multiple=draw(st.sampled_from([0.0, 0.0, 2.0])),
            ss=draw(st.sampled_from([0.0, 0.0, 4.0])),
            decimals=draw(st.sampled_from([None, None, 0, 0, 1, 2])),
            mps=draw(st.sampled_from([False, False, True])),
        )
        for code in codes
    ]
    for it in items:  # the bundle refuses a lot finer than the item's decimals
        if it.decimals == 0 and it.rule == "foq" and it.lot_qty == 2.5:
            it.decimals = 1
    so = st.sampled_from(["", *SOS])
    lines = []
    if bom:
        for p in range(n):
            for c in range(p + 1, n):  # a DAG in generation order
                if items[p].make and draw(st.integers(0, 2)) == 0:
                    lines.append(
                        (
                            codes[p],
                            codes[c],
                            draw(QTY),
                            draw(st.sampled_from([0.0, 10.0])),
                            draw(so),
                        )
                    )
    code = st.sampled_from(codes)
    day = st.integers(-5, 30)
    stock = [(draw(code), draw(QTY), f"L{k}", draw(so)) for k in range(draw(st.integers(0, 3)))]
    purchases = [
        (f"PO-{k}/1", draw(code), draw(QTY), draw(day), draw(so))
        for k in range(draw(st.integers(0, 4)))
    ]
    productions = []
    for k in range(draw(st.integers(0, 3))):
        due = draw(day)
        productions.append(
            (
                f"MO-{k}",
                draw(code),
                draw(QTY),
                due,
                due - draw(st.integers(0, 4)),
                draw(st.booleans()),
                draw(so),
                draw(st.booleans()),  # a master schedule line
            )
        )
    components = []  # outstanding quantities listed for some orders, on later items (a DAG)
    for ref, item, *_ in productions:
        below = codes[codes.index(item) + 1 :]
        if below and draw(st.integers(0, 2)) == 0:
            for _ in range(draw(st.integers(1, 3))):
                components.append((ref, draw(st.sampled_from(below)), draw(LISTED)))
    demands = []
    for k in range(draw(st.integers(0, max_demands))):
        demands.append(
            (
                draw(st.sampled_from(SOS)),
                k + 1,
                draw(code),
                draw(QTY),
                draw(day),
                draw(st.sampled_from([10, 100, 100])),
            )
        )
    return Case(
        items=items,
        bom=lines,
        stock=stock,
        purchases=purchases,
        productions=productions,
        components=components,
        demands=demands,
        horizon=draw(st.integers(10, 35)),
        reschedule_in=draw(st.integers(0, 7)),
        defer=draw(st.integers(0, 7)),
        planning_date=draw(st.sampled_from([0, 0, 3, 5])),  # Monday, Thursday, Saturday
        work_days=draw(WORK_DAYS),
        holidays=tuple(draw(st.lists(st.integers(-6, 40), max_size=4, unique=True))),
        fence=draw(st.sampled_from([0, 0, 2, 6, 12])),
    )


def supply_label(inp: PlanInput, res: PlanResult, stype: int, index: int) -> str:
    if stype == STOCK:
        return f"stock#{index}"
    if stype == PURCHASE:
        return inp.purchases.ref[index]
    if stype == PRODUCTION:
        return inp.productions.ref[index]
    return res.planned.ref[index]


def demand_label(inp: PlanInput, res: PlanResult, dtype: int, index: int) -> str:
    if dtype == SALES_LINE:
        d = inp.demands
        return f"{inp.sales_orders[int(d.sales_order[index])]}/{int(d.line[index])}"
    if dtype == PLANNED_PARENT:
        return res.planned.ref[index]
    if dtype == PRODUCTION_PARENT:
        return inp.productions.ref[index]
    return "ss"


def pegs_by_label(inp: PlanInput, res: PlanResult) -> dict[tuple[str, str], float]:
    g = res.pegging
    return {
        (
            supply_label(inp, res, int(g.supply_type[k]), int(g.supply_index[k])),
            demand_label(inp, res, int(g.demand_type[k]), int(g.demand_index[k])),
        ): float(g.qty[k])
        for k in range(len(g))
    }


@CHECK
@given(cases())
def test_agrees_with_the_naive_reference(case: Case) -> None:
    _check_against_the_reference(case)


@CHECK
@given(cases(max_items=2, max_demands=40))
def test_busy_items_agree_with_the_naive_reference(case: Case) -> None:
    """Many demands on few items: long runs of demands one supply covers, days
    with several demands, POQ periods over several days."""
    _check_against_the_reference(case)


@CHECK
@given(cases(max_items=2, max_demands=40))
def test_busy_items_fast_path_agrees_with_general_netting(case: Case) -> None:
    inp = case.build()
    assert view(inp, execute(inp, fast_path=True)) == view(inp, execute(inp, fast_path=False))


def _check_against_the_reference(case: Case) -> None:
    inp = case.build()
    res = plan(inp)
    ref = Reference(inp).run()
    got = [
        (
            res.planned.ref[k],
            inp.items.code[int(res.planned.item[k])],
            float(res.planned.qty[k]),
            int(res.planned.release[k]),
            int(res.planned.due[k]),
            int(res.planned.sales_order[k]),
        )
        for k in range(len(res.planned))
    ]
    assert len(got) == len(ref.planned)
    for mine, theirs in zip(got, ref.planned, strict=True):
        assert mine[:2] == theirs[:2] and mine[3:] == theirs[3:]
        assert abs(mine[2] - theirs[2]) < TOL
    want = {k: v for k, v in ref.pegs.items() if v > TOL}
    have = pegs_by_label(inp, res)
    assert have.keys() == want.keys()
    for key, qty in want.items():
        assert abs(have[key] - qty) < TOL, key
    dates = ref.dates()
    p = res.planned
    assert {
        p.ref[k]: (int(p.earliest_completion[k]), bool(p.is_late[k])) for k in range(len(p))
    } == dates.planned
    pd = res.production_dates
    assert {
        inp.productions.ref[k]: (
            int(pd.available[k]),
            int(pd.earliest_completion[k]),
            bool(pd.is_late[k]),
        )
        for k in range(len(pd))
    } == dates.productions
    lines = res.line_dates
    assert {
        demand_label(inp, res, SALES_LINE, k): int(lines.projected[k])
        for k in range(len(lines))
        if lines.in_plan[k]
    } == dates.lines


@CHECK
@given(cases())
def test_fast_path_agrees_with_general_netting(case: Case) -> None:
    inp = case.build()
    assert view(inp, execute(inp, fast_path=True)) == view(inp, execute(inp, fast_path=False))


@CHECK
@given(cases(), st.randoms(use_true_random=False))
def test_row_order_does_not_matter(case: Case, rnd: random.Random) -> None:
    inp = case.build()
    shuffled = Case(
        items=rnd.sample(case.items, len(case.items)),
        bom=rnd.sample(case.bom, len(case.bom)),
        stock=rnd.sample(case.stock, len(case.stock)),
        purchases=rnd.sample(case.purchases, len(case.purchases)),
        productions=rnd.sample(case.productions, len(case.productions)),
        components=rnd.sample(case.components, len(case.components)),
        demands=rnd.sample(case.demands, len(case.demands)),
        horizon=case.horizon,
        reschedule_in=case.reschedule_in,
        defer=case.defer,
        planning_date=case.planning_date,
        work_days=case.work_days,
        holidays=case.holidays,
        fence=case.fence,
    )
    ids = case.sales_orders()
    other = shuffled.build(sales_orders=rnd.sample(ids, len(ids)))
    assert view(inp, plan(inp)) == view(other, plan(other))


def _chosen_bom(inp: PlanInput, item: int, so: int) -> dict[int, float]:
    bom = inp.bom
    rows = np.flatnonzero(bom.parent == item)
    own = rows[bom.sales_order[rows] == so] if so != NO_ORDER else rows[:0]
    use = own if own.size else rows[bom.sales_order[rows] == NO_ORDER]
    need: dict[int, float] = defaultdict(float)
    for k in use.tolist():
        need[int(bom.component[k])] += float(bom.qty_per[k]) * (1 + float(bom.scrap_pct[k]) / 100)
    return need


def _production_components_wanted(inp: PlanInput, last: int) -> dict[tuple[int, int, int], float]:
    """What each open production order within the horizon still needs of each component:
    its listed outstanding quantities, else its BOM's."""
    pr = inp.productions
    pc = inp.production_components
    wanted: dict[tuple[int, int, int], float] = defaultdict(float)
    for k in range(len(pr)):
        item = int(pr.item[k])
        if inp.items.is_make[item] and not pr.components_issued[k] and int(pr.start[k]) <= last:
            rows = np.flatnonzero(pc.order == k).tolist()
            if rows:  # listed: the outstanding quantities, not the BOM
                for r in rows:
                    wanted[(PRODUCTION_PARENT, k, int(pc.item[r]))] += float(pc.qty[r])
            else:
                for comp, per in _chosen_bom(inp, item, int(pr.sales_order[k])).items():
                    wanted[(PRODUCTION_PARENT, k, comp)] += float(pr.qty[k]) * per
    return wanted


@CHECK
@given(cases())
def test_demand_is_fully_covered_and_supply_never_overused(case: Case) -> None:
    inp = case.build()
    res = plan(inp)
    g = res.pegging
    pd = inp.settings.planning_date
    last = pd + inp.settings.horizon_days
    covered: dict[tuple[int, int, int], float] = defaultdict(float)  # (dtype, didx, item)
    used: dict[tuple[int, int], float] = defaultdict(float)
    for k in range(len(g)):
        covered[(int(g.demand_type[k]), int(g.demand_index[k]), int(g.item[k]))] += float(g.qty[k])
        used[(int(g.supply_type[k]), int(g.supply_index[k]))] += float(g.qty[k])
    d = inp.demands
    for k in range(len(d)):
        want = float(d.qty[k]) if int(d.due[k]) <= last else 0.0
        assert abs(covered[(SALES_LINE, k, int(d.item[k]))] - want) < TOL
    p = res.planned
    for k in range(len(p)):
        item = int(p.item[k])
        if inp.items.is_make[item]:
            for comp, per in _chosen_bom(inp, item, int(p.sales_order[k])).items():
                assert abs(covered[(PLANNED_PARENT, k, comp)] - float(p.qty[k]) * per) < 1e-4
    wanted = _production_components_wanted(inp, last)
    for key in wanted.keys() | {key for key in covered if key[0] == PRODUCTION_PARENT}:
        assert abs(covered.get(key, 0.0) - wanted.get(key, 0.0)) < 1e-4, key
    for i in range(len(inp.items)):
        ss = float(inp.items.safety_stock[i]) if not inp.items.is_mto[i] else 0.0
        assert abs(covered[(SAFETY_STOCK, -1, i)] - ss) < TOL
    sizes = {
        STOCK: inp.stock.qty,
        PURCHASE: inp.purchases.qty,
        PRODUCTION: inp.productions.qty,
        PLANNED: p.qty,
    }
    for (stype, index), qty in used.items():
        assert qty <= float(sizes[stype][index]) + TOL


@CHECK
@given(cases())
def test_a_sales_orders_supply_covers_only_that_order(case: Case) -> None:
    inp = case.build()
    res = plan(inp)
    g = res.pegging
    pools = {
        STOCK: inp.stock.sales_order,
        PURCHASE: inp.purchases.sales_order,
        PRODUCTION: inp.productions.sales_order,
        PLANNED: res.planned.sales_order,
    }
    carried = {
        SALES_LINE: inp.demands.sales_order,
        PLANNED_PARENT: res.planned.sales_order,
        PRODUCTION_PARENT: inp.productions.sales_order,
    }
    for k in range(len(g)):
        pool = int(pools[int(g.supply_type[k])][int(g.supply_index[k])])
        if pool == NO_ORDER:
            continue
        dtype = int(g.demand_type[k])
        assert dtype != SAFETY_STOCK
        assert int(carried[dtype][int(g.demand_index[k])]) == pool


@CHECK
@given(cases())
def test_planned_quantities_follow_the_lot_rule(case: Case) -> None:
    inp = case.build()
    res = plan(inp)
    p = res.planned
    pegged: dict[int, float] = defaultdict(float)
    g = res.pegging
    for k in np.flatnonzero(g.supply_type == PLANNED).tolist():
        pegged[int(g.supply_index[k])] += float(g.qty[k])
    it = inp.items
    for k in range(len(p)):
        i = int(p.item[k])
        qty = float(p.qty[k])
        places = -1 if it.decimals is None else int(it.decimals[i])
        step = 10.0**-places if places >= 0 else 0.0
        if step:
            assert abs(qty / step - round(qty / step)) < 1e-6  # whole steps (rule 7)
        rule, lot, low, mult = (
            int(it.lot_rule[i]),
            float(it.lot_qty[i]),
            float(it.min_qty[i]),
            float(it.multiple[i]),
        )
        assert qty > 0
        assert qty >= low - TOL
        if mult > 0:
            assert abs(qty / mult - round(qty / mult)) < TOL
        elif rule == FOQ and lot > 0 and qty > low + TOL:
            assert abs(qty / lot - round(qty / lot)) < TOL
        if rule == LFL and low == 0 and mult == 0:
            # no excess but the rounding: the net requirement rounded up to whole steps
            assert -TOL < qty - pegged[k] < (step if step else TOL)


def fenced(inp: PlanInput, item: int) -> bool:
    """Whether the item is behind the master schedule's planning time fence."""
    mps = inp.items.mps
    return inp.settings.mps_fence_days > 0 and mps is not None and bool(mps[item])


def fence_due(inp: PlanInput) -> int:
    """The first working day beyond the planning time fence."""
    s = inp.settings
    return int(s.calendar.fwd(s.planning_date + s.mps_fence_days, 0))


@CHECK
@given(cases())
def test_safety_stock_is_kept_or_the_order_restoring_it_is_late(case: Case) -> None:
    inp = case.build()
    res = plan(inp)
    pd = inp.settings.planning_date
    g = res.pegging
    p = res.planned
    it = inp.items
    avail = {
        STOCK: np.full(len(inp.stock), pd),
        PURCHASE: np.maximum(inp.purchases.due, pd),
        PRODUCTION: np.maximum(inp.productions.due, pd),
        PLANNED: p.due,
    }
    pools = {
        STOCK: inp.stock.sales_order,
        PURCHASE: inp.purchases.sales_order,
        PRODUCTION: inp.productions.sales_order,
        PLANNED: p.sales_order,
    }
    sizes = {
        STOCK: inp.stock.qty,
        PURCHASE: inp.purchases.qty,
        PRODUCTION: inp.productions.qty,
        PLANNED: p.qty,
    }
    items = {
        STOCK: inp.stock.item,
        PURCHASE: inp.purchases.item,
        PRODUCTION: inp.productions.item,
        PLANNED: p.item,
    }
    dates = {
        SALES_LINE: np.maximum(inp.demands.due, pd),
        PLANNED_PARENT: p.release,
        PRODUCTION_PARENT: np.maximum(inp.productions.start, pd),
    }
    for i in range(len(it)):
        ss = float(it.safety_stock[i])
        if it.is_mto[i] or ss <= 0:
            continue
        # free supply of the item, counted from when it is first used or due
        arrive: dict[tuple[int, int], int] = {}
        for stype, pool in pools.items():
            for k in np.flatnonzero((pool == NO_ORDER) & (items[stype] == i)).tolist():
                arrive[(stype, k)] = int(avail[stype][k])
        uses: list[tuple[int, float]] = []
        for k in range(len(g)):
            key = (int(g.supply_type[k]), int(g.supply_index[k]))
            if key not in arrive or int(g.demand_type[k]) == SAFETY_STOCK:
                continue
            when = int(dates[int(g.demand_type[k])][int(g.demand_index[k])])
            arrive[key] = min(arrive[key], when)  # pulled in
            uses.append((when, float(g.qty[k])))
        last = pd + inp.settings.horizon_days
        # behind the master schedule's time fence nothing new comes before it ends: the
        # safety stock is restored from its first working day on
        first = fence_due(inp) if fenced(inp, i) else pd
        for day in range(first, last + 1):
            stock = sum(float(sizes[s][k]) for (s, k), a in arrive.items() if a <= day)
            stock -= sum(q for when, q in uses if when <= day)
            assert stock >= ss - TOL
        for k in range(len(g)):
            if (
                int(g.demand_type[k]) == SAFETY_STOCK
                and int(g.supply_type[k]) == PLANNED
                and int(g.item[k]) == i
            ):
                n = int(g.supply_index[k])
                assert int(p.due[n]) == first
                assert bool(p.is_late[n]) == (int(p.earliest_completion[n]) > first)


@CHECK
@given(cases())
def test_exceptions_are_sorted_and_well_formed(case: Case) -> None:
    inp = case.build()
    res = plan(inp)
    e = res.exceptions
    ids = inp.sales_orders
    keys = [
        (
            e.kind[k],
            e.order[k],
            ids[int(e.sales_order[k])] if e.sales_order[k] >= 0 else "",
            int(e.date[k]),
        )
        for k in range(len(e))
    ]
    assert keys == sorted(keys)
    assert set(e.kind) <= {"late", "expedite", "defer", "cancel", "shortage"}
    p = res.planned
    late_refs = {p.ref[k] for k in np.flatnonzero(p.is_late).tolist()}
    late_refs |= {
        inp.productions.ref[k] for k in np.flatnonzero(res.production_dates.is_late).tolist()
    }
    assert {e.order[k] for k in range(len(e)) if e.kind[k] == "late"} == late_refs
    for k in range(len(e)):
        if e.kind[k] == "cancel":
            assert e.sales_order[k] == NO_ORDER
        if e.kind[k] == "shortage":
            assert e.sales_order[k] != NO_ORDER

"""The pure policy engine: gross explosion, windows, ADU and σd, formulas, by hand."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from _build import D0, MON_FRI, Case, Item

from pegboard.engine import policy as ep
from pegboard.engine.levels import low_level_codes

# A (make, lead 2) = 2 B (make, lead 3) + 1 C; B = 3 C (scrap 10 %). SO "S2" has its own
# A rows: A = 1 C only.
CASE = Case(
    items=[Item("A", make=True, mto=True, lt=2), Item("B", make=True, lt=3), Item("C", lt=10)],
    bom=[
        ("A", "B", 2.0),
        ("A", "C", 1.0),
        ("B", "C", 3.0, 10.0),
        ("A", "C", 1.0, 0.0, "S2"),
    ],
    demands=[("S1", 1, "A", 5, 6), ("S2", 1, "A", 4, 9), ("S1", 2, "A", 1, -3)],
)


def needs_of(inp: object) -> dict[tuple[str, int], float]:
    needs = ep.gross_needs(inp)  # type: ignore[arg-type]
    codes = inp.items.code  # type: ignore[attr-defined]
    return {
        (codes[i], d - D0): round(q, 9)
        for i, d, q in zip(needs.item.tolist(), needs.day.tolist(), needs.qty.tolist(), strict=True)
    }


def test_gross_explosion_by_hand() -> None:
    inp = CASE.build()
    # S1: A 5 on 6 -> B 10 on 4 (6-2) and C 5 on 4; B 10 on 4 -> C 10×3×1.1 = 33 on 1 (4-3).
    # S2 uses its own rows: A 4 on 9 -> C 4 on 7, no B.
    # S1 line 2 overdue: A 1 on -3 -> B 2 on -5 -> C 6.6 on -8; C 1 on -5: all on day 0.
    assert needs_of(inp) == {
        ("A", 0): 1.0,
        ("A", 6): 5.0,
        ("A", 9): 4.0,
        ("B", 0): 2.0,
        ("B", 4): 10.0,
        ("C", 0): 7.6,
        ("C", 1): 33.0,
        ("C", 4): 5.0,
        ("C", 7): 4.0,
    }


def test_parent_lead_times_and_windows() -> None:
    inp = CASE.build()
    llc = low_level_codes(3, inp.bom.parent, inp.bom.component)
    plt = ep.parent_lead_times(3, inp.bom.parent, inp.bom.component, inp.items.lead_time, llc)
    # C: via B 3 + 2 = 5 (via A directly 2)
    assert plt.tolist() == [0, 2, 5]
    # cover = own lead time + parents': A 2 + 0, B 3 + 2, C 10 + 5
    cover = ep.cover_days(D0, inp.items.lead_time, inp.items.is_make, plt)
    assert cover.tolist() == [2, 5, 15]
    needs = ep.gross_needs(inp)
    assert ep.usage(needs, 3, D0, cover).window.tolist() == [28, 28, 28]  # the default minimum
    use = ep.usage(needs, 3, D0, cover, min_window_days=7)
    assert use.window.tolist() == [7, 7, 15]
    # C over 15 days: 7.6, 33, 0, 0, 5, 0, 0, 4, 0 … -> total 49.6, ADU 3.306667
    assert use.total[2] == pytest.approx(49.6)
    assert use.adu[2] == pytest.approx(49.6 / 15)
    daily = np.array([7.6, 33, 0, 0, 5, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0])
    assert use.sigma[2] == pytest.approx(daily.std())
    assert use.due_now[2] == pytest.approx(7.6)
    assert ep.daily_series(needs, 2, D0, 15).tolist() == pytest.approx(daily.tolist())
    fixed = ep.usage(needs, 3, D0, cover, window_days=7)
    assert fixed.window.tolist() == [7, 7, 7]
    assert fixed.total[2] == pytest.approx(45.6)
    assert fixed.adu[2] == pytest.approx(45.6 / 7)


def test_cover_and_explosion_count_working_days() -> None:
    # Monday to Friday, D0 a Monday. A (make, 2 working days) = 1 B (make, 3) = 1 C (buy, 10).
    case = Case(
        items=[Item("A", make=True, lt=2), Item("B", make=True, lt=3), Item("C", lt=10)],
        bom=[("A", "B", 1.0), ("B", "C", 1.0)],
        demands=[("S1", 1, "A", 1, 8)],  # due Tuesday of the second week
        work_days=MON_FRI,
    )
    inp = case.build()
    # A on Tue D0+8 -> B on back(D0+8, 2) = Fri D0+4 -> C on back(D0+4, 3) = Tue D0+1
    assert needs_of(inp) == {("A", 8): 1.0, ("B", 4): 1.0, ("C", 1): 1.0}
    llc = low_level_codes(3, inp.bom.parent, inp.bom.component)
    plt = ep.parent_lead_times(3, inp.bom.parent, inp.bom.component, inp.items.lead_time, llc)
    cover = ep.cover_days(D0, inp.items.lead_time, inp.items.is_make, plt, inp.settings.calendar)
    # A: 2 working days from Monday = Wednesday (2 days); B: 3 + 2 = 5 working days = next
    # Monday (7 days); C: parents' 5 working days (7 days) + its own 10 calendar days = 17
    assert cover.tolist() == [2, 7, 17]


def test_policy_figures_are_rounded_up_to_the_items_decimals() -> None:
    def inputs(scale: float) -> ep.ReorderInputs:
        return ep.ReorderInputs(
            adu=1.3,
            sigma_d=0.7,
            lead_time=5,
            sigma_lt=0.0,
            service_level=0.95,
            ordering_cost=50,
            holding_pct=25,
            unit_cost=4.0,
            min_qty=0,
            multiple=0,
            position=3.0,
            scale=scale,
            need=36.4,
            window_days=28,
            window="2025-01-06 to 2025-02-02",
        )

    raw = ep.reorder_policy(inputs(0.0))
    # SS = 1.644854 × √5 × 0.7 = 2.574603; ROP = 6.5 + SS = 9.074603; D = 474.5, H = 1:
    # EOQ = √(2 × 474.5 × 50) = 217.830
    assert raw.safety_stock == pytest.approx(2.574603, abs=1e-6)
    assert raw.eoq == pytest.approx(217.830209, abs=1e-6)
    whole = ep.reorder_policy(inputs(1.0))
    assert (whole.safety_stock, whole.reorder_point, whole.order_qty) == (3.0, 10.0, 218.0)
    # position 3 ≤ ROP 10: ⌊7 / 218⌋ + 1 = 1 × 218
    assert whole.suggested == 218.0
    texts = {f.name: f.formula for f in whole.figures}
    assert texts["safety stock"].endswith("= 2.57, up to whole units: 3")
    assert texts["reorder point"] == (
        "ROP = ADU × L + SS = 1.30 × 5.00 + 3 = 9.50, up to whole units: 10"
    )
    assert texts["annual demand"] == (
        "D = ADU × 365, extrapolated from the need of the 28-day window "
        "(2025-01-06 to 2025-02-02): 36.40 / 28 × 365 = 474.50"
    )
    assert texts["order qty"] == "Q = max(EOQ 217.83, min_qty 0.00) up to whole units = 218"
    tenths = ep.reorder_policy(inputs(10.0))
    assert (tenths.safety_stock, tenths.reorder_point, tenths.order_qty) == (2.6, 9.1, 217.9)
    # nothing stays nothing: no usage, no safety stock, no order
    none = ep.reorder_policy(dataclasses.replace(inputs(1.0), adu=0.0, sigma_d=0.0))
    assert (none.safety_stock, none.reorder_point, none.order_qty) == (0.0, 0.0, 0.0)


def test_order_quantity_takes_min_qty_and_multiple_before_the_decimals() -> None:
    # 217.83 -> min 250 -> multiple 0.3: ⌈250 / 0.3⌉ = 834 × 0.3 = 250.2 -> 0 decimals: 251
    assert ep.round_order(217.83, 250.0, 0.3, 1.0) == 251.0
    assert ep.round_order(217.83, 0.0, 0.0, 1000.0) == 217.83
    assert ep.round_order(4.0000000001, 0.0, 0.0, 1.0) == 4.0  # float noise is forgiven


def test_the_arrays_give_the_formulas_floats() -> None:
    rng = np.random.default_rng(7)
    m = 200
    adu = rng.uniform(0, 20, m) * (rng.uniform(0, 1, m) > 0.2)
    args: dict[str, object] = {
        "adu": adu,
        "sigma_d": rng.uniform(0, 5, m),
        "lead_time": rng.integers(0, 30, m).astype(float),
        "sigma_lt": rng.uniform(0, 2, m),
        "service_level": rng.choice([0.9, 0.95, 0.99], m),
        "ordering_cost": rng.uniform(0, 100, m),
        "holding_pct": rng.uniform(0, 30, m),
        "unit_cost": rng.uniform(0, 50, m),
        "min_qty": rng.choice([0.0, 10.0, 25.5], m),
        "multiple": rng.choice([0.0, 0.5, 12.0], m),
        "position": rng.uniform(-10, 100, m),
        "buffer": rng.uniform(0, 1, m) > 0.5,
        "dlt": rng.integers(1, 40, m).astype(float),
        "lead_time_factor": 0.5,
        "variability_factor": 0.5,
        "period_days": rng.choice([0.0, 7.0], m),
        "on_hand": rng.uniform(0, 50, m),
        "on_order": rng.uniform(0, 50, m),
        "qualified_demand": rng.uniform(0, 10, m),
        "scale": rng.choice([0.0, 1.0, 1000.0], m),
    }
    res = ep.policy_arrays(**args)  # type: ignore[arg-type]
    for k in range(m):
        one = {name: (v[k] if isinstance(v, np.ndarray) else v) for name, v in args.items()}
        p = ep.reorder_policy(
            ep.ReorderInputs(
                **{f: float(one[f]) for f in REORDER_FIELDS},  # type: ignore[arg-type]
            )
        )
        assert (p.safety_stock, p.reorder_point, p.order_qty, p.suggested) == (
            res.safety_stock[k],
            res.reorder_point[k],
            res.order_qty[k],
            res.rop_suggested[k],
        )
        z = ep.buffer_zones(
            ep.BufferInputs(
                adu=float(one["adu"]),  # type: ignore[arg-type]
                dlt=float(one["dlt"]),  # type: ignore[arg-type]
                lead_time_factor=0.5,
                variability_factor=0.5,
                min_qty=float(one["min_qty"]),  # type: ignore[arg-type]
                multiple=float(one["multiple"]),  # type: ignore[arg-type]
                period_days=int(one["period_days"]),  # type: ignore[call-overload]
                on_hand=float(one["on_hand"]),  # type: ignore[arg-type]
                on_order=float(one["on_order"]),  # type: ignore[arg-type]
                qualified_demand=float(one["qualified_demand"]),  # type: ignore[arg-type]
                scale=float(one["scale"]),  # type: ignore[arg-type]
            )
        )
        assert (z.red, z.yellow, z.green, z.top_of_green, z.suggested) == (
            res.red[k],
            res.yellow[k],
            res.green[k],
            res.top_of_green[k],
            res.buffer_suggested[k],
        )
        scale = float(one["scale"])  # type: ignore[arg-type]
        if scale > 0:
            for value in (p.safety_stock, p.reorder_point, p.order_qty, z.red, z.top_of_green):
                assert value * scale == pytest.approx(round(value * scale), abs=1e-6)


REORDER_FIELDS = (
    "adu",
    "sigma_d",
    "lead_time",
    "sigma_lt",
    "service_level",
    "ordering_cost",
    "holding_pct",
    "unit_cost",
    "min_qty",
    "multiple",
    "position",
    "scale",
)


def test_decoupled_lead_time() -> None:
    inp = CASE.build()
    llc = low_level_codes(3, inp.bom.parent, inp.bom.component)
    args = (3, inp.bom.parent, inp.bom.component, inp.bom.sales_order, inp.items.lead_time)
    none = np.zeros(3, dtype=np.bool_)
    # B = 3 + C 10 = 13; A = 2 + max(B 13, C 10) = 15
    assert ep.decoupled_lead_times(*args, inp.items.is_make, none, llc).tolist() == [15, 13, 10]
    c_buffer = np.array([False, False, True])
    # C decouples: B = 3, A = 2 + 3 = 5
    assert ep.decoupled_lead_times(*args, inp.items.is_make, c_buffer, llc).tolist() == [5, 3, 10]


def test_reorder_policy_without_eoq_falls_back_to_lead_time_usage() -> None:
    p = ep.reorder_policy(
        ep.ReorderInputs(
            adu=2.0,
            sigma_d=0.0,
            lead_time=5,
            sigma_lt=1.0,
            service_level=0.9,
            ordering_cost=50,
            holding_pct=25,
            unit_cost=0.0,
            min_qty=3,
            multiple=4,
            position=0,
        )
    )
    # SS = 1.281552 × √(5 × 0 + 4 × 1) = 2.563103; ROP = 10 + SS
    assert p.safety_stock == pytest.approx(2 * 1.2815515655446004)
    assert p.eoq is None
    assert p.order_qty == 12  # ADU × L = 10 -> multiple of 4
    assert p.below and p.suggested == 24  # ⌊12.56 / 12⌋ + 1 = 2


def test_num_never_shows_minus_zero() -> None:
    assert ep.num(-0.001) == "0.00"
    assert ep.num(1.005, 1) == "1.0"


def test_the_backlog_in_one_call_is_its_parts() -> None:
    """``backlog`` is what the bridge runs on a snapshot: the same needs, parents' lead
    times and usage as the steps one by one."""
    inp = CASE.build()
    llc = low_level_codes(3, inp.bom.parent, inp.bom.component)
    whole = ep.backlog(inp, llc, min_window_days=7)
    assert whole.parent_lead_time.tolist() == [0, 2, 5]
    assert whole.usage.cover.tolist() == [2, 5, 15]
    assert whole.usage.window.tolist() == [7, 7, 15]
    assert whole.usage.total[2] == pytest.approx(49.6)
    assert whole.llc.tolist() == llc.tolist()
    assert len(whole.needs) == len(ep.gross_needs(inp))
    assert ep.backlog(inp, llc, window_days=7).usage.total[2] == pytest.approx(45.6)


def test_buffer_lead_times_are_the_lead_times_until_an_item_is_a_buffer() -> None:
    inp = CASE.build()
    llc = low_level_codes(3, inp.bom.parent, inp.bom.component)
    none = np.zeros(3, dtype=np.bool_)
    assert ep.buffer_lead_times(inp, llc, none).tolist() == [2, 3, 10]
    c_buffer = np.array([False, False, True])
    assert ep.buffer_lead_times(inp, llc, c_buffer).tolist() == [5, 3, 10]

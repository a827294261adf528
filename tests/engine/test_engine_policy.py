"""The pure policy engine: gross explosion, windows, ADU and σd, formulas, by hand."""

from __future__ import annotations

import numpy as np
import pytest
from _build import D0, Case, Item

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
    use = ep.usage(ep.gross_needs(inp), 3, D0, plt)
    assert use.window.tolist() == [7, 7, 7]  # floor of 7 days
    # C over 7 days: 7.6, 33, 0, 0, 5, 0, 0 -> total 45.6, ADU 6.514286
    assert use.total[2] == pytest.approx(45.6)
    assert use.adu[2] == pytest.approx(45.6 / 7)
    daily = np.array([7.6, 33, 0, 0, 5, 0, 0])
    assert use.sigma[2] == pytest.approx(daily.std())
    assert use.due_now[2] == pytest.approx(7.6)
    assert ep.daily_series(ep.gross_needs(inp), 2, D0, 7).tolist() == pytest.approx(daily.tolist())
    wide = ep.usage(ep.gross_needs(inp), 3, D0, plt, window_days=10)
    assert wide.total[2] == pytest.approx(49.6)
    assert wide.adu[2] == pytest.approx(4.96)


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

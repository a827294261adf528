"""The MPS record and the levelled proposal, computed by hand."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pegboard.engine.mps import level, record, rough_cut


def test_the_textbook_record() -> None:
    # on hand 20; backlog 15 10 20 5 10 25; MPS 0 40 0 0 40 0
    r = record(20, [15, 10, 20, 5, 10, 25], [0, 40, 0, 0, 40, 0])
    assert r.pab == [5, 35, 15, 10, 40, 15]
    # week 1: 20 on hand − 15 = 5; week 2: 40 − (10 + 20 + 5) = 5; week 5: 40 − 35 = 5
    assert r.atp == [5, 5, 0, 0, 5, 0]
    assert r.cumulative_atp == [5, 10, 10, 10, 15, 15]
    assert r.short_periods == []


def test_a_later_shortfall_is_taken_from_earlier_atp() -> None:
    # week 3's 30 cannot be covered by its own 20: 10 comes from week 1's ATP
    r = record(10, [5, 5, 30], [0, 20, 20])
    # receipts in weeks 1-3: 10 − 5 = 5, 20 − 5 = 15, 20 − 30 = −10 taken from week 2
    assert r.atp == [5, 5, 0]
    assert r.pab == [5, 20, 10]


def test_short_periods_are_named() -> None:
    r = record(0, [10, 0, 10], [5, 0, 0])
    assert r.pab == [-5, -5, -15]
    assert r.short_periods == [0, 1, 2]
    # the only receipt is week 1's: its 5 against all 20 of the backlog after it
    assert r.atp == [-15, 0, 0]


def test_level_keeps_the_balance_at_the_target() -> None:
    # cumulative need 15, 25, 45, 50 with 5 on hand and a target of 10:
    # L ≥ max(20/1, 30/2, 50/3, 55/4) = 20
    plan = level(5, [15, 10, 20, 5], target=10)
    assert plan == [20, 20, 20, 20]
    assert min(record(5, [15, 10, 20, 5], plan).pab) >= 10
    assert level(5, [15, 10, 20, 5], target=10, multiple=12) == [24] * 4
    assert level(5, [15, 10, 20, 5], target=10, maximum=18) == [18] * 4
    assert level(100, [1, 1], minimum=3) == [3, 3]
    assert level(0, []) == []


@given(
    st.floats(0, 100),
    st.lists(st.floats(0, 50), min_size=1, max_size=12),
    st.floats(0, 20),
)
def test_level_never_lets_the_balance_fall_below_the_target(
    on_hand: float, backlog: list[float], target: float
) -> None:
    plan = level(on_hand, backlog, target=target)
    r = record(on_hand, backlog, plan)
    assert min(r.pab) >= target - 1e-6
    # the smallest such level: one less falls short somewhere
    if plan[0] >= 1:
        lower = record(on_hand, backlog, [plan[0] - 1] * len(backlog))
        assert min(lower.pab) < target + 1e-6


def test_periods_must_match() -> None:
    with pytest.raises(ValueError, match="one figure per period"):
        record(0, [1, 2], [1])


def test_other_receipts_count_like_the_schedule() -> None:
    # a released order of 10 in week 2 besides the schedule's 20 in week 3
    r = record(0, [0, 5, 25], [0, 0, 20], receipts=[0, 10, 0])
    assert r.pab == [0, 5, 0]
    # week 2: 10 − 5 = 5; week 3: 20 − 25 = −5, taken from week 2: nothing to promise
    assert r.atp == [0, 0, 0]


def test_rough_cut_by_hand() -> None:
    # two items over three periods; two work centers
    quantities = np.array([[10.0, 0.0, 4.0], [0.0, 2.0, 2.0]])
    setup = np.array([[1.0, 0.5], [0.0, 2.0]])
    run = np.array([[0.5, 0.1], [1.0, 0.0]])
    hours = rough_cut(quantities, setup, run)
    # center 0: 1 + 10 × 0.5 = 6; 2 × 1 = 2; 1 + 4 × 0.5 + 2 × 1 = 5
    # center 1: 0.5 + 1 = 1.5; 2 (setup of item 1); 0.5 + 0.4 + 2 = 2.9
    assert np.allclose(hours, [[6, 2, 5], [1.5, 2, 2.9]])

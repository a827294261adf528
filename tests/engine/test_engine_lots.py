"""Rule 7 by hand: lot rules, min_qty, multiple and the excess they leave."""

from __future__ import annotations

import pytest
from _build import Case, Item, plan_view

from pegboard.engine.lots import lot_size
from pegboard.engine.types import FOQ, LFL, POQ


@pytest.mark.parametrize(
    ("requirement", "rule", "lot_qty", "min_qty", "multiple", "expected"),
    [
        (3.0, LFL, 0, 0, 0, 3.0),
        (23.0, FOQ, 10, 0, 0, 30.0),
        (20.0, FOQ, 10, 0, 0, 20.0),
        (20.000000000001, FOQ, 10, 0, 0, 20.0),  # float noise is not a new lot
        (3.0, LFL, 0, 10, 0, 10.0),
        (5.0, LFL, 0, 0, 4, 8.0),
        (1.0, LFL, 0, 5, 4, 8.0),  # min first (5), then the multiple
        (5.0, FOQ, 6, 0, 4, 8.0),  # lot first (6), then the multiple
        (2.0, FOQ, 0, 0, 0, 2.0),  # no lot quantity: lot-for-lot
        (7.0, POQ, 0, 0, 0, 7.0),  # POQ sizes the period's requirement given
    ],
)
def test_lot_size(
    requirement: float, rule: int, lot_qty: float, min_qty: float, multiple: float, expected: float
) -> None:
    assert lot_size(requirement, rule, lot_qty, min_qty, multiple) == pytest.approx(expected)


def test_lfl_orders_exactly_the_net_requirement() -> None:
    case = Case(items=[Item("A")], stock=[("A", 2)], demands=[("SO-1", 1, "A", 5, 3)])
    assert plan_view(case).planned == [("PL-000001", "A", 3.0, 3, 3, "")]


def test_foq_excess_covers_later_demand() -> None:
    case = Case(
        items=[Item("F", rule="foq", lot_qty=10)],
        demands=[("SO-1", 1, "F", 23, 1), ("SO-2", 1, "F", 5, 5), ("SO-3", 1, "F", 4, 9)],
    )
    v = plan_view(case)
    # day 1: 23 -> 30 (excess 7); day 5: 5 from the excess (2 left);
    # day 9: 4 <- 2 left, misses 2 -> 10 (excess 8)
    assert v.planned == [("PL-000001", "F", 30.0, 1, 1, ""), ("PL-000002", "F", 10.0, 9, 9, "")]
    assert v.pegging == [
        ("PL-000001", "F", 23.0, "SO-1/1"),
        ("PL-000001", "F", 5.0, "SO-2/1"),
        ("PL-000001", "F", 2.0, "SO-3/1"),
        ("PL-000002", "F", 2.0, "SO-3/1"),
    ]


def test_poq_counts_later_days_after_their_pull_ins() -> None:
    case = Case(
        items=[Item("Q", rule="poq", period=7)],
        purchases=[("PO-1/1", "Q", 3, 10)],
        demands=[
            ("SO-1", 1, "Q", 3, 1),
            ("SO-2", 1, "Q", 4, 3),
            ("SO-3", 1, "Q", 2, 6),
            ("SO-4", 1, "Q", 5, 8),
        ],
    )
    v = plan_view(case)
    # day 1: misses 3 (PO-1 on day 10 is beyond 1 + 7). Period [1, 8):
    #   simulated day 3: 4 <- PO-1 pulled in 3, misses 1; day 6: 2, PO-1 is used up,
    #   misses 2 -> order 3 + 1 + 2 = 6.
    # real day 3: 4 <- order excess 3, then PO-1 1 (expedite); day 6: 2 <- PO-1 2
    #   (expedite); day 8: 5 misses 5 -> order 5 (period [8, 15) has nothing more)
    assert v.planned == [("PL-000001", "Q", 6.0, 1, 1, ""), ("PL-000002", "Q", 5.0, 8, 8, "")]
    assert v.pegging == [
        ("PO-1/1", "Q", 1.0, "SO-2/1"),
        ("PO-1/1", "Q", 2.0, "SO-3/1"),
        ("PL-000001", "Q", 3.0, "SO-1/1"),
        ("PL-000001", "Q", 3.0, "SO-2/1"),
        ("PL-000002", "Q", 5.0, "SO-4/1"),
    ]
    assert v.exc("expedite") == [
        ("expedite", "Q", "PO-1/1", 3, "SO-2"),
        ("expedite", "Q", "PO-1/1", 6, "SO-3"),
    ]


def test_poq_sums_only_its_own_pool() -> None:
    case = Case(
        items=[Item("Q", mto=True, rule="poq", period=10)],
        demands=[("SO-1", 1, "Q", 1, 2), ("SO-2", 1, "Q", 2, 3), ("SO-1", 2, "Q", 4, 5)],
    )
    v = plan_view(case)
    # SO-1 on day 2 covers SO-1's days 2..11 (1 + 4); SO-2 gets its own order
    assert v.planned == [
        ("PL-000001", "Q", 5.0, 2, 2, "SO-1"),
        ("PL-000002", "Q", 2.0, 3, 3, "SO-2"),
    ]


def test_min_qty_and_multiple_excess_stay_in_the_pool() -> None:
    case = Case(
        items=[Item("M", min_qty=5, multiple=4)],
        demands=[("SO-1", 1, "M", 1, 1), ("SO-2", 1, "M", 7, 2), ("SO-3", 1, "M", 1, 3)],
    )
    v = plan_view(case)
    # day 1: 1 -> min 5 -> multiple 8 (excess 7); day 2: 7 from the excess;
    # day 3: 1 -> 8 again
    assert v.planned == [("PL-000001", "M", 8.0, 1, 1, ""), ("PL-000002", "M", 8.0, 3, 3, "")]


def test_mto_excess_stays_with_its_sales_order() -> None:
    case = Case(
        items=[Item("M", mto=True, rule="foq", lot_qty=10)],
        demands=[("SO-1", 1, "M", 4, 1), ("SO-2", 1, "M", 4, 2), ("SO-1", 2, "M", 4, 3)],
    )
    v = plan_view(case)
    # SO-1: 10 on day 1 (6 left for SO-1/2 on day 3); SO-2 can't use them: 10 of its own
    assert v.planned == [
        ("PL-000001", "M", 10.0, 1, 1, "SO-1"),
        ("PL-000002", "M", 10.0, 2, 2, "SO-2"),
    ]
    assert ("PL-000001", "M", 4.0, "SO-1/2") in v.pegging


def test_free_pool_excess_covers_any_sales_order() -> None:
    # an mts item pools everything: SO-2's day-2 demand uses day 1's excess
    case = Case(
        items=[Item("F", rule="foq", lot_qty=10)],
        demands=[("SO-1", 1, "F", 4, 1), ("SO-2", 1, "F", 4, 2)],
    )
    v = plan_view(case)
    assert v.planned == [("PL-000001", "F", 10.0, 1, 1, "")]
    assert v.pegging == [("PL-000001", "F", 4.0, "SO-1/1"), ("PL-000001", "F", 4.0, "SO-2/1")]

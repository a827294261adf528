"""Rules 1-6 by hand: time, horizon, pools, mts/mto, safety stock, netting order,
reschedule-in, defer and cancel. Days are offsets from the planning date."""

from __future__ import annotations

from _build import Case, Item, plan_view, view

from pegboard.engine.run import execute


def test_release_before_today_is_clamped_and_late() -> None:
    case = Case(
        items=[Item("A", lt=5), Item("B", lt=0)],
        demands=[("SO-1", 1, "A", 4, 3), ("SO-2", 1, "B", 1, -4)],
    )
    v = plan_view(case)
    # A: due 3, release 3 - 5 = -2 -> 0 (late); earliest completion 0 + 5 = 5
    # B: due -4 is netted today; release 0 - 0 = 0 is not clamped, completion 0
    assert v.planned == [
        ("PL-000001", "A", 4.0, 0, 3, ""),
        ("PL-000002", "B", 1.0, 0, 0, ""),
    ]
    assert v.completion == {"PL-000001": (5, True), "PL-000002": (0, False)}
    assert v.exc("late") == [("late", "A", "PL-000001", 5, "SO-1")]


def test_demand_beyond_the_horizon_is_ignored_and_its_supply_cancelled() -> None:
    case = Case(
        items=[Item("A")],
        purchases=[("PO-1/1", "A", 5, 40)],
        demands=[("SO-1", 1, "A", 2, 30), ("SO-2", 1, "A", 3, 31)],
        horizon=30,
    )
    v = plan_view(case)
    # due 30 = pd + horizon is in; due 31 is out. PO-1 (due 40) is 10 days after
    # day 30: too late to pull in (reschedule-in 7), so SO-1 is planned and PO-1
    # covers nothing within the horizon.
    assert v.planned == [("PL-000001", "A", 2.0, 30, 30, "")]
    assert v.pegging == [("PL-000001", "A", 2.0, "SO-1/1")]
    assert v.exc("cancel") == [("cancel", "A", "PO-1/1", 40, "")]
    assert v.messages == ["5 not needed", "2 to buy"]


def test_a_sales_orders_pool_never_covers_another_order() -> None:
    case = Case(
        items=[Item("P")],
        stock=[("P", 5, "main", "SO-1"), ("P", 4, "main")],
        demands=[("SO-2", 1, "P", 6, 1), ("SO-1", 1, "P", 2, 2)],
    )
    v = plan_view(case)
    # day 1, SO-2 needs 6: SO-1's 5 are not for it; the free 4 are; 2 planned (free pool)
    # day 2, SO-1 needs 2: from its own stock
    assert v.planned == [("PL-000001", "P", 2.0, 1, 1, "")]
    assert v.pegging == [
        ("stock:main", "P", 4.0, "SO-2/1"),
        ("stock:main@SO-1", "P", 2.0, "SO-1/1"),
        ("PL-000001", "P", 2.0, "SO-2/1"),
    ]
    assert v.exc("cancel") == []  # stock is never cancelled


def test_pegged_open_order_left_over_is_cancelled_not_given_to_others() -> None:
    case = Case(
        items=[Item("M", mto=True)],
        purchases=[("PO-1/1", "M", 5, 1, "SO-1")],
        demands=[("SO-1", 1, "M", 3, 2), ("SO-2", 1, "M", 2, 2)],
    )
    v = plan_view(case)
    assert v.planned == [("PL-000001", "M", 2.0, 2, 2, "SO-2")]
    assert v.pegging == [
        ("PO-1/1", "M", 3.0, "SO-1/1"),
        ("PL-000001", "M", 2.0, "SO-2/1"),
    ]
    assert v.exc("cancel") == [("cancel", "M", "PO-1/1", 1, "")]
    assert v.messages == ["2 not needed", "2 to buy"]


def test_mto_plans_per_order_and_mts_pools_them() -> None:
    demands = [
        ("SO-1", 1, "{}", 3, 2),
        ("SO-2", 1, "{}", 2, 2),
        ("SO-1", 2, "{}", 1, 2),
        ("SO-1", 3, "{}", 5, 4),
    ]
    case = Case(
        items=[Item("M", mto=True), Item("N")],
        demands=[(d[0], d[1], item, *d[3:]) for item in ("M", "N") for d in demands],
    )
    v = plan_view(case)
    # M (mto): day 2 -> SO-1: 3 + 1, SO-2: 2; day 4 -> SO-1: 5
    # N (mts): day 2 -> 6 in the free pool; day 4 -> 5
    assert v.planned == [
        ("PL-000001", "M", 4.0, 2, 2, "SO-1"),
        ("PL-000002", "M", 2.0, 2, 2, "SO-2"),
        ("PL-000003", "M", 5.0, 4, 4, "SO-1"),
        ("PL-000004", "N", 6.0, 2, 2, ""),
        ("PL-000005", "N", 5.0, 4, 4, ""),
    ]


def test_free_stock_of_an_mto_item_serves_any_order() -> None:
    case = Case(
        items=[Item("M", mto=True)],
        stock=[("M", 2)],
        demands=[("SO-1", 1, "M", 3, 1)],
    )
    v = plan_view(case)
    assert v.planned == [("PL-000001", "M", 1.0, 1, 1, "SO-1")]
    assert v.pegging == [("stock:main", "M", 2.0, "SO-1/1"), ("PL-000001", "M", 1.0, "SO-1/1")]


def test_safety_stock_takes_only_todays_free_supply_first() -> None:
    case = Case(
        items=[Item("S", lt=3, ss=10)],
        stock=[("S", 4)],
        purchases=[("PO-1/1", "S", 3, 0), ("PO-2/1", "S", 20, 2)],
        demands=[("SO-1", 1, "S", 5, 1)],
    )
    v = plan_view(case)
    # day 0: safety stock 10 <- stock 4 + PO-1 3 (due today); PO-2 (day 2) may not
    #        serve it, so 3 are planned today: release 0 - 3 -> 0, late, done day 3
    # day 1: SO-1 5 <- nothing left by day 1; pulls in PO-2 (due 2 <= 1 + 7): expedite
    # PO-2 keeps 15 that cover nothing: cancel
    assert v.planned == [("PL-000001", "S", 3.0, 0, 0, "")]
    assert v.completion == {"PL-000001": (3, True)}
    assert v.pegging == [
        ("stock:main", "S", 4.0, "safety_stock"),
        ("PO-1/1", "S", 3.0, "safety_stock"),
        ("PO-2/1", "S", 5.0, "SO-1/1"),
        ("PL-000001", "S", 3.0, "safety_stock"),
    ]
    assert v.exceptions == [
        ("cancel", "S", "PO-2/1", 2, ""),
        ("expedite", "S", "PO-2/1", 1, "SO-1"),
        ("late", "S", "PL-000001", 3, ""),  # safety stock: no sales order behind it
    ]


def test_safety_stock_does_not_apply_to_mto_items() -> None:
    case = Case(items=[Item("M", mto=True, ss=10)], demands=[("SO-1", 1, "M", 1, 1)])
    v = plan_view(case)
    assert v.planned == [("PL-000001", "M", 1.0, 1, 1, "SO-1")]


def test_short_supply_goes_by_date_then_priority_then_order_then_line() -> None:
    case = Case(
        items=[Item("X")],
        stock=[("X", 10)],
        demands=[
            ("SO-B", 1, "X", 6, 5, 100),
            ("SO-A", 2, "X", 1, 5, 100),
            ("SO-A", 1, "X", 6, 5, 100),
            ("SO-C", 1, "X", 6, 5, 10),
            ("SO-D", 1, "X", 3, 4, 200),
        ],
    )
    v = plan_view(case)
    # day 4: SO-D 3 <- stock (10 -> 7), its priority does not matter on its own day
    # day 5: SO-C (priority 10) 6 <- stock (7 -> 1); SO-A/1 6 <- stock 1, misses 5;
    #        SO-A/2 misses 1; SO-B misses 6: one order of 12
    assert v.planned == [("PL-000001", "X", 12.0, 5, 5, "")]
    assert v.pegging == [
        ("stock:main", "X", 1.0, "SO-A/1"),
        ("stock:main", "X", 6.0, "SO-C/1"),
        ("stock:main", "X", 3.0, "SO-D/1"),
        ("PL-000001", "X", 5.0, "SO-A/1"),
        ("PL-000001", "X", 1.0, "SO-A/2"),
        ("PL-000001", "X", 6.0, "SO-B/1"),
    ]


def test_same_date_supply_goes_stock_purchase_production_each_by_id() -> None:
    case = Case(
        items=[Item("X", make=True)],
        stock=[("X", 1, "b-shelf"), ("X", 1, "a-shelf")],
        purchases=[("PO-2/1", "X", 1, 0), ("PO-1/1", "X", 1, 0)],
        productions=[("MO-1", "X", 1, -3, -3, True)],
        demands=[
            ("SO-1", 1, "X", 1, 0),
            ("SO-2", 1, "X", 1, 0),
            ("SO-3", 1, "X", 1, 0),
            ("SO-4", 1, "X", 1, 0),
            ("SO-5", 1, "X", 1, 0),
        ],
    )
    v = plan_view(case)
    assert sorted((p[3], p[0]) for p in v.pegging) == [
        ("SO-1/1", "stock:a-shelf"),
        ("SO-2/1", "stock:b-shelf"),
        ("SO-3/1", "PO-1/1"),
        ("SO-4/1", "PO-2/1"),
        ("SO-5/1", "MO-1"),
    ]


def test_reschedule_in_own_pool_first_then_free_within_the_window() -> None:
    case = Case(
        items=[Item("R")],
        purchases=[
            ("PO-1/1", "R", 5, 10),
            ("PO-2/1", "R", 5, 11),
            ("PO-3/1", "R", 2, 9, "SO-1"),
        ],
        demands=[("SO-1", 1, "R", 8, 3), ("SO-2", 1, "R", 5, 20)],
    )
    v = plan_view(case)
    # SO-1 on day 3 (window up to day 10): own PO-3 (day 9) 2, then free PO-1
    # (day 10) 5; PO-2 (day 11) is outside the window: 1 planned on day 3.
    # SO-2 on day 20 takes PO-2, due 11: 20 > 11 + 7, so PO-2 is deferred.
    assert v.planned == [("PL-000001", "R", 1.0, 3, 3, "")]
    assert v.pegging == [
        ("PO-1/1", "R", 5.0, "SO-1/1"),
        ("PO-2/1", "R", 5.0, "SO-2/1"),
        ("PO-3/1", "R", 2.0, "SO-1/1"),
        ("PL-000001", "R", 1.0, "SO-1/1"),
    ]
    assert v.exceptions == [
        ("defer", "R", "PO-2/1", 20, "SO-2"),
        ("expedite", "R", "PO-1/1", 3, "SO-1"),
        ("expedite", "R", "PO-3/1", 3, "SO-1"),
        ("shortage", "R", "PL-000001", 3, "SO-1"),
    ]


def test_expedite_is_dated_by_the_earliest_demand_of_each_sales_order() -> None:
    case = Case(
        items=[Item("R")],
        purchases=[("PO-1/1", "R", 10, 12)],
        demands=[("SO-1", 1, "R", 1, 8), ("SO-1", 2, "R", 1, 6), ("SO-2", 1, "R", 1, 9)],
    )
    v = plan_view(case)
    assert v.planned == []
    assert v.exceptions == [
        ("cancel", "R", "PO-1/1", 12, ""),
        ("expedite", "R", "PO-1/1", 6, "SO-1"),
        ("expedite", "R", "PO-1/1", 9, "SO-2"),
    ]
    assert v.messages[0] == "7 not needed"
    assert v.messages[1] == "due 2025-01-18, needed on 2025-01-12"


def test_defer_counts_an_overdue_order_as_due_today() -> None:
    case = Case(
        items=[Item("A"), Item("B")],
        purchases=[("PO-1/1", "A", 1, -10), ("PO-2/1", "B", 1, -10)],
        demands=[("SO-1", 1, "A", 1, 7), ("SO-2", 1, "B", 1, 8)],
    )
    v = plan_view(case)
    # A: first needed day 7 = max(-10, 0) + 7: not more than 7 days late
    # B: day 8 > 0 + 7: defer, dated the demand
    assert v.exceptions == [("defer", "B", "PO-2/1", 8, "SO-2")]


def test_cancel_whole_and_partial() -> None:
    case = Case(
        items=[Item("A"), Item("B", make=True)],
        purchases=[("PO-9/1", "A", 10, 4)],
        productions=[("MO-1", "B", 10, 3, 3, True)],
        demands=[("SO-1", 1, "B", 4, 3)],
    )
    v = plan_view(case)
    assert v.exceptions == [
        ("cancel", "B", "MO-1", 3, ""),
        ("cancel", "A", "PO-9/1", 4, ""),
    ]
    assert v.messages == ["6 not needed", "10 not needed"]


def test_safety_stock_alone_is_planned_today() -> None:
    case = Case(items=[Item("S", lt=2, ss=5), Item("T", ss=3)], stock=[("T", 1)])
    v = plan_view(case)
    # no demand at all: 5 of S and 2 of T are missing today; S's release -2 -> 0
    assert v.planned == [("PL-000001", "S", 5.0, 0, 0, ""), ("PL-000002", "T", 2.0, 0, 0, "")]
    assert v.completion == {"PL-000001": (2, True), "PL-000002": (0, False)}
    assert v.exceptions == [("late", "S", "PL-000001", 2, "")]


def test_both_netting_paths_agree_on_a_shared_free_pool() -> None:
    case = Case(
        items=[Item("F", mto=True, lt=1)],
        stock=[("F", 2, "a"), ("F", 1, "b")],
        purchases=[("PO-1/1", "F", 4, 6), ("PO-2/1", "F", 3, 20)],
        demands=[
            ("SO-1", 1, "F", 3, 2),
            ("SO-2", 1, "F", 2, 2),
            ("SO-3", 1, "F", 3, 5),
            ("SO-1", 2, "F", 2, 15),
        ],
    )
    inp = case.build()
    fast = view(inp, execute(inp, fast_path=True))
    slow = view(inp, execute(inp, fast_path=False))
    assert fast == slow
    # day 2: SO-1 3 <- stock a 2, b 1; SO-2 2 <- PO-1 pulled in (day 6 <= 2 + 7)
    # day 5: SO-3 3 <- PO-1's other 2, misses 1 -> planned for SO-3 (mto)
    # day 15: SO-1/2 2 <- PO-2 pulled in (day 20 <= 22)
    assert fast.planned == [("PL-000001", "F", 1.0, 4, 5, "SO-3")]
    assert fast.pegging == [
        ("stock:a", "F", 2.0, "SO-1/1"),
        ("stock:b", "F", 1.0, "SO-1/1"),
        ("PO-1/1", "F", 2.0, "SO-2/1"),
        ("PO-1/1", "F", 2.0, "SO-3/1"),
        ("PO-2/1", "F", 2.0, "SO-1/2"),
        ("PL-000001", "F", 1.0, "SO-3/1"),
    ]
    assert fast.exceptions == [
        ("cancel", "F", "PO-2/1", 20, ""),
        ("expedite", "F", "PO-1/1", 2, "SO-2"),
        ("expedite", "F", "PO-1/1", 5, "SO-3"),
        ("expedite", "F", "PO-2/1", 15, "SO-1"),
        ("shortage", "F", "PL-000001", 4, "SO-3"),
    ]

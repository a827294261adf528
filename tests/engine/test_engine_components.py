"""Listed outstanding components of open production orders, by hand.

An open production order with rows in ``ProductionComponents`` demands those
outstanding quantities instead of its BOM explosion (see engine/README.md).
"""

from __future__ import annotations

import pytest
from _build import Case, Item, plan_view

from pegboard.engine import BomCycleError


def test_listed_components_replace_the_bom() -> None:
    case = Case(
        items=[Item("P", make=True), Item("C1"), Item("C2"), Item("C3")],
        bom=[("P", "C1", 2), ("P", "C2", 1, 10)],
        stock=[("C1", 1)],
        productions=[
            ("MO-1", "P", 4, 5, 2),  # listed
            ("MO-2", "P", 1, 6, -2),  # not listed: the BOM, today
        ],
        components=[
            ("MO-1", "C1", 3),  # 8 required, 5 already issued: 3 outstanding
            ("MO-1", "C2", 0),  # all issued: no demand
            ("MO-1", "C3", 1.5),  # in no BOM of P
        ],
    )
    v = plan_view(case)
    # MO-2 explodes on day 0: C1 1 x 2 = 2, C2 1 x 1.1 = 1.1; MO-1 demands on day 2
    # C1 3 and C3 1.5 (no scrap added), and nothing of C2
    assert v.planned == [
        ("PL-000001", "C1", 1.0, 0, 0, ""),
        ("PL-000002", "C1", 3.0, 2, 2, ""),
        ("PL-000003", "C2", 1.1, 0, 0, ""),
        ("PL-000004", "C3", 1.5, 2, 2, ""),
    ]
    assert v.pegging == [
        ("stock:main", "C1", 1.0, "MO-2"),
        ("PL-000001", "C1", 1.0, "MO-2"),
        ("PL-000002", "C1", 3.0, "MO-1"),
        ("PL-000003", "C2", 1.1, "MO-2"),
        ("PL-000004", "C3", 1.5, "MO-1"),
    ]


def test_rows_of_one_order_for_one_component_are_one_demand() -> None:
    case = Case(
        items=[Item("P", make=True), Item("C")],
        productions=[("MO-1", "P", 4, 5, 1)],
        components=[("MO-1", "C", 1), ("MO-1", "C", 0), ("MO-1", "C", 2.5)],
    )
    v = plan_view(case)
    assert v.planned == [("PL-000001", "C", 3.5, 1, 1, "")]
    assert v.pegging == [("PL-000001", "C", 3.5, "MO-1")]


def test_an_order_listing_only_zero_rows_demands_nothing() -> None:
    case = Case(
        items=[Item("P", make=True), Item("C")],
        bom=[("P", "C", 1)],
        productions=[("MO-1", "P", 4, 5, 1)],
        components=[("MO-1", "C", 0)],
    )
    v = plan_view(case)
    assert v.planned == []
    assert v.pegging == []


def test_issued_or_beyond_the_horizon_demands_nothing() -> None:
    case = Case(
        items=[Item("P", make=True), Item("C")],
        bom=[("P", "C", 1)],
        productions=[
            ("MO-1", "P", 4, 5, 1, True),  # components issued
            ("MO-2", "P", 2, 40, 35),  # starts after the horizon
            ("MO-3", "P", 1, 5, 1),
        ],
        components=[("MO-1", "C", 3), ("MO-2", "C", 2), ("MO-3", "C", 0.5)],
        horizon=30,
    )
    v = plan_view(case)
    assert v.planned == [("PL-000001", "C", 0.5, 1, 1, "")]
    assert v.pegging == [("PL-000001", "C", 0.5, "MO-3")]


def test_listed_demand_carries_the_orders_sales_order_and_priority() -> None:
    case = Case(
        items=[Item("P", make=True, mto=True), Item("C"), Item("D", mto=True)],
        stock=[("C", 1), ("D", 1, "main", "SO-1")],
        productions=[
            ("MO-1", "P", 2, 5, 3, False, "SO-1"),
            ("MO-2", "P", 1, 5, 3),
        ],
        components=[("MO-1", "C", 1), ("MO-1", "D", 2), ("MO-2", "C", 1), ("MO-2", "D", 1)],
        demands=[("SO-1", 1, "P", 2, 5, 10)],
    )
    v = plan_view(case)
    # MO-1 covers SO-1/1 (priority 10), so its demand on C comes before MO-2's
    # (priority 100, no sales order, which would otherwise come first) and takes
    # the free stock; on mto D, MO-1's demand takes SO-1's stock and its
    # remainder is planned for SO-1, MO-2's in the free pool
    assert v.planned == [
        ("PL-000001", "C", 1.0, 3, 3, ""),
        ("PL-000002", "D", 1.0, 3, 3, ""),
        ("PL-000003", "D", 1.0, 3, 3, "SO-1"),
    ]
    assert v.pegging == [
        ("stock:main", "C", 1.0, "MO-1"),
        ("PL-000001", "C", 1.0, "MO-2"),
        ("stock:main@SO-1", "D", 1.0, "MO-1"),
        ("PL-000002", "D", 1.0, "MO-2"),
        ("PL-000003", "D", 1.0, "MO-1"),
        ("MO-1", "P", 2.0, "SO-1/1"),
    ]
    assert v.exc("shortage") == [("shortage", "D", "PL-000003", 3, "SO-1")]


def test_a_component_only_listed_is_planned_below_the_orders_item() -> None:
    # S is a top item in the BOM (S -> R); only MO-1's listed row puts it under P
    case = Case(
        items=[Item("P", make=True), Item("S", make=True, lt=1), Item("R")],
        bom=[("S", "R", 1)],
        productions=[("MO-1", "P", 1, 5, 2)],
        components=[("MO-1", "S", 2)],
        demands=[("SO-1", 1, "S", 1, 4)],
    )
    v = plan_view(case)
    # S (level 1) sees MO-1's 2 on day 2 and SO-1's 1 on day 4; R (level 2) both
    # S orders' 2 and 1 on their release days 1 and 3
    assert v.planned == [
        ("PL-000001", "S", 2.0, 1, 2, ""),
        ("PL-000002", "S", 1.0, 3, 4, ""),
        ("PL-000003", "R", 2.0, 1, 1, ""),
        ("PL-000004", "R", 1.0, 3, 3, ""),
    ]
    assert v.pegging == [
        ("PL-000003", "R", 2.0, "PL-000001"),
        ("PL-000004", "R", 1.0, "PL-000002"),
        ("PL-000001", "S", 2.0, "MO-1"),
        ("PL-000002", "S", 1.0, "SO-1/1"),
    ]


def test_a_listed_row_that_closes_a_cycle_is_a_bom_cycle_unless_it_is_no_demand() -> None:
    items = [Item("A", make=True), Item("B", make=True)]
    cycle = Case(
        items=items,
        bom=[("A", "B", 1)],
        productions=[("MO-1", "B", 1, 5, 1)],
        components=[("MO-1", "A", 1)],
    )
    with pytest.raises(BomCycleError, match=r"A -> B -> A"):
        plan_view(cycle)
    issued = Case(
        items=items,
        bom=[("A", "B", 1)],
        productions=[("MO-1", "B", 1, 5, 1, True)],
        components=[("MO-1", "A", 1)],
    )
    assert plan_view(issued).planned == []

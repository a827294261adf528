"""Rule 8 by hand: scrap, BOM choice, open production orders, several levels."""

from __future__ import annotations

from _build import Case, Item, plan_view


def test_scrap_adds_to_the_component_quantity() -> None:
    case = Case(
        items=[Item("P", make=True), Item("C")],
        bom=[("P", "C", 2, 10)],
        demands=[("SO-1", 1, "P", 5, 3)],
    )
    v = plan_view(case)
    # 5 x 2 x 1.10 = 11 on the release day 3
    assert v.planned == [("PL-000001", "P", 5.0, 3, 3, ""), ("PL-000002", "C", 11.0, 3, 3, "")]
    assert v.pegging == [("PL-000002", "C", 11.0, "PL-000001"), ("PL-000001", "P", 5.0, "SO-1/1")]


def test_order_specific_bom_replaces_the_master_bom_for_its_order_only() -> None:
    case = Case(
        items=[Item("P", make=True, mto=True, lt=1), Item("C1"), Item("C2")],
        bom=[("P", "C1", 1), ("P", "C2", 3, 0, "SO-1")],
        demands=[("SO-1", 1, "P", 2, 5), ("SO-2", 1, "P", 1, 5)],
    )
    v = plan_view(case)
    # SO-1's P uses its own BOM (C2 x 3), SO-2's P the master (C1 x 1); both on day 4
    assert v.planned == [
        ("PL-000001", "P", 2.0, 4, 5, "SO-1"),
        ("PL-000002", "P", 1.0, 4, 5, "SO-2"),
        ("PL-000003", "C1", 1.0, 4, 4, ""),
        ("PL-000004", "C2", 6.0, 4, 4, ""),
    ]
    assert v.exc("shortage") == [
        ("shortage", "P", "PL-000001", 4, "SO-1"),
        ("shortage", "P", "PL-000002", 4, "SO-2"),
        ("shortage", "C1", "PL-000003", 4, "SO-2"),
        ("shortage", "C2", "PL-000004", 4, "SO-1"),
    ]


def test_mto_dependent_demand_is_planned_for_its_sales_order() -> None:
    case = Case(
        items=[Item("P", make=True, mto=True), Item("C", mto=True), Item("D", make=True)],
        bom=[("P", "C", 1), ("D", "C", 1)],
        demands=[("SO-1", 1, "P", 2, 5)],
        productions=[("MO-1", "D", 1, 6, 3)],
    )
    v = plan_view(case)
    # C is mto: the demand of SO-1's P goes to SO-1's pool; MO-1 (no sales order)
    # passes none on, so its demand is planned in the free pool
    assert v.planned == [
        ("PL-000001", "P", 2.0, 5, 5, "SO-1"),
        ("PL-000002", "C", 1.0, 3, 3, ""),
        ("PL-000003", "C", 2.0, 5, 5, "SO-1"),
    ]


def test_open_production_order_is_demand_on_its_start_date() -> None:
    case = Case(
        items=[Item("P", make=True), Item("C")],
        bom=[("P", "C", 1)],
        productions=[
            ("MO-1", "P", 4, 10, 6),
            ("MO-2", "P", 2, 8, -3),  # started before today: demand today
            ("MO-3", "P", 1, 5, 1, True),  # components issued: no demand
            ("MO-4", "P", 1, 400, 380),  # starts beyond the horizon: no demand
        ],
        demands=[("SO-1", 1, "P", 4, 12, 30)],
    )
    v = plan_view(case)
    # P for SO-1 on day 12: MO-3 (day 5) 1, MO-2 (day 8) 2, MO-1 (day 10) 1
    # C: MO-2 needs 2 on day 0, MO-1 4 on day 6
    assert v.planned == [("PL-000001", "C", 2.0, 0, 0, ""), ("PL-000002", "C", 4.0, 6, 6, "")]
    assert v.pegging == [  # by item code, then supply
        ("PL-000001", "C", 2.0, "MO-2"),
        ("PL-000002", "C", 4.0, "MO-1"),
        ("MO-1", "P", 1.0, "SO-1/1"),
        ("MO-2", "P", 2.0, "SO-1/1"),
        ("MO-3", "P", 1.0, "SO-1/1"),
    ]
    # traced: MO-2 is all SO-1's; a quarter of MO-1 is SO-1's, so 1 of the 4 C
    assert v.exc("shortage") == [
        ("shortage", "C", "PL-000001", 0, "SO-1"),
        ("shortage", "C", "PL-000002", 6, "SO-1"),
    ]
    shortage = dict(zip(v.exceptions, v.messages, strict=True))
    assert shortage[("shortage", "C", "PL-000002", 6, "SO-1")] == "1 to buy"
    assert ("cancel", "P", "MO-1", 10, "") in v.exceptions
    assert ("cancel", "P", "MO-4", 400, "") in v.exceptions


def test_dependent_demand_carries_the_parents_most_urgent_priority() -> None:
    case = Case(
        items=[Item("P", make=True, mto=True), Item("C")],
        bom=[("P", "C", 1)],
        stock=[("C", 1)],
        demands=[("SO-1", 1, "P", 1, 5, 100), ("SO-9", 1, "P", 1, 5, 10)],
    )
    v = plan_view(case)
    # both C demands are on day 5; SO-9's parent has priority 10, so it gets the stock
    assert ("stock:main", "C", 1.0, "PL-000002") in v.pegging
    assert v.planned[1] == ("PL-000002", "P", 1.0, 5, 5, "SO-9")
    assert v.planned[2] == ("PL-000003", "C", 1.0, 5, 5, "")
    assert ("PL-000003", "C", 1.0, "PL-000001") in v.pegging


def test_component_used_at_two_levels_is_netted_once_below_both() -> None:
    case = Case(
        items=[Item("A", make=True, lt=2), Item("B", make=True, lt=3), Item("C", lt=1)],
        bom=[("A", "B", 1), ("B", "C", 1), ("A", "C", 1)],
        demands=[("SO-1", 1, "A", 1, 10)],
    )
    v = plan_view(case)
    # A: release 8 -> B 1 and C 1 on day 8; B: release 5 -> C 1 on day 5
    assert v.planned == [
        ("PL-000001", "A", 1.0, 8, 10, ""),
        ("PL-000002", "B", 1.0, 5, 8, ""),
        ("PL-000003", "C", 1.0, 4, 5, ""),
        ("PL-000004", "C", 1.0, 7, 8, ""),
    ]
    # earliest completion (v2 rule 9): a buy order released on time completes on its
    # due date (C: 5 and 8; v1 said today + lead time, 1), so B 3 + max(0, C 5) = 8
    # and A 2 + max(0, B 8, C 8) = 10: on time, as in v1
    assert v.completion == {
        "PL-000001": (10, False),
        "PL-000002": (8, False),
        "PL-000003": (5, False),
        "PL-000004": (8, False),
    }


def test_buy_items_never_explode() -> None:
    case = Case(
        items=[Item("B"), Item("C")],
        bom=[("B", "C", 1)],  # a bad row: B is bought
        demands=[("SO-1", 1, "B", 1, 1)],
    )
    assert plan_view(case).planned == [("PL-000001", "B", 1.0, 1, 1, "")]

"""Rule 9 by hand: earliest completion, late chains, tracing and shortage rows."""

from __future__ import annotations

from _build import Case, Item, plan_view


def test_a_long_lead_time_component_makes_the_whole_chain_late() -> None:
    case = Case(
        items=[
            Item("A", make=True, mto=True, lt=2),
            Item("B", make=True, lt=3),
            Item("C", lt=20),
        ],
        bom=[("A", "B", 1), ("B", "C", 1)],
        demands=[("SO-1", 1, "A", 1, 10)],
    )
    v = plan_view(case)
    # A due 10 release 8; B due 8 release 5; C due 5 release -15 -> 0 (late)
    # completion: C 0 + 20 = 20; B 3 + 20 = 23 > 8; A 2 + 23 = 25 > 10
    assert v.planned == [
        ("PL-000001", "A", 1.0, 8, 10, "SO-1"),
        ("PL-000002", "B", 1.0, 5, 8, ""),
        ("PL-000003", "C", 1.0, 0, 5, ""),
    ]
    assert v.completion == {
        "PL-000001": (25, True),
        "PL-000002": (23, True),
        "PL-000003": (20, True),
    }
    assert v.exc("late") == [
        ("late", "A", "PL-000001", 25, "SO-1"),
        ("late", "B", "PL-000002", 23, "SO-1"),
        ("late", "C", "PL-000003", 20, "SO-1"),
    ]
    late_a = v.messages[v.exceptions.index(("late", "A", "PL-000001", 25, "SO-1"))]
    assert late_a == "due 2025-01-16, earliest completion 2025-01-31"


def test_completion_waits_for_an_open_order_on_its_own_due_date() -> None:
    case = Case(
        items=[Item("A", make=True, lt=1), Item("C")],
        bom=[("A", "C", 1)],
        purchases=[("PO-1/1", "C", 1, 12)],  # pulled in from day 12 to day 9
        stock=[("C", 1)],
        demands=[("SO-1", 1, "A", 2, 10)],
    )
    v = plan_view(case)
    # A: 2 due 10, release 9; C needs 2 on day 9: stock 1, PO-1 1 (expedite)
    # completion of A = 1 + max(0, stock 0, PO-1 12) = 13 > 10: late
    assert v.completion == {"PL-000001": (13, True)}
    assert v.exceptions == [
        ("expedite", "C", "PO-1/1", 9, "SO-1"),
        ("late", "A", "PL-000001", 13, "SO-1"),
        ("shortage", "A", "PL-000001", 9, "SO-1"),
    ]


def test_tracing_through_pooled_supply_splits_by_share() -> None:
    case = Case(
        items=[
            Item("A", make=True, mto=True),
            Item("M", make=True, rule="foq", lot_qty=12),
            Item("R"),
        ],
        bom=[("A", "M", 2), ("M", "R", 1)],
        stock=[("R", 3)],
        demands=[("SO-1", 1, "A", 2, 5), ("SO-2", 1, "A", 3, 5)],
    )
    v = plan_view(case)
    # A: one order per sales order (mto): 2 for SO-1, 3 for SO-2
    # M (mts): 4 + 6 = 10 on day 5 -> lot of 12; its 12 serve SO-1 4, SO-2 6
    # R: 12 on day 5 <- stock 3, planned 9; 9 of M's 12: SO-1 9 x 4/12 = 3,
    #    SO-2 9 x 6/12 = 4.5
    assert v.planned == [
        ("PL-000001", "A", 2.0, 5, 5, "SO-1"),
        ("PL-000002", "A", 3.0, 5, 5, "SO-2"),
        ("PL-000003", "M", 12.0, 5, 5, ""),
        ("PL-000004", "R", 9.0, 5, 5, ""),
    ]
    shortages = [
        (e, m) for e, m in zip(v.exceptions, v.messages, strict=True) if e[0] == "shortage"
    ]
    assert shortages == [
        (("shortage", "A", "PL-000001", 5, "SO-1"), "2 to make"),
        (("shortage", "A", "PL-000002", 5, "SO-2"), "3 to make"),
        (("shortage", "M", "PL-000003", 5, "SO-1"), "4 to make"),
        (("shortage", "M", "PL-000003", 5, "SO-2"), "6 to make"),
        (("shortage", "R", "PL-000004", 5, "SO-1"), "3 to buy"),
        (("shortage", "R", "PL-000004", 5, "SO-2"), "4.5 to buy"),
    ]


def test_expedite_names_the_orders_behind_a_pooled_parent() -> None:
    case = Case(
        items=[Item("M", make=True), Item("R")],
        bom=[("M", "R", 1)],
        purchases=[("PO-1/1", "R", 5, 8)],
        demands=[("SO-1", 1, "M", 1, 3), ("SO-2", 1, "M", 2, 3), ("SO-3", 1, "M", 1, 30)],
    )
    v = plan_view(case)
    # M: 3 on day 3 (SO-1 and SO-2), 1 on day 30 (SO-3)
    # R: day 3 needs 3: PO-1 (day 8) pulled in -> expedite for SO-1 and SO-2;
    #    day 30 takes 1 of the 2 left on PO-1; the last 1 is not needed
    assert v.exc("expedite") == [
        ("expedite", "R", "PO-1/1", 3, "SO-1"),
        ("expedite", "R", "PO-1/1", 3, "SO-2"),
    ]
    assert v.exc("cancel") == [("cancel", "R", "PO-1/1", 8, "")]


def test_defer_names_every_order_the_supply_covers() -> None:
    case = Case(
        items=[Item("R")],
        purchases=[("PO-1/1", "R", 5, 1)],
        demands=[("SO-2", 1, "R", 2, 20), ("SO-1", 1, "R", 3, 25)],
    )
    v = plan_view(case)
    assert v.exceptions == [
        ("defer", "R", "PO-1/1", 20, "SO-1"),
        ("defer", "R", "PO-1/1", 20, "SO-2"),
    ]
    assert v.messages[0] == "due 2025-01-07, first needed on 2025-01-26"


def test_shortage_quantities_are_rounded_to_six_decimals() -> None:
    case = Case(
        items=[Item("A", make=True, mto=True), Item("M", make=True, rule="foq", lot_qty=3)],
        bom=[("A", "M", 1)],
        demands=[("SO-1", 1, "A", 1, 5), ("SO-2", 1, "A", 1, 5)],
    )
    v = plan_view(case)
    # M: 2 on day 5 -> lot of 3; serves SO-1 1 and SO-2 1 (traced: pegged quantities)
    assert v.planned[2] == ("PL-000003", "M", 3.0, 5, 5, "")
    r = Case(
        items=[
            Item("A", make=True, mto=True),
            Item("M", make=True, rule="foq", lot_qty=3),
            Item("R"),
        ],
        bom=[("A", "M", 1), ("M", "R", 1)],
        stock=[("R", 1)],
        demands=[("SO-1", 1, "A", 1, 5), ("SO-2", 1, "A", 1, 5)],
    )
    w = plan_view(r)
    # R: 3 for M's lot <- stock 1, planned 2; SO-1's share 2 x 1/3 = 0.666667
    msgs = [m for e, m in zip(w.exceptions, w.messages, strict=True) if e[1] == "R"]
    assert msgs == ["0.666667 to buy", "0.666667 to buy"]

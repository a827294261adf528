"""Order promising, pure: hand-computed promise dates (pd = planning day)."""

from __future__ import annotations

import math
from datetime import date

import pytest

from pegboard.engine.calendar import WorkCalendar
from pegboard.engine.promise import (
    Line,
    Lot,
    Node,
    PromiseInput,
    PromiseInputError,
    PromiseResult,
    Sizing,
    promise,
)
from pegboard.engine.types import FOQ

PD = 740_000  # an ordinal; every day below is PD + n


def run(
    nodes: dict[str, Node],
    lots: dict[str, list[Lot]] | None = None,
    qty: float = 1.0,
    top: str = "A",
    wanted: int | None = None,
) -> PromiseResult:
    return promise(PromiseInput(top, qty, nodes, lots or {}, PD, wanted))


def buy(item: str, lead: int) -> Node:
    return Node(item, make=False, lead_time=lead)


def test_stock_only_is_today() -> None:
    # 5 in stock, 3 wanted: all from stock on pd; nothing to order
    r = run({"A": buy("A", 10)}, {"A": [Lot(PD, 5.0)]}, qty=3)
    assert r.day == PD
    assert r.orders == ()
    assert [(u.item, u.ref, u.qty) for u in r.atp] == [("A", "", 3.0)]
    assert [s.reason for s in r.critical_path] == ["stock"]
    assert r.root.from_atp == 3.0 and r.root.new_qty == 0.0


def test_in_transit_receipt_sets_the_day() -> None:
    # no stock; PO-1/1 brings 5 on pd+4, buying would take 10 days: pd+4
    r = run({"A": buy("A", 10)}, {"A": [Lot(PD + 4, 5.0, "PO-1/1")]}, qty=5)
    assert r.day == PD + 4
    assert r.orders == ()
    day = r.critical_path[0]
    assert day.reason.startswith("PO-1/1 due ")


def test_overdue_receipt_counts_on_the_planning_day() -> None:
    r = run({"A": buy("A", 10)}, {"A": [Lot(PD - 3, 5.0, "PO-1/1")]}, qty=5)
    assert r.day == PD


def test_buy_lead_time_bound() -> None:
    # stock 2, need 5, lead 10; PO-9/1 brings 3 only on pd+12:
    # cut-off pd: max(pd, pd+10) = pd+10 (buy 3); cut-off pd+12: pd+12 -> pd+10
    r = run({"A": buy("A", 10)}, {"A": [Lot(PD, 2.0), Lot(PD + 12, 3.0, "PO-9/1")]}, qty=5)
    assert r.day == PD + 10
    (order,) = r.orders
    assert (order.qty, order.start_by, order.due, order.critical) == (3.0, PD, PD + 10, True)
    assert [s.reason for s in r.critical_path] == ["buy: lead time 10 d"]
    assert r.root.from_atp == 2.0


def test_tie_takes_the_later_cut_off_and_orders_nothing() -> None:
    # stock 5 + PO 5 on pd+10, lead 10: buying 5 or waiting for the PO both give pd+10
    r = run({"A": buy("A", 10)}, {"A": [Lot(PD, 5.0), Lot(PD + 10, 5.0, "PO-1/1")]}, qty=10)
    assert r.day == PD + 10
    assert r.orders == ()
    assert r.critical_path[0].reason.startswith("PO-1/1 due")


def multi_level() -> dict[str, Node]:
    # A (make, 2) <- B (make, 3) <- C (buy, 5); A also needs 2 D (buy, 1)
    return {
        "A": Node("A", True, 2, lines=(Line("B", 1.0), Line("D", 2.0))),
        "B": Node("B", True, 3, lines=(Line("C", 1.5),)),
        "C": buy("C", 5),
        "D": buy("D", 1),
    }


def test_multi_level_make_adds_lead_times_down_the_chain() -> None:
    # C: pd+5; B: pd+5+3 = pd+8; D: pd+1; A: max(pd+8, pd+1) + 2 = pd+10
    r = run(multi_level(), qty=4)
    assert r.day == PD + 10
    assert [(s.item, s.day) for s in r.critical_path] == [
        ("A", PD + 10),
        ("B", PD + 8),
        ("C", PD + 5),
    ]
    assert r.critical_path[0].reason == "make: lead time 2 d after components"
    assert r.critical_path[-1].reason == "buy: lead time 5 d"
    by_item = {o.item: o for o in r.orders}
    # backward from pd+10: A starts pd+8; B due pd+8 starts pd+5; C due pd+5 ordered pd
    # D due pd+8 (when A starts), lead 1: order by pd+7, not critical
    assert (by_item["A"].start_by, by_item["A"].due) == (PD + 8, PD + 10)
    assert (by_item["B"].start_by, by_item["B"].due) == (PD + 5, PD + 8)
    assert (by_item["C"].start_by, by_item["C"].qty, by_item["C"].critical) == (PD, 6.0, True)
    assert (by_item["D"].start_by, by_item["D"].qty, by_item["D"].critical) == (PD + 7, 8.0, False)
    assert [o.item for o in r.orders] == ["C", "B", "D", "A"]  # by start_by
    assert by_item["D"].start_earliest == PD and by_item["D"].complete_earliest == PD + 1


def test_component_stock_shortens_the_chain() -> None:
    # 6 C in stock covers B's 6: B = pd+3, A = pd+5
    r = run(multi_level(), {"C": [Lot(PD, 6.0)]}, qty=4)
    assert r.day == PD + 5
    assert [s.reason for s in r.critical_path] == [
        "make: lead time 2 d after components",
        "make: lead time 3 d after components",
        "stock",
    ]


def test_partial_stock_of_a_made_item_makes_only_the_rest() -> None:
    # 3 A in stock; 2 more made: B for 2, C for 3 -> pd+10, A's order is for 2
    r = run(multi_level(), {"A": [Lot(PD, 3.0)]}, qty=5)
    assert r.day == PD + 10
    assert r.root.from_atp == 3.0 and r.root.new_qty == 2.0
    assert {o.item: o.qty for o in r.orders} == {"A": 2.0, "B": 2.0, "C": 3.0, "D": 4.0}


def test_lots_are_shared_across_the_tree_first_line_first() -> None:
    # A needs C through B1 and B2 (4 each); 4 C in stock go to B1's line, B2's C is bought
    nodes = {
        "A": Node("A", True, 1, lines=(Line("B1", 1.0), Line("B2", 1.0))),
        "B1": Node("B1", True, 1, lines=(Line("C", 1.0),)),
        "B2": Node("B2", True, 1, lines=(Line("C", 1.0),)),
        "C": buy("C", 7),
    }
    r = run(nodes, {"C": [Lot(PD, 4.0)]}, qty=4)
    # B1: pd+1; B2: C bought pd+7, +1 = pd+8; A: pd+9
    assert r.day == PD + 9
    assert [(s.position, s.item) for s in r.critical_path] == [
        ("1", "A"),
        ("1.2", "B2"),
        ("1.2.1", "C"),
    ]
    assert sum(u.qty for u in r.atp) == 4.0


def test_new_node_has_no_atp() -> None:
    nodes = {"A": Node("A", True, 2, new=True, lines=(Line("C", 1.0),)), "C": buy("C", 3)}
    r = run(nodes, {"A": [Lot(PD, 100.0)], "C": [Lot(PD, 100.0)]}, qty=1)
    assert r.day == PD + 2  # A made (2 d) from C in stock


def test_wanted_day_met_gives_latest_order_days() -> None:
    r = run(multi_level(), qty=4, wanted=PD + 12)
    assert r.met is True and r.day == PD + 10
    by_item = {o.item: o for o in r.orders}
    # from pd+12: A starts pd+10, B pd+7, C pd+2, D pd+9
    assert by_item["C"].start_by_wanted == PD + 2
    assert by_item["A"].start_by_wanted == PD + 10
    assert by_item["D"].start_by_wanted == PD + 9


def test_wanted_day_not_met_keeps_the_earliest() -> None:
    r = run(multi_level(), qty=4, wanted=PD + 8)
    assert r.met is False and r.day == PD + 10
    assert all(o.start_by_wanted is None for o in r.orders)


def test_earliest_receipt_that_covers_wins_over_a_long_make() -> None:
    # a made item: 5 arrive with MO-7 on pd+4; making takes 2 + 5 = pd+7 -> pd+4
    nodes = {"A": Node("A", True, 2, lines=(Line("C", 1.0),)), "C": buy("C", 5)}
    r = run(nodes, {"A": [Lot(PD + 4, 5.0, "MO-7")]}, qty=5)
    assert r.day == PD + 4 and r.orders == ()


@pytest.mark.parametrize("qty", [0.0, -1.0, math.nan, math.inf])
def test_bad_quantity(qty: float) -> None:
    with pytest.raises(PromiseInputError):
        run({"A": buy("A", 1)}, qty=qty)


def test_unknown_node() -> None:
    with pytest.raises(PromiseInputError):
        run({"A": Node("A", True, 1, lines=(Line("X", 1.0),))})


def test_same_input_same_result() -> None:
    lots = {"C": [Lot(PD + 3, 2.0, "PO-2/1"), Lot(PD, 1.0), Lot(PD + 3, 2.0, "PO-1/1")]}
    assert run(multi_level(), lots, qty=4) == run(multi_level(), lots, qty=4)


def test_a_quantity_below_the_tolerance_needs_nothing() -> None:
    r = run({"A": buy("A", 4)}, qty=1e-12)
    assert r.day == PD and r.orders == ()
    assert [s.reason for s in r.critical_path] == ["nothing to supply"]


# --- rule 7 and rule 1: orders sized as the plan sizes them, working days -----------------

D_MON = 739_257  # 2025-01-06, a Monday: D_MON + 5 and + 6 are the weekend


def test_what_to_order_is_sized_as_a_planned_order() -> None:
    # A (make, lead 1) = 1.1 B (buy, lead 3, whole pieces, min 5, multiple 4); 3 B in stock.
    # 2 A (whole already): B needs 2 × 1.1 = 2.2, all from stock: nothing to buy.
    pieces = Sizing(scale=1.0)
    b_lots = Sizing(min_qty=5.0, multiple=4.0, scale=1.0)
    nodes = {
        "A": Node("A", make=True, lead_time=1, lines=(Line("B", 1.1),), sizing=pieces),
        "B": Node("B", make=False, lead_time=3, sizing=b_lots),
    }
    r = run(nodes, {"B": [Lot(PD, 3.0)]}, qty=2)
    assert [(o.item, o.qty, o.requirement) for o in r.orders] == [("A", 2.0, 2.0)]
    # 2.5 A: A is made in whole pieces, 3, needing 3.3 B: 3 from stock, 0.3 to buy, sized
    # as the plan does: min 5, then a multiple of 4: 8
    r = run(nodes, {"B": [Lot(PD, 3.0)]}, qty=2.5)
    orders = {o.item: (o.qty, o.requirement) for o in r.orders}
    assert orders["A"] == (3.0, 2.5)
    assert orders["B"][0] == 8.0 and orders["B"][1] == pytest.approx(0.3)
    assert r.root.new_qty == 3.0  # what is ordered, the lot's excess goes to stock
    b = r.root.children[0]
    assert b.qty == pytest.approx(3.3) and b.from_atp == 3.0 and b.new_qty == 8.0


def test_a_fixed_order_quantity_is_ordered_whole() -> None:
    foq = Sizing(rule=FOQ, lot_qty=12.0, scale=1.0)
    r = run({"A": Node("A", make=False, lead_time=2, sizing=foq)}, qty=13)
    assert [(o.qty, o.requirement) for o in r.orders] == [(24.0, 13.0)]


def test_make_lead_times_count_working_days_and_purchases_arrive_on_one() -> None:
    mon_fri = WorkCalendar((0, 1, 2, 3, 4))
    nodes = {
        "A": Node("A", make=True, lead_time=3, lines=(Line("B", 1.0),)),
        "B": buy("B", 5),
    }
    # B bought on Monday arrives Saturday + 0 -> the next working day, Monday D+7;
    # A made in 3 working days from Monday D+7: Thursday D+10
    r = promise(PromiseInput("A", 1.0, nodes, {}, D_MON, calendar=mon_fri))
    assert r.day == D_MON + 10
    orders = {o.item: o for o in r.orders}
    assert orders["B"].complete_earliest == D_MON + 7
    assert (orders["A"].start_earliest, orders["A"].complete_earliest) == (D_MON + 7, D_MON + 10)
    # backward: A starts back(D+10, 3) = Monday D+7; B is placed on back(D+7 - 5, 0),
    # Wednesday D+2 itself
    assert orders["A"].start_by == D_MON + 7 and orders["A"].due == D_MON + 10
    assert orders["B"].due == D_MON + 7 and orders["B"].start_by == D_MON + 2
    # every day working: v1's arithmetic
    r = promise(PromiseInput("A", 1.0, nodes, {}, D_MON))
    assert r.day == D_MON + 8


def test_no_new_order_of_a_master_scheduled_item_inside_the_time_fence() -> None:
    # Monday pd, Monday-to-Friday: a 12-day fence ends on Saturday pd+12, so F is
    # Monday pd+14. P (make, 2 d) of one S; S is on the master schedule (make, 1 d, of
    # one bought B in stock), its schedule line MPS-S-1 brings 1 on pd+3, inside the fence.
    pd = date(2026, 11, 23).toordinal()  # a Monday
    mon_fri = WorkCalendar((0, 1, 2, 3, 4))
    nodes = {
        "P": Node("P", make=True, lead_time=2, lines=(Line("S", 1.0),)),
        "S": Node("S", make=True, lead_time=1, lines=(Line("B", 1.0),), mps=True),
        "B": buy("B", 0),
    }
    lots = {"S": [Lot(pd + 3, 1.0, "MPS-S-1")], "B": [Lot(pd, 9.0)]}

    def quote(qty: float, fence: int) -> PromiseResult:
        return promise(
            PromiseInput("P", qty, nodes, lots, pd, calendar=mon_fri, mps_fence_days=fence)
        )

    # one: the free schedule line inside the fence serves it, P done 2 working days on
    assert quote(1, 12).day == mon_fri.fwd(pd + 3, 2)
    # two: the second S is new and completes no sooner than F, P 2 working days later
    two = quote(2, 12)
    fence_day = pd + 14
    assert two.day == mon_fri.fwd(fence_day, 2) == pd + 16
    s_order = next(o for o in two.orders if o.item == "S")
    assert (s_order.qty, s_order.complete_earliest, s_order.critical) == (1.0, fence_day, True)
    assert [s.reason for s in two.critical_path] == [
        "make: lead time 2 d after components",
        "no new S inside the master schedule's time fence (until 2026-12-07)",
    ]
    # without the fence the new S is made on the planning day: done pd+1, P pd+3
    assert quote(2, 0).day == pd + 3
    # a fence that ends before the order could be made anyway changes nothing
    assert quote(2, 1).day == pd + 3

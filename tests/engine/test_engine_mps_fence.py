"""The master schedule's planning time fence in MRP (issue #17 item 3), by hand.

Inside the fence the schedule is frozen: the plan adds no supply of a scheduled item
there (its planned orders wait for the first working day beyond it), a demand there
takes the schedule's lines from anywhere inside it (and is late), and no change is
asked of a schedule line due inside it. Beyond the fence the plan suggests as usual.
The naive reference of ``test_engine_properties`` reads the same rules on random
companies; these cases say them with numbers.
"""

from __future__ import annotations

from _build import MON_FRI, Case, Item, plan_view, view

from pegboard.engine.run import execute

FENCE = 14  # days: the first day beyond it is D0 + 14


def _case(**changes: object) -> Case:
    """SA on the schedule, a line of 10 due on day 7 (inside) and one of 10 on day 21
    (beyond); orders for 15 on day 2 and 25 on day 21."""
    case = Case(
        items=[Item("SA", make=True, lt=3, mps=True)],
        productions=[
            ("MPS-SA-W2", "SA", 10, 7, 4, False, "", True),
            ("MPS-SA-W4", "SA", 10, 21, 18, False, "", True),
        ],
        demands=[("SO-1", 1, "SA", 15, 2), ("SO-2", 1, "SA", 25, 21)],
        fence=FENCE,
    )
    for name, value in changes.items():
        setattr(case, name, value)
    return case


def test_no_planned_order_inside_the_fence_and_the_line_served_late() -> None:
    v = plan_view(_case())
    # SO-1/1 takes the whole line of day 7 (a pull-in past reschedule_in, as far as
    # the fence reaches) and waits for the rest until the first day beyond the fence
    assert v.planned == [
        ("PL-000001", "SA", 5.0, 11, 14, ""),
        ("PL-000002", "SA", 15.0, 18, 21, ""),
    ]
    assert sorted(v.pegging) == [
        ("MPS-SA-W2", "SA", 10.0, "SO-1/1"),
        ("MPS-SA-W4", "SA", 10.0, "SO-2/1"),
        ("PL-000001", "SA", 5.0, "SO-1/1"),
        ("PL-000002", "SA", 15.0, "SO-2/1"),
    ]
    # made from today it could be done on day 3, but not inside the fence: day 14
    assert v.completion["PL-000001"] == (14, False)
    assert v.lines == {"SO-1/1": 14, "SO-2/1": 21}
    # the frozen line is asked nothing, though SO-1/1 needs it on day 2
    assert [e[0] for e in v.exceptions] == ["shortage", "shortage"]


def test_without_the_fence_the_same_company_plans_as_before() -> None:
    v = plan_view(_case(fence=0))
    assert v.planned == [
        ("PL-000001", "SA", 5.0, 0, 2, ""),
        ("PL-000002", "SA", 15.0, 18, 21, ""),
    ]
    assert v.lines == {"SO-1/1": 7, "SO-2/1": 21}
    assert [e[:3] for e in v.exc("expedite")] == [("expedite", "SA", "MPS-SA-W2")]


def test_lines_inside_the_fence_are_never_asked_to_change() -> None:
    # nothing needs SA before day 30: the line inside the fence is spare, and so is
    # the one beyond it, which alone is to cancel
    v = plan_view(_case(demands=[("SO-1", 1, "SA", 5, 30)]))
    assert v.planned == []
    assert [(e[:3], m) for e, m in zip(v.exceptions, v.messages, strict=True)] == [
        (("cancel", "SA", "MPS-SA-W4"), "10 not needed")
    ]
    # an ordinary production order of the item inside the fence is asked as before
    v = plan_view(
        _case(
            productions=[
                ("MPS-SA-W2", "SA", 10, 7, 4, False, "", True),
                ("MO-1", "SA", 10, 8, 5, False, "", False),
            ],
            demands=[("SO-1", 1, "SA", 5, 30)],
        )
    )
    assert [e[:3] for e in v.exceptions] == [("cancel", "SA", "MO-1")]
    # without the fence the line inside it would be cut by its spare 5 and deferred
    v = plan_view(_case(demands=[("SO-1", 1, "SA", 5, 30)], fence=0))
    assert [e[:3] for e in v.exceptions] == [
        ("cancel", "SA", "MPS-SA-W2"),
        ("cancel", "SA", "MPS-SA-W4"),
        ("defer", "SA", "MPS-SA-W2"),
    ]


def test_planned_orders_wait_for_the_first_working_day_beyond_the_fence() -> None:
    # Mon-Fri; the fence of 12 days ends on Saturday D0 + 12: the first working day
    # beyond it is Monday D0 + 14. The safety stock wanted now is restored then too,
    # in the same order as the demand of the fence.
    case = Case(
        items=[Item("SA", make=True, lt=1, mps=True, ss=3), Item("P", lt=2)],
        bom=[("SA", "P", 2)],
        demands=[("SO-1", 1, "SA", 4, 1)],
        work_days=MON_FRI,
        fence=12,
    )
    v = plan_view(case)
    assert v.planned == [
        ("PL-000001", "SA", 7.0, 11, 14, ""),
        ("PL-000002", "P", 14.0, 9, 11, ""),  # its component, for its release
    ]
    assert v.lines == {"SO-1/1": 14}


def test_an_item_not_on_the_schedule_ignores_the_fence() -> None:
    case = Case(
        items=[Item("SA", make=True, lt=3, mps=True), Item("B", lt=1)],
        demands=[("SO-1", 1, "SA", 1, 20), ("SO-1", 2, "B", 2, 3)],
        fence=FENCE,
    )
    v = plan_view(case)
    assert sorted(p[1:] for p in v.planned) == [("B", 2.0, 2, 3, ""), ("SA", 1.0, 17, 20, "")]
    assert v.lines == {"SO-1/1": 20, "SO-1/2": 3}


def test_a_poq_period_starts_on_the_first_day_beyond_the_fence() -> None:
    # SA on the schedule with no line, period order quantity of 7 days, made in 3; the
    # fence holds everything before day 14. SO-1's 5 on day 2 can be supplied no sooner
    # than day 14, so the period is that order's: days 14-20, SO-2's 4 on day 17 too
    # (9); SO-3's 6 on day 22 opens the next period. Counted from day 2 the first
    # period (days 2-8) would hold SO-1 alone and the second (17-23) SO-2 and SO-3.
    case = Case(
        items=[Item("SA", make=True, lt=3, rule="poq", period=7, mps=True)],
        demands=[("SO-1", 1, "SA", 5, 2), ("SO-2", 1, "SA", 4, 17), ("SO-3", 1, "SA", 6, 22)],
        fence=FENCE,
    )
    expected = [("PL-000001", "SA", 9.0, 11, 14, ""), ("PL-000002", "SA", 6.0, 19, 22, "")]
    inp = case.build()
    assert view(inp, execute(inp)).planned == expected  # the compiled loop
    assert view(inp, execute(inp, compiled=False)).planned == expected  # the plain one
    assert view(inp, execute(inp, fast_path=False, compiled=False)).planned == expected
    # without the fence the periods count from the first requirement's day
    case.fence = 0
    assert plan_view(case).planned == [
        ("PL-000001", "SA", 5.0, 0, 2, ""),
        ("PL-000002", "SA", 10.0, 14, 17, ""),
    ]

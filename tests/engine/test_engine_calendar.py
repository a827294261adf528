"""Planning rules v2 by hand: working days (rule 1), one order per due day (rule 6),
decimal places (rule 7), dates of open production orders (rule 9) and projected
line dates (rule 10).

Days are offsets from D0, a Monday: with ``MON_FRI`` days 5, 6, 12, 13 are weekends.
"""

from __future__ import annotations

import numpy as np
from _build import D0, MON_FRI, Case, Item, plan_view, view
from hypothesis import given, settings
from hypothesis import strategies as st

from pegboard.engine.calendar import WorkCalendar
from pegboard.engine.lots import lot_size, round_to_places
from pegboard.engine.run import execute
from pegboard.engine.types import LFL


def test_make_lead_time_counts_working_days_past_a_weekend_and_a_holiday() -> None:
    case = Case(
        items=[Item("A", make=True, lt=2)],
        demands=[("SO-1", 1, "A", 1, 10)],
        work_days=MON_FRI,
        holidays=(8,),
    )
    v = plan_view(case)
    # due Thu 10 (a working day); two working days back: Wed 9, (Tue 8 holiday) Mon 7
    assert v.planned == [("PL-000001", "A", 1.0, 7, 10, "")]
    # nothing to wait for: it could be done two working days after today, Wed 2
    assert v.completion == {"PL-000001": (2, False)}


def test_buy_release_on_a_saturday_moves_back_to_friday() -> None:
    case = Case(
        items=[Item("B", lt=4)],
        demands=[("SO-1", 1, "B", 1, 9)],
        work_days=MON_FRI,
    )
    # due Wed 9; 4 calendar days before is Sat 5: placed on the last working day, Fri 4
    assert plan_view(case).planned == [("PL-000001", "B", 1.0, 4, 9, "")]


def test_weekend_needs_roll_back_into_fridays_single_order() -> None:
    case = Case(
        items=[Item("C", min_qty=3)],
        demands=[("SO-1", 1, "C", 2, 4), ("SO-2", 1, "C", 1, 5), ("SO-3", 1, "C", 3, 6)],
        work_days=MON_FRI,
    )
    v = plan_view(case)
    # Fri 2 + Sat 1 + Sun 3: one order due Friday for the sum; min_qty applies to 6,
    # not to each day (day by day it would be three orders of 3)
    assert v.planned == [("PL-000001", "C", 6.0, 4, 4, "")]
    assert v.pegging == [
        ("PL-000001", "C", 2.0, "SO-1/1"),
        ("PL-000001", "C", 1.0, "SO-2/1"),
        ("PL-000001", "C", 3.0, "SO-3/1"),
    ]
    # the vectorised path for plain lot-for-lot items merges the same way
    case.items = [Item("C")]
    inp = case.build()
    assert view(inp, execute(inp, fast_path=True)) == view(inp, execute(inp, fast_path=False))
    assert plan_view(case).planned == [("PL-000001", "C", 6.0, 4, 4, "")]


def test_sunday_need_uses_its_own_date_for_existing_supply() -> None:
    case = Case(
        items=[Item("C")],
        purchases=[("PO-1/1", "C", 2, 6)],
        demands=[("SO-1", 1, "C", 1, 4), ("SO-2", 1, "C", 3, 6)],
        work_days=MON_FRI,
        reschedule_in=0,
    )
    v = plan_view(case)
    # the PO due Sunday covers 2 of Sunday's 3 but nothing of Friday's (no pull-in);
    # what is missing on Friday and Sunday is one order due Friday
    assert v.planned == [("PL-000001", "C", 2.0, 4, 4, "")]
    assert v.pegging == [
        ("PO-1/1", "C", 2.0, "SO-2/1"),
        ("PL-000001", "C", 1.0, "SO-1/1"),
        ("PL-000001", "C", 1.0, "SO-2/1"),
    ]


def test_poq_period_counts_calendar_days_from_the_first_requirement() -> None:
    case = Case(
        items=[Item("P", rule="poq", period=3)],
        demands=[("SO-1", 1, "P", 1, 5), ("SO-2", 1, "P", 1, 7), ("SO-3", 1, "P", 1, 8)],
        work_days=MON_FRI,
    )
    v = plan_view(case)
    # Sat 5's order is due Fri 4 and covers [5, 8): Sat and Mon; Tue 8 gets its own
    assert v.planned == [("PL-000001", "P", 2.0, 4, 4, ""), ("PL-000002", "P", 1.0, 8, 8, "")]


def test_late_make_order_completes_working_days_after_today() -> None:
    case = Case(
        items=[Item("A", make=True, lt=3)],
        demands=[("SO-1", 1, "A", 1, 7)],
        work_days=MON_FRI,
        planning_date=3,
    )
    v = plan_view(case)
    # today Thu 3; due Mon 7; 3 working days back is Wed 2 < today: released today, late;
    # earliest completion 3 working days after Thu: Fri 4, Mon 7, Tue 8
    assert v.planned == [("PL-000001", "A", 1.0, 3, 7, "")]
    assert v.completion == {"PL-000001": (8, True)}
    assert v.exc("late") == [("late", "A", "PL-000001", 8, "SO-1")]
    assert v.messages == [
        "due 2025-01-13, earliest completion 2025-01-14, release would be before the planning date",
        "1 to make",
    ]


def test_late_buy_order_arrives_on_the_first_working_day_after_its_lead_time() -> None:
    case = Case(items=[Item("B", lt=5)], demands=[("SO-1", 1, "B", 1, 2)], work_days=MON_FRI)
    v = plan_view(case)
    # today + 5 calendar days is Sat 5: the first working day after is Mon 7
    assert v.completion == {"PL-000001": (7, True)}
    assert v.lines == {"SO-1/1": 7}


def test_dependent_demand_keeps_its_decimals_the_planned_order_is_rounded_up() -> None:
    case = Case(
        items=[Item("P", make=True, decimals=0), Item("C", decimals=0)],
        bom=[("P", "C", 1, 3.0)],  # 3 % scrap
        demands=[("SO-1", 1, "P", 4, 5), ("SO-2", 1, "C", 0.5, 9)],
    )
    v = plan_view(case)
    # P needs 4 x 1.03 = 4.12 of C (not rounded); C's order is 5 and its 0.88 excess
    # stays in the pool for SO-2's 0.5
    assert v.planned == [("PL-000001", "P", 4.0, 5, 5, ""), ("PL-000002", "C", 5.0, 5, 5, "")]
    assert sorted(v.pegging) == [
        ("PL-000001", "P", 4.0, "SO-1/1"),
        ("PL-000002", "C", 0.5, "SO-2/1"),
        ("PL-000002", "C", 4.12, "PL-000001"),
    ]
    case.items[1] = Item("C", decimals=1)
    assert plan_view(case).planned[1] == ("PL-000002", "C", 4.2, 5, 5, "")
    case.items[1] = Item("C")  # v1: no rounding
    assert plan_view(case).planned[1:] == [
        ("PL-000002", "C", 4.12, 5, 5, ""),
        ("PL-000003", "C", 0.5, 9, 9, ""),
    ]


def test_rounding_forgives_float_noise() -> None:
    assert round_to_places(4.0000000001, 1.0) == 4.0
    assert round_to_places(4.2, 1.0) == 5.0
    assert round_to_places(4.0000001, 1.0) == 5.0  # never short by more than noise
    assert round_to_places(0.1 + 0.2, 10.0) == 0.3
    assert round_to_places(0.01, 1.0) == 1.0  # any positive quantity is at least one step
    assert round_to_places(4.2, 0.0) == 4.2  # not rounded
    assert lot_size(4.2, LFL, 0.0, 0.0, 0.0, 100.0) == 4.2


def _configured() -> Case:
    """F is made on open order MO-1 (components not issued) from S, made from R,
    bought in 10 calendar days: MO-1 cannot finish by its due date."""
    return Case(
        items=[
            Item("T", make=True, lt=1),
            Item("F", make=True, lt=2),
            Item("S", make=True, lt=2),
            Item("R", lt=10),
        ],
        bom=[("T", "F", 1), ("F", "S", 1), ("S", "R", 1)],
        productions=[("MO-1", "F", 2, 4, 2, False, "")],
        demands=[("SO-1", 1, "F", 1, 7), ("SO-2", 1, "T", 1, 10)],
        work_days=MON_FRI,
    )


def test_open_production_order_is_late_through_a_component_two_levels_down() -> None:
    v = plan_view(_configured())
    # MO-1 demands 2 S on its start, Wed 2: S due Wed 2, released Mon 0, demands 2 R
    # on Mon 0; R is due Mon 0, its release (Fri -10) is clamped: late, arrives on
    # fwd(0 + 10, 0) = Thu 10. S completes 2 working days later, Mon 14; MO-1 2 more
    # on, Wed 16: after its due date Fri 4, so it is late and available on Wed 16
    assert v.planned == [
        ("PL-000001", "T", 1.0, 9, 10, ""),
        ("PL-000002", "S", 2.0, 0, 2, ""),
        ("PL-000003", "R", 2.0, 0, 0, ""),
    ]
    assert v.completion == {
        "PL-000001": (17, True),  # T waits for MO-1 (not for its due date, Fri 4)
        "PL-000002": (14, True),
        "PL-000003": (10, True),
    }
    assert v.productions == {"MO-1": (16, 16, True)}
    late = [e for e in v.exc("late") if e[2] == "MO-1"]
    assert late == [("late", "F", "MO-1", 16, "SO-1"), ("late", "F", "MO-1", 16, "SO-2")]
    k = v.exceptions.index(late[0])
    assert v.messages[k] == "due 2025-01-10, earliest completion 2025-01-22"
    # the sales line MO-1 covers is projected on Wed 16, after its due date Mon 7
    assert v.lines == {"SO-1/1": 16, "SO-2/1": 17}


def test_open_production_order_with_components_in_time_completes_on_its_due_date() -> None:
    case = _configured()
    case.stock = [("S", 2)]
    v = plan_view(case)
    assert v.productions == {"MO-1": (4, 4, False)}
    assert v.lines == {"SO-1/1": 7, "SO-2/1": 10}
    assert v.exc("late") == []


def test_listed_components_date_an_open_production_order_too() -> None:
    case = _configured()
    case.components = [("MO-1", "S", 2)]  # configured: listed outstanding components
    assert plan_view(case).productions == {"MO-1": (16, 16, True)}


def test_projected_dates_of_lines_from_what_covers_them() -> None:
    case = Case(
        items=[Item("K"), Item("L", lt=5), Item("O"), Item("M", make=True)],
        stock=[("K", 2)],
        purchases=[("PO-1/1", "O", 2, -3)],
        productions=[("MO-1", "M", 1, 6, 4, True)],
        demands=[
            ("SO-1", 1, "K", 1, 3),  # stock: on time
            ("SO-1", 2, "K", 1, -2),  # overdue, from stock today
            ("SO-2", 1, "L", 1, 2),  # a late planned order: arrives 0 + 5
            ("SO-3", 1, "O", 1, 1),  # an overdue PO, available today
            ("SO-3", 2, "O", 1, -2),  # the same PO for an overdue line
            ("SO-4", 1, "M", 1, 3),  # MO-1 (due 6) pulled in: still comes on 6
        ],
    )
    v = plan_view(case)
    assert v.lines == {"SO-1/1": 3, "SO-1/2": 0, "SO-2/1": 5, "SO-3/1": 1, "SO-3/2": 0, "SO-4/1": 6}
    assert v.productions == {"MO-1": (6, 6, False)}


def test_lines_outside_the_plan_are_marked() -> None:
    case = Case(items=[Item("K")], demands=[("SO-1", 1, "K", 1, 40)], horizon=30)
    inp = case.build()
    res = execute(inp)
    assert res.line_dates.in_plan.tolist() == [False]
    assert res.line_dates.projected.tolist() == [inp.demands.due[0]]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 6), min_size=1, max_size=7, unique=True),
    st.lists(st.integers(-30, 60), max_size=12, unique=True),
    st.lists(st.integers(-20, 40), min_size=64, max_size=120),
    st.integers(0, 6),
)
def test_big_arrays_move_through_a_table_like_busday_offset(
    work_days: list[int], holidays: list[int], days: list[int], n: int
) -> None:
    """Arrays from 64 days use a table of working days; one day at a time uses
    NumPy's business days: both must agree, for back and fwd, fixed and per-day n."""
    cal = WorkCalendar(tuple(sorted(work_days)), tuple(D0 + h for h in holidays))
    day = np.asarray([D0 + d for d in days], dtype=np.int64)
    steps = (day + n) % 5
    for move in (cal.back, cal.fwd):
        assert move(day, n).tolist() == [move(int(d), n) for d in day.tolist()]
        assert move(day, steps).tolist() == [
            move(int(d), int(k)) for d, k in zip(day.tolist(), steps.tolist(), strict=True)
        ]

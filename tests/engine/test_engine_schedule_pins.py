"""Pinned operations in the finite schedule, by hand (the shop of ``_two_centers``:
Mon–Fri, A 8 h a day, B 8 h a day as two 4 h units; 2027-01-04 is a Monday)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from test_engine_schedule import ops, orders

from _two_centers import centers, d
from pegboard.engine.schedule import (
    NONE,
    ScheduleOps,
    pin_overloads,
    schedule,
    schedule_reference,
)


def pin(rows: ScheduleOps, pins: dict[int, tuple[str, str]]) -> ScheduleOps:
    """``rows`` with operation k pinned from its first to its last day."""
    start = np.full(len(rows), NONE, dtype=np.int64)
    end = start.copy()
    for k, (first, last) in pins.items():
        start[k], end[k] = d(first), d(last)
    return replace(rows, pin_start=start, pin_end=end)


def test_a_pinned_operation_stays_on_its_day_and_the_next_follows_it() -> None:
    # 10 runs Monday as usual; 20 is pinned to Thursday, three days after it could run;
    # 30 (on B, 4 h a unit) starts where 20 ends: half of Thursday gone, 2 h there, 2 Friday
    rows = pin(ops([(0, 10, 0, 4.0), (0, 20, 0, 4.0), (0, 30, 1, 4.0)]), {1: ("2027-01-07",) * 2})
    s = schedule(orders(["X"], ["2027-01-04"]), rows, centers())
    assert s.start.tolist() == [d("2027-01-04"), d("2027-01-07"), d("2027-01-07")]
    assert s.end.tolist() == [d("2027-01-04"), d("2027-01-07"), d("2027-01-08")]
    assert s.completion.tolist() == [d("2027-01-08")]
    assert s.used[(0, d("2027-01-07"))] == 4.0
    assert (s.used[(1, d("2027-01-07"))], s.used[(1, d("2027-01-08"))]) == (2.0, 2.0)
    assert s.held_days.tolist() == [0, 0, 0]


def test_a_pin_takes_its_hours_first_and_may_overload_a_day() -> None:
    # Y (priority 1) would run Monday on A; X's 12 h are pinned to Monday, more than A's
    # 8: Monday is overloaded, and Y is held to Tuesday
    rows = pin(ops([(0, 10, 0, 8.0), (1, 10, 0, 12.0)]), {1: ("2027-01-04",) * 2})
    shop = orders(["Y", "X"], ["2027-01-04"] * 2, priority=[1, 5])
    s = schedule(shop, rows, centers())
    assert (s.start[0], s.held_from[0], s.held_days[0]) == (d("2027-01-05"), d("2027-01-04"), 1)
    assert (s.start[1], s.end[1]) == (d("2027-01-04"), d("2027-01-04"))
    assert pin_overloads(rows, centers(), s) == [(0, d("2027-01-04"), 12.0, 8.0)]
    same = schedule_reference(shop, rows, centers())
    assert (same.start.tolist(), same.used) == (s.start.tolist(), s.used)


def test_a_pin_over_days_spreads_its_hours_over_those_its_work_center_works() -> None:
    # pinned Friday to Tuesday: 9 h over Friday, Monday and Tuesday (not the weekend)
    rows = pin(ops([(0, 10, 0, 9.0)]), {0: ("2027-01-08", "2027-01-12")})
    s = schedule(orders(["X"], ["2027-01-04"]), rows, centers())
    assert s.used == {(0, d(x)): 3.0 for x in ("2027-01-08", "2027-01-11", "2027-01-12")}
    assert pin_overloads(rows, centers(), s) == []


def test_no_pins_is_the_schedule_without_them() -> None:
    rows = ops([(0, 10, 0, 8.0), (1, 10, 0, 12.0), (1, 20, 1, 3.0)])
    shop = orders(["Y", "X"], ["2027-01-04"] * 2, priority=[1, 5])
    plain, none = schedule(shop, rows, centers()), schedule(shop, pin(rows, {}), centers())
    assert (plain.start.tolist(), plain.end.tolist(), plain.used) == (
        none.start.tolist(),
        none.end.tolist(),
        none.used,
    )

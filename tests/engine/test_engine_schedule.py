"""The finite schedule computed by hand (Mon–Fri calendar; 2027-01-04 is a Monday)."""

from __future__ import annotations

import numpy as np
import pytest

from _two_centers import MON_FRI, centers, d
from pegboard.engine.calendar import WorkCalendar
from pegboard.engine.capacity import WorkCenters
from pegboard.engine.schedule import (
    BY_PLAN,
    FULL,
    NONE,
    ROUTING,
    ScheduleError,
    ScheduleOps,
    ScheduleOrders,
    schedule,
)


def orders(
    codes: list[str],
    ready: list[str],
    *,
    released: list[bool] | None = None,
    priority: list[int] | None = None,
    due: list[str] | None = None,
    lead: list[int] | None = None,
    floor: list[str] | None = None,
    preds: list[list[int]] | None = None,
) -> ScheduleOrders:
    n = len(codes)
    pred = preds or [[] for _ in codes]
    return ScheduleOrders(
        code=codes,
        released=np.array(released or [False] * n, dtype=np.bool_),
        priority=np.array(priority or [100] * n, dtype=np.int64),
        due=np.array([d(x) for x in (due or ready)], dtype=np.int64),
        ready=np.array([d(x) for x in ready], dtype=np.int64),
        lead=np.array(lead or [0] * n, dtype=np.int64),
        floor=np.array([d(x) for x in (floor or ready)], dtype=np.int64),
        pred_ptr=np.cumsum([0, *(len(p) for p in pred)]).astype(np.int64),
        pred=np.array([j for p in pred for j in p], dtype=np.int64),
    )


def ops(rows: list[tuple[int, int, int, float]], queue: list[int] | None = None) -> ScheduleOps:
    """(order, sequence, work center, hours) rows."""
    n = len(rows)
    return ScheduleOps(
        order=np.array([r[0] for r in rows], dtype=np.int64),
        sequence=np.array([r[1] for r in rows], dtype=np.int64),
        work_center=np.array([r[2] for r in rows], dtype=np.int64),
        hours=np.array([r[3] for r in rows], dtype=np.float64),
        queue_days=np.array(queue or [0] * n, dtype=np.int64),
        move_days=np.zeros(n, dtype=np.int64),
    )


def test_two_orders_compete_for_one_work_center() -> None:
    # X (priority 1) takes A on Thursday (8 h) and Friday (4 h); Y (priority 5, due
    # earlier) finds A full on Thursday, gets the 4 h left on Friday and ends Monday, after
    # its lead time (a day: Friday), held by A
    s = schedule(
        orders(
            ["Y", "X"],
            ["2027-01-07", "2027-01-07"],
            priority=[5, 1],
            due=["2027-01-08"] * 2,
            lead=[1, 1],
        ),
        ops([(0, 10, 0, 8.0), (1, 10, 0, 12.0)]),
        centers(),
    )
    assert s.start.tolist() == [d("2027-01-08"), d("2027-01-07")]
    assert s.end.tolist() == [d("2027-01-11"), d("2027-01-08")]
    assert s.completion.tolist() == [d("2027-01-11"), d("2027-01-08")]
    assert s.ready.tolist() == [d("2027-01-07"), d("2027-01-07")]
    assert (s.held_from[0], s.held_to[0], s.held_days[0]) == (d("2027-01-07"), d("2027-01-08"), 2)
    assert s.held_from[1] == NONE
    assert s.bottleneck.tolist() == [0, NONE]
    assert s.cause.tolist() == [FULL, BY_PLAN]
    assert s.used == {
        (0, d("2027-01-07")): 8.0,
        (0, d("2027-01-08")): 8.0,
        (0, d("2027-01-11")): 4.0,
    }
    assert s.rank.tolist() == [1, 0]


def test_a_released_order_goes_first_whatever_its_priority() -> None:
    s = schedule(
        orders(["Y", "X"], ["2027-01-07"] * 2, released=[True, False], priority=[5, 1]),
        ops([(0, 10, 0, 8.0), (1, 10, 0, 12.0)]),
        centers(),
    )
    assert s.end.tolist() == [d("2027-01-07"), d("2027-01-11")]
    assert s.start.tolist() == [d("2027-01-07"), d("2027-01-08")]


def test_the_same_priority_goes_by_due_date_then_code() -> None:
    s = schedule(
        orders(
            ["B2", "B1", "A"], ["2027-01-07"] * 3, due=["2027-01-20", "2027-01-20", "2027-01-25"]
        ),
        ops([(0, 1, 0, 8.0), (1, 1, 0, 8.0), (2, 1, 0, 8.0)]),
        centers(),
    )
    assert s.end.tolist() == [d("2027-01-08"), d("2027-01-07"), d("2027-01-11")]


def test_an_operation_waits_for_its_component() -> None:
    # the component C (12 h on A) can start on Friday: 8 h then, 4 h on Monday; its
    # parent P is ready on Monday 01-04 but waits for C until Monday 01-11, then needs
    # 6 h of one unit of B (4 a day): 4 on Monday, 2 on Tuesday
    s = schedule(
        orders(["P", "C"], ["2027-01-04", "2027-01-08"], preds=[[1], []]),
        ops([(0, 10, 1, 6.0), (1, 10, 0, 12.0)]),
        centers(),
    )
    assert s.order_ready.tolist() == [d("2027-01-11"), d("2027-01-08")]
    assert s.completion.tolist() == [d("2027-01-12"), d("2027-01-11")]
    assert s.start[0] == d("2027-01-11")
    assert s.held_from.tolist() == [NONE, NONE]


def test_a_component_takes_the_rank_of_the_urgent_order_it_serves() -> None:
    # U (priority 1) needs C; L (priority 9) competes with C for A: C goes first
    s = schedule(
        orders(["U", "C", "L"], ["2027-01-04"] * 3, priority=[1, 100, 9], preds=[[1], [], []]),
        ops([(1, 1, 0, 8.0), (2, 1, 0, 8.0)]),
        centers(),
    )
    assert s.end.tolist() == [d("2027-01-04"), d("2027-01-05")]
    assert s.completion[0] == d("2027-01-04")  # U has no operations and no lead time


def test_across_a_weekend_a_holiday_and_a_closed_day() -> None:
    # 20 h on A from Friday 01-08: 8 on Friday, Monday 01-11 is a holiday, 8 on Tuesday,
    # 4 on Wednesday (half of the day). Then 6 h on one unit of B (4 a day) from the
    # middle of Wednesday: 2 that day, Thursday 01-14 B is closed, 4 on Friday 01-15
    s = schedule(
        orders(["X"], ["2027-01-08"]),
        ops([(0, 10, 0, 20.0), (0, 20, 1, 6.0)]),
        centers(holidays=(d("2027-01-11"),), closed_b=frozenset({d("2027-01-14")})),
    )
    assert s.start.tolist() == [d("2027-01-08"), d("2027-01-13")]
    assert s.end.tolist() == [d("2027-01-13"), d("2027-01-15")]
    assert s.used[(1, d("2027-01-13"))] == pytest.approx(2.0)
    assert s.used[(1, d("2027-01-15"))] == pytest.approx(4.0)
    assert s.completion[0] == d("2027-01-15")


def test_queue_days_put_whole_working_days_between_operations() -> None:
    # A 4 h on Friday 01-08 (ends mid-day); with one queue day B does not start the same
    # afternoon but on the next working day, Monday 01-11 (the load's gap, mirrored)
    s = schedule(
        orders(["X"], ["2027-01-08"]),
        ops([(0, 10, 0, 4.0), (0, 20, 1, 4.0)], queue=[0, 1]),
        centers(),
    )
    assert s.start.tolist() == [d("2027-01-08"), d("2027-01-11")]


def test_an_order_without_operations_takes_its_lead_time_in_working_days() -> None:
    s = schedule(
        orders(["X"], ["2027-01-08"], lead=[3]),
        ops([]),
        centers(holidays=(d("2027-01-11"),)),
    )
    assert s.completion.tolist() == [d("2027-01-14")]


def test_operations_never_complete_an_order_before_its_lead_time_or_the_plan() -> None:
    # 4 h on A take Friday morning; the lead time (3 working days over the holiday) ends
    # on Thursday 01-14; the plan's date (floor) of Y, Monday 01-18, is later still
    s = schedule(
        orders(["X", "Y"], ["2027-01-08"] * 2, lead=[3, 0], floor=["2027-01-08", "2027-01-18"]),
        ops([(0, 1, 0, 4.0), (1, 1, 0, 4.0)]),
        centers(holidays=(d("2027-01-11"),)),
    )
    assert s.end.tolist() == [d("2027-01-08"), d("2027-01-08")]
    assert s.completion.tolist() == [d("2027-01-14"), d("2027-01-18")]
    assert s.cause.tolist() == [BY_PLAN, BY_PLAN]  # X was held on Friday: not why it is late


def test_an_order_whose_routing_is_longer_than_its_lead_time_names_its_slowest_operation() -> None:
    # 4 h on A then 12 h on one unit of B (4 a day): Friday, Monday, Tuesday 01-12,
    # Wednesday; a lead time of 1 day would have ended on Monday
    s = schedule(
        orders(["X"], ["2027-01-08"], lead=[1]),
        ops([(0, 1, 0, 4.0), (0, 2, 1, 14.0)]),
        centers(),
    )
    assert s.completion.tolist() == [d("2027-01-13")]
    assert (s.cause[0], s.bottleneck[0]) == (ROUTING, 1)


def test_orders_waiting_for_each_other_are_refused_by_name() -> None:
    with pytest.raises(ScheduleError, match="A, B"):
        schedule(orders(["A", "B"], ["2027-01-04"] * 2, preds=[[1], [0]]), ops([]), centers())


def test_a_work_center_without_hours_is_refused() -> None:
    wcs = WorkCenters(
        code=["Z"],
        weekday_hours=np.zeros((1, 7)),
        units=np.array([1]),
        efficiency=np.array([1.0]),
        closed=[frozenset()],
        calendar=WorkCalendar(MON_FRI),
    )
    with pytest.raises(ScheduleError, match="Z"):
        schedule(orders(["X"], ["2027-01-04"]), ops([(0, 1, 0, 1.0)]), wcs)

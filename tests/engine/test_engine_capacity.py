"""Backward scheduling of operations for the load, computed by hand (Mon–Fri calendar)."""

from __future__ import annotations

import numpy as np
import pytest

from _two_centers import MON_FRI, centers, d
from pegboard.engine.calendar import WorkCalendar
from pegboard.engine.capacity import (
    CapacityError,
    Operations,
    WorkCenters,
    backward_load,
    weekday,
)


def ops(hours: list[float], wc: list[int], queue: list[int] | None = None) -> Operations:
    n = len(hours)
    return Operations(
        order=np.zeros(n, dtype=np.int64),
        work_center=np.array(wc, dtype=np.int64),
        hours=np.array(hours, dtype=np.float64),
        queue_days=np.array(queue or [0] * n, dtype=np.int64),
        move_days=np.zeros(n, dtype=np.int64),
    )


def test_weekday_of_an_ordinal() -> None:
    assert weekday(d("2027-01-04")) == 0  # a Monday
    assert weekday(d("2027-01-10")) == 6


def test_two_operations_back_from_a_monday_across_the_weekend() -> None:
    # B (6 h) ends Monday 01-11: 4 h that day, 2 h on Friday 01-08 (it starts half-way);
    # A (12 h) ends where B starts: 4 h on Friday, 8 h on Thursday 01-07
    load = backward_load(ops([12, 6], [0, 1]), np.array([d("2027-01-11")]), centers())
    assert load.rows == {
        (1, d("2027-01-11")): 4.0,
        (1, d("2027-01-08")): 2.0,
        (0, d("2027-01-08")): 4.0,
        (0, d("2027-01-07")): 8.0,
    }
    assert load.start.tolist() == [d("2027-01-07"), d("2027-01-08")]
    assert load.end.tolist() == [d("2027-01-08"), d("2027-01-11")]
    assert centers().available(1, d("2027-01-11")) == 8.0
    assert centers().available(1, d("2027-01-09")) == 0.0  # a Saturday


def test_a_holiday_and_a_closed_day_are_skipped() -> None:
    wcs = centers(holidays=(d("2027-01-07"),), closed_b=frozenset({d("2027-01-08")}))
    load = backward_load(ops([12, 6], [0, 1]), np.array([d("2027-01-11")]), wcs)
    # B: 4 h Monday, Friday closed for B, 2 h on Thursday? a holiday: Wednesday 01-06
    assert load.rows[(1, d("2027-01-11"))] == 4.0
    assert load.rows[(1, d("2027-01-06"))] == 2.0
    # A then ends Wednesday where B starts (half of A's 8 h day left: 4 h), 8 h Tuesday
    assert load.rows[(0, d("2027-01-06"))] == 4.0
    assert load.rows[(0, d("2027-01-05"))] == 8.0
    assert load.start.tolist()[0] == d("2027-01-05")


def test_queue_days_put_working_days_between_operations() -> None:
    # B's queue day: A ends at the end of Thursday 01-07 (one working day before Friday)
    load = backward_load(ops([12, 6], [0, 1], queue=[0, 1]), np.array([d("2027-01-11")]), centers())
    assert load.rows[(0, d("2027-01-07"))] == 8.0
    assert load.rows[(0, d("2027-01-06"))] == 4.0
    assert (0, d("2027-01-08")) not in load.rows


def test_orders_are_independent_and_the_load_adds_up() -> None:
    operations = Operations(
        order=np.array([0, 1], dtype=np.int64),
        work_center=np.array([0, 0], dtype=np.int64),
        hours=np.array([8.0, 8.0]),
        queue_days=np.zeros(2, dtype=np.int64),
        move_days=np.zeros(2, dtype=np.int64),
    )
    due = np.array([d("2027-01-11"), d("2027-01-11")])
    load = backward_load(operations, due, centers())
    assert load.rows == {(0, d("2027-01-11")): 16.0}  # twice what A has that day
    assert sorted(load.by_operation[(0, d("2027-01-11"))]) == [0, 1]


def test_a_work_center_without_hours_is_refused() -> None:
    wcs = WorkCenters(
        code=["OFF"],
        weekday_hours=np.zeros((1, 7)),
        units=np.array([1]),
        efficiency=np.array([1.0]),
        closed=[frozenset()],
        calendar=WorkCalendar(MON_FRI, ()),
    )
    with pytest.raises(CapacityError, match="OFF"):
        backward_load(ops([1], [0]), np.array([d("2027-01-11")]), wcs)

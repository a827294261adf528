"""A quote placed into a stored schedule's free hours (``engine.free_hours``), by hand on
the two-work-center shop (Mon–Fri; 2027-01-04 is a Monday), and against the schedule
of everything at once."""

from __future__ import annotations

import numpy as np
import pytest

from _two_centers import centers, d
from pegboard.engine.free_hours import place_after
from pegboard.engine.schedule import FULL, ScheduleOps, ScheduleOrders, schedule_reference


def _orders(
    ready: list[int], priority: list[int], floor: list[int] | None = None
) -> ScheduleOrders:
    n = len(ready)
    return ScheduleOrders(
        code=[f"O{i}" for i in range(n)],
        released=np.zeros(n, dtype=np.bool_),
        priority=np.array(priority, dtype=np.int64),
        due=np.array(ready, dtype=np.int64),
        ready=np.array(ready, dtype=np.int64),
        lead=np.zeros(n, dtype=np.int64),
        floor=np.array(floor or ready, dtype=np.int64),
        pred_ptr=np.zeros(n + 1, dtype=np.int64),
        pred=np.zeros(0, dtype=np.int64),
    )


def _ops(rows: list[tuple[int, int, int, float]]) -> ScheduleOps:
    n = len(rows)
    return ScheduleOps(
        order=np.array([r[0] for r in rows], dtype=np.int64),
        sequence=np.array([r[1] for r in rows], dtype=np.int64),
        work_center=np.array([r[2] for r in rows], dtype=np.int64),
        hours=np.array([r[3] for r in rows], dtype=np.float64),
        queue_days=np.zeros(n, dtype=np.int64),
        move_days=np.zeros(n, dtype=np.int64),
    )


def test_the_quote_takes_what_is_left_and_is_held_on_full_days() -> None:
    """A full on Monday, half on Tuesday: an 8 h operation ready Monday gets 4 h on
    Tuesday and 4 h on Wednesday, held on Monday and Tuesday."""
    wcs = centers()
    used = np.zeros((2, 5))
    used[0, :2] = [8.0, 4.0]
    placed = place_after(
        _orders([d("2027-01-04")], [100]), _ops([(0, 10, 0, 8.0)]), wcs, used, d("2027-01-04")
    )
    assert (placed.start[0], placed.end[0], placed.completion[0]) == (
        d("2027-01-05"),
        d("2027-01-06"),
        d("2027-01-06"),
    )
    assert (placed.held_from[0], placed.held_to[0], placed.cause[0]) == (
        d("2027-01-04"),
        d("2027-01-05"),
        FULL,
    )


def test_past_the_hours_read_the_work_centers_are_free() -> None:
    wcs = centers()
    used = np.full((2, 2), 8.0)  # A and B full Monday and Tuesday, nothing read after
    placed = place_after(
        _orders([d("2027-01-04")], [100]), _ops([(0, 10, 1, 8.0)]), wcs, used, d("2027-01-04")
    )
    # B: one operation uses one unit, 4 standard hours a day: Wednesday and Thursday
    assert (placed.start[0], placed.end[0]) == (d("2027-01-06"), d("2027-01-07"))


def test_an_order_ready_before_the_hours_read_is_refused() -> None:
    with pytest.raises(ValueError, match="before the first day"):
        place_after(
            _orders([d("2027-01-04")], [100]),
            _ops([(0, 10, 0, 1.0)]),
            centers(),
            np.zeros((2, 3)),
            d("2027-01-05"),
        )


@pytest.mark.parametrize("seed", range(12))
def test_the_quote_lands_where_the_whole_schedule_puts_it_last(seed: int) -> None:
    """Scheduling the stored orders and the quote together (the quote at the lowest
    priority) places the quote where placing it alone into the stored orders' hours
    does, when those hours are the schedule's own per day."""
    rng = np.random.default_rng(seed)
    wcs = centers(holidays=(d("2027-01-13"),), closed_b=frozenset({d("2027-01-07")}))
    first = d("2027-01-04")
    n = int(rng.integers(3, 9))
    ready = [first + int(x) for x in rng.integers(0, 10, n)]
    rows = [
        (i, 10 * (s + 1), int(rng.integers(0, 2)), float(rng.integers(1, 30)))
        for i in range(n)
        for s in range(int(rng.integers(1, 4)))
    ]
    quote_ready = first + int(rng.integers(0, 6))
    quote_rows = [(0, 10, 0, float(rng.integers(1, 20))), (0, 20, 1, float(rng.integers(1, 20)))]
    both = schedule_reference(
        _orders([*ready, quote_ready], [50] * n + [10**9]),
        _ops([*rows, *((n, s, w, h) for _, s, w, h in quote_rows)]),
        wcs,
    )
    stored = schedule_reference(_orders(ready, [50] * n), _ops(rows), wcs)
    last = max(day for _, day in stored.used) + 1
    used = np.zeros((2, last - quote_ready + 1))
    for (wc, day), hours in stored.used.items():
        if day >= quote_ready:
            used[wc, day - quote_ready] = hours
    alone = place_after(_orders([quote_ready], [10**9]), _ops(quote_rows), wcs, used, quote_ready)
    k = len(rows)
    assert alone.start.tolist() == both.start[k:].tolist()
    assert alone.end.tolist() == both.end[k:].tolist()
    assert alone.completion[0] == both.completion[n]
    assert alone.held_from.tolist() == both.held_from[k:].tolist()

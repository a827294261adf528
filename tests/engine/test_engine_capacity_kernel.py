"""The compiled backward load (``schedule_kernel``) is the plain loop's load, exactly:
the same start and end of every operation, the same hours per work center and day to
the last bit, the same operations on each day in the same order, on random shops."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _two_centers import d
from pegboard.engine.calendar import WorkCalendar
from pegboard.engine.capacity import (
    CapacityError,
    Load,
    Operations,
    WorkCenters,
    backward_load,
    backward_load_reference,
)

START = d("2027-01-04")


@st.composite
def shops(draw: st.DrawFn) -> tuple[Operations, np.ndarray, WorkCenters]:
    n_wc = draw(st.integers(1, 4))
    work_days = tuple(sorted(draw(st.sets(st.integers(0, 6), min_size=1, max_size=7))))
    holidays = tuple(draw(st.sets(st.integers(START - 60, START + 60), max_size=8)))
    hours = draw(
        st.lists(
            st.lists(st.sampled_from([0.0, 4.0, 7.5, 8.0, 10.0]), min_size=7, max_size=7),
            min_size=n_wc,
            max_size=n_wc,
        )
    )
    for row in hours:  # every work center works some day of the week
        row[draw(st.sampled_from(work_days))] = draw(st.sampled_from([3.0, 8.0]))
    wcs = WorkCenters(
        code=[f"WC{i}" for i in range(n_wc)],
        weekday_hours=np.array(hours, dtype=np.float64),
        units=np.array(draw(st.lists(st.integers(1, 3), min_size=n_wc, max_size=n_wc))),
        efficiency=np.array(
            draw(st.lists(st.sampled_from([0.7, 1.0, 1.15]), min_size=n_wc, max_size=n_wc))
        ),
        closed=[
            frozenset(draw(st.sets(st.integers(START - 40, START + 40), max_size=6)))
            for _ in range(n_wc)
        ],
        calendar=WorkCalendar(work_days, holidays),
    )
    n_orders = draw(st.integers(1, 8))
    rows = draw(
        st.lists(
            st.tuples(
                st.integers(0, n_orders - 1),
                st.integers(0, n_wc - 1),
                st.sampled_from([0.0, 0.1, 1.0, 2.5, 6.0, 13.3, 40.0, 1 / 3]),
                st.integers(0, 2),
                st.integers(0, 2),
            ),
            min_size=1,
            max_size=20,
        )
    )
    rows.sort(key=lambda r: r[0])  # an order's rows together, in sequence
    ops = Operations(
        order=np.array([r[0] for r in rows], dtype=np.int64),
        work_center=np.array([r[1] for r in rows], dtype=np.int64),
        hours=np.array([r[2] for r in rows], dtype=np.float64),
        queue_days=np.array([r[3] for r in rows], dtype=np.int64),
        move_days=np.array([r[4] for r in rows], dtype=np.int64),
    )
    due = np.array(
        draw(st.lists(st.integers(START, START + 30), min_size=n_orders, max_size=n_orders))
    )
    return ops, due, wcs


def same(got: Load, want: Load) -> None:
    assert got.start.tolist() == want.start.tolist()
    assert got.end.tolist() == want.end.tolist()
    assert got.rows == want.rows  # floats compared exactly: the same sums in the same order
    assert got.by_operation == want.by_operation
    assert _shares(got) == _shares(want)


def _shares(load: Load) -> dict[tuple[int, int], list[tuple[int, float]]]:
    """Each (work center, day)'s users with the hours each takes of it, which add up to
    the day's hours."""
    users, used, cut = load.users.tolist(), load.used.tolist(), load.cut.tolist()
    out = {
        key: list(zip(users[cut[i] : cut[i + 1]], used[cut[i] : cut[i + 1]], strict=True))
        for i, key in enumerate(load.rows)
    }
    for key, hours in load.rows.items():
        assert abs(sum(h for _, h in out[key]) - hours) < 1e-9
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shops())
def test_kernel_gives_the_plain_loops_load(
    shop: tuple[Operations, np.ndarray, WorkCenters],
) -> None:
    ops, due, wcs = shop
    same(backward_load(ops, due, wcs), backward_load_reference(ops, due, wcs))


def test_a_long_walk_widens_the_kernels_days() -> None:
    # 4,000 h on a 4 h a week work center reach back 19 years: the tables are widened
    wcs = WorkCenters(
        code=["SLOW"],
        weekday_hours=np.array([[4.0, 0, 0, 0, 0, 0, 0]]),
        units=np.array([1]),
        efficiency=np.array([1.0]),
        closed=[frozenset()],
        calendar=WorkCalendar(),
    )
    ops = Operations(
        order=np.zeros(3, dtype=np.int64),
        work_center=np.zeros(3, dtype=np.int64),
        hours=np.array([1500.0, 1500.0, 1000.0]),
        queue_days=np.array([0, 5, 0]),
        move_days=np.array([0, 0, 3]),
    )
    due = np.array([START])
    load = backward_load(ops, due, wcs)
    same(load, backward_load_reference(ops, due, wcs))
    assert START - int(load.start[0]) > 7 * 990


def test_a_work_center_without_hours_is_refused_as_the_plain_loop_does() -> None:
    wcs = WorkCenters(
        code=["IDLE"],
        weekday_hours=np.zeros((1, 7)),
        units=np.array([1]),
        efficiency=np.array([1.0]),
        closed=[frozenset()],
        calendar=WorkCalendar(),
    )
    ops = Operations(
        order=np.zeros(1, dtype=np.int64),
        work_center=np.zeros(1, dtype=np.int64),
        hours=np.array([1.0]),
        queue_days=np.zeros(1, dtype=np.int64),
        move_days=np.zeros(1, dtype=np.int64),
    )
    for load in (backward_load, backward_load_reference):
        with pytest.raises(CapacityError, match="work center IDLE has no hours to work"):
            load(ops, np.array([START]), wcs)

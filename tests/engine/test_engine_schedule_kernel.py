"""The compiled finite schedule (``schedule_kernel.forward``) is the plain loop's
schedule, exactly: every operation's days and held days, every order's dates, cause
and bottleneck, the hours of each work center's day to the last bit; at finite and
unlimited capacity, on random shops (the properties' shops, rows shuffled)."""

from __future__ import annotations

import heapq
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_engine_schedule_properties import MONDAY, shops

from pegboard.engine import schedule_kernel
from pegboard.engine.calendar import WorkCalendar
from pegboard.engine.capacity import WorkCenters
from pegboard.engine.schedule import (
    NONE,
    Schedule,
    ScheduleError,
    ScheduleOps,
    ScheduleOrders,
    forward_infinite,
    forward_infinite_reference,
    schedule,
    schedule_reference,
)


def same(got: Schedule, want: Schedule) -> None:
    for name in Schedule.__dataclass_fields__:
        if name == "used":
            assert got.used == want.used  # floats compared exactly
        else:
            assert getattr(got, name).tolist() == getattr(want, name).tolist(), name


def shuffled(ops: ScheduleOps, seed: int) -> ScheduleOps:
    order = np.random.default_rng(seed).permutation(len(ops))
    pin_start, pin_end = ops.pins()
    return ScheduleOps(
        order=ops.order[order],
        sequence=ops.sequence[order],
        work_center=ops.work_center[order],
        hours=ops.hours[order],
        queue_days=ops.queue_days[order],
        move_days=ops.move_days[order],
        pin_start=pin_start[order],
        pin_end=pin_end[order],
    )


def pinned(ops: ScheduleOps, seed: int) -> ScheduleOps:
    """Some operations pinned (about one in three) to a few days from Monday on: a day
    the work center may not work, days already full, days before its order is ready."""
    rng = np.random.default_rng(seed)
    n = len(ops)
    start = np.where(rng.random(n) < 0.35, MONDAY + rng.integers(0, 15, n), NONE)
    end = np.where(start == NONE, NONE, start + rng.integers(0, 4, n))
    return replace(ops, pin_start=start.astype(np.int64), pin_end=end.astype(np.int64))


@settings(max_examples=200, deadline=None)
@given(shops(), st.integers(0, 2**32 - 1))
def test_kernel_gives_the_plain_loops_schedule(
    shop: tuple[ScheduleOrders, ScheduleOps, WorkCenters], seed: int
) -> None:
    orders, ops, wcs = shop
    ops = shuffled(ops, seed)
    same(schedule(orders, ops, wcs), schedule_reference(orders, ops, wcs))
    same(forward_infinite(orders, ops, wcs), forward_infinite_reference(orders, ops, wcs))


@settings(max_examples=200, deadline=None)
@given(shops(), st.integers(0, 2**32 - 1))
def test_kernel_places_pinned_operations_as_the_plain_loop(
    shop: tuple[ScheduleOrders, ScheduleOps, WorkCenters], seed: int
) -> None:
    orders, ops, wcs = shop
    ops = shuffled(pinned(ops, seed), seed)
    got = schedule(orders, ops, wcs)
    same(got, schedule_reference(orders, ops, wcs))
    same(forward_infinite(orders, ops, wcs), forward_infinite_reference(orders, ops, wcs))
    start, end = ops.pins()
    for k in np.flatnonzero(start != NONE).tolist():
        assert (got.start[k], got.end[k]) == (start[k], end[k])


def one_center(
    hours: list[float], week: list[float]
) -> tuple[ScheduleOrders, ScheduleOps, WorkCenters]:
    n = len(hours)
    wcs = WorkCenters(
        code=["SLOW"],
        weekday_hours=np.array([week]),
        units=np.array([1]),
        efficiency=np.array([1.0]),
        closed=[frozenset()],
        calendar=WorkCalendar((0, 1, 2, 3, 4)),
    )
    orders = ScheduleOrders(
        code=[f"O{i}" for i in range(n)],
        released=np.zeros(n, dtype=np.bool_),
        priority=np.full(n, 100, dtype=np.int64),
        due=np.full(n, MONDAY, dtype=np.int64),
        ready=np.full(n, MONDAY, dtype=np.int64),
        lead=np.ones(n, dtype=np.int64),
        floor=np.full(n, MONDAY, dtype=np.int64),
        pred_ptr=np.zeros(n + 1, dtype=np.int64),
        pred=np.zeros(0, dtype=np.int64),
    )
    ops = ScheduleOps(
        order=np.arange(n, dtype=np.int64),
        sequence=np.full(n, 10, dtype=np.int64),
        work_center=np.zeros(n, dtype=np.int64),
        hours=np.array(hours),
        queue_days=np.zeros(n, dtype=np.int64),
        move_days=np.zeros(n, dtype=np.int64),
    )
    return orders, ops, wcs


def test_a_center_booked_years_ahead_widens_the_kernels_days() -> None:
    # 4 h on Mondays: 20 orders of 120 h fill 600 weeks, past the first tables' reach
    orders, ops, wcs = one_center([120.0] * 20, [4.0, 0, 0, 0, 0, 0, 0])
    got = schedule(orders, ops, wcs)
    same(got, schedule_reference(orders, ops, wcs))
    assert int(got.completion.max()) - MONDAY > 7 * 590


def test_a_work_center_without_hours_is_refused_as_the_plain_loop_does() -> None:
    orders, ops, wcs = one_center([1.0], [0.0] * 7)
    for run in (schedule, schedule_reference):
        with pytest.raises(ScheduleError, match="work center SLOW has no hours to work"):
            run(orders, ops, wcs)


@st.composite
def waits(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Own ranks (a permutation) and which orders each waits for (only earlier-numbered
    ones: no cycle), shared components and long chains included."""
    n = draw(st.integers(1, 40))
    own = np.array(draw(st.permutations(range(n))), dtype=np.int64)
    preds = [
        sorted(draw(st.sets(st.integers(0, i - 1), max_size=min(i, 3)))) if i else []
        for i in range(n)
    ]
    ptr = np.cumsum([0, *(len(p) for p in preds)]).astype(np.int64)
    return own, ptr, np.array([j for p in preds for j in p], dtype=np.int64)


@settings(max_examples=300, deadline=None)
@given(waits())
def test_compiled_ranks_and_sequence_are_the_plain_loops(
    shop: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    """The effective ranks as ``_ranks`` hands them down, and the placing order as a
    heap of Python tuples (effective rank, own rank) pops it, components first."""
    own, ptr, pred = shop
    n = len(own)
    effective = schedule_kernel.effective_ranks(own, ptr, pred).tolist()
    want = own.tolist()
    for i in sorted(range(n), key=want.__getitem__):
        stack = [i]
        while stack:
            parent = stack.pop()
            for j in pred[ptr[parent] : ptr[parent + 1]].tolist():
                if want[parent] < want[j]:
                    want[j] = want[parent]
                    stack.append(j)
    assert effective == want
    waiting = np.diff(ptr)
    users = [[i for i in range(n) if j in pred[ptr[i] : ptr[i + 1]].tolist()] for j in range(n)]
    left, order = waiting.tolist(), []
    heap = [(want[i], int(own[i]), i) for i in range(n) if left[i] == 0]
    heapq.heapify(heap)
    while heap:
        i = heapq.heappop(heap)[2]
        order.append(i)
        for u in users[i]:
            left[u] -= 1
            if left[u] == 0:
                heapq.heappush(heap, (want[u], int(own[u]), u))
    by = np.argsort(pred, kind="stable")
    flat = np.repeat(np.arange(n, dtype=np.int64), waiting)[by]
    uptr = np.searchsorted(pred[by], np.arange(n + 1))
    key = np.array(want, dtype=np.int64) * n + own
    got = schedule_kernel.sequence(waiting, flat, uptr, key, np.argsort(own))
    assert got.tolist() == order
    assert waiting.tolist() == np.diff(ptr).tolist()  # the caller's counts untouched

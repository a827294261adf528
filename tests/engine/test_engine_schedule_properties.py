"""Properties of the finite schedule over generated shops (hypothesis)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from pegboard.engine.calendar import WorkCalendar
from pegboard.engine.capacity import WorkCenters
from pegboard.engine.schedule import (
    FULL,
    Schedule,
    ScheduleOps,
    ScheduleOrders,
    forward_infinite,
    schedule,
)

MONDAY = 739985  # 2027-01-04
EPS = 1e-6


@st.composite
def shops(draw: st.DrawFn) -> tuple[ScheduleOrders, ScheduleOps, WorkCenters]:
    n_wc = draw(st.integers(1, 3))
    hours = [
        [
            draw(st.sampled_from([4.0, 8.0])),
            *draw(st.lists(st.sampled_from([0.0, 6.0, 8.0]), min_size=6, max_size=6)),
        ]
        for _ in range(n_wc)
    ]
    holidays = tuple(MONDAY + h for h in draw(st.lists(st.integers(0, 20), max_size=2)))
    wcs = WorkCenters(
        code=[f"W{w}" for w in range(n_wc)],
        weekday_hours=np.array(hours),
        units=np.array(draw(st.lists(st.integers(1, 2), min_size=n_wc, max_size=n_wc))),
        efficiency=np.array(
            draw(st.lists(st.sampled_from([0.5, 1.0, 1.25]), min_size=n_wc, max_size=n_wc))
        ),
        closed=[
            frozenset(MONDAY + c for c in draw(st.lists(st.integers(0, 20), max_size=2)))
            for _ in range(n_wc)
        ],
        calendar=WorkCalendar((0, 1, 2, 3, 4), holidays),
    )
    n = draw(st.integers(1, 7))
    preds = [
        sorted(set(draw(st.lists(st.integers(0, i - 1), max_size=2)))) if i else []
        for i in range(n)
    ]
    orders = ScheduleOrders(
        code=[f"O{i:02d}" for i in range(n)],
        released=np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=np.bool_),
        priority=np.array(
            draw(st.lists(st.integers(1, 3), min_size=n, max_size=n)), dtype=np.int64
        ),
        due=np.array(
            [MONDAY + x for x in draw(st.lists(st.integers(0, 30), min_size=n, max_size=n))],
            dtype=np.int64,
        ),
        ready=np.array(
            [MONDAY + x for x in draw(st.lists(st.integers(0, 10), min_size=n, max_size=n))],
            dtype=np.int64,
        ),
        lead=np.array(draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)), dtype=np.int64),
        floor=np.array(
            [MONDAY + x for x in draw(st.lists(st.integers(0, 25), min_size=n, max_size=n))],
            dtype=np.int64,
        ),
        pred_ptr=np.cumsum([0, *(len(p) for p in preds)]).astype(np.int64),
        pred=np.array([j for p in preds for j in p], dtype=np.int64),
    )
    rows = []
    for i in range(n):
        for seq in range(draw(st.integers(0, 3))):
            rows.append(
                (
                    i,
                    10 * (seq + 1),
                    draw(st.integers(0, n_wc - 1)),
                    draw(st.integers(0, 40)) / 2,
                    draw(st.integers(0, 1)),
                    draw(st.integers(0, 1)),
                )
            )
    cols = list(zip(*rows, strict=True)) if rows else [[], [], [], [], [], []]
    ops = ScheduleOps(
        order=np.array(cols[0], dtype=np.int64),
        sequence=np.array(cols[1], dtype=np.int64),
        work_center=np.array(cols[2], dtype=np.int64),
        hours=np.array(cols[3], dtype=np.float64),
        queue_days=np.array(cols[4], dtype=np.int64),
        move_days=np.array(cols[5], dtype=np.int64),
    )
    return orders, ops, wcs


CHECK = settings(max_examples=150, deadline=None)


@CHECK
@given(shops())
def test_no_work_center_works_more_hours_than_it_has(
    shop: tuple[ScheduleOrders, ScheduleOps, WorkCenters],
) -> None:
    orders, ops, wcs = shop
    s = schedule(orders, ops, wcs)
    for (wc, day), used in s.used.items():
        assert used <= wcs.available(wc, day) + EPS
    assert (
        sum(s.used.values()) == np.float64(ops.hours.sum())
        or abs(sum(s.used.values()) - float(ops.hours.sum())) < EPS
    )


@CHECK
@given(shops())
def test_operations_in_sequence_after_their_material(
    shop: tuple[ScheduleOrders, ScheduleOps, WorkCenters],
) -> None:
    orders, ops, wcs = shop
    s = schedule(orders, ops, wcs)
    for i in range(len(orders)):
        preds = orders.pred[orders.pred_ptr[i] : orders.pred_ptr[i + 1]]
        material = max([int(orders.ready[i]), *(int(s.completion[j]) for j in preds)])
        assert s.order_ready[i] == material
        assert s.order_start[i] >= material
        assert s.completion[i] >= s.order_start[i]
        mine = sorted(np.flatnonzero(ops.order == i).tolist(), key=lambda k: int(ops.sequence[k]))
        previous_end = material
        for k in mine:
            assert s.start[k] >= previous_end
            assert s.ready[k] <= s.start[k] <= s.end[k]
            previous_end = int(s.end[k])
        last = int(s.end[mine[-1]]) if mine else 0
        by_lead = wcs.calendar.fwd(material, int(orders.lead[i]))
        assert s.completion[i] == max(last, by_lead, int(orders.floor[i]))


def _same(a: Schedule, b: Schedule) -> None:
    for name in ("ready", "start", "end", "order_start", "completion", "order_ready"):
        assert getattr(a, name).tolist() == getattr(b, name).tolist(), name


@CHECK
@given(shops())
def test_with_unlimited_hours_the_schedule_is_the_infinite_capacity_one(
    shop: tuple[ScheduleOrders, ScheduleOps, WorkCenters],
) -> None:
    orders, ops, wcs = shop
    unlimited = replace(wcs, units=np.full(len(wcs), len(ops) + 1, dtype=np.int64))
    finite = schedule(orders, ops, unlimited)
    _same(finite, forward_infinite(orders, ops, wcs))
    assert not finite.held_days.any()
    assert (finite.cause != FULL).all()
    # and capacity only ever delays: never earlier than at unlimited hours
    tight = schedule(orders, ops, wcs)
    assert (tight.completion >= finite.completion).all()


@CHECK
@given(shops(), st.data())
def test_any_row_order_gives_the_same_schedule(
    shop: tuple[ScheduleOrders, ScheduleOps, WorkCenters], data: st.DataObject
) -> None:
    orders, ops, wcs = shop
    n = len(orders)
    perm = np.array(data.draw(st.permutations(range(n))), dtype=np.int64)  # row r: old perm[r]
    where = np.empty(n, dtype=np.int64)
    where[perm] = np.arange(n)
    preds = [
        [int(where[j]) for j in orders.pred[orders.pred_ptr[i] : orders.pred_ptr[i + 1]]]
        for i in perm
    ]
    shuffled = ScheduleOrders(
        code=[orders.code[i] for i in perm],
        released=orders.released[perm],
        priority=orders.priority[perm],
        due=orders.due[perm],
        ready=orders.ready[perm],
        lead=orders.lead[perm],
        floor=orders.floor[perm],
        pred_ptr=np.cumsum([0, *(len(p) for p in preds)]).astype(np.int64),
        pred=np.array([j for p in preds for j in p], dtype=np.int64),
    )
    op_perm = np.array(data.draw(st.permutations(range(len(ops)))), dtype=np.int64)
    shuffled_ops = ScheduleOps(
        order=where[ops.order[op_perm]],
        sequence=ops.sequence[op_perm],
        work_center=ops.work_center[op_perm],
        hours=ops.hours[op_perm],
        queue_days=ops.queue_days[op_perm],
        move_days=ops.move_days[op_perm],
    )
    a = schedule(orders, ops, wcs)
    b = schedule(shuffled, shuffled_ops, wcs)
    assert b.completion.tolist() == a.completion[perm].tolist()
    assert b.start.tolist() == a.start[op_perm].tolist()
    assert b.end.tolist() == a.end[op_perm].tolist()
    assert b.held_from.tolist() == a.held_from[op_perm].tolist()
    assert b.used == a.used

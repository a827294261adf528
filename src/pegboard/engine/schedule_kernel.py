"""The load's backward placement in compiled code: ``capacity._place``, operation
after operation (issue #15, speed).

Placing operations day by day is scalar work: a full-size company's load walks
hundreds of thousands of operations back from their due dates, most of the load's
time in the plain Python loop. This module is the same algorithm, statement for
statement, compiled by Numba: the same steps, the same arithmetic in the same
order (so the hours of a work center's day add up to the same float), and it gives
the very load the plain loop gives (``tests/engine/test_engine_capacity_kernel.py``
checks both on random shops). Keep the two in step: ``capacity.py`` is the readable
statement and the judge.

What differs is only the data layout. A work center's hours are a 2-D table
(work center × day from ``first``) and the calendar's backward moves a table of the
working days of the same span; the hours each operation uses are written as
*segments* (operation, work center, day, hours) in the order the plain loop adds
them. The span is a guess: an operation that walks out of it makes the kernel stop
(``OUT``) and the caller retries with a wider one.

Importing this module imports Numba, which takes a while: ``capacity`` imports it
only when a load is computed, never at CLI start-up. The compiled code is cached on
disk (``cache=True``) and ``scripts/install`` warms it (``warm``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar, cast

import numba
import numpy as np

from pegboard.engine.types import FloatArray, IntArray

__all__ = [
    "OK",
    "OUT",
    "TOO_FAR",
    "Backward",
    "Forward",
    "Tables",
    "backward",
    "effective_ranks",
    "forward",
    "sequence",
    "warm",
]

_F = TypeVar("_F", bound=Callable[..., Any])

EPS = 1e-9
OK, OUT, TOO_FAR = 0, 1, 2
"""Kernel status: done; an operation left the tables' span; no hours in ten years."""


def _compiled(function: _F) -> _F:
    """``numba.njit`` with an on-disk cache, typed as the function it compiles."""
    return cast(_F, numba.njit(cache=True, nogil=True)(function))


class Tables(NamedTuple):
    """Time over the days ``first`` … ``first + len(before) - 1``."""

    first: int
    unit: FloatArray
    """(work centers, days): standard hours one unit gives (``WorkCenters.unit_hours``)."""
    before: IntArray
    """Per day: the plant's working days from ``first`` to it, itself included."""
    workdays: IntArray
    """The plant's working days of the span, in order."""


class Backward(NamedTuple):
    status: int
    failed: int
    """The operation the kernel stopped at (``OUT``, ``TOO_FAR``), else -1."""
    start: IntArray
    end: IntArray
    segments: int
    """Segments written: the first ``segments`` rows of the four below."""
    seg_op: IntArray
    seg_wc: IntArray
    seg_day: IntArray
    seg_hours: FloatArray


@_compiled
def _grow(values: Any, size: int) -> Any:
    """``values`` copied into an array twice as long (segments outgrew it)."""
    bigger = np.empty(max(2 * values.size, size), dtype=values.dtype)
    bigger[: values.size] = values
    return bigger


@_compiled
def _backward(  # noqa: C901 - capacity._place, statement for statement
    bounds: IntArray,
    due: IntArray,
    work_center: IntArray,
    hours: FloatArray,
    queue: IntArray,
    move: IntArray,
    first: int,
    unit: FloatArray,
    before: IntArray,
    workdays: IntArray,
    max_back: int,
) -> tuple[int, int, IntArray, IntArray, int, IntArray, IntArray, IntArray, FloatArray]:
    n = work_center.size
    span = before.size
    start = np.zeros(n, dtype=np.int64)
    end = np.zeros(n, dtype=np.int64)
    cap = 2 * n + 16
    seg_op = np.empty(cap, dtype=np.int64)
    seg_wc = np.empty(cap, dtype=np.int64)
    seg_day = np.empty(cap, dtype=np.int64)
    seg_hours = np.empty(cap, dtype=np.float64)
    count = 0
    for g in range(bounds.size - 1):
        lo, hi = bounds[g], bounds[g + 1]
        day, frac = due[g], 1.0
        for k in range(hi - 1, lo - 1, -1):
            if k < hi - 1:
                gap = queue[k + 1] + move[k]
                if gap:
                    # calendar.back(day - 1, gap - 1)
                    at = day - 1 - first
                    if at < 0 or at >= span:
                        return OUT, k, start, end, count, seg_op, seg_wc, seg_day, seg_hours
                    index = before[at] - 1 - (gap - 1)
                    if index < 0:
                        return OUT, k, start, end, count, seg_op, seg_wc, seg_day, seg_hours
                    day, frac = workdays[index], 1.0
            wc = work_center[k]
            need = hours[k]
            top = day
            while True:  # the last moment it can work
                at = day - first
                if at < 0 or at >= span:
                    return OUT, k, start, end, count, seg_op, seg_wc, seg_day, seg_hours
                if not (unit[wc, at] <= 0 or frac <= EPS):
                    break
                day, frac = day - 1, 1.0
                if top - day > max_back:
                    return TOO_FAR, k, start, end, count, seg_op, seg_wc, seg_day, seg_hours
            end[k] = day
            if need <= EPS:
                start[k] = day
                continue
            while True:
                at = day - first
                if at < 0:
                    return OUT, k, start, end, count, seg_op, seg_wc, seg_day, seg_hours
                length = unit[wc, at]
                have = length * frac
                if have > EPS:
                    used = min(need, have)
                    if count == seg_op.size:
                        seg_op = _grow(seg_op, count + 1)
                        seg_wc = _grow(seg_wc, count + 1)
                        seg_day = _grow(seg_day, count + 1)
                        seg_hours = _grow(seg_hours, count + 1)
                    seg_op[count], seg_wc[count] = k, wc
                    seg_day[count], seg_hours[count] = day, used
                    count += 1
                    need -= used
                    if need <= EPS:
                        start[k] = day
                        frac = frac - used / length
                        break
                day, frac = day - 1, 1.0
                if top - day > max_back:
                    return TOO_FAR, k, start, end, count, seg_op, seg_wc, seg_day, seg_hours
    return OK, -1, start, end, count, seg_op, seg_wc, seg_day, seg_hours


def backward(
    bounds: IntArray,
    due: IntArray,
    work_center: IntArray,
    hours: FloatArray,
    queue: IntArray,
    move: IntArray,
    tables: Tables,
    max_back: int,
) -> Backward:
    """Place each group ``bounds[g]:bounds[g + 1]`` of operations (one order, in
    sequence) back to back, the last ending on ``due[g]`` (``capacity.backward_load``)."""
    c64 = np.ascontiguousarray
    result = _backward(
        c64(bounds, dtype=np.int64),
        c64(due, dtype=np.int64),
        c64(work_center, dtype=np.int64),
        c64(hours, dtype=np.float64),
        c64(queue, dtype=np.int64),
        c64(move, dtype=np.int64),
        int(tables.first),
        c64(tables.unit, dtype=np.float64),
        c64(tables.before, dtype=np.int64),
        c64(tables.workdays, dtype=np.int64),
        int(max_back),
    )
    status, failed, start, end, segments, seg_op, seg_wc, seg_day, seg_hours = result
    return Backward(
        int(status), int(failed), start, end, int(segments), seg_op, seg_wc, seg_day, seg_hours
    )


class Forward(NamedTuple):
    """``schedule._Scheduler``'s per-operation and per-order lists, as arrays."""

    status: int
    failed: int
    ready: IntArray
    start: IntArray
    end: IntArray
    held_from: IntArray
    held_to: IntArray
    held_days: IntArray
    order_ready: IntArray
    order_start: IntArray
    completion: IntArray
    by_ops: IntArray
    used: FloatArray
    """(work centers, days from ``first``): standard hours scheduled."""


@_compiled
def _fwd(
    day: int, n: int, first: int, before: IntArray, working: IntArray, workdays: IntArray
) -> int:
    """``calendar.fwd(day, n)`` through the tables; -1 outside them."""
    at = day - first
    if at < 0 or at >= before.size:
        return -1
    index = before[at] - working[at] + n
    if index >= workdays.size:
        return -1
    return int(workdays[index])


@_compiled
def _open(
    wc: int,
    day: int,
    first: int,
    unit: FloatArray,
    units: IntArray,
    used: FloatArray,
    links: IntArray,
) -> int:
    """``_Scheduler._open``: the first day from ``day`` ``wc`` has free hours (-1 outside
    the tables); the full days walked linked to it."""
    start = day
    span = unit.shape[1]
    while True:
        at = day - first
        if at >= span:
            return -1
        nxt = links[wc, at]
        if nxt == -1:
            length = unit[wc, at]
            if length > 0 and length * units[wc] - used[wc, at] > EPS:
                break
            nxt = day + 1
            links[wc, at] = nxt
        day = nxt
    d = start
    while d != day:
        nxt = links[wc, d - first]
        links[wc, d - first] = day
        d = nxt
    return day


@_compiled
def _after(k: int, wc: int, day: int, t: Any, s: Any) -> int:
    """``_Scheduler._after``: the next day after ``day`` ``wc`` has free hours, the full
    working days between held against operation ``k`` (-1 outside the tables)."""
    first, unit, units, before, working, finite = t[0], t[1], t[2], t[3], t[4], t[6]
    if not finite:
        return day + 1
    found = _open(wc, day + 1, first, unit, units, s[6], s[7])
    if found > day + 1:
        lo = day + 1
        while unit[wc, lo - first] <= 0:
            lo += 1
        hi = found - 1
        while unit[wc, hi - first] <= 0:
            hi -= 1
        if lo <= hi:
            if s[3][k] == -1:
                s[3][k] = lo
            s[4][k] = hi
            s[5][k] += before[hi - first] - before[lo - first] + working[lo - first]
    return found


@_compiled
def _place_forward(  # noqa: C901 - _Scheduler._place, _take and their loop, as one
    k: int, wc: int, need: float, day: int, frac: float, t: Any, s: Any
) -> tuple[int, int, float]:
    """``_Scheduler._place``: operation ``k`` forward from (``day``, ``frac``); status and
    where it ends."""
    first, unit, units, finite, max_days = t[0], t[1], t[2], t[6], t[7]
    span = unit.shape[1]
    ready, start, end, held_from, held_to, held_days, used = (
        s[0],
        s[1],
        s[2],
        s[3],
        s[4],
        s[5],
        s[6],
    )
    top = day
    while True:  # its first moment
        if day - first >= span:
            return OUT, day, frac
        if not (unit[wc, day - first] <= 0 or frac >= 1 - EPS):
            break
        day, frac = day + 1, 0.0
        if day - top > max_days:
            return TOO_FAR, day, frac
    ready[k] = day
    if need <= EPS:
        start[k] = day
        end[k] = day
        return OK, day, frac
    while True:
        if day < 0 or day - first >= span:
            return OUT, day, frac
        at = day - first
        length = unit[wc, at]
        if length > 0:
            want = min(need, length * (1 - frac))
            got = want
            if finite:
                got = max(0.0, min(want, length * units[wc] - used[wc, at]))
                if got < want - EPS:
                    if held_from[k] == -1:
                        held_from[k] = day
                    held_to[k] = day
                    held_days[k] += 1
            if got > 0:
                used[wc, at] = used[wc, at] + got
            if got > EPS and start[k] == -1:
                start[k] = day
            need -= got
            if need <= EPS:
                end[k] = day
                return OK, day, frac + got / length
        day, frac = _after(k, wc, day, t, s), 0.0


@_compiled
def _pin_days(k: int, wc: int, pin_start: IntArray, pin_end: IntArray, t: Any) -> tuple[int, int]:
    """``_Scheduler._pin_days``: how many of pinned operation ``k``'s days its work center
    works (0: none, its first day takes its hours), -1 when they leave the tables."""
    first, unit = t[0], t[1]
    lo, hi = pin_start[k] - first, pin_end[k] - first
    if lo < 0 or hi >= unit.shape[1]:
        return -1, 0
    count = 0
    for at in range(lo, hi + 1):
        if unit[wc, at] > 0:
            count += 1
    return count, lo


@_compiled
def _reserve_pins(
    work_center: IntArray, hours: FloatArray, pin_start: IntArray, pin_end: IntArray, t: Any, s: Any
) -> int:
    """``_Scheduler._reserve_pins``: every pinned operation's hours taken from its days
    (OUT when they leave the tables)."""
    unit, used = t[1], s[6]
    for k in range(work_center.size):
        if pin_start[k] == -1 or hours[k] <= EPS:
            continue
        wc = work_center[k]
        count, lo = _pin_days(k, wc, pin_start, pin_end, t)
        if count == -1:
            return OUT
        if count == 0:
            used[wc, lo] = used[wc, lo] + hours[k]
            continue
        share = hours[k] / count
        for at in range(lo, pin_end[k] - t[0] + 1):
            if unit[wc, at] > 0:
                used[wc, at] = used[wc, at] + share
    return OK


@_compiled
def _pinned(
    k: int, wc: int, hours: FloatArray, pin_start: IntArray, pin_end: IntArray, t: Any, s: Any
) -> tuple[int, float]:
    """``_Scheduler._pinned``: operation ``k`` on its pinned days; its last day and how far
    into it its hours there reach."""
    first, unit = t[0], t[1]
    s[0][k] = pin_start[k]
    s[1][k] = pin_start[k]
    s[2][k] = pin_end[k]
    last = pin_end[k]
    if hours[k] <= EPS:
        return last, 0.0
    count, _lo = _pin_days(k, wc, pin_start, pin_end, t)
    share = hours[k] / max(count, 1)
    length = unit[wc, last - first]
    if length > 0:
        return last, min(1.0, share / length)
    return last, 1.0


@_compiled
def _forward(  # noqa: C901 - _Scheduler.run's placing loop and _order, as one
    sequence: IntArray,
    ops_ptr: IntArray,
    ops_of: IntArray,
    pred_ptr: IntArray,
    pred: IntArray,
    order_ready_in: IntArray,
    lead: IntArray,
    floor: IntArray,
    work_center: IntArray,
    hours: FloatArray,
    queue: IntArray,
    move: IntArray,
    pin_start: IntArray,
    pin_end: IntArray,
    t: Any,
) -> tuple[int, int, Any, IntArray, IntArray, IntArray, IntArray]:
    first, unit, before, working, workdays = t[0], t[1], t[3], t[4], t[5]
    n_ops, n = work_center.size, lead.size
    s = (
        np.full(n_ops, -1, dtype=np.int64),
        np.full(n_ops, -1, dtype=np.int64),
        np.full(n_ops, -1, dtype=np.int64),
        np.full(n_ops, -1, dtype=np.int64),
        np.full(n_ops, -1, dtype=np.int64),
        np.zeros(n_ops, dtype=np.int64),
        np.zeros(unit.shape, dtype=np.float64),
        np.full(unit.shape, -1, dtype=np.int64),
    )
    order_ready = np.zeros(n, dtype=np.int64)
    order_start = np.zeros(n, dtype=np.int64)
    completion = np.full(n, -1, dtype=np.int64)
    by_ops = np.zeros(n, dtype=np.int64)
    if _reserve_pins(work_center, hours, pin_start, pin_end, t, s) != OK:
        return OUT, -1, s, order_ready, order_start, completion, by_ops
    for i in sequence:
        earliest = order_ready_in[i]
        for p in range(pred_ptr[i], pred_ptr[i + 1]):
            earliest = max(earliest, completion[pred[p]])
        order_ready[i] = earliest
        lo, hi = ops_ptr[i], ops_ptr[i + 1]
        by_lead = _fwd(earliest, lead[i], first, before, working, workdays)
        if by_lead == -1:
            return OUT, -1, s, order_ready, order_start, completion, by_ops
        by_lead = max(by_lead, floor[i])
        if lo == hi:
            order_start[i] = _fwd(earliest, 0, first, before, working, workdays)
            if order_start[i] == -1:
                return OUT, -1, s, order_ready, order_start, completion, by_ops
            completion[i] = by_lead
            continue
        day, frac = earliest, 0.0
        for m in range(lo, hi):
            k = ops_of[m]
            if pin_start[k] != -1:
                last, end_frac = _pinned(k, work_center[k], hours, pin_start, pin_end, t, s)
                if last > day or (last == day and end_frac > frac):
                    day, frac = last, end_frac
                continue
            if m > lo:
                gap = queue[k] + move[ops_of[m - 1]]
                if gap:
                    day, frac = _fwd(day + 1, gap - 1, first, before, working, workdays), 0.0
                    if day == -1:
                        return OUT, k, s, order_ready, order_start, completion, by_ops
            status, day, frac = _place_forward(k, work_center[k], hours[k], day, frac, t, s)
            if status != OK:
                return status, k, s, order_ready, order_start, completion, by_ops
        last = s[2][ops_of[hi - 1]]
        by_ops[i] = 1 if last > by_lead else 0
        order_start[i] = s[1][ops_of[lo]]
        completion[i] = max(last, by_lead)
    return OK, -1, s, order_ready, order_start, completion, by_ops


def forward(
    sequence: IntArray,
    ops_ptr: IntArray,
    ops_of: IntArray,
    orders: tuple[IntArray, IntArray, IntArray, IntArray, IntArray],
    ops: tuple[IntArray, FloatArray, IntArray, IntArray, IntArray, IntArray],
    tables: Tables,
    units: IntArray,
    *,
    finite: bool,
    max_days: int,
) -> Forward:
    """Place the orders in ``sequence`` (the scheduling order), each order's operations
    ``ops_of[ops_ptr[i]:ops_ptr[i + 1]]`` in sequence (``schedule._Scheduler``).
    ``orders`` is (pred_ptr, pred, ready, lead, floor), ``ops`` (work center, hours,
    queue days, move days, pin start, pin end: -1 when not pinned); ``tables.before``
    counts the plant's working days."""
    c64 = np.ascontiguousarray
    first = int(tables.first)
    before = c64(tables.before, dtype=np.int64)
    working = np.diff(before, prepend=0).astype(np.int64)
    t = (
        first,
        c64(tables.unit, dtype=np.float64),
        c64(units, dtype=np.int64),
        before,
        working,
        c64(tables.workdays, dtype=np.int64),
        bool(finite),
        int(max_days),
    )
    pred_ptr, pred, ready, lead, floor = (c64(a, dtype=np.int64) for a in orders)
    wc, hours, queue, move, pin_start, pin_end = ops
    status, failed, s, order_ready, order_start, completion, by_ops = _forward(
        c64(sequence, dtype=np.int64),
        c64(ops_ptr, dtype=np.int64),
        c64(ops_of, dtype=np.int64),
        pred_ptr,
        pred,
        ready,
        lead,
        floor,
        c64(wc, dtype=np.int64),
        c64(hours, dtype=np.float64),
        c64(queue, dtype=np.int64),
        c64(move, dtype=np.int64),
        c64(pin_start, dtype=np.int64),
        c64(pin_end, dtype=np.int64),
        t,
    )
    ready_, start, end, held_from, held_to, held_days, used = s[:7]
    return Forward(
        int(status),
        int(failed),
        ready_,
        start,
        end,
        held_from,
        held_to,
        held_days,
        order_ready,
        order_start,
        completion,
        by_ops,
        used,
    )


@_compiled
def _propagate(own: Any, pred_ptr: Any, pred: Any) -> Any:
    """``schedule._ranks``' walk: most urgent first, each order handing its rank down to
    the components it waits for (a component pushed at most once per walk: the rank it
    is lowered to is that walk's)."""
    n = own.size
    effective = own.copy()
    by_rank = np.argsort(own)
    stack = np.empty(n, dtype=np.int64)
    for i in by_rank:
        stack[0] = i
        top = 1
        while top > 0:
            top -= 1
            parent = stack[top]
            for p in range(pred_ptr[parent], pred_ptr[parent + 1]):
                j = pred[p]
                if effective[parent] < effective[j]:
                    effective[j] = effective[parent]
                    stack[top] = j
                    top += 1
    return effective


def effective_ranks(own: IntArray, pred_ptr: IntArray, pred: IntArray) -> IntArray:
    """The rank each order schedules at: the lowest of its own (``own``, unique) and of
    every order that waits for it (``pred_ptr``/``pred``: the orders each waits for)."""
    c64 = np.ascontiguousarray
    out: IntArray = _propagate(
        c64(own, dtype=np.int64), c64(pred_ptr, dtype=np.int64), c64(pred, dtype=np.int64)
    )
    return out


@_compiled
def _push(heap: Any, size: int, key: int) -> int:
    """``key`` added to the binary min-heap ``heap[:size]``; its new size."""
    at = size
    heap[at] = key
    while at > 0:
        up = (at - 1) // 2
        if heap[up] <= key:
            break
        heap[at] = heap[up]
        at = up
    heap[at] = key
    return size + 1


@_compiled
def _pop(heap: Any, size: int) -> int:
    """The least key of ``heap[:size]``, removed (the heap is then ``size - 1`` long)."""
    least = heap[0]
    size -= 1
    last = heap[size]
    at = 0
    while True:
        child = 2 * at + 1
        if child >= size:
            break
        if child + 1 < size and heap[child + 1] < heap[child]:
            child += 1
        if heap[child] >= last:
            break
        heap[at] = heap[child]
        at = child
    if size > 0:
        heap[at] = last
    return int(least)


@_compiled
def _sequence(waiting: Any, users: Any, uptr: Any, key: Any, of_own: Any) -> Any:
    """``schedule._sequence``'s loop: keys are unique, so any min-heap pops them alike."""
    n = waiting.size
    heap = np.empty(n, dtype=np.int64)
    size = 0
    for i in range(n):
        if waiting[i] == 0:
            size = _push(heap, size, key[i])
    out = np.empty(n, dtype=np.int64)
    placed = 0
    while size > 0:
        least = _pop(heap, size)
        size -= 1
        i = of_own[least % n]
        out[placed] = i
        placed += 1
        for p in range(uptr[i], uptr[i + 1]):
            u = users[p]
            waiting[u] -= 1
            if waiting[u] == 0:
                size = _push(heap, size, key[u])
    return out[:placed]


def sequence(
    waiting: IntArray, users: IntArray, uptr: IntArray, key: IntArray, of_own: IntArray
) -> IntArray:
    """The orders in the order they are placed (``schedule._sequence``): ``waiting`` how
    many orders each waits for (consumed), ``users[uptr[i]:uptr[i + 1]]`` the orders
    waiting for order i, ``key`` its unique heap key (effective rank × n + own rank),
    ``of_own`` the order of each own rank. Orders left waiting are not in it."""
    c64 = np.ascontiguousarray
    out: IntArray = _sequence(
        np.array(waiting, dtype=np.int64),
        c64(users, dtype=np.int64),
        c64(uptr, dtype=np.int64),
        c64(key, dtype=np.int64),
        c64(of_own, dtype=np.int64),
    )
    return out


def warm() -> None:
    """Compile the kernels (or load them from Numba's cache) on a two-operation order.

    ``scripts/install`` calls it, so that the first load or schedule after an install
    does not pay for compiling; the argument types are those ``backward`` and
    ``forward`` pass."""
    bounds = np.array([0, 2], dtype=np.int64)
    zeros = np.zeros(2, dtype=np.int64)
    days = np.arange(10, dtype=np.int64)
    tables = Tables(0, np.ones((1, 10)), days + 1, days)
    backward(bounds, days[9:], zeros, np.array([1.0, 0.0]), zeros, zeros, tables, 10)
    for finite in (True, False):
        forward(
            days[:1],
            bounds,
            days[:2],
            (days[:2] * 0, days[:0], days[:1], days[1:2], days[:1]),
            (zeros, np.array([1.0, 0.0]), zeros, zeros, zeros - 1, zeros - 1),
            tables,
            days[1:2],
            finite=finite,
            max_days=10,
        )
    effective_ranks(days[:2], np.array([0, 1, 1]), zeros[:1] + 1)
    sequence(np.array([0, 1]), zeros[:1] + 1, np.array([0, 1, 1]), days[:2], days[:2])

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

__all__ = ["OK", "OUT", "TOO_FAR", "Backward", "Tables", "backward", "warm"]

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


def warm() -> None:
    """Compile the kernel (or load it from Numba's cache) on a two-operation order.

    ``scripts/install`` calls it, so that the first load after an install does not
    pay for compiling; the argument types are those ``backward`` passes."""
    ints = np.array([0, 2], dtype=np.int64)
    zeros = np.zeros(2, dtype=np.int64)
    backward(
        ints,
        np.array([9], dtype=np.int64),
        zeros,
        np.array([1.0, 0.0]),
        zeros,
        zeros,
        Tables(
            0, np.ones((1, 10)), np.arange(1, 11, dtype=np.int64), np.arange(10, dtype=np.int64)
        ),
        10,
    )

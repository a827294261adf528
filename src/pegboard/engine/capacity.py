"""Capacity requirements: operations scheduled backward from their order's due date.

Infinite capacity, as MRP's lead times are: every order's operations are placed
back to back ending on its due date, whatever else the work center must do, and
the hours they need are added up per work center and day. Comparing those hours
with what the work center has shows where the plan asks for more than the shop can
do (the *load*); placing operations so that it never does is the finite schedule's
job, not this one's.

Time is counted in a work center's *standard hours*: one unit of a work center
gives ``hours × efficiency`` of them on a working day (its weekday's hours, 0 on
the plant's non-working days and on its own closed days), so an operation of H
standard hours occupies H / efficiency clock hours of one unit. Parallel units add
capacity for several operations at once; one operation runs on one unit. Within a
day an operation ends where the next one starts (a fraction of the day), so short
operations share days; ``queue_days`` of an operation and ``move_days`` of the one
before it put whole working days between them.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from pegboard.engine.calendar import WorkCalendar

if TYPE_CHECKING:
    from pegboard.engine.schedule_kernel import Backward, Tables

__all__ = [
    "Load",
    "Operations",
    "WorkCenters",
    "available_hours",
    "backward_load",
    "backward_load_reference",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

EPS = 1e-9
MAX_DAYS_BACK = 3660
"""An operation that finds no hours in ten years is refused rather than walked forever."""


def weekday(day: int) -> int:
    """Monday 0 … Sunday 6 of a day ordinal (ordinal 1, 0001-01-01, was a Monday)."""
    return (day - 1) % 7


@dataclass(frozen=True)
class WorkCenters:
    code: list[str]
    weekday_hours: FloatArray
    """(n, 7): hours one unit works on each weekday, Monday first."""
    units: IntArray
    efficiency: FloatArray
    """1.0 = 100 %."""
    closed: list[frozenset[int]]
    """Per work center, the day ordinals it is closed although the plant works."""
    calendar: WorkCalendar

    def __len__(self) -> int:
        return len(self.code)

    def unit_hours(self, wc: int, day: int) -> float:
        """Standard hours one unit of ``wc`` gives on ``day``."""
        if not self.calendar.is_working(day) or day in self.closed[wc]:
            return 0.0
        return float(self.weekday_hours[wc, weekday(day)] * self.efficiency[wc])

    def available(self, wc: int, day: int) -> float:
        """Standard hours all of ``wc``'s units give on ``day``."""
        return self.unit_hours(wc, day) * int(self.units[wc])


@dataclass(frozen=True)
class Operations:
    """Operations of many orders; an order's rows are in sequence order."""

    order: IntArray
    work_center: IntArray
    hours: FloatArray
    """Standard hours the operation needs (setup + run per unit × quantity)."""
    queue_days: IntArray
    move_days: IntArray

    def __len__(self) -> int:
        return len(self.order)


@dataclass(frozen=True)
class Load:
    start: IntArray
    """Per operation: the day it starts."""
    end: IntArray
    """Per operation: the day it ends."""
    rows: dict[tuple[int, int], float]
    """(work center, day) → standard hours required that day."""
    users: IntArray
    """The operations that use hours of each (work center, day), in ``rows``' order:
    those of its i-th key are ``users[cut[i]:cut[i + 1]]`` (arrays: a full-size load
    has millions, which the load's days gather without a list per day)."""
    cut: IntArray
    used: FloatArray
    """The hours each of ``users`` takes of its (work center, day): an order's share of
    a period's load, so a chart can name the orders that weigh most in it."""

    @cached_property
    def by_operation(self) -> dict[tuple[int, int], list[int]]:
        """(work center, day) → the operations that use hours of it."""
        users, cut = self.users.tolist(), self.cut.tolist()
        return {k: users[cut[i] : cut[i + 1]] for i, k in enumerate(self.rows)}


class CapacityError(ValueError):
    """An operation on a work center that never has hours."""


class _Hours:
    """``WorkCenters.unit_hours`` and ``calendar.back`` asked once per argument: the
    orders of a company crowd on the same weeks, so a full-size load asks each day of
    each work center hundreds of times (pure functions: the answers never change)."""

    def __init__(self, wcs: WorkCenters) -> None:
        self.wcs = wcs
        self._hours: dict[tuple[int, int], float] = {}
        self._back: dict[tuple[int, int], int] = {}

    def unit(self, wc: int, day: int) -> float:
        key = (wc, day)
        found = self._hours.get(key)
        if found is None:
            found = self._hours[key] = self.wcs.unit_hours(wc, day)
        return found

    def back(self, day: int, n: int) -> int:
        key = (day, n)
        found = self._back.get(key)
        if found is None:
            found = self._back[key] = self.wcs.calendar.back(day, n)
        return found


def backward_load(ops: Operations, due: IntArray, wcs: WorkCenters) -> Load:
    """Place each order's operations back to back, the last ending on its due date
    (``due[order]``), and add up the hours they need per work center and day.

    Compiled (``schedule_kernel``): the very load of :func:`backward_load_reference`,
    which stays the statement of the rules and the judge of the kernel. The kernel's
    tables span a guessed range of days, widened while an operation walks out of it;
    a shop that needs more than ``_WIDEST`` days is left to the plain loop."""
    if len(ops) == 0:
        return backward_load_reference(ops, due, wcs)
    from pegboard.engine import schedule_kernel as kernel  # Numba: only when loading

    bounds = np.flatnonzero(np.diff(ops.order, prepend=-1, append=-1))
    group_due = np.asarray(due, dtype=np.int64)[ops.order[bounds[:-1]]]
    last = int(group_due.max())
    margin = 400
    while margin <= _WIDEST:
        tables = _tables(wcs, int(group_due.min()) - margin, last)
        got = kernel.backward(
            bounds,
            group_due,
            ops.work_center,
            ops.hours,
            ops.queue_days,
            ops.move_days,
            tables,
            MAX_DAYS_BACK,
        )
        if got.status == kernel.TOO_FAR:
            code = wcs.code[int(ops.work_center[got.failed])]
            raise CapacityError(f"work center {code} has no hours to work")
        if got.status == kernel.OK:
            return _load(got, tables.first)
        margin *= 4
    return backward_load_reference(ops, due, wcs)


_WIDEST = 30_000
"""Days before the earliest due date the kernel's tables may reach back (80 years)."""


def _tables(wcs: WorkCenters, first: int, last: int) -> Tables:
    """Each work center's unit hours (as ``WorkCenters.unit_hours``) and the plant's
    working days over ``first`` … ``last``."""
    from pegboard.engine.schedule_kernel import Tables

    days = np.arange(first, last + 1, dtype=np.int64)
    working = wcs.calendar.fwd(days, 0) == days
    return Tables(
        first,
        _unit_hours(wcs, first, days, working),
        np.cumsum(working, dtype=np.int64),
        days[working],
    )


def _unit_hours(
    wcs: WorkCenters, first: int, days: IntArray, working: npt.NDArray[np.bool_]
) -> FloatArray:
    """(work center, day) → ``WorkCenters.unit_hours`` over ``days`` (``first`` onward)."""
    per_day = np.asarray(wcs.weekday_hours, dtype=np.float64)[:, (days - 1) % 7]
    unit = per_day * np.asarray(wcs.efficiency, dtype=np.float64)[:, None]
    unit[:, ~working] = 0.0
    last = first + len(days) - 1
    for wc, closed in enumerate(wcs.closed):
        at = [d - first for d in closed if first <= d <= last]
        unit[wc, at] = 0.0
    return unit


def available_hours(wcs: WorkCenters, first: int, last: int) -> FloatArray:
    """(work center, day - ``first``) → ``WorkCenters.available`` for every day of
    ``first`` … ``last`` at once (the same products: the load asks tens of thousands)."""
    days = np.arange(first, last + 1, dtype=np.int64)
    working = wcs.calendar.fwd(days, 0) == days
    unit = _unit_hours(wcs, first, days, working)
    return unit * np.asarray(wcs.units, dtype=np.int64)[:, None]


def _load(got: Backward, first: int) -> Load:
    """The kernel's segments as a ``Load``: hours added per (work center, day) in the
    order the plain loop adds them (``bincount`` adds its weights in array order, so the
    same float sums), its operations in that order."""
    from pegboard.engine.sort_kernel import dense_order  # Numba, as the kernel

    n = got.segments
    wc, day, op = got.seg_wc[:n], got.seg_day[:n], got.seg_op[:n]
    span = int(day.max()) - first + 1 if n else 1
    # by work center and day, stably: two counting passes over a million segments, where
    # a comparison sort of their keys took several times as long
    order = dense_order(wc, day - first)
    key = (wc * span + (day - first))[order]
    starts = np.flatnonzero(np.diff(key, prepend=-1))
    group = np.cumsum(np.diff(key, prepend=-1) != 0) - 1
    totals = np.bincount(group, weights=got.seg_hours[:n][order], minlength=len(starts))
    at = list(
        zip((key[starts] // span).tolist(), (first + key[starts] % span).tolist(), strict=True)
    )
    rows = dict(zip(at, totals.tolist(), strict=True))
    cut = np.append(starts, n).astype(np.int64)
    used = got.seg_hours[:n][order].astype(np.float64)
    return Load(got.start, got.end, rows, op[order].astype(np.int64), cut, used)


def backward_load_reference(ops: Operations, due: IntArray, wcs: WorkCenters) -> Load:
    """:func:`backward_load` in plain Python, one operation and day at a time."""
    n = len(ops)
    start = np.zeros(n, dtype=np.int64)
    end = np.zeros(n, dtype=np.int64)
    rows: dict[tuple[int, int], float] = defaultdict(float)
    users: dict[tuple[int, int], list[tuple[int, float]]] = defaultdict(list)
    order = ops.order.tolist()
    queue, move = ops.queue_days.tolist(), ops.move_days.tolist()
    hours = _Hours(wcs)
    bounds = np.flatnonzero(np.diff(ops.order, prepend=-1, append=-1))
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        # the cursor: a day and how far into it (0 = its start, 1 = its end) the later
        # operation starts; the first one placed ends at the end of the due date
        day, frac = int(due[order[lo]]), 1.0
        for k in range(hi - 1, lo - 1, -1):
            if k < hi - 1:
                gap = queue[k + 1] + move[k]
                if gap:
                    day, frac = hours.back(day - 1, gap - 1), 1.0
            day, frac = _place(k, day, frac, ops, hours, start, end, rows, users)
    lists = [users[k] for k in rows]  # filled together: the same keys, in one order
    cut = np.cumsum([0, *map(len, lists)], dtype=np.int64)
    pairs = list(itertools.chain.from_iterable(lists))
    flat = np.fromiter((k for k, _ in pairs), np.int64, count=int(cut[-1]))
    used = np.fromiter((h for _, h in pairs), np.float64, count=int(cut[-1]))
    return Load(start, end, dict(rows), flat, cut, used)


def _place(
    k: int,
    day: int,
    frac: float,
    ops: Operations,
    hours: _Hours,
    start: IntArray,
    end: IntArray,
    rows: dict[tuple[int, int], float],
    users: dict[tuple[int, int], list[tuple[int, float]]],
) -> tuple[int, float]:
    """Place operation ``k`` backward from (``day``, ``frac``); returns where it starts."""
    wc = int(ops.work_center[k])
    need = float(ops.hours[k])
    first = day
    while hours.unit(wc, day) <= 0 or frac <= EPS:  # the last moment it can work
        day, frac = day - 1, 1.0
        if first - day > MAX_DAYS_BACK:
            raise CapacityError(f"work center {hours.wcs.code[wc]} has no hours to work")
    end[k] = day
    if need <= EPS:
        start[k] = day
        return day, frac
    while True:
        length = hours.unit(wc, day)
        have = length * frac
        if have > EPS:
            used = min(need, have)
            rows[(wc, day)] += used
            users[(wc, day)].append((k, used))
            need -= used
            if need <= EPS:
                start[k] = day
                return day, frac - used / length
        day, frac = day - 1, 1.0
        if first - day > MAX_DAYS_BACK:
            raise CapacityError(f"work center {hours.wcs.code[wc]} has no hours to work")

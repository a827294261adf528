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

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from pegboard.engine.calendar import WorkCalendar

__all__ = ["Load", "Operations", "WorkCenters", "backward_load"]

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
    by_operation: dict[tuple[int, int], list[int]]
    """(work center, day) → the operations that use hours of it."""


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
    (``due[order]``), and add up the hours they need per work center and day."""
    n = len(ops)
    start = np.zeros(n, dtype=np.int64)
    end = np.zeros(n, dtype=np.int64)
    rows: dict[tuple[int, int], float] = defaultdict(float)
    users: dict[tuple[int, int], list[int]] = defaultdict(list)
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
    return Load(start, end, dict(rows), dict(users))


def _place(
    k: int,
    day: int,
    frac: float,
    ops: Operations,
    hours: _Hours,
    start: IntArray,
    end: IntArray,
    rows: dict[tuple[int, int], float],
    users: dict[tuple[int, int], list[int]],
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
            users[(wc, day)].append(k)
            need -= used
            if need <= EPS:
                start[k] = day
                return day, frac - used / length
        day, frac = day - 1, 1.0
        if first - day > MAX_DAYS_BACK:
            raise CapacityError(f"work center {hours.wcs.code[wc]} has no hours to work")

"""A few orders placed into the hours a stored finite schedule leaves free (issue #15,
item 5: order promising with capacity).

The schedule (``engine.schedule``) places every order of the plan; a quote must not
move any of them, so it comes last: after every order, into what they leave. This
places only the quote's orders, with the schedule's own rules (``_Scheduler``: one
unit per operation, fractions of days, queue and move days, held days, lead time and
the plan's date as a floor, components first), on days whose hours are already
partly taken by the stored schedule (``used``).

The stored schedule keeps each operation's first and last day and its hours, not its
hours per day, so :func:`spread` reads them back as the scheduler lays them: a whole
unit day on each day from the first (fewer when the hours run out), the rest on the
last day, proportionally to each day's hours when the days between got less (a work
center that was full some of them). The total per operation is exact; a day is
never taken past what the work center has.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from pegboard.engine.capacity import WorkCenters, _tables
from pegboard.engine.schedule import Schedule, ScheduleOps, ScheduleOrders, _Scheduler

__all__ = ["Booked", "place_after", "spread", "unit_hours"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

EPS = 1e-9


def unit_hours(wcs: WorkCenters, first: int, last: int) -> FloatArray:
    """(work centers, days ``first`` … ``last``): standard hours one unit gives each day
    (``WorkCenters.unit_hours``: its weekday's hours × efficiency, 0 on the plant's
    non-working days and its own closed days)."""
    return _tables(wcs, first, last).unit


class Booked:
    """Operations of a stored schedule, grouped by work center, first and last day."""

    def __init__(
        self,
        work_center: IntArray,
        start: IntArray,
        end: IntArray,
        hours: FloatArray,
        count: IntArray,
    ) -> None:
        self.work_center, self.start, self.end = work_center, start, end
        self.hours = hours
        """The group's standard hours (all its operations')."""
        self.count = count
        """Operations in the group: each takes at most one unit's hours a day."""


def spread(booked: Booked, wcs: WorkCenters, first: int, last: int) -> FloatArray:
    """(work centers, days ``first`` … ``last``): standard hours the stored operations use
    each day (module doc), never more than all the work center's units give.

    In bulk: every group's span laid out as one row per day, each group's days summed
    with ``reduceat``, the hours added per (work center, day) with one ``bincount``."""
    lo = min(first, int(booked.start.min())) if len(booked.start) else first
    hi = max(last, int(booked.end.max())) if len(booked.end) else last
    unit = unit_hours(wcs, lo, hi)
    width = hi - lo + 1
    keep = booked.hours > EPS
    wc, start = booked.work_center[keep], booked.start[keep] - lo
    hours, count = booked.hours[keep], booked.count[keep].astype(np.float64)
    length = booked.end[keep] - lo + 1 - start
    used = np.zeros(unit.size, dtype=np.float64)
    if len(wc):
        offsets = np.cumsum(length) - length  # each group's first row
        group = np.repeat(np.arange(len(wc)), length)
        day = start[group] + np.arange(int(length.sum())) - offsets[group]
        per_day = unit[wc[group], day]
        full = count[group] * per_day
        lasts = offsets + length - 1
        before = np.add.reduceat(full, offsets) - full[lasts]
        fits = before < hours - EPS  # whole unit days, the rest on the last day
        share = np.where(fits[group], full, 0.0)
        share[lasts] = np.where(fits, hours - before, share[lasts])
        total = np.add.reduceat(per_day, offsets)  # else: in proportion to the days' hours
        ratio = np.divide(hours, total, out=np.zeros_like(hours), where=total > 0)
        share = np.where(fits[group], share, per_day * ratio[group])
        flat = wc[group] * width + day
        used = np.bincount(flat, weights=share, minlength=unit.size).astype(np.float64)
    capacity = unit * np.asarray(wcs.units, dtype=np.float64)[:, None]
    used_days = used.reshape(unit.shape)
    return np.minimum(used_days, capacity)[:, first - lo : last - lo + 1]


class _Seeded(_Scheduler):
    """The schedule's placement on days whose hours ``used`` already partly takes."""

    def __init__(
        self,
        orders: ScheduleOrders,
        ops: ScheduleOps,
        wcs: WorkCenters,
        used: FloatArray,
        first: int,
    ) -> None:
        super().__init__(orders, ops, wcs, finite=True)
        self._seed, self._seed_first = used, first

    def _grow(self, wc: int, at: int) -> None:
        done = len(self._used_of[wc])
        super()._grow(wc, at)
        used = self._used_of[wc]
        column = self._base + done - self._seed_first  # of day ``_base + done``: >= 0
        seed = self._seed[wc, column : column + len(used) - done].tolist()
        used[done : done + len(seed)] = seed


def place_after(
    orders: ScheduleOrders, ops: ScheduleOps, wcs: WorkCenters, used: FloatArray, first: int
) -> Schedule:
    """Place ``orders`` (a quote's few) forward at finite capacity into the hours left
    when ``used`` (work centers × days from ``first``, as :func:`spread` gives) is
    already taken; past the last column the work centers are free.

    Every order's ready day must be on or after ``first``. The plain placement (not
    the compiled one): a quote has a few orders, and its tables start on a day of
    the caller's choosing."""
    if len(orders) and int(orders.ready.min()) < first:
        raise ValueError("an order is ready before the first day of the hours used")
    return _Seeded(orders, ops, wcs, used, first).run()

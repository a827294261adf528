"""A few orders placed into the hours a stored finite schedule leaves free (issue #15,
item 5: order promising with capacity).

The schedule (``engine.schedule``) places every order of the plan; a quote must not
move any of them, so it comes last: after every order, into what they leave. This
places only the quote's orders, with the schedule's own rules (``_Scheduler``: one
unit per operation, fractions of days, queue and move days, held days, lead time and
the plan's date as a floor, components first), on days whose hours are already
partly taken by the stored schedule (``used``).

The stored schedule keeps each operation's first and last day and its hours, not its
hours per day, so :func:`spread` lays them back over their days as a forward
placement does: each work center's operations in the order they start, each taking
on each day of its span what the ones before left (at most a unit's hours), until
its hours are placed. A day is never taken past what the work center has.
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
        full: tuple[IntArray, IntArray, IntArray] | None = None,
    ) -> None:
        self.work_center, self.start, self.end = work_center, start, end
        self.hours = hours
        """The group's standard hours (all its operations')."""
        self.count = count
        """Operations in the group: each takes at most one unit's hours a day."""
        empty = np.zeros(0, dtype=np.int64)
        self.full = full if full is not None else (empty, empty, empty)
        """(work center, first, last day) of the days an operation waited for it
        (``held_from`` … ``held_to``): the first and the last were full, and with one
        unit every day between too (the operation took the whole unit when it was not
        held)."""


def spread(booked: Booked, wcs: WorkCenters, first: int, last: int) -> FloatArray:
    """(work centers, days ``first`` … ``last``): standard hours the stored operations use
    each day (module doc), never more than all the work center's units give.

    Each work center's groups are laid out in the order of their first day (then their
    last): each day of a group's span gives it what it can use (a unit's hours per
    operation) of what the groups before left free, until its hours are placed. A
    work center booked back to back is so read back day by day as it was scheduled
    (the operation that starts on the day another ends gets the rest of that day)."""
    lo = min(first, int(booked.start.min())) if len(booked.start) else first
    hi = max(last, int(booked.end.max())) if len(booked.end) else last
    unit = unit_hours(wcs, lo, hi)
    capacity = unit * np.asarray(wcs.units, dtype=np.float64)[:, None]
    free = [row.tolist() for row in capacity]
    per_unit = [row.tolist() for row in unit]
    order = np.lexsort((booked.end, booked.start, booked.work_center))
    for wc, s, e, hours, n in zip(
        booked.work_center[order].tolist(),
        (booked.start[order] - lo).tolist(),
        (booked.end[order] - lo).tolist(),
        booked.hours[order].tolist(),
        booked.count[order].tolist(),
        strict=True,
    ):
        _lay(free[wc], per_unit[wc], s, e, hours, n)
    left = np.asarray(free, dtype=np.float64).reshape(capacity.shape)
    left[_full(booked, wcs, lo, hi)] = 0.0
    used = capacity - left
    return used[:, first - lo : last - lo + 1]


def _full(booked: Booked, wcs: WorkCenters, lo: int, hi: int) -> npt.NDArray[np.bool_]:
    """(work centers, days ``lo`` … ``hi``): the days known full (``Booked.full``): every
    day of a held range of a one-unit work center, its first and last of any other, in
    bulk (ranges counted open and closed with one ``bincount``, summed along the days)."""
    width = hi - lo + 1
    wc, s, e = booked.full
    s, e = np.clip(s - lo, 0, width), np.clip(e - lo, -1, width - 1)
    one = (np.asarray(wcs.units) == 1)[wc] & (s <= e)
    marks = np.bincount(wc[one] * (width + 1) + s[one], minlength=len(wcs) * (width + 1))
    marks -= np.bincount(wc[one] * (width + 1) + e[one] + 1, minlength=len(wcs) * (width + 1))
    full = np.cumsum(marks.reshape(len(wcs), width + 1), axis=1)[:, :width] > 0
    ends = ~one & (s <= e)
    full[wc[ends], s[ends]] = True
    full[wc[ends], e[ends]] = True
    return full


def _lay(free: list[float], unit: list[float], s: int, e: int, hours: float, n: int) -> None:
    """``hours`` of ``n`` operations laid from day ``s`` to ``e`` into ``free``."""
    need = hours
    for day in range(s, e + 1):
        take = min(need, n * unit[day], free[day])
        if take > 0:
            free[day] -= take
            need -= take
            if need <= EPS:
                return


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

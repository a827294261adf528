"""The plant's working days (bundle-format rule 1): ``back`` and ``fwd`` over day ordinals.

A day is a working day when its weekday is one of ``work_days`` and it is not a
holiday. The rules count make lead times in working days and put planned due and
release dates on working days:

* ``back(d, n)``: the working day ``n`` working days before the last working day on
  or before ``d``;
* ``fwd(d, n)``: the ``n``-th working day after the first working day on or after
  ``d`` (``n = 0``: that day itself).

Both take scalars or whole arrays of day ordinals (``date.toordinal()``) and are
NumPy's business-day functions (``np.busday_offset``) underneath, so a level's dates
move in one call. With every day a working day (the default calendar) they are
plain subtraction and addition, which is v1's arithmetic exactly.

A big array (a level's demand, a million rows and more) is moved through a table
of the working days in its date span instead (``_DayTable``): two gathers, several
times faster than ``busday_offset`` per element, with the same results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import overload

import numpy as np
import numpy.typing as npt

__all__ = ["ALL_DAYS", "WorkCalendar"]

IntArray = npt.NDArray[np.int64]

#: Monday = 0 … Sunday = 6, as ``date.weekday()``.
ALL_DAYS = (0, 1, 2, 3, 4, 5, 6)

# Day ordinal of 1970-01-01, NumPy's day zero for datetime64[D].
_EPOCH = 719163

# Arrays from this size move through a table of working days (see the module doc).
_TABLE_FROM = 64


@dataclass(frozen=True)
class WorkCalendar:
    """Working weekdays (Monday = 0) and holidays (day ordinals)."""

    work_days: tuple[int, ...] = ALL_DAYS
    holidays: tuple[int, ...] = ()
    _busdays: np.busdaycalendar = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.work_days or not set(self.work_days) <= set(ALL_DAYS):
            raise ValueError(f"work_days must be weekdays 0-6, at least one: {self.work_days}")
        mask = [1 if d in self.work_days else 0 for d in ALL_DAYS]
        days = np.asarray(sorted(set(self.holidays)), dtype=np.int64) - _EPOCH
        calendar = np.busdaycalendar(weekmask=mask, holidays=days.astype("datetime64[D]"))
        object.__setattr__(self, "_busdays", calendar)

    def __reduce__(self) -> tuple[type[WorkCalendar], tuple[tuple[int, ...], tuple[int, ...]]]:
        """Pickled as its arguments: NumPy's busdaycalendar does not pickle, and a
        plan input is pickled (benchmarks, worker processes)."""
        return (WorkCalendar, (self.work_days, self.holidays))

    @property
    def every_day(self) -> bool:
        """True when every day is a working day: back and fwd are plain arithmetic."""
        return len(set(self.work_days)) == 7 and not self.holidays

    @overload
    def back(self, day: int, n: int = 0) -> int: ...
    @overload
    def back(self, day: IntArray, n: int | IntArray = 0) -> IntArray: ...
    def back(self, day: int | IntArray, n: int | IntArray = 0) -> int | IntArray:
        """back(d, n): n working days before the last working day on or before d."""
        if self.every_day:
            return _same_kind(day, np.asarray(day, dtype=np.int64) - n)
        if not isinstance(day, int | np.integer) and np.size(day) >= _TABLE_FROM:
            moved_days = self._table_move(np.asarray(day, dtype=np.int64), n, forward=False)
            if moved_days is not None:
                return moved_days
        moved = np.busday_offset(
            _d64(day), -np.asarray(n, dtype=np.int64), roll="backward", busdaycal=self._busdays
        )
        return _same_kind(day, _ordinals(moved))

    @overload
    def fwd(self, day: int, n: int = 0) -> int: ...
    @overload
    def fwd(self, day: IntArray, n: int | IntArray = 0) -> IntArray: ...
    def fwd(self, day: int | IntArray, n: int | IntArray = 0) -> int | IntArray:
        """fwd(d, n): the n-th working day after the first working day on or after d."""
        if self.every_day:
            return _same_kind(day, np.asarray(day, dtype=np.int64) + n)
        if not isinstance(day, int | np.integer) and np.size(day) >= _TABLE_FROM:
            moved_days = self._table_move(np.asarray(day, dtype=np.int64), n, forward=True)
            if moved_days is not None:
                return moved_days
        moved = np.busday_offset(
            _d64(day), np.asarray(n, dtype=np.int64), roll="forward", busdaycal=self._busdays
        )
        return _same_kind(day, _ordinals(moved))

    def _table_move(self, day: IntArray, n: int | IntArray, forward: bool) -> IntArray | None:
        """``fwd``/``back`` of many days at once through a table of the working days
        of their span (with room for ``n`` on either side); None when a result falls
        outside the table (``busday_offset`` answers then)."""
        steps = np.asarray(n, dtype=np.int64)
        if day.size == 0 or (steps.size and int(steps.min()) < 0):
            return None
        reach = int(steps.max(initial=0))
        # a week holds at least one working day unless holidays fill it; too few
        # rows in the table only sends the call to busday_offset
        margin = 7 * (reach + 2) + 2 * len(self.holidays)
        lo = int(day.min()) - (0 if forward else margin)
        hi = int(day.max()) + (margin if forward else 0)
        span = np.arange(lo, hi + 1, dtype=np.int64)
        working = np.is_busday(_d64(span), busdaycal=self._busdays)
        before = np.cumsum(working)  # working days in [lo, d]
        workdays = span[working]
        at = day - lo
        if forward:
            index = before[at] - working[at] + steps  # first working day >= d, then n on
            if index.size and int(index.max()) >= workdays.size:
                return None
        else:
            index = before[at] - 1 - steps  # last working day <= d, then n back
            if index.size and int(index.min()) < 0:
                return None
        moved: IntArray = workdays[index]
        return moved

    def is_working(self, day: int) -> bool:
        """Whether ``day`` (an ordinal) is a working day."""
        if self.every_day:
            return True
        return bool(np.is_busday(_d64(day), busdaycal=self._busdays))

    def working_days_between(self, start: int, end: int) -> int:
        """Working days in [start, end): how many days of work fit between two dates."""
        if self.every_day:
            return max(end - start, 0)
        if end <= start:
            return 0
        return int(np.busday_count(_d64(start), _d64(end), busdaycal=self._busdays))


def _d64(day: int | IntArray) -> npt.NDArray[np.datetime64]:
    return (np.asarray(day, dtype=np.int64) - _EPOCH).astype("datetime64[D]")


def _ordinals(days: npt.NDArray[np.datetime64]) -> IntArray:
    return np.asarray(days, dtype="datetime64[D]").astype(np.int64) + _EPOCH


def _same_kind(template: int | IntArray, value: IntArray) -> int | IntArray:
    """A Python int for a scalar argument (the engine's loops use ints), else an array."""
    if isinstance(template, int | np.integer):
        return int(value)
    return np.asarray(value, dtype=np.int64)

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
        moved = np.busday_offset(
            _d64(day), np.asarray(n, dtype=np.int64), roll="forward", busdaycal=self._busdays
        )
        return _same_kind(day, _ordinals(moved))

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

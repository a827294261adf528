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

One day (a Python or NumPy integer) moves in plain Python instead (``_Days``: whole
weeks at a time, the holidays found by bisection), so a command that dates a few
things (``pegboard order show``) never imports NumPy (issue #18, start-up); NumPy is
imported on the first call with an array. tests/engine/test_calendar_scalar.py holds
the two equal.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from numbers import Integral
from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    IntArray = npt.NDArray[np.int64]

__all__ = ["ALL_DAYS", "WorkCalendar"]

#: Monday = 0 … Sunday = 6, as ``date.weekday()``.
ALL_DAYS = (0, 1, 2, 3, 4, 5, 6)

# Day ordinal of 1970-01-01, NumPy's day zero for datetime64[D].
_EPOCH = 719163

# Arrays from this size move through a table of working days (see the module doc).
_TABLE_FROM = 64


class _Days:
    """One day at a time, in plain Python: the working weekdays and the holidays that
    fall on one of them (sorted), the rules ``busday_offset`` and ``busday_count`` follow."""

    def __init__(self, work_days: tuple[int, ...], holidays: tuple[int, ...]) -> None:
        self.weekdays = frozenset(work_days)
        self.per_week = len(self.weekdays)
        self.off = sorted({h for h in holidays if (h - 1) % 7 in self.weekdays})
        self.off_set = frozenset(self.off)

    def working(self, day: int) -> bool:
        return (day - 1) % 7 in self.weekdays and day not in self.off_set  # ordinal 1: Monday

    def _off_between(self, lo: int, hi: int) -> int:
        """Holidays on working weekdays in [lo, hi]."""
        return bisect_right(self.off, hi) - bisect_left(self.off, lo)

    def roll(self, day: int, step: int) -> int:
        while not self.working(day):
            day += step
        return day

    def move(self, day: int, n: int) -> int:
        """From ``day``, ``n`` working days on (``n`` < 0: back), whole weeks at a time:
        the 7·w days after ``day`` hold w·per_week working weekdays less their holidays."""
        step, left = (1, n) if n > 0 else (-1, -n)
        while left > self.per_week:
            weeks = left // self.per_week
            end = day + step * 7 * weeks
            lo, hi = (day + 1, end) if step > 0 else (end, day - 1)
            left -= weeks * self.per_week - self._off_between(lo, hi)
            day = end
        while left:
            day += step
            left -= self.working(day)
        return day

    def count(self, start: int, end: int) -> int:
        """Working days in [start, end) (``start`` < ``end``)."""
        weeks, rest = divmod(end - start, 7)
        extra = sum((start + 7 * weeks + i - 1) % 7 in self.weekdays for i in range(rest))
        return weeks * self.per_week + extra - self._off_between(start, end - 1)


@dataclass(frozen=True)
class WorkCalendar:
    """Working weekdays (Monday = 0) and holidays (day ordinals)."""

    work_days: tuple[int, ...] = ALL_DAYS
    holidays: tuple[int, ...] = ()
    _days: _Days = field(init=False, repr=False, compare=False)
    _numpy_calendar: list[Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.work_days or not set(self.work_days) <= set(ALL_DAYS):
            raise ValueError(f"work_days must be weekdays 0-6, at least one: {self.work_days}")
        object.__setattr__(self, "_days", _Days(self.work_days, self.holidays))
        object.__setattr__(self, "_numpy_calendar", [])

    @property
    def _busdays(self) -> np.busdaycalendar:
        """NumPy's calendar, made on the first call with an array."""
        if not self._numpy_calendar:
            import numpy as np

            mask = [1 if d in self.work_days else 0 for d in ALL_DAYS]
            days = np.asarray(sorted(set(self.holidays)), dtype=np.int64) - _EPOCH
            made = np.busdaycalendar(weekmask=mask, holidays=days.astype("datetime64[D]"))
            self._numpy_calendar.append(made)
        calendar: np.busdaycalendar = self._numpy_calendar[0]
        return calendar

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
        if isinstance(day, Integral) and isinstance(n, Integral):
            if self.every_day:
                return int(day) - int(n)
            return self._days.move(self._days.roll(int(day), -1), -int(n))
        import numpy as np

        if self.every_day:
            return _same_kind(day, np.asarray(day, dtype=np.int64) - n)
        if np.size(day) >= _TABLE_FROM:
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
        if isinstance(day, Integral) and isinstance(n, Integral):
            if self.every_day:
                return int(day) + int(n)
            return self._days.move(self._days.roll(int(day), 1), int(n))
        import numpy as np

        if self.every_day:
            return _same_kind(day, np.asarray(day, dtype=np.int64) + n)
        if np.size(day) >= _TABLE_FROM:
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
        import numpy as np

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
        return self.every_day or self._days.working(int(day))

    def working_days_between(self, start: int, end: int) -> int:
        """Working days in [start, end): how many days of work fit between two dates.

        A reversed range (``end`` before ``start``) holds none: 0, on every calendar, not
        NumPy's negative ``busday_count``. The board and order changes keep an order's
        work from its start to its due date when they move it (``back``/``fwd`` by this
        count); an order recorded with its start after its due date has no work to keep,
        and a negative count would date its new start after its finish, or push a parent
        due before its components are ready."""
        if self.every_day:
            return max(end - start, 0)
        if end <= start:
            return 0
        return self._days.count(int(start), int(end))


def _d64(day: int | IntArray) -> npt.NDArray[np.datetime64]:
    import numpy as np

    return (np.asarray(day, dtype=np.int64) - _EPOCH).astype("datetime64[D]")


def _ordinals(days: npt.NDArray[np.datetime64]) -> IntArray:
    import numpy as np

    return np.asarray(days, dtype="datetime64[D]").astype(np.int64) + _EPOCH


def _same_kind(template: int | IntArray, value: IntArray) -> int | IntArray:
    """A Python int for a scalar argument (the engine's loops use ints), else an array."""
    import numpy as np

    if isinstance(template, Integral):
        return int(value)
    return np.asarray(value, dtype=np.int64)

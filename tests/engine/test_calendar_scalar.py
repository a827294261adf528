"""One day moves through the calendar in plain Python (so a command that dates a few
things loads no NumPy: issue #18); NumPy's business-day functions, which move arrays,
are the judge: both give the same day for every calendar, day and count."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from pegboard.engine.calendar import WorkCalendar

D0 = 738_998  # a day ordinal (2024-04-22, a Monday); the holidays fall around it

calendars = st.builds(
    WorkCalendar,
    work_days=st.sets(st.integers(0, 6), min_size=1).map(lambda s: tuple(sorted(s))),
    holidays=st.lists(st.integers(D0 - 400, D0 + 400), max_size=60).map(tuple),
)
days = st.integers(D0 - 500, D0 + 500)
counts = st.integers(-300, 300)


def _busdays(cal: WorkCalendar) -> np.busdaycalendar:
    mask = [1 if d in cal.work_days else 0 for d in range(7)]
    holidays = (np.asarray(sorted(set(cal.holidays)), dtype=np.int64) - 719_163).astype(
        "datetime64[D]"
    )
    return np.busdaycalendar(weekmask=mask, holidays=holidays)


def _d64(day: int) -> np.datetime64:
    return np.datetime64(day - 719_163, "D")


def _ordinal(day: np.datetime64) -> int:
    return int(day.astype(np.int64)) + 719_163


@settings(max_examples=400, deadline=None)
@given(calendars, days, counts)
def test_one_day_moves_as_numpy_moves_it(cal: WorkCalendar, day: int, n: int) -> None:
    bus = _busdays(cal)
    back = np.busday_offset(_d64(day), -n, roll="backward", busdaycal=bus)
    fwd = np.busday_offset(_d64(day), n, roll="forward", busdaycal=bus)
    assert cal.back(day, n) == _ordinal(back)
    assert cal.fwd(day, n) == _ordinal(fwd)
    assert cal.back(np.int64(day), np.int64(n)) == _ordinal(back)  # a NumPy integer too
    assert cal.is_working(day) == bool(np.is_busday(_d64(day), busdaycal=bus))
    if n >= 0:  # the array path (NumPy) agrees for the same day
        assert cal.fwd(np.array([day]), n).tolist() == [_ordinal(fwd)]


@settings(max_examples=300, deadline=None)
@given(calendars, days, st.integers(0, 900))
def test_working_days_between_counts_as_numpy(cal: WorkCalendar, start: int, span: int) -> None:
    expected = int(np.busday_count(_d64(start), _d64(start + span), busdaycal=_busdays(cal)))
    assert cal.working_days_between(start, start + span) == expected
    assert cal.working_days_between(start + span, start) == 0


def test_a_scalar_loads_no_numpy() -> None:
    """In a fresh process: dating one day (as ``pegboard order show`` does) imports no
    NumPy."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from pegboard.engine.calendar import WorkCalendar\n"
        "cal = WorkCalendar(work_days=(0, 1, 2, 3, 4), holidays=(739001,))\n"
        "print(cal.back(739004, 3), cal.fwd(738998, 4), 'numpy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # 739004 is a Sunday: back to Fri 739002, 3 working days back past the Thursday
    # holiday 739001: Wed, Tue, Mon 738998; 4 on from Mon 738998: Tue, Wed, Fri, Mon 739005
    assert out.stdout.split() == ["738998", "739005", "False"]


def test_a_reversed_range_holds_no_working_days() -> None:
    """An order recorded with its start after its due date keeps 0 working days of work
    when the board or an order change moves it, on the every-day calendar and on one
    with a short week and holidays alike (NumPy's count would be negative): its new
    start is then its finish, never after it."""
    every_day = WorkCalendar(work_days=(0, 1, 2, 3, 4, 5, 6), holidays=())
    short = WorkCalendar(work_days=(0, 1, 2, 3), holidays=(D0 + 2, D0 + 8))
    assert every_day.every_day and not short.every_day
    start, due = D0 + 14, D0  # D0 is a Monday
    for cal in (every_day, short):
        assert cal.working_days_between(start, due) == 0
        assert cal.working_days_between(due, due) == 0
        work = cal.working_days_between(start, due)
        assert cal.back(due, work) == due and cal.fwd(due, work) == due
    assert every_day.working_days_between(due, start) == 14
    assert short.working_days_between(due, start) == 6  # Mon-Thu, less the two holidays
    assert int(np.busday_count(_d64(start), _d64(due), busdaycal=_busdays(short))) == -6

"""A saved board move takes an operation's hours off the days the stored schedule booked
them on, and only its hours: also when one of those days has been closed since (or never
was a working day: a pin's hours all on its first day), whatever the calendar says now
(both databases)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.model import ScheduledLoad
from pegboard.services.scheduled_load import Span, move_hours

SAT, SUN, MON, TUE = (date(2026, 12, d) for d in (12, 13, 14, 15))


def _weekdays(_work_center: int, day: int) -> bool:
    return date.fromordinal(day).weekday() < 5


def _booked(session: Session) -> list[tuple[int, date, float]]:
    with session.begin():
        rows = session.execute(
            select(ScheduledLoad.work_center_id, ScheduledLoad.day, ScheduledLoad.hours).order_by(
                ScheduledLoad.work_center_id, ScheduledLoad.day
            )
        ).all()
    return [(wc, day, round(hours, 9)) for wc, day, hours in rows]


def _book(session: Session, *rows: tuple[int, date, float]) -> None:
    with session.begin():
        session.add_all(
            ScheduledLoad(schedule_run_id=1, work_center_id=wc, day=day, hours=hours)
            for wc, day, hours in rows
        )


def test_hours_booked_on_a_day_that_is_not_worked_now_are_taken_off_it(
    session: Session,
) -> None:
    _book(session, (1, SAT, 8.0), (1, TUE, 3.0))  # 3 h of another operation on Tuesday
    with session.begin():
        move_hours(session, 1, 8.0, (Span(1, SAT, SUN), Span(1, MON, MON)), _weekdays)
    assert _booked(session) == [(1, MON, 8.0), (1, TUE, 3.0)]


def test_a_move_to_another_work_center_takes_an_even_share_then_the_rest(
    session: Session,
) -> None:
    _book(session, (1, MON, 2.0), (1, TUE, 6.0), (2, TUE, 1.0))
    with session.begin():
        move_hours(session, 1, 6.0, (Span(1, MON, TUE), Span(2, TUE, TUE)), _weekdays)
    # 3 h a day asked: Monday gives its 2, Tuesday 3 and then the 1 Monday lacked
    assert _booked(session) == [(1, TUE, 2.0), (2, TUE, 7.0)]

"""The plant calendar: work days and holidays, as planning reads them, and the sample
companies moved to the day they are loaded."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from _clock import DEMO_DAY, TEST_TODAY
from pegboard.bundle.demo import demo_dataset, demo_shift
from pegboard.bundle.importer import read_bundle
from pegboard.demo import demo_path
from pegboard.errors import NotFoundError, ValidationError
from pegboard.services import audit
from pegboard.services import calendar as plant_calendar
from pegboard.services.dataset import HolidayRow


def test_work_days_parse_and_format() -> None:
    assert plant_calendar.parse_work_days("Mon, tue,WED,thursday,fri") == (0, 1, 2, 3, 4)
    assert plant_calendar.format_work_days((4, 0, 0)) == "mon,fri"
    with pytest.raises(ValidationError, match="unknown weekday 'fun'"):
        plant_calendar.parse_work_days("mon,funday")
    with pytest.raises(ValidationError, match="at least one weekday"):
        plant_calendar.parse_work_days(" , ")


def test_the_calendar_is_what_planning_reads(session: Session) -> None:
    assert plant_calendar.load_calendar(session.connection()).every_day
    session.commit()
    plant_calendar.set_work_days(session, "mon,tue,wed,thu,fri", author="ann")
    plant_calendar.add_holiday(session, date(2026, 12, 25), "Christmas Day", author="ann")
    with pytest.raises(ValidationError, match="is a holiday already"):
        plant_calendar.add_holiday(session, date(2026, 12, 25), author="ann")
    cal = plant_calendar.load_calendar(session.connection())
    # Christmas Day 2026 is a Friday: a need on Sunday the 27th rolls back to Thursday.
    assert date.fromordinal(cal.back(date(2026, 12, 27).toordinal())) == date(2026, 12, 24)
    assert not cal.is_working(date(2026, 12, 26).toordinal())
    view = plant_calendar.show_calendar(session)
    assert view.work_days_text == "mon,tue,wed,thu,fri"
    assert view.holidays == [(date(2026, 12, 25), "Christmas Day")]
    session.commit()
    plant_calendar.remove_holiday(session, date(2026, 12, 25), author="bob")
    with pytest.raises(NotFoundError):
        plant_calendar.remove_holiday(session, date(2026, 12, 25), author="bob")
    actions = [e.action for e in audit.history(session, entity="calendar")]
    assert sorted(actions) == ["add holiday", "change", "remove holiday"]


@pytest.mark.parametrize("today", [DEMO_DAY, TEST_TODAY, date(2028, 2, 26), date(2028, 3, 1)])
def test_the_sample_company_moves_with_the_day_it_is_loaded(today: date) -> None:
    written = read_bundle(demo_path("lighting"))
    moved = demo_dataset("lighting", today)
    assert "planning_date" not in moved.settings  # plans as of the day they run
    assert moved.settings["work_days"] == "mon,tue,wed,thu,fri"
    # Whole weeks, to the week nearest today: 2028-02-26 is a Saturday, so the Monday
    # the sample was written for becomes Monday 2028-02-28; from Wednesday 2028-03-01
    # it is the same Monday, two days back.
    shift = demo_shift(DEMO_DAY, today)
    assert shift % 7 == 0 and abs((today - DEMO_DAY).days - shift) <= 3
    if today in (date(2028, 2, 26), date(2028, 3, 1)):
        assert DEMO_DAY + timedelta(days=shift) == date(2028, 2, 28)
    for before, after in zip(written.sales, moved.sales, strict=True):
        assert after.due_date == before.due_date + timedelta(days=shift)
        assert after.due_date.weekday() == before.due_date.weekday()
    for before, after in zip(written.purchases, moved.purchases, strict=True):
        assert after.due_date == before.due_date + timedelta(days=shift)
    # Holidays keep their day of the year, in every year the moved orders reach.
    written_days = {(h.date.month, h.date.day, h.description) for h in written.holidays}
    assert {(h.date.month, h.date.day, h.description) for h in moved.holidays} == written_days
    last = max(s.due_date for s in moved.sales)
    for year in range(today.year, last.year + 1):
        assert HolidayRow(date(year, 12, 25), "Christmas Day") in moved.holidays


def test_holidays_keep_their_day_of_the_year_when_a_company_moves() -> None:
    data = read_bundle(demo_path("lighting"))
    data.holidays = [HolidayRow(date(2026, 12, 25), "Christmas Day")]
    moved = data.shifted(400)
    christmas = [h.date for h in moved.holidays]
    assert all((d.month, d.day) == (12, 25) for d in christmas)
    last_due = max(s.due_date for s in moved.sales)
    assert date(last_due.year, 12, 25) in christmas
    assert date(2027, 12, 25) in christmas

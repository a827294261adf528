"""``pegboard demo`` on any day plans a Monday-to-Friday company: no planned order is
released or due on a weekend or a public holiday (planning rule 1, issue #13)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from _clock import pin_today
from pegboard import db
from pegboard.cli import app
from pegboard.demo import DEMOS
from pegboard.services import calendar as plant_calendar
from pegboard.services import plan_results, planning

LATE_LINE = {"lighting": "SO-1008/1", "kitchens": "SO-2004/1"}
"""The overdue or late line each sample is written to show (bundle ``pegboard/demo``)."""


@pytest.mark.parametrize("company", DEMOS)
@pytest.mark.parametrize(
    "today",
    [
        # A Wednesday before Christmas: Christmas Day and Boxing Day 2028 are a Monday
        # and a Tuesday, New Year's Day 2029 a Monday, all inside the lead times.
        date(2028, 12, 20),
        # A Wednesday in spring, with Labour Day (Tuesday 1 May 2029) ahead.
        date(2029, 4, 18),
    ],
)
def test_the_demo_releases_and_delivers_on_working_days_only(
    company: str, today: date, engine: Engine
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    with pin_today(today):
        result = CliRunner().invoke(
            app,
            ["demo", "--no-serve", "--company", company],
            env={"PEGBOARD_DATABASE_URL": url, "COLUMNS": "160"},
        )
    assert result.exit_code == 0, result.output
    assert LATE_LINE[company] in result.output  # the story the sample is written to tell

    with db.session_factory(engine)() as s:
        run = planning.current_run(s)
        calendar = plant_calendar.load_calendar(s.connection())
        view = plant_calendar.show_calendar(s)
        planned = plan_results.planned_order_rows(s)
    assert run is not None and run.planning_date == today
    assert view.work_days_text == "mon,tue,wed,thu,fri"

    def working(day: date) -> bool:
        return calendar.is_working(day.toordinal())

    assert planned
    off = [
        (n, r, d) for n, _item, _type, _qty, r, d, _so in planned if not (working(r) and working(d))
    ]
    assert off == []
    # The holidays are real days off inside the plan: some fall on a weekday between
    # the first release and the last due date, so the dates above went round them.
    first, last = min(r for *_, r, _d, _so in planned), max(d for *_, d, _so in planned)
    days_off = [day for day, _text in view.holidays if first <= day <= last and day.weekday() < 5]
    assert days_off

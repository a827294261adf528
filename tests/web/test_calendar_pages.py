"""The plant calendar page: work days and holidays shown with their year, changed
through the forms by the roles that may (audited), refused for the others."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from pegboard import db
from pegboard.model import Role
from pegboard.services import audit
from pegboard.services import calendar as plant_calendar

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
LOGIN_TOKEN = re.compile(r'name="login_token" value="([^"]+)"')
LogIn = Callable[[str], str]


def _view(engine: Engine) -> plant_calendar.CalendarView:
    with db.session_factory(engine)() as s:
        return plant_calendar.show_calendar(s)


def _sign_in_as(web: TestClient, make_user: Callable[..., None], name: str, role: Role) -> str:
    """Sign in as a browser does (the login form first, with its token when it has one)."""
    make_user(name, role)
    form = web.get("/login", follow_redirects=False)
    assert form.status_code == 200, "nobody is signed in"
    found = LOGIN_TOKEN.search(form.text)
    sent = {"name": name, "password": PASSWORD} | ({"login_token": found[1]} if found else {})
    page = web.post("/login", data=sent)
    assert page.status_code == 200, page.text
    token = CSRF.search(page.text)
    assert token
    return token[1]


def test_the_sample_companys_calendar_with_the_year_on_every_date(
    web: TestClient, sample: None, log_in: LogIn
) -> None:
    log_in("ann")
    page = web.get("/calendar")
    assert page.status_code == 200
    text = page.text
    assert '<a href="/calendar" aria-current="page">Calendar</a>' in text
    assert "The plant works: <strong>Monday, Tuesday, Wednesday, Thursday, Friday</strong>" in text
    for day in ("mon", "tue", "wed", "thu", "fri"):
        assert f'name="day" value="{day}" checked>' in text
    assert 'name="day" value="sat">' in text and 'name="day" value="sun">' in text
    holidays = text.split('id="holidays-h"', 1)[1].split("</section>", 1)[0]
    assert "(6)" in holidays
    # Christmas Day 2026 is a Friday, Boxing Day a Saturday: every date with its year
    row = holidays.split('datetime="2026-12-25"', 1)[1].split("</tr>", 1)[0]
    assert "2026-12-25</time>" in row and "<td>Friday</td>" in row and "Christmas Day" in row
    assert (
        holidays.index("2026-12-25") < holidays.index("2027-01-01") < holidays.index("2027-12-25")
    )
    assert "Remove 2027-01-01" in holidays and "Add holiday" in holidays


def test_a_planner_changes_the_work_days_and_the_holidays(
    web: TestClient, engine: Engine, log_in: LogIn
) -> None:
    token = log_in("ann")
    empty = web.get("/calendar").text
    assert (
        "The plant works: <strong>Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday"
        in empty
    )
    assert "No holidays." in empty

    week = {"csrf_token": token, "day": ["mon", "tue", "wed", "thu", "fri", "sat"]}
    saved = web.post("/calendar/work-days", data=week, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == "/calendar?done=work-days"
    assert "The work days were changed" in web.get(saved.headers["location"]).text
    assert _view(engine).work_days == (0, 1, 2, 3, 4, 5)

    holiday = {"csrf_token": token, "day": "2027-03-26", "description": "Good Friday <b>"}
    added = web.post("/calendar/holidays", data=holiday, follow_redirects=False)
    assert added.status_code == 303 and added.headers["location"] == "/calendar?done=added"
    page = web.get("/calendar").text
    assert (
        "2027-03-26</time>" in page
        and "Good Friday &lt;b&gt;" in page
        and "Good Friday <b>" not in page
    )
    assert _view(engine).holidays == [(date(2027, 3, 26), "Good Friday <b>")]
    # what the next plan reads: Friday 2027-03-26 is no working day, Saturday the 27th is
    with db.session_factory(engine)() as s:
        cal = plant_calendar.load_calendar(s.connection())
    assert not cal.is_working(date(2027, 3, 26).toordinal())
    assert cal.is_working(date(2027, 3, 27).toordinal())

    gone = web.post(
        "/calendar/holidays/remove",
        data={"csrf_token": token, "day": "2027-03-26"},
        follow_redirects=False,
    )
    assert gone.status_code == 303 and gone.headers["location"] == "/calendar?done=removed"
    assert _view(engine).holidays == []

    with db.session_factory(engine)() as s:
        entries = audit.history(s, entity="calendar")
    assert sorted((e.action, e.author) for e in entries) == [
        ("add holiday", "ann"),
        ("change", "ann"),
        ("remove holiday", "ann"),
    ]


def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(
    web: TestClient, engine: Engine, log_in: LogIn
) -> None:
    token = log_in("ann")
    web.post("/calendar/holidays", data={"csrf_token": token, "day": "2026-12-25"})
    before = _view(engine)

    none = web.post("/calendar/work-days", data={"csrf_token": token})
    assert none.status_code == 422
    assert "Work_days: name at least one weekday." in none.text

    cases = [
        (
            {"day": "2027-13-01"},
            "Date &#39;2027-13-01&#39; is not a day of the calendar (write YYYY-MM-DD).",
        ),
        ({"day": ""}, "Enter the date."),
        ({"day": "2026-12-25"}, "2026-12-25 is a holiday already."),
        (
            {"day": "2027-01-01", "description": "x" * 201},
            "A holiday&#39;s description is at most 200 characters.",
        ),
    ]
    for fields, message in cases:
        refused = web.post("/calendar/holidays", data={"csrf_token": token, **fields})
        assert refused.status_code == 422, fields
        assert message in refused.text, refused.text
    # what was typed stays in the form
    assert (
        'value="2027-13-01"'
        in web.post("/calendar/holidays", data={"csrf_token": token, "day": "2027-13-01"}).text
    )

    missing = web.post("/calendar/holidays/remove", data={"csrf_token": token, "day": "2027-01-01"})
    assert missing.status_code == 404 and "2027-01-01 is not a holiday" in missing.text
    assert _view(engine) == before


def test_a_viewer_sees_no_forms_and_forged_posts_change_nothing(
    web: TestClient, engine: Engine, make_user: Callable[..., None], log_in: LogIn
) -> None:
    assert web.get("/calendar", follow_redirects=False).status_code == 303  # to the login page
    token = log_in("ann")
    web.post("/calendar/holidays", data={"csrf_token": token, "day": "2026-12-25"})
    no_token = web.post("/calendar/work-days", data={"day": ["mon"]})
    assert no_token.status_code == 403 and "no valid security token" in no_token.text

    for role in (Role.VIEWER, Role.BUYER, Role.SHOPFLOOR):
        assert web.post("/logout", data={"csrf_token": token}).status_code == 200
        token = _sign_in_as(web, make_user, f"{role.value}-1", role)
        page = web.get("/calendar").text
        assert "2026-12-25</time>" in page
        assert "Save work days" not in page and "Add holiday" not in page and "Remove" not in page
        for url, fields in (
            ("/calendar/work-days", {"day": ["mon"]}),
            ("/calendar/holidays", {"day": "2027-01-01"}),
            ("/calendar/holidays/remove", {"day": "2026-12-25"}),
        ):
            forged = web.post(url, data={"csrf_token": token, **fields})
            assert forged.status_code == 403, (role, url)
            assert "may not change the plant calendar" in forged.text
    view = _view(engine)
    assert view.work_days == (0, 1, 2, 3, 4, 5, 6)
    assert view.holidays == [(date(2026, 12, 25), "")]

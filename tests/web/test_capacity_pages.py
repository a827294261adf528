"""The capacity page (issue #15): the work centers and a load chart per work center (bars,
the capacity line, overloaded weeks red, the year on the axis, tooltips and links without
scripts), and the form that creates or changes a work center; both databases."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from _login import post_login
from pegboard import db
from pegboard.model import Role
from pegboard.services import capacity

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
LogIn = Callable[[str], str]


def _centers(engine: Engine) -> dict[str, capacity.WorkCenterView]:
    with db.session_factory(engine)() as s:
        return {w.code: w for w in capacity.list_work_centers(s)}


def _section(text: str, code: str) -> str:
    return text.split(f'<section class="load" id="load-{code}"', 1)[1].split("</section>", 1)[0]


def test_the_sample_companys_load_charts(web: TestClient, sample: None, log_in: LogIn) -> None:
    """The powder line is full in the week of 2026-11-23 (an open production order and a
    planned one): it comes first, its bar is red, its tooltip names the week, the year and
    the orders, and it opens the work center's page for that week; the week's row links
    the orders to their pages."""
    log_in("ann")
    page = web.get("/capacity?from=2026-11-23")
    assert page.status_code == 200
    text = page.text
    assert '<a href="/capacity" aria-current="page">Capacity</a>' in text
    assert "unsafe-inline" not in page.headers["content-security-policy"]  # charts need none
    for code in ("SAW", "CNC-DRILL", "POWDER", "LED-ASM", "WIRE-TEST", "PACK"):
        assert f'<a href="/capacity?q={code}#load-h">{code}</a>' in text
        assert f'id="load-{code}"' in text
    assert "tue 7.5, thu 5" in text and "85.00" in text
    assert '<time datetime="2026-12-03">2026-12-03</time>' in text  # the oven's maintenance
    assert "Work centers 1–6 of 6, page 1 of 1." in text
    assert text.index('id="load-POWDER"') < min(
        text.index(f'id="load-{code}"') for code in ("SAW", "CNC-DRILL", "LED-ASM", "PACK")
    )  # the overloaded one first

    powder = _section(text, "POWDER")
    assert "<svg" in powder and 'class="capacity"' in powder
    assert powder.count('class="bar over"') == 1
    over = powder.split('class="bar over"', 1)[1].split("</rect>", 1)[0]
    assert "POWDER, week 48 of 2026 (from 2026-11-23)" in over
    assert "MO-1007-1.1" in over
    anchor = powder.split('class="bar over"', 1)[0].rsplit("<a ", 1)[1]
    assert 'href="/capacity/POWDER?from=2026-11-23&amp;weeks=1"' in anchor
    row = powder.split('id="POWDER-2026-W48" class="over"', 1)[1].split("</tr>", 1)[0]
    assert '<a href="/production/MO-1007-1.1">MO-1007-1.1</a>' in row
    assert '<a href="/plan/planned-orders?type=make">PL-' in row
    # the year on the axis: under the first week, and where 2027 begins
    assert re.search(r'<text class="year"[^>]*>2026</text>', powder)
    assert re.search(r'<text class="year"[^>]*>2027</text>', powder)
    assert ">W01</text>" in powder and ">W53</text>" in powder
    assert "Add or change a work center" in text


def test_a_planner_creates_and_changes_a_work_center(
    web: TestClient, engine: Engine, log_in: LogIn
) -> None:
    token = log_in("ann")
    assert "No work centers yet." in web.get("/capacity").text
    fields = {"code": "SAW", "hours_per_day": "7.5", "units": "2", "cost_rate": "42.5"}
    saved = web.post(
        "/capacity/work-centers", data={"csrf_token": token, **fields}, follow_redirects=False
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/capacity?saved=SAW"
    assert "Work center SAW was saved." in web.get(saved.headers["location"]).text
    changed = {"code": "SAW", "weekday_hours": "mon=8,tue=8,wed=8,thu=8,fri=6", "units": ""}
    web.post("/capacity/work-centers", data={"csrf_token": token, **changed})
    saw = _centers(engine)["SAW"]
    assert (saw.hours_text, saw.units, saw.cost_rate) == (
        "mon-thu 8, fri 6",
        2,
        Decimal("42.50"),
    )
    assert "Work center NOPE was saved." not in web.get("/capacity?saved=NOPE").text


def test_refused_values_show_the_form_again_with_what_was_typed(
    web: TestClient, engine: Engine, log_in: LogIn
) -> None:
    token = log_in("ann")
    for fields, status, message in (
        ({"code": "KILN"}, 422, "give its hours per day"),
        ({"code": "KILN", "hours_per_day": "25"}, 422, "between 0 and 24"),
        ({"code": "KILN", "hours_per_day": "eight"}, 422, "is not a number"),
        ({"code": "KILN", "hours_per_day": "8", "units": "two"}, 422, "not a whole number"),
        ({"code": "KILN", "hours_per_day": "8", "cost_rate": "1.234"}, 422, "two decimals"),
        ({"code": "KILN", "weekday_hours": "mon=8,someday=4"}, 422, "someday"),
        ({"code": "", "hours_per_day": "8"}, 422, "code"),
    ):
        page = web.post("/capacity/work-centers", data={"csrf_token": token, **fields})
        assert page.status_code == status, (fields, page.text[:300])
        assert message in page.text, fields
        assert f'name="hours_per_day" maxlength="20" value="{fields.get("hours_per_day", "")}"' in (
            page.text
        )
    assert _centers(engine) == {}


def test_other_roles_see_no_form_and_forged_posts_change_nothing(
    web: TestClient, engine: Engine, make_user: Callable[..., None], log_in: LogIn
) -> None:
    assert web.get("/capacity", follow_redirects=False).status_code == 303  # to the login page
    token = log_in("ann")
    no_token = web.post("/capacity/work-centers", data={"code": "SAW", "hours_per_day": "8"})
    assert no_token.status_code == 403 and "no valid security token" in no_token.text
    for role in (Role.VIEWER, Role.BUYER, Role.SHOPFLOOR):
        assert web.post("/logout", data={"csrf_token": token}).status_code == 200
        make_user(role.value, role)
        page = post_login(web, {"name": role.value, "password": PASSWORD})
        found = CSRF.search(page.text)
        assert found
        token = found[1]
        assert "Add or change a work center" not in web.get("/capacity").text
        forged = web.post(
            "/capacity/work-centers",
            data={"csrf_token": token, "code": "SAW", "hours_per_day": "8"},
        )
        assert forged.status_code == 403 and "may not change work centers" in forged.text
    assert _centers(engine) == {}


def test_the_load_pages_its_work_centers_and_weeks(
    web: TestClient, sample: None, log_in: LogIn
) -> None:
    """A page of work centers at a time (the overloaded first), a filter by code or name,
    a window of weeks with the windows before and after, and per week the orders asking
    most with "and N more" opening the work center's page for that week."""
    log_in("ann")
    text = web.get("/capacity?from=2026-11-25&weeks=4").text
    assert "Work centers 1–6 of 6, page 1 of 1." in text
    earlier = "/capacity?from=2026-10-26&amp;weeks=4&amp;page=1#load-h"
    later = "/capacity?from=2026-12-21&amp;weeks=4&amp;page=1#load-h"
    assert f'<a href="{earlier}" rel="prev">' in text and f'<a href="{later}" rel="next">' in text
    powder = _section(text, "POWDER")
    assert ">W48</text>" in powder and ">W51</text>" in powder and ">W52</text>" not in powder
    # a week of more orders than are named (seven on WIRE-TEST) links to the rest
    text = web.get("/capacity?q=WIRE&from=2027-01-11&weeks=2").text
    row = text.split('id="WIRE-TEST-2027-W02"', 1)[1].split("</tr>", 1)[0]
    assert row.count("<a href=") == 4  # three orders named, and the link to the rest
    assert '<a href="/capacity/WIRE-TEST?from=2027-01-11&amp;weeks=1">and 4 more</a>' in row
    week = web.get("/capacity/WIRE-TEST?from=2027-01-11&weeks=1")
    assert week.status_code == 200 and "Work center WIRE-TEST" in week.text
    assert '<time datetime="2027-01-11">2027-01-11</time>\n    to <time datetime="2027-01-17">' in (
        week.text
    )  # the window of that one week
    assert "and 4 more" in _section(text, "WIRE-TEST").split("<svg", 1)[1].split("</svg>")[0]

    paged = web.get("/capacity?from=2026-11-23&weeks=4&page=2&q=")
    assert "page 1 of 1" in paged.text  # past the last page: the last one
    found = web.get("/capacity?q=oven").text + web.get("/capacity?q=POW").text
    assert found.count('id="load-POWDER"') == 2 and 'id="load-SAW"' not in found
    none = web.get("/capacity?q=nothing-like-it").text
    assert "No work center matches “nothing-like-it”." in none
    over = web.get("/capacity?from=2026-11-23&weeks=4&over=1").text
    assert 'id="load-POWDER"' in over and 'id="load-SAW"' not in over
    bad = web.get("/capacity?from=2026-02-30")  # refused naming it, as the API does
    assert bad.status_code == 422 and "2026-02-30&#39; is not a date YYYY-MM-DD" in bad.text
    far = web.get("/capacity?from=9999-12-20")
    assert far.status_code == 422 and "9999-12-20 is outside 1900-01-01 .. 2200-12-31" in far.text

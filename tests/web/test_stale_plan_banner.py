"""A page showing a plan older than today says so and offers to plan again (issue #13,
"one today"): one banner, from the base template, on every page of plan results."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from _clock import DEMO_DAY, pin_today
from pegboard import db
from pegboard.bundle.demo import demo_dataset
from pegboard.bundle.importer import read_bundle
from pegboard.demo import demo_path
from pegboard.model import Role
from pegboard.services import company_data, items, planning

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
LOGIN_TOKEN = re.compile(r'name="login_token" value="([^"]+)"')
MakeUser = Callable[..., None]
THURSDAY = DEMO_DAY + timedelta(days=3)  # 2026-11-26
PLAN_PAGES = (
    "/",
    "/plan",
    "/plan/planned-orders",
    "/plan/exceptions",
    "/orders",
    "/orders/SO-1008",
    "/pegging/orders/SO-1008",
    "/items/SA-LEDMOD-2240",
    "/production",
    "/purchasing",
    "/mps",
    "/mps/SA-DRVTRAY-60V",
)
OTHER_PAGES = ("/calendar", "/admin", "/policy")
BANNER = '<div class="stale-plan" role="status">'


def _load(engine: Engine, *, as_written: bool = False) -> None:
    """The lighting sample planned on Monday 2026-11-23: as ``pegboard demo`` loads it
    (new plans are planned as of their day), or as written (its settings fix the day)."""
    data = read_bundle(demo_path("lighting")) if as_written else demo_dataset("lighting", DEMO_DAY)
    with db.session_factory(engine)() as s:
        company_data.replace_company(s, data, author="test")
        planning.run_plan(s, author="test", today=DEMO_DAY)


def _sign_in(web: TestClient, make_user: MakeUser, name: str, role: Role = Role.PLANNER) -> str:
    """Sign in as a new user of ``role`` the way a browser does (the login form first, with
    its token when it has one); returns the session's CSRF token."""
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


def _sign_out(web: TestClient, token: str) -> None:
    assert web.post("/logout", data={"csrf_token": token}).status_code == 200


def _wait_for(web: TestClient, location: str) -> None:
    deadline = time.monotonic() + 60
    while 'http-equiv="refresh"' in web.get(location).text:
        assert time.monotonic() < deadline, "the plan run did not finish in time"
        time.sleep(0.2)


def test_every_page_of_plan_results_says_the_plan_is_old_and_replans(
    web: TestClient, engine: Engine, make_user: MakeUser
) -> None:
    _load(engine)
    with pin_today(DEMO_DAY):
        token = _sign_in(web, make_user, "ann")
        for url in PLAN_PAGES + OTHER_PAGES:  # planned today: no banner anywhere
            assert BANNER not in web.get(url).text, url
        _sign_out(web, token)

    with pin_today(THURSDAY):
        token = _sign_in(web, make_user, "bob")
        for url in PLAN_PAGES:
            page = web.get(url)
            assert page.status_code == 200, url
            assert page.text.count(BANNER) == 1, url
            banner = page.text.split(BANNER, 1)[1].split("</div>", 1)[0]
            assert "This plan is out of date." in banner
            assert "This plan is as of 2026-11-23, 3 days before today (2026-11-26)" in banner
            assert 'action="/plan/run"' in banner and "Re-plan as of today" in banner
            assert f'name="csrf_token" value="{token}"' in banner
        for url in OTHER_PAGES:
            assert BANNER not in web.get(url).text, url

        started = web.post("/plan/run", data={"csrf_token": token}, follow_redirects=False)
        assert started.status_code == 303
        _wait_for(web, started.headers["location"])
        for url in PLAN_PAGES:
            assert BANNER not in web.get(url).text, url
        with db.session_factory(engine)() as s:
            run = planning.current_run(s)
            assert run is not None and run.planning_date == THURSDAY


def test_a_viewer_is_told_but_gets_no_button(
    web: TestClient, engine: Engine, make_user: MakeUser
) -> None:
    _load(engine)
    with pin_today(THURSDAY):
        _sign_in(web, make_user, "vic", Role.VIEWER)
        page = web.get("/").text
        banner = page.split(BANNER, 1)[1].split("</div>", 1)[0]
        assert "3 days before today" in banner and "A planner can plan again." in banner
        assert "/plan/run" not in banner


def test_a_planning_date_fixed_by_the_settings_is_explained_not_replanned(
    web: TestClient, engine: Engine, make_user: MakeUser
) -> None:
    _load(engine, as_written=True)
    with pin_today(date(2026, 11, 24)):
        _sign_in(web, make_user, "ann")
        banner = web.get("/plan").text.split(BANNER, 1)[1].split("</div>", 1)[0]
        assert "This plan is as of 2026-11-23, 1 day before today (2026-11-24)" in banner
        assert "planning_date setting plans every new plan as of 2026-11-23" in banner
        assert "/plan/run" not in banner


def test_no_plan_yet_offers_to_plan(web: TestClient, engine: Engine, make_user: MakeUser) -> None:
    with db.session_factory(engine)() as s:
        company_data.replace_company(s, demo_dataset("lighting", DEMO_DAY), author="test")
    _sign_in(web, make_user, "ann")
    page = web.get("/").text
    banner = page.split(BANNER, 1)[1].split("</div>", 1)[0]
    assert "No plan yet." in banner and "Plan now" in banner and 'action="/plan/run"' in banner


def test_a_change_since_the_plan_ran_is_said_on_every_plan_page_until_replanned(
    web: TestClient, engine: Engine, make_user: MakeUser
) -> None:
    """Issue #19: the plan is as of today, but a planner changed an item's lead time."""
    _load(engine)
    with pin_today(DEMO_DAY):
        token = _sign_in(web, make_user, "ann")
        with db.session_factory(engine)() as s:
            items.update_item(s, "LED-BRD-24V-560", {"lead_time_days": 35}, author="ann")
        for url in PLAN_PAGES:
            page = web.get(url)
            assert page.status_code == 200, url
            assert page.text.count(BANNER) == 1, url
            banner = page.text.split(BANNER, 1)[1].split("</div>", 1)[0]
            assert "This plan is out of date." in banner and "days before today" not in banner
            assert (
                "The plan is older than your changes (1 change since it ran, last: item "
                "LED-BRD-24V-560: lead time days changed, 2026-11-23 09:"
            ) in banner, url
            assert 'action="/plan/run"' in banner and ">Re-plan</button>" in banner
        for url in OTHER_PAGES:
            assert BANNER not in web.get(url).text, url

        started = web.post("/plan/run", data={"csrf_token": token}, follow_redirects=False)
        assert started.status_code == 303
        _wait_for(web, started.headers["location"])
        for url in PLAN_PAGES:
            assert BANNER not in web.get(url).text, url

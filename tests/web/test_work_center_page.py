"""A work center's page (#15 items 6 and 7): the SVG Gantt of its operations (bars that
link to their orders with tooltips, the year on the axis, overloaded days, the today
line, paging by weeks; no script), its dispatch list, and starting and finishing an
operation from it; the production order page's own small Gantt. Both databases."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from _shop_floor import TODAY, build
from pegboard import clock, db
from pegboard.services import capacity
from pegboard.services.planning import run_plan
from pegboard.services.schedule_run import run_schedule

LogIn = Callable[[str], str]


@pytest.fixture
def shop(engine: Engine) -> None:
    with db.session_factory(engine)() as session:
        build(session)


def _bars(text: str) -> list[str]:
    return re.findall(r'<a href="(/production/[^"]+)"><rect class="op [^"]*"', text)


def test_the_gantt_of_a_work_center(web: TestClient, shop: None, log_in: LogIn) -> None:
    log_in("ann")
    page = web.get("/capacity/WELD?from=2026-11-25&weeks=3")
    assert page.status_code == 200, page.text
    text = page.text
    # the chart needs no script (the page's CSP allows no inline one), whatever the page loads
    assert "unsafe-inline" not in page.headers["content-security-policy"]
    assert "<script" not in text[text.index("<svg") : text.index("</svg>")]
    assert 'from <time datetime="2026-11-23">2026-11-23</time>' in text  # whole weeks
    assert _bars(text) == [f"/production/MO-{x}" for x in "BDAC"]
    assert (
        "<title>MO-B operation 20 on WELD (FRAME): 2.5 h, 2026-12-02 to 2026-12-02, "
        "due 2026-12-02; waiting; order released</title>"
    ) in text
    assert '<text class="month" x="172.0" y="12">Nov 2026</text>' in text
    assert ">Dec 2026</text>" in text
    today = clock.today()
    assert ('class="today"' in text) == (date(2026, 11, 23) <= today <= date(2026, 12, 13))
    later = web.get("/capacity/WELD?from=2026-12-14&weeks=3").text
    assert _bars(later) == [] and "No operation runs on WELD in these weeks" in later
    assert 'href="/capacity/WELD?from=2026-12-02&amp;weeks=3">First operation (2026-12-02)' in later
    assert web.get("/capacity/LASER").status_code == 404


def test_overloaded_days_are_red(
    web: TestClient, shop: None, log_in: LogIn, engine: Engine
) -> None:
    """WELD cut to 2 hours a day. Backward at 2 h a day: MO-A's 4.5 h take 2 h on Fri 12-04,
    2 h on Thu 12-03 and 0.5 h on Wed 12-02; MO-D's 2 h Thu 12-03; MO-B's 2.5 h 2 h on Wed
    12-02 and 0.5 h on Tue 12-01. Over: Wed 2.5 h, Thu 4 h."""
    with db.session_factory(engine)() as session:
        capacity.save_work_center(session, code="WELD", hours_per_day=2, author="ann")
    log_in("ann")
    text = web.get("/capacity/WELD?from=2026-11-30&weeks=1").text
    assert 'class="over-day"' in text
    assert "<title>Over capacity 2026-12-02: 2.5 h asked of 2 h — MO-A, MO-B</title>" in text
    assert "<title>Over capacity 2026-12-03: 4 h asked of 2 h — MO-A, MO-D</title>" in text
    assert text.count('class="over-day"') == 2
    assert "Days over capacity" in text


def test_start_and_finish_from_the_dispatch_list(
    web: TestClient, shop: None, log_in: LogIn
) -> None:
    token = log_in("ann")
    page = web.get("/capacity/WELD").text
    assert page.index(">MO-B</a>") < page.index(">MO-D</a>") < page.index(">MO-A</a>")
    sent = {"csrf_token": token, "order": "MO-D", "sequence": "10"}
    started = web.post("/capacity/WELD/operations", data=sent | {"action": "start"})
    assert started.status_code == 200
    assert "MO-D operation 10 started." in started.text
    refused = web.post(
        "/capacity/WELD/operations", data=sent | {"action": "finish", "hours": "lots"}
    )
    assert refused.status_code == 422
    assert "Hours worked must be a number, not &#39;lots&#39;." in refused.text
    done = web.post("/capacity/WELD/operations", data=sent | {"action": "finish", "hours": "1.5"})
    assert "MO-D operation 10 finished: 1.50 h worked." in done.text
    assert ">MO-D</a>" not in done.text.split('id="dispatch-h"', 1)[1]
    early = web.post(
        "/capacity/WELD/operations",
        data=sent | {"order": "MO-A", "sequence": "20", "action": "finish", "hours": "1"},
    )
    assert early.status_code == 409 and "has not started" in early.text
    order = web.get("/production/MO-D").text
    assert re.search("1 of 1 operation done", order)
    assert 'aria-labelledby="order-gantt-t"' in order
    assert "<title>MO-D operation 10 on WELD (BRACKET): 2 h" in order


def test_a_viewer_sees_but_does_not_report(
    web: TestClient, shop: None, log_in: LogIn, make_user: Callable[..., None]
) -> None:
    from pegboard.model import Role

    token = log_in("ann")
    assert 'value="start"' in web.get("/capacity/WELD").text
    web.post("/logout", data={"csrf_token": token})
    make_user("vic", Role.VIEWER)
    from _login import post_login

    signed = post_login(web, {"name": "vic", "password": "correct horse battery"})
    assert signed.status_code == 200
    page = web.get("/capacity/WELD").text
    assert 'value="start"' not in page and ">MO-B</a>" in page


def test_the_gantt_draws_the_finite_schedule_when_there_is_one(
    web: TestClient, shop: None, log_in: LogIn, engine: Engine
) -> None:
    """WELD cut to 1.5 h a day, scheduled finitely in rank order (every day a working day;
    an operation starts where its previous one ended in the day, on one unit):
    MO-B (released, due 12-02) after 2 h of CUT (a quarter of 12-01): 1.125 h on 12-01,
    1.375 on 12-02; MO-D 2 h: 1.5 on 11-23, 0.5 on 11-24; MO-A, after 3 h of CUT, gets
    the 0.375 h left on 12-01, 0.125 on 12-02, 1.5 on 12-03 and 12-04 and 1 on 12-05,
    after its due date 12-04 (late), held 12-01 … 12-02; MO-C (planned) 1.5 h: 0.5 on
    12-05, 1 on 12-06, held 12-01 … 12-05. No day is over."""
    log_in("ann")
    before = web.get("/capacity/WELD?from=2026-11-23&weeks=2").text
    assert "<strong>Backward load</strong>" in before and "as the backward load places" in before
    with db.session_factory(engine)() as session:
        capacity.save_work_center(session, code="WELD", hours_per_day=1.5, author="ann")
        run_schedule(session, author="ann")
    text = web.get("/capacity/WELD?from=2026-11-23&weeks=2").text
    assert "<strong>Finite schedule.</strong>" in text
    assert "Operations on WELD as the finite schedule places them" in text
    assert _bars(text) == [f"/production/MO-{x}" for x in "DBAC"]  # by start, end
    assert (
        '<rect class="op waiting late" x="411" y="92.0" width="148" height="14">'
        "<title>MO-A operation 20 on WELD (FRAME): 4.5 h, 2026-12-01 to 2026-12-05, "
        "due 2026-12-04; waiting — late; order released</title>"
    ) in text
    assert "MO-D operation 10 on WELD (BRACKET): 2 h, 2026-11-23 to 2026-11-24" in text
    assert "MO-C operation 20 on WELD (FRAME): 1.5 h, 2026-12-05 to 2026-12-06" in text
    assert 'class="over-day"' not in text and "Days over capacity" not in text
    full = re.findall(r'<rect class="full-day"[^>]*><title>([^<]*)</title>', text)
    assert full == [
        "Full 2026-12-01: waiting MO-A, MO-C",
        "Full 2026-12-02: waiting MO-A, MO-C",
        "Full 2026-12-03: waiting MO-C",
        "Full 2026-12-04: waiting MO-C",
        "Full 2026-12-05: waiting MO-C",
    ]
    assert "Days WELD was full" in text and "work center full, orders waiting" in text
    # paged past the end: nothing drawn, the first operation linked
    later = web.get("/capacity/WELD?from=2026-12-14&weeks=1").text
    assert _bars(later) == [] and "First operation (2026-11-23)" in later

    order = web.get("/production/MO-A").text
    assert "Drawn from the finite schedule" in order
    assert "Operations of MO-A by day as the finite schedule places them" in order
    assert "MO-A operation 20 on WELD (FRAME): 4.5 h, 2026-12-01 to 2026-12-05" in order


def test_a_new_plan_without_a_schedule_brings_back_the_backward_load(
    web: TestClient, shop: None, log_in: LogIn, engine: Engine
) -> None:
    with db.session_factory(engine)() as session:
        run_schedule(session, author="ann")
    log_in("ann")
    assert "<strong>Finite schedule.</strong>" in web.get("/capacity/WELD").text
    with db.session_factory(engine)() as session:
        run_plan(session, author="planner", today=TODAY)
    text = web.get("/capacity/WELD").text
    assert "<strong>Backward load</strong>" in text
    assert "Drawn from the backward load" in web.get("/production/MO-A").text

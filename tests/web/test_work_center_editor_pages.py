"""Work centers and routings edited in the browser's shape (issue #19 item 1): each
form posts as a browser does and its change is read back through the services."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from _login import post_login
from pegboard import db
from pegboard.bundle.importer import read_bundle
from pegboard.demo import demo_path
from pegboard.model import Role
from pegboard.services import audit, capacity, company_data

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def company(engine: Engine) -> Iterator[Engine]:
    """The lighting sample, loaded (its six work centers and its routings)."""
    with db.session_factory(engine)() as s:
        company_data.replace_company(s, read_bundle(demo_path("lighting")), author="test")
    yield engine


def _center(engine: Engine, code: str) -> capacity.WorkCenterView:
    with db.session_factory(engine)() as s:
        return capacity.get_work_center(s, code)


def test_a_planner_creates_a_work_center_and_changes_it(
    web: TestClient, log_in: Callable[[str], str], company: Engine
) -> None:
    token = log_in("pat")
    listed = web.get("/work-centers")
    assert listed.status_code == 200
    assert 'href="/work-centers/POWDER"' in listed.text and "tue 7.5, thu 5" in listed.text
    assert web.get("/work-centers/new").status_code == 200
    form = {"csrf_token": token, "code": "LASER", "description": "Fibre laser <2 kW>"}
    form |= {"weekday_hours": "mon=8,tue=8,wed=8,thu=8,fri=6", "units": "2"}
    form |= {"efficiency_pct": "90", "cost_rate": "95.50", "hours_per_day": ""}
    made = web.post("/work-centers/new", data=form, follow_redirects=False)
    assert made.status_code == 303, made.text
    assert "Work center LASER saved." in web.get(made.headers["location"]).text
    laser = _center(company, "LASER")
    assert (laser.weekday_hours, laser.units, laser.efficiency_pct, laser.cost_rate) == (
        (8, 8, 8, 8, 6, 0, 0),
        2,
        90,
        Decimal("95.50"),
    )
    assert laser.description == "Fibre laser <2 kW>"

    again = web.post("/work-centers/new", data=form | {"code": "SAW"})
    assert again.status_code == 409
    assert "Work center &#39;SAW&#39; exists already." in again.text
    assert 'value="SAW"' in again.text and 'value="95.50"' in again.text  # kept as typed
    assert _center(company, "SAW").cost_rate == Decimal("48.00")  # the other one untouched

    edit = web.get("/work-centers/LASER")
    assert 'value="mon=8,tue=8,wed=8,thu=8,fri=6"' in edit.text
    changed = {"csrf_token": token, "description": "Fibre laser", "hours_per_day": "16"}
    changed |= {"weekday_hours": "", "units": "1", "efficiency_pct": "100", "cost_rate": "95.5"}
    saved = web.post("/work-centers/LASER", data=changed, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    laser = _center(company, "LASER")
    assert (laser.hours_per_day, laser.weekday_hours, laser.units) == (16, None, 1)
    refused = web.post("/work-centers/LASER", data=changed | {"hours_per_day": "25"})
    assert refused.status_code == 422
    assert "Hours_per_day 25: between 0 and 24." in refused.text
    assert 'value="25"' in refused.text
    assert _center(company, "LASER").hours_per_day == 16
    with db.session_factory(company)() as s:
        done = audit.history(s, entity="work_center", author="pat")
    assert [(e.entity_ref, e.action) for e in done] == [("LASER", "change"), ("LASER", "create")]


def test_closed_days_are_added_and_removed(
    web: TestClient, log_in: Callable[[str], str], company: Engine
) -> None:
    token = log_in("pat")
    closed = web.post(
        "/work-centers/SAW/closed-days",
        data={"csrf_token": token, "date": "2030-03-05", "reason": "blade change"},
        follow_redirects=False,
    )
    assert closed.status_code == 303, closed.text
    assert date(2030, 3, 5) in _center(company, "SAW").closed_days
    twice = web.post(
        "/work-centers/SAW/closed-days", data={"csrf_token": token, "date": "2030-03-05"}
    )
    assert twice.status_code == 422 and "SAW is closed on 2030-03-05 already." in twice.text
    bad = web.post("/work-centers/SAW/closed-days", data={"csrf_token": token, "date": "soon"})
    assert bad.status_code == 422 and "Date &#39;soon&#39; is not a date" in bad.text
    opened = web.post(
        "/work-centers/SAW/closed-days/2030-03-05/remove",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert opened.status_code == 303
    assert date(2030, 3, 5) not in _center(company, "SAW").closed_days


def test_a_routing_is_edited_all_or_nothing(
    web: TestClient, log_in: Callable[[str], str], company: Engine
) -> None:
    token = log_in("pat")
    listed = web.get("/routings?q=DRVTRAY")
    assert listed.status_code == 200 and 'href="/routings/SA-DRVTRAY-40D"' in listed.text
    opened = web.get("/routings/open?item=SA-DRVTRAY-40D", follow_redirects=False)
    assert opened.headers["location"] == "/routings/SA-DRVTRAY-40D"
    page = web.get("/routings/SA-DRVTRAY-40D").text
    assert 'name="0-work_center" value="LED-ASM"' in page
    rows = {"csrf_token": token, "rows": "4"}
    rows |= {"0-sequence": "10", "0-work_center": "LED-ASM", "0-setup_hours": "0.25"}
    rows |= {"0-run_hours": "0.3", "0-description": "fit driver"}
    rows |= {"1-sequence": "20", "1-work_center": "WIRE-TEST", "1-run_hours": "0.2"}
    rows |= {"2-sequence": "30", "2-work_center": "PACK", "2-run_hours": "0.05", "2-move_days": "1"}
    saved = web.post("/routings/SA-DRVTRAY-40D", data=rows, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    with db.session_factory(company)() as s:
        ops = capacity.routing_of(s, "SA-DRVTRAY-40D").operations
    assert [(o.sequence, o.work_center, o.setup_hours, o.run_hours, o.move_days) for o in ops] == [
        (10, "LED-ASM", 0.25, 0.3, 0),
        (20, "WIRE-TEST", 0, 0.2, 0),
        (30, "PACK", 0, 0.05, 1),
    ]
    bad = web.post("/routings/SA-DRVTRAY-40D", data=rows | {"2-work_center": "PAK"})
    assert bad.status_code == 404 and "No work center &#39;PAK&#39;" in bad.text
    assert 'value="PAK"' in bad.text  # what was typed is kept
    twice = web.post("/routings/SA-DRVTRAY-40D", data=rows | {"2-sequence": "20"})
    assert twice.status_code == 422 and "Operation sequence 20" in twice.text
    letters = web.post("/routings/SA-DRVTRAY-40D", data=rows | {"1-run_hours": "fast"})
    assert (
        letters.status_code == 422 and "Run hours &#39;fast&#39; is not a number." in letters.text
    )
    with db.session_factory(company)() as s:
        assert len(capacity.routing_of(s, "SA-DRVTRAY-40D").operations) == 3  # unchanged
    bought = web.get("/routings/CAP-7040-W")
    assert bought.status_code == 422 and "CAP-7040-W is bought, not made" in bought.text


def test_a_viewer_reads_work_centers_and_routings_but_changes_nothing(
    web: TestClient, make_user: Callable[..., None], company: Engine
) -> None:
    make_user("vic", Role.VIEWER)
    page = post_login(web, {"name": "vic", "password": "correct horse battery"})
    token = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    shown = web.get("/work-centers/SAW")
    assert shown.status_code == 200 and "Save work center" not in shown.text
    assert web.get("/work-centers/new").status_code == 403
    form = {"csrf_token": token, "code": "X", "hours_per_day": "8"}
    assert web.post("/work-centers/new", data=form).status_code == 403
    assert web.post("/work-centers/SAW", data=form).status_code == 403
    assert "Save routing" not in web.get("/routings/SA-DRVTRAY-40D").text
    assert web.post("/routings/SA-DRVTRAY-40D", data={"csrf_token": token}).status_code == 403

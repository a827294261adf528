"""``POST /api/promise`` and ``/api/promise/reserve`` on the sample lighting company."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from pegboard import db
from pegboard.bundle.importer import read_bundle
from pegboard.demo import demo_path
from pegboard.services.company_data import replace_company
from pegboard.services.planning import run_plan

Headers = dict[str, str]
PD = date(2026, 11, 23)  # the lighting bundle's planning date
RUN = {"length_m": 14.56, "finish": "black", "control": "dali", "emergency": True}


@pytest.fixture
def planned(engine: Engine) -> Engine:
    with db.session_factory(engine)() as s:
        replace_company(s, read_bundle(demo_path("lighting")), author="import")
        run_plan(s, author="planner")
    return engine


def test_promise_a_configured_product(
    api: TestClient, planned: Engine, as_role: Callable[[str], Headers]
) -> None:
    body = {"item": "LR-7040", "qty": 4, "params": RUN, "wanted": "2027-01-04"}
    r = api.post("/api/promise", json=body, headers=as_role("viewer"))
    assert r.status_code == 200, r.text
    p = r.json()
    assert p["configured"] is True and p["planning_date"] == PD.isoformat()
    assert p["params"]["emergency"] == "yes" and p["params"]["length_m"] == "14.56"
    assert p["met"] is (p["promised"] <= "2027-01-04")
    assert p["critical_path"][0]["item"] == "LR-7040"
    assert p["orders"] and all(o["order_by"] >= PD.isoformat() for o in p["orders"])
    assert p["summary"].startswith("4 × LR-7040 can be complete on ")


def test_viewer_may_ask_but_not_reserve(
    api: TestClient, planned: Engine, as_role: Callable[[str], Headers]
) -> None:
    body = {"item": "LR-7040", "qty": 1, "params": RUN, "customer": "Hartwell Construction"}
    r = api.post("/api/promise/reserve", json=body, headers=as_role("viewer"))
    assert r.status_code == 403


def test_reserve_enters_a_confirmed_order(
    api: TestClient, planned: Engine, as_role: Callable[[str], Headers]
) -> None:
    wanted = (PD + timedelta(days=300)).isoformat()
    body = {
        "item": "LR-7040",
        "qty": 2,
        "params": RUN,
        "customer": "Hartwell Construction",
        "wanted": wanted,
    }
    r = api.post("/api/promise/reserve", json=body, headers=as_role("planner"))
    assert r.status_code == 201, r.text
    number = r.json()["sales_order"]
    assert r.json()["promise"]["met"] is True
    order = api.get(f"/api/sales-orders/{number}", headers=as_role("viewer")).json()
    assert order["status"] == "confirmed"
    assert [(ln["due"], ln["qty"]) for ln in order["lines"]] == [(wanted, 2.0)]
    assert order["lines"][0]["item"] == f"LR-7040-{number}-1"  # configured


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"item": "LR-7040", "qty": 0}, 422, None),
        ({"item": "NOPE", "qty": 1}, 404, None),
        ({"item": "LR-7040", "qty": 1, "params": {"length_m": 99}}, 422, None),
        ({"item": "LR-7040", "qty": 1, "wanted": "2020-01-01"}, 422, "wanted"),
        ({"item": "CAP-7040-W", "qty": 1, "params": {"x": 1}}, 422, "params"),
    ],
)
def test_bad_input(
    api: TestClient,
    planned: Engine,
    as_role: Callable[[str], Headers],
    body: dict[str, object],
    status: int,
    field: str | None,
) -> None:
    r = api.post("/api/promise", json=body, headers=as_role("viewer"))
    assert r.status_code == status, r.text
    if field is not None:
        assert r.json()["error"]["field"] == field


def test_no_plan_yet_is_a_clear_404(
    api: TestClient, engine: Engine, as_role: Callable[[str], Headers]
) -> None:
    r = api.post("/api/promise", json={"item": "X", "qty": 1}, headers=as_role("viewer"))
    assert r.status_code == 404
    assert "pegboard plan" in r.json()["error"]["message"]

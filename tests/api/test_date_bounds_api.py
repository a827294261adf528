"""A date a person gives the order services lies within 1900-01-01 .. 2200-12-31: sales
lines, purchase lines, shipments, holidays, closed days and plan runs refuse one outside
it, naming the field and the value, and change nothing (issue #20, items 5 and 7); on
SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from pegboard import db
from pegboard.cli import app
from pegboard.model import AuditEntry, Holiday
from pegboard.services.company_data import replace_company
from pegboard.services.dataset import Dataset, ItemRow, SalesRow, StockRow

Headers = dict[str, str]
AsRole = Callable[[str], Headers]

DUE = date(2030, 3, 4)
TOO_LATE = ["2201-01-01", "9999-12-31"]
TOO_EARLY = "1899-12-31"


@pytest.fixture
def company(engine: Engine) -> Engine:
    data = Dataset(
        items=[ItemRow("W", "", "buy", "mto", "ea", 3, "lfl", None, None, 0, 0, 0, 1.0, "Acme")],
        stock=[StockRow("W", 100, "main", "")],
        sales=[SalesRow("SO-1", 1, "C", "", "W", 10, 0, DUE, 100)],
    )
    with db.session_factory(engine)() as s:
        replace_company(s, data, author="import")
    return engine


def _audits(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(AuditEntry)).scalar_one())


def _refused(response: Any, field: str, value: str) -> None:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["field"] == field, error
    assert value in error["message"] and "1900-01-01 .. 2200-12-31" in error["message"]


@pytest.mark.parametrize("day", [*TOO_LATE, TOO_EARLY])
def test_a_sales_line_due_out_of_bounds_is_refused(
    api: TestClient, as_role: AsRole, company: Engine, day: str
) -> None:
    admin = as_role("admin")
    before = _audits(company)
    line = {"item": "W", "qty": 1, "due": day}
    _refused(api.post("/api/sales-orders/SO-1/lines", json=line, headers=admin), "due", day)
    change = api.patch("/api/sales-orders/SO-1/lines/1", json={"due": day}, headers=admin)
    _refused(change, "due", day)
    assert _audits(company) == before
    line["due"] = "2200-12-31"  # the last day is allowed
    assert api.post("/api/sales-orders/SO-1/lines", json=line, headers=admin).status_code == 201


@pytest.mark.parametrize("day", TOO_LATE)
def test_purchase_dates_out_of_bounds_are_refused(
    api: TestClient, as_role: AsRole, company: Engine, day: str
) -> None:
    admin = as_role("admin")
    new = {"supplier": "Acme", "lines": [{"item": "W", "qty": 5, "due_date": day}]}
    _refused(api.post("/api/purchase-orders", json=new, headers=admin), "line 1 due_date", day)
    new["lines"][0]["due_date"] = "2030-01-07"  # type: ignore[index]
    made = api.post("/api/purchase-orders", json=new, headers=admin)
    assert made.status_code == 201, made.text
    number = made.json()["number"]
    assert api.post(f"/api/purchase-orders/{number}/confirm", headers=admin).is_success
    ship = {"ship_date": "2030-01-02", "arrival": day}
    _refused(
        api.post(f"/api/purchase-orders/{number}/ship", json=ship, headers=admin), "arrival", day
    )
    ship = {"ship_date": TOO_EARLY, "arrival": "2030-01-07"}
    shipped = api.post(f"/api/purchase-orders/{number}/ship", json=ship, headers=admin)
    _refused(shipped, "ship_date", TOO_EARLY)
    view = api.get(f"/api/purchase-orders/{number}", headers=admin).json()
    assert [line["due_date"] for line in view["lines"]] == ["2030-01-07"]


@pytest.mark.parametrize("day", TOO_LATE)
def test_shipment_dates_out_of_bounds_are_refused(
    api: TestClient, as_role: AsRole, company: Engine, day: str
) -> None:
    admin = as_role("admin")
    shipment = {"sales_order": "SO-1", "line": 1, "qty": 4, "ship_date": day}
    _refused(api.post("/api/shipments", json=shipment, headers=admin), "ship_date", day)
    shipment["ship_date"] = "2030-01-02"
    made = api.post("/api/shipments", json=shipment, headers=admin)
    assert made.status_code == 201, made.text
    number = made.json()["number"]
    deliver = api.post(
        f"/api/shipments/{number}/deliver", json={"delivered_on": day}, headers=admin
    )
    _refused(deliver, "delivered_on", day)
    assert api.get(f"/api/shipments/{number}", headers=admin).json()["delivered_on"] is None


def test_a_plan_as_of_a_day_out_of_bounds_is_refused_before_a_job_starts(
    api: TestClient, as_role: AsRole, company: Engine
) -> None:
    started = api.post(
        "/api/plan/runs", json={"planning_date": "2201-01-01"}, headers=as_role("planner")
    )
    _refused(started, "planning_date", "2201-01-01")
    assert api.get("/api/jobs", headers=as_role("planner")).json() == []


@pytest.mark.parametrize(
    "command",
    [
        ["calendar", "holiday", "add", "2201-01-01"],
        ["calendar", "holiday", "add", "1899-12-31"],
        ["capacity", "closed-day", "add", "CUT", "2201-01-01"],
        ["mps", "set", "W", "2201-01-01", "5"],
    ],
)
def test_a_holiday_closed_day_or_schedule_week_out_of_bounds_is_refused_by_the_cli(
    company: Engine, command: list[str]
) -> None:
    url = company.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(app, command, env={"PEGBOARD_DATABASE_URL": url, "COLUMNS": "200"})
    assert result.exit_code == 1, result.output
    day = next(arg for arg in command if arg.count("-") == 2)
    assert day in result.output and "1900-01-01 .. 2200-12-31" in result.output
    assert "Traceback" not in result.output
    with company.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Holiday)).scalar_one() == 0

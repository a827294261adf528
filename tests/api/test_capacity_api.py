"""Capacity through the API (issue #15): work centers, routings and the load, on both
databases, with the permissions of the other master data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from pegboard import db
from pegboard.model import AuditEntry
from pegboard.services.company_data import replace_company
from pegboard.services.dataset import Dataset, ItemRow, ProductionRow

Headers = dict[str, str]
AsRole = Callable[[str], Headers]


def _item(code: str, kind: str) -> ItemRow:
    return ItemRow(code, "", kind, "mts", "ea", 2, "lfl", None, None, 0, 0, 0, 0, "", None)


def _shop(engine: Engine) -> None:
    """FRAME is made (two released orders due on Friday 2027-01-15), TUBE bought; every day
    is a working day (no work_days setting)."""
    data = Dataset(
        items=[_item("FRAME", "make"), _item("TUBE", "buy")],
        productions=[
            ProductionRow("MO-1", "FRAME", 10, date(2027, 1, 15), None, "released", False, ""),
            ProductionRow("MO-2", "FRAME", 2, date(2027, 1, 15), None, "released", False, ""),
        ],
    )
    with db.session_factory(engine)() as session:
        replace_company(session, data, author="import")


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    return error


def test_work_centers_are_created_changed_and_listed(
    api: TestClient, as_role: AsRole, engine: Engine
) -> None:
    planner = as_role("planner")
    made = api.put(
        "/api/capacity/work-centers/SAW",
        json={"hours_per_day": 7.5, "units": 2, "cost_rate": "42.50", "description": "Band saw"},
        headers=planner,
    )
    assert made.status_code == 200, made.text
    assert made.json() == {
        "code": "SAW",
        "description": "Band saw",
        "hours_per_day": 7.5,
        "weekday_hours": None,
        "hours_text": "7.5",
        "units": 2,
        "efficiency_pct": 100.0,
        "cost_rate": "42.50",
        "closed_days": [],
    }
    changed = api.put(
        "/api/capacity/work-centers/SAW", json={"efficiency_pct": 85}, headers=planner
    )
    assert (changed.json()["efficiency_pct"], changed.json()["units"]) == (85.0, 2)
    week = [8, 8, 8, 8, 4, 0, 0]
    paint = api.put(
        "/api/capacity/work-centers/PAINT", json={"weekday_hours": week}, headers=planner
    )
    assert paint.json()["hours_text"] == "mon-thu 8, fri 4"
    assert paint.json()["weekday_hours"] == week

    listed = api.get("/api/capacity/work-centers", headers=as_role("viewer"))
    assert [w["code"] for w in listed.json()] == ["PAINT", "SAW"]
    with db.session_factory(engine)() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity == "work_center")
        ).all()
    assert sorted(actions) == ["change", "create", "create"]


def test_bad_work_centers_are_refused_naming_the_field(api: TestClient, as_role: AsRole) -> None:
    planner = as_role("planner")
    url = "/api/capacity/work-centers/SAW"
    assert _error(api.put(url, json={}, headers=planner), 422)["field"] == "hours_per_day"
    for body, field in (
        ({"hours_per_day": 25}, "hours_per_day"),
        ({"hours_per_day": 8, "cost_rate": "1.234"}, "cost_rate"),
        ({"hours_per_day": 8, "units": 0}, "units"),
        ({"hours_per_day": 8, "efficiency_pct": 0}, "efficiency_pct"),
        ({"weekday_hours": [8, 8, 8]}, "weekday_hours"),
        ({"hours_per_day": 8, "colour": "red"}, "colour"),
    ):
        error = _error(api.put(url, json=body, headers=planner), 422)
        assert field in (error["field"] or "") + error["message"], (body, error)
    assert _error(api.put(url, json={"hours_per_day": 8}, headers=as_role("viewer")), 403)
    assert api.get("/api/capacity/work-centers", headers=planner).json() == []


def test_routings_are_set_and_read(api: TestClient, as_role: AsRole, engine: Engine) -> None:
    _shop(engine)
    planner = as_role("planner")
    api.put("/api/capacity/work-centers/SAW", json={"hours_per_day": 8}, headers=planner)
    api.put("/api/capacity/work-centers/WELD", json={"hours_per_day": 8}, headers=planner)
    body = {
        "operations": [
            {"sequence": 20, "work_center": "WELD", "run_hours": 0.5, "queue_days": 1},
            {"sequence": 10, "work_center": "SAW", "setup_hours": 2, "run_hours": 1},
        ]
    }
    saved = api.put("/api/capacity/routings/FRAME", json=body, headers=planner)
    assert saved.status_code == 200, saved.text
    read = api.get("/api/capacity/routings/FRAME", headers=as_role("viewer")).json()
    assert read == saved.json()
    assert read["number"] == "RT-FRAME" and read["order_bom"] is None
    assert [(o["sequence"], o["work_center"], o["setup_hours"]) for o in read["operations"]] == [
        (10, "SAW", 2.0),
        (20, "WELD", 0.0),
    ]

    unknown = {"operations": [{"sequence": 10, "work_center": "OVEN"}]}
    error = _error(api.put("/api/capacity/routings/FRAME", json=unknown, headers=planner), 404)
    assert "known: SAW, WELD" in error["message"]
    twice = {"operations": [{"sequence": 10, "work_center": "SAW"}] * 2}
    assert _error(api.put("/api/capacity/routings/FRAME", json=twice, headers=planner), 422)
    bought = {"operations": [{"sequence": 10, "work_center": "SAW"}]}
    error = _error(api.put("/api/capacity/routings/TUBE", json=bought, headers=planner), 422)
    assert "bought" in error["message"]
    assert _error(api.get("/api/capacity/routings/NOPE", headers=planner), 404)
    # an order BOM without an order routing of its own follows the item's
    fallback = api.get("/api/capacity/routings/FRAME?order_bom=BOM-X", headers=planner)
    assert fallback.json()["number"] == "RT-FRAME"
    assert _error(api.put("/api/capacity/routings/FRAME", json=body, headers=as_role("buyer")), 403)


def test_the_load_per_day_and_week_with_the_orders_over_capacity(
    api: TestClient, as_role: AsRole, engine: Engine
) -> None:
    """MO-1 asks 2 + 10 × 1 = 12 hours of SAW (8 a day): 8 on its due date, 4 the day before;
    MO-2 2 + 2 × 1 = 4 on the due date, which is then over capacity (12 of 8)."""
    _shop(engine)
    planner = as_role("planner")
    api.put("/api/capacity/work-centers/SAW", json={"hours_per_day": 8}, headers=planner)
    route = {
        "operations": [{"sequence": 10, "work_center": "SAW", "setup_hours": 2, "run_hours": 1}]
    }
    api.put("/api/capacity/routings/FRAME", json=route, headers=planner)
    viewer = as_role("viewer")

    days = api.get("/api/capacity/load?period=day", headers=viewer).json()
    assert days["period"] == "day"
    assert [
        (p["label"], p["required_hours"], p["available_hours"], p["over"], p["orders"])
        for p in days["periods"]
    ] == [
        ("2027-01-14", 4.0, 8.0, False, ["MO-1"]),
        ("2027-01-15", 12.0, 8.0, True, ["MO-1", "MO-2"]),
    ]
    assert days["periods"][1]["load_pct"] == 150.0

    weeks = api.get("/api/capacity/load", headers=viewer).json()
    week = [(p["label"], p["start"], p["required_hours"], p["available_hours"], p["over"])
            for p in weeks["periods"]]  # fmt: skip
    assert week == [("2027-W02", "2027-01-11", 16.0, 56.0, False)]
    over = api.get("/api/capacity/load?period=day&overloaded=true&work_center=SAW", headers=viewer)
    assert [p["label"] for p in over.json()["periods"]] == ["2027-01-15"]
    assert api.get("/api/capacity/load?overloaded=true", headers=viewer).json()["periods"] == []
    error = _error(api.get("/api/capacity/load?work_center=OVEN", headers=viewer), 404)
    assert "known: SAW" in error["message"]
    assert _error(api.get("/api/capacity/load?period=month", headers=viewer), 422)

"""The finite schedule through the API (issue #15, item 4): made by a planner, read by
anyone, on both databases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from pegboard import db
from pegboard.services.company_data import replace_company
from pegboard.services.dataset import Dataset, ItemRow, ProductionRow
from pegboard.services.planning import run_plan

Headers = dict[str, str]
AsRole = Callable[[str], Headers]


def _item(code: str, kind: str) -> ItemRow:
    return ItemRow(code, "", kind, "mts", "ea", 2, "lfl", None, None, 0, 0, 0, 0, "", None)


def _shop(engine: Engine) -> None:
    """Two released orders of FRAME (10 and 2); every day a working day."""
    data = Dataset(
        items=[_item("FRAME", "make"), _item("TUBE", "buy")],
        productions=[
            ProductionRow("MO-1", "FRAME", 10, date(2027, 1, 15), None, "released", False, ""),
            ProductionRow("MO-2", "FRAME", 2, date(2027, 1, 15), None, "released", False, ""),
        ],
    )
    with db.session_factory(engine)() as session:
        replace_company(session, data, author="import")


def _plan(engine: Engine) -> date:
    with db.session_factory(engine)() as session:
        return run_plan(session, author="planner").planning_date


def test_a_planner_schedules_and_anyone_reads_the_operations(
    api: TestClient, as_role: AsRole, engine: Engine
) -> None:
    planner, viewer = as_role("planner"), as_role("viewer")
    _shop(engine)
    api.put("/api/capacity/work-centers/SAW", json={"hours_per_day": 8}, headers=planner)
    route = {
        "operations": [{"sequence": 10, "work_center": "SAW", "setup_hours": 2, "run_hours": 1}]
    }
    api.put("/api/capacity/routings/FRAME", json=route, headers=planner)
    day0 = _plan(engine)
    assert api.get("/api/capacity/schedule/operations", headers=viewer).json() == []

    assert api.post("/api/capacity/schedule", headers=viewer).status_code == 403
    made = api.post("/api/capacity/schedule", headers=planner)
    assert made.status_code == 200, made.text
    assert (made.json()["orders"], made.json()["operations"]) == (2, 2)

    # both released, no sales order: MO-1 first (by code), 12 h: 8 on day 0, 4 on day 1;
    # MO-2 (4 h) finds SAW full on day 0 and takes the other 4 h of day 1
    ops = api.get("/api/capacity/schedule/operations?work_center=SAW", headers=viewer).json()
    day1 = day0 + timedelta(days=1)
    assert [(o["order"], o["start"], o["end"], o["held_from"], o["held_to"]) for o in ops] == [
        ("MO-1", day0.isoformat(), day1.isoformat(), None, None),
        ("MO-2", day1.isoformat(), day1.isoformat(), day0.isoformat(), day0.isoformat()),
    ]
    orders = api.get("/api/capacity/schedule/orders", headers=viewer).json()
    assert {o["order"] for o in orders} == {"MO-1", "MO-2"}
    missing = api.get("/api/capacity/schedule/operations?work_center=OVEN", headers=viewer)
    assert missing.status_code == 404
    assert "OVEN" in missing.json()["error"]["message"]

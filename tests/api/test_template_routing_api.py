"""Routing lines of templates through the API (#15 item 2): defined with a template,
read back as they were given, refused with the routing line named (both databases)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from pegboard import db
from pegboard.services import capacity
from pegboard.services.company_data import replace_company
from pegboard.services.dataset import Dataset, ItemRow

Headers = dict[str, str]


def _item(code: str, kind: str) -> ItemRow:
    return ItemRow(code, "", kind, "mto", "ea", 2, "lfl", None, None, 0, 0, 0, 0, "", None)


DEFINITION: dict[str, Any] = {
    "item": "BODY",
    "parameters": [{"name": "length_m", "kind": "number", "min": 0.5, "max": 10, "default": "2"}],
    "lines": [{"component": "TUBE", "qty": "length_m"}],
    "operations": [
        {"sequence": 10, "work_center": "SAW", "setup": 0.25, "run": "0.1 + 0.04 * length_m"},
        {"sequence": 20, "work_center": "SAW", "run": 0.5, "condition": "length_m > 6"},
    ],
}


def test_routing_lines_round_trip_and_are_checked(
    api: TestClient, as_role: Callable[[str], Headers], engine: Engine
) -> None:
    with db.session_factory(engine)() as session:
        replace_company(
            session, Dataset(items=[_item("BODY", "make"), _item("TUBE", "buy")]), author="t"
        )
        capacity.save_work_center(session, code="SAW", hours_per_day=8, author="t")
    planner = as_role("planner")
    made = api.post("/api/templates", json=DEFINITION, headers=planner)
    assert made.status_code == 201, made.text
    assert made.json()["operations"] == [
        {
            "sequence": 10,
            "work_center": "SAW",
            "description": None,
            "setup": 0.25,
            "run": "0.1 + 0.04 * length_m",
            "condition": None,
            "queue_days": 0,
            "move_days": 0,
        },
        {
            "sequence": 20,
            "work_center": "SAW",
            "description": None,
            "setup": 0.0,
            "run": 0.5,
            "condition": "length_m > 6",
            "queue_days": 0,
            "move_days": 0,
        },
    ]
    assert api.get("/api/templates/BODY", headers=planner).json() == made.json()
    bad = {**DEFINITION, "operations": [{"sequence": 10, "work_center": "LASER", "run": 1}]}
    refused = api.post("/api/templates", json=bad, headers=planner)
    assert refused.status_code == 422, refused.text
    assert "routing line 10: unknown work center 'LASER' (known: SAW)" in refused.text
    formula = {**DEFINITION, "operations": [{"sequence": 10, "work_center": "SAW", "run": "x"}]}
    refused = api.post("/api/templates", json=formula, headers=planner)
    assert refused.status_code == 422
    assert "BODY routing line 10: run hours 'x': unknown parameter(s): x" in refused.text

"""``/api/cost/…`` on the story of tests/services/test_actual_cost_story.py (its figures
by hand), and the inventory valuation."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from _costing import build_shop, execute
from pegboard import db


def _story(engine: Engine) -> None:
    with db.session_factory(engine)() as session:
        execute(build_shop(session))


def test_order_project_item_and_inventory(
    api: TestClient, as_role: Callable[[str], dict[str, str]], engine: Engine
) -> None:
    _story(engine)
    viewer = as_role("viewer")
    order = api.get("/api/cost/orders/SO-1", headers=viewer)
    assert order.status_code == 200, order.text
    body = order.json()
    assert (body["currency"], body["revenue"], body["margin"]) == ("EUR", "450.00", "319.16")
    assert body["estimated"]["total"] == "211.44"
    assert body["actual"] | {"production_orders": None} == {
        "material": "118.95",
        "labour": "0.00",
        "overhead": "11.90",
        "total": "130.85",
        "scrap": "18.65",
        "hours": "0",
        "production_orders": None,
    }
    assert body["variance"] == {
        "price": "-19.25",
        "usage": "5.40",
        "scrap": "16.80",
        "labour": "-67.00",
        "overhead": "-16.55",
        "total": "-80.60",
    }
    assert [x["line"] for x in body["lines"]] == ["SO-1/1"]
    project = api.get("/api/cost/projects/ACME/HQ", headers=viewer).json()
    assert (project["margin"], [o["number"] for o in project["orders"]]) == ("319.16", ["SO-1"])
    item = api.get("/api/cost/items/PROFILE", headers=viewer).json()
    assert (item["unit_cost"], item["moving_average"], item["value"]) == (
        "5.0000",
        "5.7500",
        "77.05",
    )
    valuation = api.get("/api/cost/inventory?item=PROFILE", headers=viewer).json()
    assert valuation["rows"] == [
        {
            "item": "PROFILE",
            "location": "main",
            "qty": 13.4,
            "value": "77.05",
            "average_cost": "5.7500",
        }
    ]
    assert api.get("/api/cost/orders/SO-404", headers=viewer).status_code == 404
    assert api.get("/api/cost/orders/SO-1").status_code == 401

"""``/api/locations``, and a movement into an unknown location refused (issue #14, item 5)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from pegboard import db
from pegboard.services.company_data import replace_company
from pegboard.services.dataset import Dataset, ItemRow, StockRow

Headers = dict[str, str]


@pytest.fixture
def shop(engine: Engine) -> Engine:
    item = ItemRow("W", "", "buy", "mts", "ea", 3, "lfl", None, None, 0, 0, 0, 1.0, "")
    with db.session_factory(engine)() as s:
        replace_company(
            s, Dataset(items=[item], stock=[StockRow("W", 4.0, "yard", "")]), author="import"
        )
    return engine


def test_an_unknown_location_is_refused_until_a_master_data_user_adds_it(
    api: TestClient, shop: Engine, as_role: Callable[[str], Headers]
) -> None:
    stores, viewer, planner = as_role("shopfloor"), as_role("viewer"), as_role("planner")
    move = {"item": "W", "qty": 1, "from_location": "yard", "to_location": "dock"}
    refused = api.post("/api/stock/transfer", json=move, headers=stores)
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert error["message"].startswith("unknown location 'dock' (known: main, yard)")
    assert error["field"] == "location"

    assert api.post("/api/locations", json={"code": "dock"}, headers=viewer).status_code == 403
    assert api.post("/api/locations", json={"code": "dock"}, headers=stores).status_code == 403
    added = api.post(
        "/api/locations", json={"code": "dock", "description": "Door 2"}, headers=planner
    )
    assert added.status_code == 201, added.text
    assert added.json() == {"code": "dock", "description": "Door 2", "on_hand": 0.0}
    again = api.post("/api/locations", json={"code": "DOCK"}, headers=planner)
    assert again.status_code == 409, again.text

    assert api.post("/api/stock/transfer", json=move, headers=stores).status_code == 200
    listed = api.get("/api/locations", headers=viewer).json()
    assert [(r["code"], r["on_hand"]) for r in listed] == [
        ("dock", 1.0),
        ("main", 0.0),
        ("yard", 3.0),
    ]

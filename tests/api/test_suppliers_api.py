"""``/api/suppliers`` and a location's description through the API: the same service and
rules as the pages and the CLI (issue #19: the API for supplier assignment)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from pegboard import db
from pegboard.services.company_data import replace_company
from pegboard.services.dataset import Dataset, ItemRow

Headers = dict[str, str]


def _item(code: str, kind: str, supplier: str) -> ItemRow:
    return ItemRow(
        code, f"{code} part", kind, "mts", "ea", 5, "lfl", None, None, 0, 0, 0, 1.0, supplier
    )


@pytest.fixture
def shop(engine: Engine) -> Engine:
    items = [_item("BOLT", "buy", "Acme"), _item("NUT", "buy", "Acme"), _item("FRAME", "make", "")]
    with db.session_factory(engine)() as s:
        replace_company(s, Dataset(items=items), author="import")
    return engine


def test_assign_rename_and_merge_suppliers(
    api: TestClient, shop: Engine, as_role: Callable[[str], Headers]
) -> None:
    viewer, planner = as_role("viewer"), as_role("planner")
    assert api.get("/api/suppliers", headers=viewer).json() == [
        {"name": "Acme", "items": 2, "open_orders": 0}
    ]
    body = {"items": ["BOLT"]}
    assert api.post("/api/suppliers/Bolts/items", json=body, headers=viewer).status_code == 403
    made = api.post("/api/suppliers/Bolts/items", json={"items": ["FRAME"]}, headers=planner)
    assert made.status_code == 422 and "FRAME made, not bought" in made.json()["error"]["message"]
    unknown = api.post("/api/suppliers/Bolts/items", json={"items": ["GHOST"]}, headers=planner)
    assert unknown.status_code == 404, unknown.text
    assert (
        api.post("/api/suppliers/Bolts/items", json={"items": []}, headers=planner).status_code
        == 422
    )
    done = api.post("/api/suppliers/Bolts/items", json=body, headers=planner)
    assert done.status_code == 200, done.text
    assert done.json()["changed"] == ["BOLT"]
    assert done.json()["supplier"] == {
        "name": "Bolts",
        "items": [{"code": "BOLT", "description": "BOLT part", "lead_time_days": 5}],
        "item_count": 1,
        "open_orders": [],
    }
    taken = api.post("/api/suppliers/Acme/rename", json={"new_name": "Bolts"}, headers=planner)
    assert taken.status_code == 409, taken.text
    merged = api.post(
        "/api/suppliers/Acme/rename", json={"new_name": "Bolts", "merge": True}, headers=planner
    )
    assert merged.status_code == 200 and merged.json()["item_count"] == 2
    assert api.get("/api/suppliers/Acme", headers=viewer).status_code == 404
    assert [r["name"] for r in api.get("/api/suppliers?q=bol", headers=viewer).json()] == ["Bolts"]


def test_describe_a_location(
    api: TestClient, shop: Engine, as_role: Callable[[str], Headers]
) -> None:
    planner = as_role("planner")
    said = {"description": "Hall A"}
    assert api.patch("/api/locations/main", json=said, headers=as_role("viewer")).status_code == 403
    done = api.patch("/api/locations/main", json=said, headers=planner)
    assert done.status_code == 200 and done.json()["description"] == "Hall A", done.text
    assert api.patch("/api/locations/dock", json=said, headers=planner).status_code == 422
    extra = api.patch("/api/locations/main", json=said | {"code": "x"}, headers=planner)
    assert extra.status_code == 422

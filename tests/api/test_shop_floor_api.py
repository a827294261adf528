"""The shop floor through the API (#15 item 6): the dispatch list of a work center, and
operations started and finished with the hours worked, on the welding shop of
``tests/_shop_floor.py`` (figures by hand there), both databases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from _shop_floor import build
from pegboard import db

Headers = dict[str, str]
AsRole = Callable[[str], Headers]


@pytest.fixture
def shop(engine: Engine) -> None:
    with db.session_factory(engine)() as session:
        build(session)


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    return error


def test_the_dispatch_list_and_an_operation_done(
    api: TestClient, as_role: AsRole, shop: None
) -> None:
    viewer, floor = as_role("viewer"), as_role("shopfloor")
    listed = api.get("/api/capacity/work-centers/WELD/dispatch?today=2026-11-23", headers=viewer)
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["order_source"] == "backward load"
    assert [(r["order"], r["hours"], r["start"]) for r in body["rows"]] == [
        ("MO-B", 2.5, "2026-12-02"),
        ("MO-D", 2.0, "2026-12-03"),
        ("MO-A", 4.5, "2026-12-04"),
        ("MO-C", 1.5, "2026-12-10"),
    ]
    assert body["rows"][0]["material"] == {
        "ready": False,
        "text": "waiting: TUBE 4 from PO-1/1 on 2026-12-01",
        "ready_on": "2026-12-01",
    }
    assert [r["runnable"] for r in body["rows"]] == [False, True, False, False]

    ops = "/api/production-orders/MO-D/operations/10"
    _error(api.post(f"{ops}/start", json={}, headers=viewer), 403)
    started = api.post(f"{ops}/start", json={"note": "bench 2"}, headers=floor)
    assert started.status_code == 200, started.text
    assert started.json()["summary"] == "0 of 1 operation done; started: 10 WELD"
    refused = _error(api.post(f"{ops}/finish", json={"hours": "-1"}, headers=floor), 422)
    assert "hours" in str(refused)
    done = api.post(f"{ops}/finish", json={"hours": "1.75"}, headers=floor)
    assert done.status_code == 200, done.text
    (op,) = done.json()["operations"]
    assert (op["status"], op["hours_worked"], op["finished_by"], op["note"]) == (
        "done",
        "1.75",
        "shopfloor",
        "bench 2",
    )
    after = api.get("/api/capacity/work-centers/WELD/dispatch", headers=viewer).json()
    assert [r["order"] for r in after["rows"]] == ["MO-B", "MO-A", "MO-C"]
    shown = api.get("/api/production-orders/MO-D/operations", headers=viewer).json()
    assert (shown["summary"], shown["hours_worked"]) == ("1 of 1 operation done", "1.75")


def test_bad_shop_floor_requests_are_refused_clearly(
    api: TestClient, as_role: AsRole, shop: None
) -> None:
    floor = as_role("shopfloor")
    early = _error(
        api.post(
            "/api/production-orders/MO-A/operations/10/finish", json={"hours": 1}, headers=floor
        ),
        409,
    )
    assert "has not started" in early["message"]
    unknown = _error(
        api.post("/api/production-orders/MO-A/operations/30/start", json={}, headers=floor), 404
    )
    assert unknown["message"] == "MO-A has no operation 30 (its operations: 10, 20)"
    planned = _error(
        api.post("/api/production-orders/MO-C/operations/10/start", json={}, headers=floor), 409
    )
    assert "release it first" in planned["message"]
    wc = _error(api.get("/api/capacity/work-centers/PAINT/dispatch", headers=floor), 404)
    assert "no work center 'PAINT'" in wc["message"]

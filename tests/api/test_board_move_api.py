"""``POST /api/production-orders/{number}/move``: the planning board's move through the
API, on the company of tests/_board_company.py, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from _board_company import FA_MO, SUB_MO, build_firm
from pegboard import db

Headers = dict[str, str]


def _firm(engine: Engine) -> None:
    with db.session_factory(engine)() as s:
        build_firm(s)


def _dates(api: TestClient, headers: Headers, number: str) -> tuple[str, str]:
    got = api.get(f"/api/production-orders/{number}", headers=headers).json()
    return got["start_date"], got["due_date"]


def test_a_dry_run_answers_and_a_move_is_saved(
    engine: Engine, api: TestClient, as_role: Callable[[str], Headers]
) -> None:
    _firm(engine)
    planner = as_role("planner")
    url = f"/api/production-orders/{SUB_MO}/move"
    got = api.post(url, json={"finish": "2026-12-21"}, headers=planner)
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["accepted"] is True and body["saved"] is False and body["reasons"] == []
    assert (body["start_after"], body["due_after"]) == ("2026-12-18", "2026-12-21")
    assert body["pushed"] == [
        {"number": FA_MO, "due_before": "2026-12-23", "due_after": "2026-12-26"}
    ]
    assert body["late_lines"] == [
        {
            "line": "SO-A/1",
            "due": "2026-12-23",
            "finish": "2026-12-26",
            "days_late": 3,
            "days_late_before": 0,
        }
    ]
    assert _dates(api, planner, SUB_MO) == ("2026-12-15", "2026-12-18")

    got = api.post(url, json={"finish": "2026-12-21", "dry_run": False}, headers=planner)
    assert got.status_code == 200, got.text
    assert got.json()["saved"] is True
    assert _dates(api, planner, SUB_MO) == ("2026-12-18", "2026-12-21")
    audit = api.get(f"/api/audit?entity=production_order&ref={SUB_MO}&action=move", headers=planner)
    moves = audit.json()
    assert [(e["author"], e["before"]["due_date"], e["after"]["due_date"]) for e in moves] == [
        ("planner", "2026-12-18", "2026-12-21")
    ]


def test_a_refused_move_is_a_409_with_the_reasons_and_nothing_saved(
    engine: Engine, api: TestClient, as_role: Callable[[str], Headers]
) -> None:
    _firm(engine)
    planner = as_role("planner")
    url = f"/api/production-orders/{FA_MO}/move"
    check = api.post(url, json={"finish": "2026-12-17"}, headers=planner).json()
    assert check["accepted"] is False
    assert check["reasons"] == [
        "SUB: needs 4 by 2026-12-12, only 0 available",
        "C1: needs 8 by 2026-12-12, only 5 available",
    ]
    got = api.post(url, json={"finish": "2026-12-17", "dry_run": False}, headers=planner)
    assert got.status_code == 409, got.text
    assert "SUB: needs 4 by 2026-12-12" in got.json()["error"]["message"]
    assert _dates(api, planner, FA_MO) == ("2026-12-18", "2026-12-23")


def test_who_may_move_and_what_is_refused(
    engine: Engine, api: TestClient, as_role: Callable[[str], Headers]
) -> None:
    _firm(engine)
    url = f"/api/production-orders/{SUB_MO}/move"
    viewer = api.post(url, json={"finish": "2026-12-21"}, headers=as_role("viewer"))
    assert viewer.status_code == 403
    planner = as_role("planner")
    assert api.post(url, json={"finish": "someday"}, headers=planner).status_code == 422
    assert api.post(url, json={"finish": "2026-12-21", "x": 1}, headers=planner).status_code == 422
    unknown = api.post(
        "/api/production-orders/MO-9/move", json={"finish": "2026-12-21"}, headers=planner
    )
    assert unknown.status_code == 404
    api.post(f"/api/production-orders/{SUB_MO}/release", headers=as_role("shopfloor"))
    released = api.post(url, json={"finish": "2026-12-21"}, headers=planner)
    assert released.status_code == 409
    assert "only a planned order moves" in released.json()["error"]["message"]

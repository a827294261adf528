"""The policy endpoints: list, one item with formulas, settings, apply, permissions."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from pegboard import db
from pegboard.services.company_data import replace_company

sys.path.insert(0, str(Path(__file__).parents[1] / "services"))
from test_policy import company


@pytest.fixture
def shop(engine: Engine) -> None:
    with db.session_factory(engine)() as s:
        replace_company(s, company(), author="import")


def _run(api: TestClient, headers: dict[str, str], body: dict[str, object] | None = None) -> dict:  # type: ignore[type-arg]
    r = api.post("/api/policy/runs", json=body, headers=headers)
    assert r.status_code == 202, r.text
    assert r.headers["Location"] == f"/api/jobs/{r.json()['id']}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job = api.get(r.headers["Location"], headers=headers).json()
        if job["status"] in ("done", "failed"):
            assert job["status"] == "done", job
            return job  # type: ignore[no-any-return]
        time.sleep(0.05)
    raise AssertionError("the policy run did not end")


def test_run_list_one_settings_apply(
    shop: None, api: TestClient, as_role: Callable[[str], dict[str, str]]
) -> None:
    viewer, planner = as_role("viewer"), as_role("planner")
    empty = api.get("/api/policy", headers=viewer).json()
    assert empty["total"] == 0 and empty["run"] is None
    assert api.get("/api/policy/C", headers=viewer).status_code == 404
    assert api.post("/api/policy/runs", headers=viewer).status_code == 403
    job = _run(api, planner)
    assert job["kind"] == "policy" and job["result"]["items"] == 2
    page = api.get("/api/policy", headers=viewer).json()
    assert page["run"]["items"] == 2 and page["run"]["author"] == "planner"
    assert page["run"]["planning_date"] == "2026-11-23"
    assert page["total"] == 2 and [p["item"] for p in page["items"]] == ["C", "SUB"]
    c = page["items"][0]
    assert c["below_rop"] and c["order_qty"] == 125 and c["suggested_qty"] == 125
    assert c["reorder_point"] == 15 and c["safety_stock"] == 9 and c["decimals"] == 0
    assert (c["window_days"], c["cover_days"], c["min_window_days"], c["need"]) == (20, 20, 10, 12)
    assert "formulas" not in c
    assert api.get("/api/policy?below=true&limit=1", headers=viewer).json()["total"] == 2
    assert [p["item"] for p in api.get("/api/policy?q=sub", headers=viewer).json()["items"]] == [
        "SUB"
    ]
    by_adu = api.get("/api/policy?sort=adu", headers=viewer).json()["items"]
    assert [p["item"] for p in by_adu] == ["SUB", "C"]
    assert api.get("/api/policy?sort=nope", headers=viewer).status_code == 422
    one = api.get("/api/policy/C", headers=viewer).json()
    assert one["daily"] == [2, 0, 6, 0, 0, 4, *[0] * 14]
    assert any(f["name"] == "EOQ" for f in one["policy"]["formulas"])
    assert api.get("/api/policy/NOPE", headers=viewer).status_code == 404
    r = api.post("/api/policy/runs", json={"service_level": 1}, headers=planner)
    assert r.status_code == 422

    body = {"buffer": True, "service_level": 0.9}
    assert api.put("/api/policy/C/settings", json=body, headers=viewer).status_code == 403
    r = api.put("/api/policy/C/settings", json=body, headers=planner)
    assert r.status_code == 200 and r.json()["buffer"] is True
    assert api.get("/api/policy/C", headers=viewer).json()["policy"]["zones"] is None
    _run(api, planner)
    zones = api.get("/api/policy/C", headers=viewer).json()["policy"]["zones"]
    assert zones["top_of_green"] == 14

    assert api.post("/api/policy/apply", json={"items": ["C"]}, headers=viewer).status_code == 403
    r = api.post("/api/policy/apply", json={"items": ["C"]}, headers=planner)
    assert r.status_code == 200
    [changed] = r.json()
    # buffer: safety stock := top of red 5, min qty := green 3
    assert {c["field"]: c["after"] for c in changed["changes"]} == {
        "safety_stock": 5.0,
        "min_qty": 3.0,
    }

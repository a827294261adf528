"""The API works on a scenario when asked (``X-Pegboard-Scenario``), on the live company
otherwise; users and tokens are the live company's (both databases)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from pegboard import db
from pegboard.api import create_app
from pegboard.cli import app as cli
from pegboard.model import Role
from pegboard.services import scenarios, users

BASIC = Path(__file__).parents[1] / "scenarios" / "basic" / "bundle"
HEADER = "X-Pegboard-Scenario"


def _pegboard(*args: str) -> None:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output


@pytest.fixture
def live(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The basic company, planned, as the live company; every scenario made from it is
    removed afterwards."""
    monkeypatch.setenv("PEGBOARD_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.delenv("PEGBOARD_SCENARIO", raising=False)
    _pegboard("import", str(BASIC))
    _pegboard("plan")
    try:
        yield engine
    finally:
        engine.dispose()
        for name in scenarios.names():
            scenarios.delete(name)


@pytest.fixture
def with_rush(live: Engine) -> Engine:
    """A scenario "rush" of the live company in which SO-1/1 is due earlier, planned."""
    live.dispose()
    scenarios.create("rush", author="test")
    _pegboard("--scenario", "rush", "order", "change", "SO-1", "1", "--due", "2026-11-25")
    _pegboard("--scenario", "rush", "plan")
    return live


def _bearer(engine: Engine, name: str, role: Role) -> dict[str, str]:
    """A user of the live company and the Authorization header of a token of theirs."""
    with db.session_factory(engine)() as s:
        users.create_user(s, name=name, password="pw-pw-pw-pw", role=role, author="t")
        _, token = users.create_token(s, user=name, name="t", author="t")
    return {"Authorization": f"Bearer {token}"}


def test_requests_with_the_header_read_and_write_the_scenario(with_rush: Engine) -> None:
    # a user made after the copy exists only in the live company, and still works
    auth = _bearer(with_rush, "ann", Role.PLANNER)
    with TestClient(create_app(with_rush), raise_server_exceptions=False) as api:
        live = api.get("/api/reports/late", headers=auth)
        assert live.status_code == 200 and live.json()["total"] == 0
        rush = api.get("/api/reports/late", headers={**auth, HEADER: "rush"})
        assert rush.status_code == 200, rush.text
        assert [row["demand"] for row in rush.json()["items"]] == ["SO-1/1"]
        assert api.get("/api/reports/late", headers={**auth, HEADER: "live"}).json()["total"] == 0

        missing = api.get("/api/reports/late", headers={**auth, HEADER: "ghost"})
        assert missing.status_code == 404 and "ghost" in missing.text
        bad = api.get("/api/reports/late", headers={**auth, HEADER: "../etc"})
        assert bad.status_code == 422
        unauthenticated = api.get("/api/reports/late", headers={HEADER: "rush"})
        assert unauthenticated.status_code == 401


def test_scenarios_are_listed_and_compared(with_rush: Engine) -> None:
    auth = _bearer(with_rush, "vic", Role.VIEWER)
    with TestClient(create_app(with_rush), raise_server_exceptions=False) as api:
        listed = api.get("/api/scenarios", headers=auth)
        assert listed.status_code == 200, listed.text
        (rush,) = listed.json()
        assert rush["name"] == "rush" and rush["base"] == "live" and rush["author"] == "test"

        got = api.get("/api/scenarios/compare", params={"a": "live", "b": "rush"}, headers=auth)
        assert got.status_code == 200, got.text
        body = got.json()
        assert {(x["change"], x["demand"]) for x in body["lines"]} == {
            ("earlier", "SO-1/1"),
            ("newly late", "SO-1/1"),
        }
        line = body["lines"][0]
        assert line["projected_a"] == "2026-12-10" and line["moved_days"] < 0
        assert line["late_days_a"] == 0 and line["late_days_b"] > 0
        assert body["supply"] and {s["change"] for s in body["supply"]} <= {
            "added",
            "removed",
            "changed",
        }
        assert body["capacity"] is False and body["loaded"] is False and body["load"] == []
        assert body["costed"] is True and body["costs"] == [] and body["notes"] == []

        missing = api.get("/api/scenarios/compare", params={"a": "live", "b": "x"}, headers=auth)
        assert missing.status_code == 404 and "no scenario 'x'" in missing.text
        bad = api.get("/api/scenarios/compare", params={"a": "../x", "b": "live"}, headers=auth)
        assert bad.status_code == 422
        assert api.get("/api/scenarios").status_code == 401


def test_a_planner_creates_and_deletes_scenarios_while_the_server_runs(live: Engine) -> None:
    pat, vic = _bearer(live, "pat", Role.PLANNER), _bearer(live, "vic", Role.VIEWER)
    with TestClient(create_app(live), raise_server_exceptions=False) as api:
        # the server holds the live company open while it is copied
        assert api.get("/api/reports/late", headers=pat).status_code == 200
        made = api.post("/api/scenarios", json={"name": "rush"}, headers=pat)
        assert made.status_code == 201, made.text
        assert made.json()["base"] == "live" and made.json()["author"] == "pat"
        assert made.json()["planned_on"] is not None  # the plan is copied too
        rush = {**pat, HEADER: "rush"}
        assert api.get("/api/reports/late", headers=rush).status_code == 200
        child = api.post("/api/scenarios", json={"name": "child", "base": "rush"}, headers=pat)
        assert child.status_code == 201, child.text
        assert child.json()["base"] == "rush"
        assert [s["name"] for s in api.get("/api/scenarios", headers=vic).json()] == [
            "child",
            "rush",
        ]

        refused = {
            "viewer": api.post("/api/scenarios", json={"name": "v"}, headers=vic),
            "again": api.post("/api/scenarios", json={"name": "rush"}, headers=pat),
            "bad name": api.post("/api/scenarios", json={"name": "../x"}, headers=pat),
            "live": api.post("/api/scenarios", json={"name": "live"}, headers=pat),
            "no base": api.post("/api/scenarios", json={"name": "y", "base": "ghost"}, headers=pat),
            "viewer delete": api.delete("/api/scenarios/rush", headers=vic),
            "no such": api.delete("/api/scenarios/ghost", headers=pat),
            "delete live": api.delete("/api/scenarios/live", headers=pat),
        }
        codes = {k: r.status_code for k, r in refused.items()}
        assert codes == {
            "viewer": 403,
            "again": 409,
            "bad name": 422,
            "live": 422,
            "no base": 404,
            "viewer delete": 403,
            "no such": 404,
            "delete live": 422,
        }, {k: r.text for k, r in refused.items()}
        assert "exists already" in refused["again"].text
        assert "lowercase" in refused["bad name"].text

        # the server's own engine on the scenario is closed before it is removed
        assert api.delete("/api/scenarios/rush", headers=pat).status_code == 204
        assert api.get("/api/reports/late", headers=rush).status_code == 404
        assert api.delete("/api/scenarios/child", headers=pat).status_code == 204
        assert api.get("/api/scenarios", headers=vic).json() == []

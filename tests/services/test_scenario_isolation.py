"""Scenarios never write to the live company: every kind of write a planner makes in a
scenario (a new order, a due date moved, a line cancelled, a lead time and a supplier
changed, a shift and a closed day on a work center, a routing, a purchase order, a
stock count, a plan and a finite schedule), from the command line and from the API,
leaves every row of every live table as it was (both databases)."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from pegboard import db
from pegboard.api import create_app
from pegboard.cli import app as cli
from pegboard.model import Base, Role
from pegboard.services import scenario_compare, scenarios, users

BASIC = Path(__file__).parents[1] / "scenarios" / "basic" / "bundle"
HEADER = {"X-Pegboard-Scenario": "what-if"}


def _pegboard(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def _checksums(engine: Engine) -> dict[str, str]:
    """Per live table, a digest of every row in a stable order. A token's last use is
    left out: tokens are the live company's (whoever uses one, on whatever scenario)."""
    out = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            columns = [
                c for c in table.columns if (table.name, c.name) != ("api_token", "last_used_at")
            ]
            rows = sorted(repr(tuple(row)) for row in conn.execute(select(*columns)))
            out[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    engine.dispose()
    return out


def _cli_writes() -> None:
    s = ("--scenario", "what-if")
    number = _pegboard(*s, "order", "create", "--customer", "ACME").strip().splitlines()[-1]
    _pegboard(*s, "order", "add-line", number, "--item", "FA", "--qty", "7", "--due", "2026-12-15")
    _pegboard(*s, "order", "confirm", number)
    _pegboard(*s, "order", "change", "SO-1", "1", "--due", "2026-11-27")
    _pegboard(*s, "order", "cancel-line", "SO-2", "1")
    _pegboard(*s, "capacity", "work-center", "ASM", "--hours", "16")
    _pegboard(*s, "capacity", "closed-day", "add", "ASM", "2026-12-01")
    _pegboard(*s, "capacity", "routing", "set", "FA", "--op", "10:ASM:2:1")
    _pegboard(*s, "po", "new", "C2:40:2026-12-04", "--supplier", "Acme")
    _pegboard(*s, "stock", "adjust", "C1", "15", "--reason", "count")
    _pegboard(*s, "plan", "--finite")


def _wait(api: TestClient, url: str, headers: dict[str, str]) -> None:
    for _ in range(600):
        job = api.get(url, headers=headers)
        assert job.status_code == 200, job.text
        if job.json()["status"] not in ("queued", "running"):
            assert job.json()["status"] == "done", job.text
            return
        time.sleep(0.1)
    raise AssertionError(f"{url} did not finish")


def test_every_write_in_a_scenario_leaves_the_live_company_as_it_was(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEGBOARD_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.delenv("PEGBOARD_SCENARIO", raising=False)
    _pegboard("import", str(BASIC))
    _pegboard("capacity", "work-center", "ASM", "--hours", "8")
    _pegboard("capacity", "routing", "set", "FA", "--op", "10:ASM:1:2")
    _pegboard("plan")
    with db.session_factory(engine)() as s:
        users.create_user(s, name="pat", password="pw-pw-pw-pw", role=Role.PLANNER, author="t")
        _, token = users.create_token(s, user="pat", name="t", author="t")
    engine.dispose()  # PostgreSQL copies a database only while nobody is connected to it
    before = _checksums(engine)
    scenarios.create("what-if", author="test")
    try:
        _cli_writes()
        auth = {"Authorization": f"Bearer {token}", **HEADER}
        with TestClient(create_app(engine), raise_server_exceptions=False) as api:
            changed = api.patch(
                "/api/items/C1", json={"lead_time_days": 9, "supplier": "Bolt & Co"}, headers=auth
            )
            assert changed.status_code == 200, changed.text
            started = api.post("/api/plan/runs", headers=auth)  # a background job, there
            assert started.status_code == 202, started.text
            _wait(api, started.headers["Location"], auth)
        engine.dispose()

        after = _checksums(engine)
        assert [t for t in before if before[t] != after[t]] == []
        # …while the scenario did change: its plan differs from the live one
        result = scenario_compare.compare("live", "what-if", costs=False)
        assert result.added and result.removed and result.load
        assert {s.item for s in result.supply}
    finally:
        engine.dispose()
        for name in scenarios.names():
            scenarios.delete(name)

"""The browser works on a what-if scenario when asked: a coloured bar says so on every
page, the pages show the scenario's plan, the live company is untouched; sign-in stays
the live company's (both databases)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from _login import post_login
from pegboard import db
from pegboard.api import create_app
from pegboard.cli import app as cli
from pegboard.model import Role
from pegboard.services import scenarios, users

BASIC = Path(__file__).parents[1] / "scenarios" / "basic" / "bundle"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "correct horse battery"


def _pegboard(*args: str) -> None:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output


def test_switching_to_a_scenario_and_back(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEGBOARD_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.delenv("PEGBOARD_SCENARIO", raising=False)
    _pegboard("import", str(BASIC))
    _pegboard("plan")
    engine.dispose()  # PostgreSQL copies a database nobody is connected to
    scenarios.create("rush", author="test")
    try:
        _pegboard("--scenario", "rush", "order", "change", "SO-1", "1", "--due", "2026-11-25")
        _pegboard("--scenario", "rush", "plan")
        with db.session_factory(engine)() as s:
            users.create_user(s, name="pia", password=PASSWORD, role=Role.PLANNER, author="t")
        with TestClient(create_app(engine), raise_server_exceptions=False) as web:
            assert post_login(web, {"name": "pia", "password": PASSWORD}).status_code in (200, 303)
            live = web.get("/")
            assert live.status_code == 200
            assert "in-scenario" not in live.text and "scenario rush" in live.text
            assert "SO-1/1" not in _late_section(live.text)
            token = CSRF.search(live.text)
            assert token is not None

            switched = web.post(
                "/scenario",
                data={"scenario": "rush", "csrf_token": token.group(1)},
                follow_redirects=False,
            )
            assert switched.status_code == 303
            rush = web.get("/")
            assert "in-scenario" in rush.text and "Scenario “rush”" in rush.text
            assert "SO-1/1" in _late_section(rush.text)
            # every page carries the bar, not only the dashboard
            assert "Scenario “rush”" in web.get("/orders").text

            unknown = web.post(
                "/scenario", data={"scenario": "ghost", "csrf_token": token.group(1)}
            )
            assert unknown.status_code == 404 and "rush" in unknown.text
            forged = web.post("/scenario", data={"scenario": "live", "csrf_token": "x"})
            assert forged.status_code == 403

            back = web.post(
                "/scenario",
                data={"scenario": "live", "csrf_token": token.group(1)},
                follow_redirects=False,
            )
            assert back.status_code == 303
            assert "in-scenario" not in web.get("/").text
    finally:
        engine.dispose()
        for name in scenarios.names():
            scenarios.delete(name)


def _late_section(html: str) -> str:
    """The dashboard's late lines, up to the next section."""
    start = html.find('id="late-h"')
    assert start >= 0, "the dashboard has a late section"
    end = html.find("<section", start)
    return html[start : end if end > 0 else None]

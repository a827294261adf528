"""A planner creates and deletes scenarios from the scenarios page, with the rules of the
command line; a viewer sees no form and is refused; the live company is open in the
server all along (both databases)."""

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
PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _pegboard(*args: str) -> None:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output


def _token(web: TestClient) -> str:
    found = CSRF.search(web.get("/scenarios").text)
    assert found
    return found.group(1)


def test_a_planner_manages_scenarios_from_the_page(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEGBOARD_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.delenv("PEGBOARD_SCENARIO", raising=False)
    _pegboard("import", str(BASIC))
    _pegboard("plan")
    with db.session_factory(engine)() as s:
        users.create_user(s, name="pia", password=PASSWORD, role=Role.PLANNER, author="t")
        users.create_user(s, name="vi", password=PASSWORD, role=Role.VIEWER, author="t")
    try:
        with TestClient(create_app(engine), raise_server_exceptions=False) as web:
            assert post_login(web, {"name": "pia", "password": PASSWORD}).status_code in (200, 303)
            empty = web.get("/scenarios")
            assert empty.status_code == 200 and 'action="/scenarios"' in empty.text
            token = _token(web)

            made = web.post("/scenarios", data={"name": "rush", "csrf_token": token})
            assert made.status_code == 200, made.text  # followed the redirect
            assert "Scenario rush created from the live company." in made.text
            assert 'action="/scenarios/rush/delete"' in made.text
            child = web.post(
                "/scenarios", data={"name": "child", "base": "rush", "csrf_token": token}
            )
            assert "Scenario child created from scenario rush." in child.text
            listed = {s.name: s for s in scenarios.list_all()}
            assert listed["child"].base == "rush" and listed["child"].author == "pia"

            again = web.post("/scenarios", data={"name": "rush", "csrf_token": token})
            assert again.status_code == 409 and "exists already" in again.text
            bad = web.post("/scenarios", data={"name": "Bad/Name", "csrf_token": token})
            assert bad.status_code == 422 and "lowercase" in bad.text
            assert 'value="Bad/Name"' in bad.text  # what was typed is kept
            forged = web.post("/scenarios", data={"name": "x", "csrf_token": "nope"})
            assert forged.status_code == 403

            # working on the scenario opens the server's engine on it; delete closes it
            switched = web.post("/scenario", data={"scenario": "rush", "csrf_token": token})
            assert switched.status_code == 200 and "rush" in switched.text
            gone = web.post("/scenarios/rush/delete", data={"csrf_token": token})
            assert gone.status_code == 200 and "Scenario rush deleted." in gone.text
            missing = web.post("/scenarios/rush/delete", data={"csrf_token": token})
            assert missing.status_code == 404 and "No scenario &#39;rush&#39;" in missing.text
            assert scenarios.names() == ["child"]

            web.cookies.clear()
            assert post_login(web, {"name": "vi", "password": PASSWORD}).status_code in (200, 303)
            seen = web.get("/scenarios")
            assert "child" in seen.text and 'action="/scenarios"' not in seen.text
            refused = web.post("/scenarios/child/delete", data={"csrf_token": _token(web)})
            assert refused.status_code == 403
            assert scenarios.names() == ["child"]
    finally:
        engine.dispose()
        for name in scenarios.names():
            scenarios.delete(name)

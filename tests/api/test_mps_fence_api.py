"""The planning time fence through the API and the command line (both databases): read by
a viewer, set by a planner only, refused outside whole days from 0 with the field named,
and the same value either way."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from pegboard.cli import app

Headers = dict[str, str]


def _pegboard(engine: Engine, *args: str, code: int = 0) -> str:
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(app, list(args), env={"PEGBOARD_DATABASE_URL": url})
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result.output


def test_the_fence_through_the_api_and_the_cli(
    engine: Engine, api: TestClient, as_role: Callable[[str], Headers]
) -> None:
    viewer, planner = as_role("viewer"), as_role("planner")
    assert api.get("/api/mps/fence", headers=viewer).json() == {"days": 14}
    assert api.put("/api/mps/fence", json={"days": 21}, headers=viewer).status_code == 403
    changed = api.put("/api/mps/fence", json={"days": 21}, headers=planner)
    assert changed.status_code == 200 and changed.json() == {"days": 21}
    assert "planning time fence: 21 days" in _pegboard(engine, "mps", "fence")
    for bad in (-1, 3651, "two weeks"):
        refused = api.put("/api/mps/fence", json={"days": bad}, headers=planner)
        assert refused.status_code == 422, refused.text
        assert "days" in refused.text
    assert "re-plan" in _pegboard(engine, "mps", "fence", "7")
    assert api.get("/api/mps/fence", headers=viewer).json() == {"days": 7}
    out = _pegboard(engine, "mps", "fence", "--", "-2", code=1)
    assert "whole number of days from 0" in out and "-2" in out
    assert api.get("/api/mps/fence", headers=viewer).json() == {"days": 7}

"""``pegboard demo``: load, configure, plan, add the "planner" login, then serve."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from pegboard import db
from pegboard.cli import app, server
from pegboard.errors import AuthenticationError
from pegboard.model import Role
from pegboard.services import users

LOGIN = re.compile(r"Log in as planner with password (\S+)")


def _demo(engine: Engine, *args: str) -> str:
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(
        app, ["demo", *args], env={"PEGBOARD_DATABASE_URL": url, "COLUMNS": "160"}
    )
    assert result.exit_code == 0, result.output
    return result.output


def _password(out: str) -> str:
    found = LOGIN.search(out)
    assert found, out
    return found.group(1)


def test_demo_prints_a_working_login_and_resets_it_when_run_again(engine: Engine) -> None:
    out = _demo(engine, "--no-serve")
    assert "SO-1008/1" in out  # the late line, as before
    assert "http://127.0.0.1:8000/" in out
    first = _password(out)
    with db.session_factory(engine)() as s:
        user = users.authenticate(s, name="planner", password=first, ip="test")
        assert user.role == Role.PLANNER

    second = _password(_demo(engine, "--no-serve", "--port", "8123"))
    assert second != first
    with db.session_factory(engine)() as s:
        assert users.authenticate(s, name="planner", password=second, ip="test")
        with pytest.raises(AuthenticationError):
            users.authenticate(s, name="planner", password=first, ip="test")


def test_demo_serves_on_the_port_after_printing_the_login(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: list[tuple[str, int, int]] = []
    monkeypatch.setattr(
        server, "serve", lambda host, port, workers: served.append((host, port, workers))
    )
    out = _demo(engine, "--port", "8123")
    assert "http://127.0.0.1:8123/" in out and _password(out)
    assert served == [("127.0.0.1", 8123, 1)]

"""``pegboard demo``: load, configure, plan, add the "planner" login, then serve."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from pegboard import db
from pegboard.cli import app
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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_demo_serves_on_the_port_after_printing_the_login(engine: Engine) -> None:
    """``pegboard demo --port P`` (a process of its own, as a user runs it) prints the
    login, then a server answers on P and the printed password logs in."""
    port = _free_port()
    env = os.environ | {
        "PEGBOARD_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "COLUMNS": "160",
    }
    child = subprocess.Popen(
        [sys.executable, "-m", "pegboard", "demo", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        text=True,
    )
    try:
        health = None
        deadline = time.monotonic() + 120
        while health is None and child.poll() is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as r:
                    health = r.status
            except OSError:  # not listening yet
                time.sleep(0.2)
    finally:
        child.terminate()
        out, _ = child.communicate(timeout=30)
    assert health == 200, out
    assert f"http://127.0.0.1:{port}/" in out
    with db.session_factory(engine)() as s:
        user = users.authenticate(s, name="planner", password=_password(out), ip="test")
        assert user.role == Role.PLANNER

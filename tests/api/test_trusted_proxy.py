"""Behind a reverse proxy the throttle counts failures by the real client address, read
from ``X-Forwarded-For`` only when ``pegboard serve --forwarded-allow-ips`` names the
proxy (issue #20, item 2). The app is served exactly as ``serve`` configures uvicorn."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from pegboard import db
from pegboard.api import create_app
from pegboard.cli import app
from pegboard.cli.server import uvicorn_options
from pegboard.model import LoginAttempt, Role
from pegboard.services import users

PASSWORD = "correct horse battery"
GUESSER, ADMIN = "203.0.113.7", "198.51.100.2"


def _served(engine: Engine, forwarded_allow_ips: str | None) -> TestClient:
    """The app wrapped the way uvicorn wraps it with ``serve``'s options (the test client
    connects from the address "testclient")."""
    options = uvicorn_options("127.0.0.1", 8000, 1, forwarded_allow_ips)
    config = uvicorn.Config(create_app(engine), **options)
    config.load()
    return TestClient(config.loaded_app)


@pytest.fixture
def guessed(engine: Engine) -> Iterator[Engine]:
    """An admin, and the address limit of failures from one address (other names)."""
    with db.session_factory(engine)() as s:
        users.create_user(s, name="admin", password=PASSWORD, role=Role.ADMIN, author="test")
    with db.session_factory(engine)() as s, s.begin():
        s.add_all(
            LoginAttempt(name=f"user{n}", ip=GUESSER, ok=False)
            for n in range(users.MAX_FAILURES_PER_ADDRESS)
        )
    yield engine


def _login(client: TestClient, forwarded_for: str) -> int:
    body = {"name": "admin", "password": PASSWORD}
    headers = {"X-Forwarded-For": forwarded_for}
    return client.post("/api/auth/login", json=body, headers=headers).status_code


def test_behind_a_trusted_proxy_the_guesser_alone_is_locked(guessed: Engine) -> None:
    with _served(guessed, "testclient") as client:
        assert _login(client, GUESSER) == 429
        assert _login(client, ADMIN) == 200


def test_forwarded_headers_from_anyone_else_are_ignored(guessed: Engine) -> None:
    """Without the setting, a client cannot pick its address by sending the header."""
    with db.session_factory(guessed)() as s, s.begin():
        s.add_all(
            LoginAttempt(name=f"user{n}", ip="testclient", ok=False)
            for n in range(users.MAX_FAILURES_PER_ADDRESS)
        )
    for trusted in (None, "10.0.0.1"):
        with _served(guessed, trusted) as client:
            assert _login(client, ADMIN) == 429


def test_serve_offers_the_setting() -> None:
    out = CliRunner().invoke(app, ["serve", "--help"], env={"COLUMNS": "200"}).output
    assert "--forwarded-allow-ips" in out
    assert uvicorn_options("0.0.0.0", 80, 2, None)["proxy_headers"] is False
    options = uvicorn_options("0.0.0.0", 80, 2, "10.0.0.0/8")
    assert options["proxy_headers"] is True and options["forwarded_allow_ips"] == "10.0.0.0/8"

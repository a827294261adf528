"""Behind a TLS proxy the session cookie is ``Secure`` (issue #20, item 9): https is read
from ``X-Forwarded-Proto`` when ``pegboard serve --forwarded-allow-ips`` names the proxy,
and from nobody else. The app is wrapped exactly as ``serve`` configures uvicorn."""

from __future__ import annotations

import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from conftest import PASSWORD
from pegboard import db
from pegboard.api import create_app
from pegboard.cli.server import uvicorn_options
from pegboard.model import Role
from pegboard.services import users


def _served(engine: Engine, forwarded_allow_ips: str | None) -> TestClient:
    config = uvicorn.Config(
        create_app(engine), **uvicorn_options("127.0.0.1", 8000, 1, forwarded_allow_ips)
    )
    config.load()
    return TestClient(config.loaded_app)


def _cookie(client: TestClient) -> str:
    sent = client.post(
        "/api/auth/login",
        json={"name": "ann", "password": PASSWORD},
        headers={"X-Forwarded-Proto": "https"},
    )
    assert sent.status_code == 200, sent.text
    return sent.headers["set-cookie"]


def test_the_session_cookie_is_secure_behind_a_trusted_tls_proxy(engine: Engine) -> None:
    with db.session_factory(engine)() as s:
        users.create_user(s, name="ann", password=PASSWORD, role=Role.PLANNER, author="test")
    with _served(engine, "testclient") as client:
        assert "secure" in _cookie(client).lower().split("; ")
    for untrusted in (None, "10.0.0.1"):  # anyone may send the header: ignored
        with _served(engine, untrusted) as client:
            assert "secure" not in _cookie(client).lower().split("; ")

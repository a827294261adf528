"""A new password revokes the user's API tokens (issue #20, item 9): after a reset that
follows a leak, a stolen token must stop working too. Both databases."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from conftest import Headers
from pegboard import db
from pegboard.cli import app
from pegboard.model import AuditEntry
from pegboard.services import users


def test_a_new_password_revokes_every_token_of_the_user(
    api: TestClient, as_role: Callable[[str], Headers], engine: Engine
) -> None:
    planner = as_role("planner")  # a user "planner" with one token
    with db.session_factory(engine)() as s:
        users.create_token(s, user="planner", name="erp", author="test")
    assert api.get("/api/items", headers=planner).status_code == 200
    admin = as_role("admin")
    changed = api.patch("/api/users/planner", headers=admin, json={"password": "a new secret 42"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["tokens_revoked"] == 2
    assert api.get("/api/items", headers=planner).status_code == 401
    assert api.get("/api/items", headers=admin).status_code == 200  # others' tokens stay
    role_only = api.patch("/api/users/planner", headers=admin, json={"role": "buyer"})
    assert role_only.json()["tokens_revoked"] == 0
    with db.session_factory(engine)() as s:
        entry = s.scalars(
            select(AuditEntry).where(AuditEntry.entity == "user").order_by(AuditEntry.id)
        ).all()[-2]
        assert entry.after is not None and entry.after["tokens_revoked"] == 2


def test_the_command_line_says_so(engine: Engine) -> None:
    env = {
        "PEGBOARD_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "PEGBOARD_PASSWORD": "a new secret 42",
    }
    with db.session_factory(engine)() as s:
        users.create_user(s, name="ann", password="an old secret 1", role="planner", author="t")
        users.create_token(s, user="ann", name="erp", author="t")
    result = CliRunner().invoke(app, ["user", "set", "ann", "--password"], env=env)
    assert result.exit_code == 0, result.output
    assert "1 API token(s) were revoked" in " ".join(result.output.split())
    with db.session_factory(engine)() as s:
        assert all(t.revoked for t in users.list_tokens(s, user="ann"))

"""The API through the real app and a real database (each test on SQLite and PostgreSQL).

``api`` is an httpx client on the app; ``as_role(role)`` gives the headers of a
user of that role (created on first use, with an API token), so tests read
``api.get("/api/items", headers=as_role("viewer"))``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from pegboard import db
from pegboard.api import create_app
from pegboard.model import Role
from pegboard.services import users

PASSWORD = "correct horse battery"

Headers = dict[str, str]


@pytest.fixture
def api(engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(engine), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def as_role(engine: Engine) -> Callable[[str], Headers]:
    """Headers with a Bearer token of a user with that role (one user per role)."""
    made: dict[str, Headers] = {}
    factory = db.session_factory(engine)

    def headers(role: str) -> Headers:
        if role not in made:
            with factory() as s:
                users.create_user(s, name=role, password=PASSWORD, role=Role(role), author="test")
                _, secret = users.create_token(s, user=role, name="test", author="test")
            made[role] = {"Authorization": f"Bearer {secret}"}
        return made[role]

    return headers

"""The web pages through the real app and a real database (SQLite and PostgreSQL).

``web`` is a client on the app; ``make_user(name)`` adds a planner with ``PASSWORD``;
``log_in(name)`` posts the login form on ``web`` and returns the page's CSRF token;
``sample`` is the sample company ("lighting") loaded and planned.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from _login import post_login
from pegboard import db
from pegboard.bundle.importer import read_bundle
from pegboard.demo import demo_path
from pegboard.model import Role
from pegboard.services import company_data, planning, users

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def web(engine: Engine) -> Iterator[TestClient]:
    from pegboard.api import create_app

    with TestClient(create_app(engine), raise_server_exceptions=True) as client:
        yield client


@pytest.fixture
def make_user(engine: Engine) -> Callable[..., None]:
    def make(name: str, role: Role = Role.PLANNER) -> None:
        with db.session_factory(engine)() as s:
            users.create_user(s, name=name, password=PASSWORD, role=role, author="test")

    return make


@pytest.fixture
def log_in(web: TestClient, make_user: Callable[..., None]) -> Callable[[str], str]:
    def sign_in(name: str) -> str:
        make_user(name)
        page = post_login(web, {"name": name, "password": PASSWORD})
        assert page.status_code == 200, page.text
        found = CSRF.search(page.text)
        assert found, "the signed-in page has a logout form with the CSRF token"
        return found.group(1)

    return sign_in


def load_sample(engine: Engine) -> None:
    """The sample company, planned (also used by the browser test on its own file)."""
    with db.session_factory(engine)() as s:
        company_data.replace_company(s, read_bundle(demo_path("lighting")), author="test")
        planning.run_plan(s, author="test")


@pytest.fixture
def sample(engine: Engine) -> None:
    load_sample(engine)


@pytest.fixture
def sample_loader() -> Callable[[Engine], None]:
    """``load_sample`` itself, for a test with a database of its own."""
    return load_sample

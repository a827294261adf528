"""Every endpoint against every role, read from the app itself.

Each route names the permission it needs (``deps.require``). For every role:
a change the role may not make answers 403 and writes nothing (every table's
row count is the same after); one it may make is not refused (it may still
fail for the dummy input, with a 4xx, never a 5xx). Every endpoint but login
and health refuses a request without credentials. A new route without a
permission fails here until it gets one or is added to ``OPEN``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from pegboard import db
from pegboard.bundle.importer import read_bundle
from pegboard.demo import demo_path
from pegboard.model import Base, Job, Role
from pegboard.services.company_data import replace_company
from pegboard.services.permissions import Permission, allowed, matrix_markdown

OPEN = {("POST", "/api/auth/login"), ("GET", "/api/health")}
"""No credentials needed."""
ANY_USER = {
    ("GET", "/api/auth/me"),
    ("POST", "/api/auth/logout"),
    ("GET", "/api/auth/tokens"),
    ("POST", "/api/auth/tokens"),
    ("DELETE", "/api/auth/tokens/{token_id}"),
}
"""Every signed-in user, whatever the role (their own session and tokens)."""
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

Headers = dict[str, str]


def _permission(dependant: Any) -> Permission | None:
    for dep in dependant.dependencies:
        found = getattr(dep.call, "permission", None)
        if isinstance(found, Permission):
            return found
        inner = _permission(dep)
        if inner is not None:
            return inner
    return None


def _routes(client: TestClient) -> Iterator[tuple[str, str, APIRoute]]:
    for route in client.app.routes:  # type: ignore[attr-defined]
        if isinstance(route, APIRoute) and route.path.startswith("/api/"):
            for method in sorted(route.methods - {"HEAD"}):
                yield method, route.path, route


def _url(route: APIRoute) -> str:
    """The path with each parameter filled in: 1 for numbers, a name for text."""
    url = route.path
    for param in route.dependant.path_params:
        value = "1" if param.field_info.annotation is int else "NO-SUCH-THING"
        url = url.replace("{" + param.name + "}", value)
    return url


def _rows(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
            for t in Base.metadata.sorted_tables
        }


def _wait_for_jobs(engine: Engine, seconds: float = 60.0) -> None:
    """A plan run or import an allowed call started ends before the database is dropped."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            running = conn.execute(
                select(func.count()).select_from(Job).where(Job.status.in_(("queued", "running")))
            ).scalar_one()
        if not running:
            return
        time.sleep(0.1)
    raise AssertionError("a background job did not finish")


@pytest.fixture
def sample(engine: Engine) -> Engine:
    with db.session_factory(engine)() as s:
        replace_company(s, read_bundle(demo_path("lighting")), author="import")
    return engine


def test_every_route_names_a_permission_or_is_deliberately_open(api: TestClient) -> None:
    unguarded = [
        (m, p)
        for m, p, route in _routes(api)
        if _permission(route.dependant) is None and (m, p) not in OPEN | ANY_USER
    ]
    assert unguarded == []


def test_reads_need_the_read_permission(api: TestClient) -> None:
    wrong = [
        (m, p, perm)
        for m, p, route in _routes(api)
        if m == "GET"
        and (m, p) not in OPEN | ANY_USER
        and (perm := _permission(route.dependant)) is not Permission.READ
        and perm is not Permission.USERS
    ]
    assert wrong == []


def test_nothing_but_login_and_health_answers_without_credentials(api: TestClient) -> None:
    answered = []
    for method, path, route in _routes(api):
        if (method, path) in OPEN:
            continue
        response = api.request(method, _url(route), json={})
        if response.status_code != 401:
            answered.append((method, path, response.status_code))
    assert answered == []


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_each_role_may_change_exactly_what_its_permissions_allow(
    role: str, api: TestClient, sample: Engine, as_role: Callable[[str], Headers]
) -> None:
    headers = as_role(role)
    refused_but_changed, wrongly_refused, allowed_but_refused, crashed = [], [], [], []
    for method, path, route in _routes(api):
        if method not in UNSAFE or (method, path) in OPEN | ANY_USER:
            continue
        permission = _permission(route.dependant)
        assert permission is not None, (method, path)
        may = allowed(Role(role), permission)
        before = _rows(sample) if not may else None
        response = api.request(method, _url(route), json={}, headers=headers)
        if response.status_code >= 500:
            crashed.append((method, path, response.status_code))
        if may:
            if response.status_code in (401, 403):
                allowed_but_refused.append((method, path, response.json()))
            continue
        if response.status_code != 403:
            wrongly_refused.append((method, path, response.status_code))
        elif _rows(sample) != before:
            refused_but_changed.append((method, path))
        else:
            assert response.json()["error"]["code"] == "forbidden"
    _wait_for_jobs(sample)
    assert crashed == []
    assert wrongly_refused == []
    assert allowed_but_refused == []
    assert refused_but_changed == []


def test_the_readme_prints_the_permission_matrix_of_the_code() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert matrix_markdown() in readme

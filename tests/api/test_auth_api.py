"""Logging in, sessions, CSRF, tokens, throttling, users, the audit trail, limits."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from pegboard import db
from pegboard.model import AuditEntry, Role, User, WebSession
from pegboard.services import users

PASSWORD = "correct horse battery"
Headers = dict[str, str]


def _user(engine: Engine, name: str, role: Role = Role.PLANNER) -> None:
    with db.session_factory(engine)() as s:
        users.create_user(s, name=name, password=PASSWORD, role=role, author="test")


def _audit_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(AuditEntry)).scalar_one())


def test_login_sets_an_httponly_samesite_cookie_and_needs_csrf_for_changes(
    api: TestClient, engine: Engine
) -> None:
    _user(engine, "ann")
    response = api.post("/api/auth/login", json={"name": "ann", "password": PASSWORD})
    assert response.status_code == 200
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    csrf = response.json()["csrf_token"]
    assert response.json()["user"] == {
        "name": "ann",
        "role": "planner",
        "permissions": sorted(
            ["master_data", "plan", "production", "purchase", "read", "sales", "ship", "stock"]
        ),
    }
    assert api.get("/api/auth/me").json()["name"] == "ann"

    before = _audit_count(engine)
    refused = api.post("/api/auth/tokens", json={"name": "laptop"})
    assert refused.status_code == 403
    assert refused.json()["error"]["params"] == {"reason": "csrf"}
    assert _audit_count(engine) == before
    wrong = api.post("/api/auth/tokens", json={"name": "x"}, headers={"X-CSRF-Token": "nope"})
    assert wrong.status_code == 403
    made = api.post("/api/auth/tokens", json={"name": "laptop"}, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201

    assert api.post("/api/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert api.get("/api/auth/me").status_code == 401
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(WebSession)).scalar_one() == 0


def test_a_wrong_password_says_nothing_about_which_part_was_wrong(
    api: TestClient, engine: Engine
) -> None:
    _user(engine, "ann")
    wrong_password = api.post("/api/auth/login", json={"name": "ann", "password": "x" * 12})
    no_user = api.post("/api/auth/login", json={"name": "bob", "password": "x" * 12})
    assert wrong_password.status_code == no_user.status_code == 401
    assert wrong_password.json() == no_user.json()


def test_failed_logins_are_throttled_per_name(api: TestClient, engine: Engine) -> None:
    _user(engine, "ann")
    codes = [
        api.post("/api/auth/login", json={"name": "ann", "password": "guess-" + str(n)}).status_code
        for n in range(users.MAX_FAILURES_PER_NAME + 1)
    ]
    assert codes == [401] * users.MAX_FAILURES_PER_NAME + [429]
    # even the right password is refused while the name is locked out
    locked = api.post("/api/auth/login", json={"name": "ann", "password": PASSWORD})
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "rate_limited"
    assert "Retry-After" in locked.headers


def test_tokens_are_shown_once_stored_hashed_and_revocable(
    api: TestClient, engine: Engine, as_role: Callable[[str], Headers]
) -> None:
    buyer = as_role("buyer")
    made = api.post("/api/auth/tokens", json={"name": "erp"}, headers=buyer).json()
    secret = made["token"]
    assert secret.startswith("pgb_") and made["prefix"] == secret[:12]
    listed = api.get("/api/auth/tokens", headers=buyer).json()
    assert all("token" not in t for t in listed)
    with engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(User)).scalar_one()
        assert stored == 1
        raw = conn.exec_driver_sql("SELECT token_hash FROM api_token").scalars().all()
    assert secret not in raw and users.digest(secret) in raw

    own = {"Authorization": f"Bearer {secret}"}
    assert api.get("/api/auth/me", headers=own).json()["name"] == "buyer"
    assert api.delete(f"/api/auth/tokens/{made['id']}", headers=buyer).status_code == 204
    assert api.get("/api/auth/me", headers=own).status_code == 401


def test_a_user_cannot_revoke_someone_elses_token_but_an_admin_can(
    api: TestClient, as_role: Callable[[str], Headers]
) -> None:
    viewer, admin = as_role("viewer"), as_role("admin")
    theirs = api.post("/api/auth/tokens", json={"name": "x"}, headers=admin).json()
    assert api.delete(f"/api/auth/tokens/{theirs['id']}", headers=viewer).status_code == 404
    mine = api.post("/api/auth/tokens", json={"name": "x"}, headers=viewer).json()
    assert api.delete(f"/api/auth/tokens/{mine['id']}", headers=admin).status_code == 204
    everyone = api.get("/api/auth/tokens?all=true", headers=admin).json()
    assert {t["user"] for t in everyone} == {"viewer", "admin"}
    assert api.get("/api/auth/tokens?all=true", headers=viewer).status_code == 403


def test_admins_manage_users_and_a_switched_off_user_is_out(
    api: TestClient, engine: Engine, as_role: Callable[[str], Headers]
) -> None:
    admin = as_role("admin")
    added = api.post(
        "/api/users",
        json={"name": "carl", "password": PASSWORD, "role": "shopfloor"},
        headers=admin,
    )
    assert added.status_code == 201
    assert added.json() == {"name": "carl", "role": "shopfloor", "active": True}
    short = api.post(
        "/api/users", json={"name": "dora", "password": "short", "role": "viewer"}, headers=admin
    )
    assert short.status_code == 422 and short.json()["error"]["field"] == "password"
    bad_role = api.post(
        "/api/users", json={"name": "dora", "password": PASSWORD, "role": "boss"}, headers=admin
    )
    assert bad_role.status_code == 422 and bad_role.json()["error"]["field"] == "role"
    twice = api.post(
        "/api/users", json={"name": "carl", "password": PASSWORD, "role": "viewer"}, headers=admin
    )
    assert twice.status_code == 409

    login = api.post("/api/auth/login", json={"name": "carl", "password": PASSWORD})
    assert login.status_code == 200
    off = api.patch("/api/users/carl", json={"active": False}, headers=admin)
    assert off.json()["active"] is False
    assert api.get("/api/auth/me").status_code == 401  # the session ended with it
    assert (
        api.post("/api/auth/login", json={"name": "carl", "password": PASSWORD}).status_code == 401
    )

    names = [u["name"] for u in api.get("/api/users", headers=admin).json()]
    assert names == ["admin", "carl"]
    assert api.get("/api/users", headers=as_role("planner")).status_code == 403


def test_the_audit_trail_records_who_did_what_and_filters(
    api: TestClient, as_role: Callable[[str], Headers]
) -> None:
    admin = as_role("admin")
    api.post(
        "/api/users", json={"name": "eve", "password": PASSWORD, "role": "viewer"}, headers=admin
    )
    api.patch("/api/users/eve", json={"role": "buyer"}, headers=admin)
    entries = api.get("/api/audit?entity=user&ref=eve", headers=as_role("viewer")).json()
    assert [(e["author"], e["action"]) for e in entries] == [
        ("admin", "update"),
        ("admin", "create"),
    ]
    assert entries[0]["before"] == {"role": "viewer", "active": True}
    assert entries[0]["after"]["role"] == "buyer"
    by_action = api.get("/api/audit?author=admin&action=create&limit=1", headers=admin).json()
    assert len(by_action) == 1 and by_action[0]["action"] == "create"


def test_errors_are_json_with_a_code_and_never_a_stack_trace(
    api: TestClient, as_role: Callable[[str], Headers]
) -> None:
    missing = api.get("/api/no-such-thing", headers=as_role("viewer"))
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    bad = api.get("/api/audit?limit=100000", headers=as_role("viewer"))
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "limit"
    assert "Traceback" not in bad.text


def test_a_body_over_the_limit_is_refused_before_it_is_read(
    api: TestClient, as_role: Callable[[str], Headers]
) -> None:
    big = b'{"name": "' + b"x" * (3 * 1024 * 1024) + b'"}'
    response = api.post(
        "/api/auth/tokens",
        content=big,
        headers={**as_role("viewer"), "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_health_answers_without_credentials(api: TestClient, engine: Engine) -> None:
    assert api.get("/api/health").json() == {"status": "ok", "database": engine.dialect.name}

"""Users, passwords, API tokens and browser sessions.

Passwords are hashed with argon2 (and re-hashed when the parameters change);
tokens and session ids are random 256-bit strings shown once and stored only
as SHA-256 digests. Logins are throttled per name and per address from the
``login_attempt`` table, so the limit holds across several server processes.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from pegboard.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    RateLimitedError,
    ValidationError,
)
from pegboard.model import ApiToken, LoginAttempt, Role, User, WebSession
from pegboard.model.base import utcnow
from pegboard.services import audit
from pegboard.services._tx import writes

HASHER = PasswordHasher()
MIN_PASSWORD = 8
SESSION_DAYS = 7
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_NAME = 5
MAX_FAILURES_PER_ADDRESS = 30
TOKEN_PREFIX = "pgb_"
SESSION_COOKIE = "pegboard_session"
"""The browser session cookie, shared by the JSON API and the web pages."""


@dataclass(frozen=True)
class UserView:
    id: int
    name: str
    role: Role
    active: bool
    tokens_revoked: int = 0
    """API tokens a change just revoked (a new password revokes every one)."""


@dataclass(frozen=True)
class TokenView:
    id: int
    user: str
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked: bool


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _view(user: User) -> UserView:
    return UserView(user.id, user.name, user.role, user.active)


def _role(value: str | Role) -> Role:
    try:
        return Role(value)
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise ValidationError(f"unknown role {value!r} (known: {known})", field="role") from None


def _password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValidationError(
            f"the password must have at least {MIN_PASSWORD} characters", field="password"
        )
    if len(password) > 1000:
        raise ValidationError("the password is longer than 1000 characters", field="password")
    return HASHER.hash(password)


def _user(session: Session, name: str) -> User:
    user = session.scalars(select(User).where(User.name == name)).first()
    if user is None:
        raise NotFoundError(f"no user {name!r}", user=name)
    return user


@writes
def create_user(
    session: Session, *, name: str, password: str, role: str | Role, author: str
) -> UserView:
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationError("a user name has 1 to 100 characters", field="name")
    role = _role(role)
    if session.scalar(select(User.id).where(User.name == name)) is not None:
        raise ConflictError(f"user {name!r} exists already", user=name)
    user = User(name=name, role=role, password_hash=_password(password), active=True)
    session.add(user)
    session.flush()
    audit.record(
        session, author=author, entity="user", ref=name, action="create", after={"role": role}
    )
    return _view(user)


@writes
def update_user(
    session: Session,
    *,
    name: str,
    role: str | Role | None = None,
    active: bool | None = None,
    password: str | None = None,
    author: str,
) -> UserView:
    """Change a user's role, switch them off or on, or set a new password. Switching a
    user off or changing their password ends their browser sessions; a new password
    also revokes every API token of theirs (a reset after a leak must lock out whoever
    holds one): the view says how many."""
    user = _user(session, name)
    before = {"role": user.role, "active": user.active}
    if role is not None:
        user.role = _role(role)
    if active is not None:
        user.active = active
    if password is not None:
        user.password_hash = _password(password)
    if active is False or password is not None:
        session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    revoked = 0
    if password is not None:
        live = list(
            session.scalars(
                select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            )
        )
        for token in live:
            token.revoked_at = utcnow()
        revoked = len(live)
    after = {"role": user.role, "active": user.active, "password_changed": password is not None}
    if revoked:
        after["tokens_revoked"] = revoked
    audit.record(
        session,
        author=author,
        entity="user",
        ref=name,
        action="update",
        before=before,
        after=after,
    )
    return UserView(user.id, user.name, user.role, user.active, revoked)


def list_users(session: Session) -> list[UserView]:
    return [_view(u) for u in session.scalars(select(User).order_by(User.name))]


def get_user(session: Session, name: str) -> UserView:
    return _view(_user(session, name))


def count_users(session: Session) -> int:
    return int(session.scalar(select(func.count(User.id))) or 0)


@dataclass(frozen=True)
class _Admitted:
    """An attempt allowed to check its password, already recorded as a failure."""

    attempt_id: int
    user_id: int | None  # None: no such user, or switched off
    password_hash: str


_NO_USER_HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$" + "A" * 43
"""Checked when there is no such user, so a wrong name takes as long as a wrong password."""


def _lock_key(scope: str, key: str) -> int:
    """A stable 64-bit key for PostgreSQL's advisory locks (Python's ``hash`` is per process)."""
    return int.from_bytes(hashlib.sha256(f"login {scope} {key}".encode()).digest()[:8], signed=True)


def _take_turns(session: Session, name: str, ip: str) -> None:
    """Let attempts for the same name or from the same address count and record one at a time.

    On PostgreSQL two transactions lock the name then the address (always in that
    order, so they cannot deadlock) until they commit; the next one's count then
    sees the attempt just recorded. On SQLite the write transaction began
    ``IMMEDIATE``: one writer at a time already.
    """
    if session.get_bind().dialect.name == "postgresql":
        for key in (_lock_key("name", name), _lock_key("address", ip)):
            session.execute(select(func.pg_advisory_xact_lock(key)))


def _minutes(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _wait(session: Session, failed: Any, limit: int, now: datetime) -> int | None:
    """Seconds until fewer than ``limit`` of the failures matching ``failed`` remain in the
    window, or None when there are fewer already."""
    stamps = select(LoginAttempt.at).where(*failed).order_by(LoginAttempt.at.desc())
    nth = session.scalar(stamps.offset(limit - 1).limit(1))
    if nth is None:
        return None
    return max(1, math.ceil((nth + THROTTLE_WINDOW - now).total_seconds()))


def _check_limits(session: Session, name: str, ip: str) -> None:
    """RateLimitedError when the address or the name has too many recent failures.

    The two limits are separate: an address that keeps guessing is locked (and only
    that address), and so is a name being guessed at, from wherever; a person whose
    name is locked by attempts from another address is told so.
    """
    now = utcnow()
    recent = (LoginAttempt.at >= now - THROTTLE_WINDOW, LoginAttempt.ok.is_(False))
    wait = _wait(session, (*recent, LoginAttempt.ip == ip), MAX_FAILURES_PER_ADDRESS, now)
    if wait is not None:
        raise RateLimitedError(
            f"too many failed logins from this address; try again in {_minutes(wait)}",
            retry_after=wait,
        )
    by_name = (*recent, LoginAttempt.name == name)
    wait = _wait(session, by_name, MAX_FAILURES_PER_NAME, now)
    if wait is not None:
        elsewhere = session.scalar(select(LoginAttempt.id).where(*by_name, LoginAttempt.ip != ip))
        said = " (some of them from another address)" if elsewhere is not None else ""
        raise RateLimitedError(
            f"too many failed logins for this user name{said}; try again in {_minutes(wait)}",
            retry_after=wait,
        )


@writes
def _admit(session: Session, name: str, ip: str) -> _Admitted:
    """Count and record the attempt in one turn, before any password is checked.

    The attempt is written as a failure now and turned into a success only after
    the password checks out, so parallel attempts can never all count the same
    failures: at most the limit of them reach the password check.
    """
    _take_turns(session, name, ip)
    _check_limits(session, name, ip)
    user = session.scalars(select(User).where(User.name == name)).first()
    attempt = LoginAttempt(name=name, ip=ip, ok=False)
    session.add(attempt)
    session.flush()
    if user is None or not user.active:
        return _Admitted(attempt.id, None, _NO_USER_HASH)
    return _Admitted(attempt.id, user.id, user.password_hash)


def _password_matches(admitted: _Admitted, password: str) -> bool:
    """The slow argon2 check, outside any transaction."""
    try:
        ok = HASHER.verify(admitted.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return ok and admitted.user_id is not None


@writes
def _succeeded(session: Session, admitted: _Admitted, password: str) -> UserView | None:
    """Mark the attempt a success, unless the user changed meanwhile (switched off, or
    a new password: the one checked is no longer theirs)."""
    user = session.get(User, admitted.user_id)
    if user is None or not user.active or user.password_hash != admitted.password_hash:
        return None
    session.execute(
        update(LoginAttempt).where(LoginAttempt.id == admitted.attempt_id).values(ok=True)
    )
    if HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = HASHER.hash(password)
    return _view(user)


def authenticate(session: Session, *, name: str, password: str, ip: str) -> UserView:
    """The user, if the password is right; otherwise AuthenticationError (or
    RateLimitedError after too many failures). The message never says which was wrong."""
    admitted = _admit(session, name[:100], ip[:64])
    user = (
        _succeeded(session, admitted, password) if _password_matches(admitted, password) else None
    )
    if user is None:
        raise AuthenticationError("wrong user name or password")
    return user


@writes
def start_session(session: Session, user: UserView) -> tuple[str, str]:
    """A new browser session: returns (session secret for the cookie, CSRF token)."""
    secret = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    session.execute(delete(WebSession).where(WebSession.expires_at < utcnow()))
    session.add(
        WebSession(
            user_id=user.id,
            token_hash=digest(secret),
            csrf_token=csrf,
            expires_at=utcnow() + timedelta(days=SESSION_DAYS),
        )
    )
    return secret, csrf


def resolve_session(session: Session, secret: str) -> tuple[UserView, str] | None:
    """The user and CSRF token of a live browser session."""
    row = session.execute(
        select(User, WebSession.csrf_token)
        .join(WebSession, WebSession.user_id == User.id)
        .where(WebSession.token_hash == digest(secret), WebSession.expires_at > utcnow())
    ).first()
    if row is None or not row[0].active:
        return None
    return _view(row[0]), row[1]


@writes
def end_session(session: Session, secret: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == digest(secret)))


@writes
def create_token(session: Session, *, user: str, name: str, author: str) -> tuple[int, str]:
    """A new API token for ``user``: returns (id, the token). The token is shown this once."""
    owner = _user(session, user)
    name = name.strip() or "token"
    if len(name) > 100:
        raise ValidationError("a token name has at most 100 characters", field="name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=owner.id, name=name, prefix=secret[:12], token_hash=digest(secret))
    session.add(token)
    session.flush()
    audit.record(
        session,
        author=author,
        entity="api_token",
        ref=f"{user}/{token.id}",
        action="create",
        after={"name": name, "prefix": token.prefix},
    )
    return token.id, secret


def list_tokens(session: Session, user: str | None = None) -> list[TokenView]:
    stmt = select(ApiToken, User.name).join(User, User.id == ApiToken.user_id).order_by(ApiToken.id)
    if user is not None:
        stmt = stmt.where(User.name == user)
    return [
        TokenView(
            t.id, owner, t.name, t.prefix, t.created_at, t.last_used_at, t.revoked_at is not None
        )
        for t, owner in session.execute(stmt)
    ]


@writes
def revoke_token(session: Session, *, token_id: int, user: str | None, author: str) -> None:
    """Revoke a token; ``user`` limits it to that user's own tokens (None: any, for admins)."""
    stmt = (
        select(ApiToken, User.name)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.id == token_id)
    )
    if user is not None:
        stmt = stmt.where(User.name == user)
    row = session.execute(stmt).first()
    if row is None:
        raise NotFoundError(f"no token {token_id}", token=token_id)
    token, owner = row
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(
            session, author=author, entity="api_token", ref=f"{owner}/{token_id}", action="revoke"
        )


def resolve_token(session: Session, secret: str) -> UserView | None:
    """The active user a live token belongs to."""
    row = session.execute(
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == digest(secret), ApiToken.revoked_at.is_(None))
    ).scalar_one_or_none()
    if row is None or not row.active:
        return None
    return _view(row)

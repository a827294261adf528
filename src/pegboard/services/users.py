"""Users, passwords, API tokens and browser sessions.

Passwords are hashed with argon2 (and re-hashed when the parameters change);
tokens and session ids are random 256-bit strings shown once and stored only
as SHA-256 digests. Logins are throttled per name and per address from the
``login_attempt`` table, so the limit holds across several server processes.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, select
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
    user off or changing their password ends their browser sessions."""
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
    after = {"role": user.role, "active": user.active, "password_changed": password is not None}
    audit.record(
        session,
        author=author,
        entity="user",
        ref=name,
        action="update",
        before=before,
        after=after,
    )
    return _view(user)


def list_users(session: Session) -> list[UserView]:
    return [_view(u) for u in session.scalars(select(User).order_by(User.name))]


def get_user(session: Session, name: str) -> UserView:
    return _view(_user(session, name))


def count_users(session: Session) -> int:
    return int(session.scalar(select(func.count(User.id))) or 0)


@writes
def _record_attempt(session: Session, name: str, ip: str, password: str) -> UserView | None:
    """Check the password and log the attempt in one transaction; None when refused."""
    since = utcnow() - THROTTLE_WINDOW
    failures = select(func.count(LoginAttempt.id)).where(
        LoginAttempt.at >= since, LoginAttempt.ok.is_(False)
    )
    by_name = session.scalar(failures.where(LoginAttempt.name == name[:100])) or 0
    by_ip = session.scalar(failures.where(LoginAttempt.ip == ip[:64])) or 0
    if by_name >= MAX_FAILURES_PER_NAME or by_ip >= MAX_FAILURES_PER_ADDRESS:
        raise RateLimitedError(
            "too many failed logins; try again in 15 minutes", retry_after=THROTTLE_WINDOW.seconds
        )
    user = session.scalars(select(User).where(User.name == name)).first()
    ok = False
    if user is not None and user.active:
        try:
            ok = HASHER.verify(user.password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
        if ok and HASHER.check_needs_rehash(user.password_hash):
            user.password_hash = HASHER.hash(password)
    session.add(LoginAttempt(name=name[:100], ip=ip[:64], ok=ok))
    return _view(user) if ok and user is not None else None


def authenticate(session: Session, *, name: str, password: str, ip: str) -> UserView:
    """The user, if the password is right; otherwise AuthenticationError (or
    RateLimitedError after too many failures). The message never says which was wrong."""
    user = _record_attempt(session, name, ip, password)
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

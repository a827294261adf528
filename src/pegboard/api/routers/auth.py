"""Logging in and out, who am I, and my API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from pegboard.api.deps import COOKIE, CurrentUser, DbSession, Id
from pegboard.errors import PermissionDeniedError
from pegboard.services import users
from pegboard.services.permissions import MATRIX, Permission, allowed

router = APIRouter(prefix="/auth", tags=["auth"])


class Login(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)


class Me(BaseModel):
    name: str
    role: str
    permissions: list[str]


class LoggedIn(BaseModel):
    user: Me
    csrf_token: str = Field(description="send as X-CSRF-Token with every change")


class NewToken(BaseModel):
    name: str = Field(default="token", max_length=100)


class Token(BaseModel):
    id: int
    user: str
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked: bool


class CreatedToken(Token):
    token: str = Field(description="shown this once; store it now")


def _me(user: users.UserView) -> Me:
    return Me(
        name=user.name,
        role=user.role.value,
        permissions=sorted(p.value for p in MATRIX[user.role]),
    )


def _token(view: users.TokenView) -> Token:
    return Token(**view.__dict__)


@router.post("/login")
def login(body: Login, request: Request, response: Response, session: DbSession) -> LoggedIn:
    """Check the password and start a browser session (an HttpOnly cookie).

    The body must be JSON (``application/json``): a form or text body is refused
    before any password is checked. A page on another site can post only those
    without a CORS preflight (which this API never grants), so no cross-site page
    can log a browser in here; the HTML login form has a token of its own.
    """
    ip = request.client.host if request.client else "unknown"
    user = users.authenticate(session, name=body.name, password=body.password, ip=ip)
    secret, csrf = users.start_session(session, user)
    response.set_cookie(
        COOKIE,
        secret,
        max_age=users.SESSION_DAYS * 86400,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return LoggedIn(user=_me(user), csrf_token=csrf)


@router.post("/logout", status_code=204)
def logout(request: Request, response: Response, user: CurrentUser, session: DbSession) -> None:
    """End this browser session."""
    secret = request.cookies.get(COOKIE)
    if secret:
        users.end_session(session, secret)
    response.delete_cookie(COOKIE, path="/")


@router.get("/me")
def me(user: CurrentUser) -> Me:
    return _me(user)


@router.get("/tokens")
def tokens(
    user: CurrentUser,
    session: DbSession,
    everyone: Annotated[bool, Query(alias="all", description="every user's (admin)")] = False,
) -> list[Token]:
    """My API tokens (with ``all=true``, everyone's: needs the users permission)."""
    if everyone and not allowed(user.role, Permission.USERS):
        raise PermissionDeniedError("only an admin may list everyone's tokens")
    return [_token(t) for t in users.list_tokens(session, None if everyone else user.name)]


@router.post("/tokens", status_code=201)
def create_token(body: NewToken, user: CurrentUser, session: DbSession) -> CreatedToken:
    """A new API token for me. The token is in this response only."""
    token_id, secret = users.create_token(session, user=user.name, name=body.name, author=user.name)
    (view,) = [t for t in users.list_tokens(session, user.name) if t.id == token_id]
    return CreatedToken(**view.__dict__, token=secret)


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: Id, user: CurrentUser, session: DbSession) -> None:
    """Revoke one of my tokens (an admin may revoke anyone's)."""
    own = None if allowed(user.role, Permission.USERS) else user.name
    users.revoke_token(session, token_id=token_id, user=own, author=user.name)

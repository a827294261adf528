"""Request dependencies: the database session, the signed-in user, the role check.

A request is authenticated by an API token (``Authorization: Bearer pgb_…``) or
by the browser session cookie. With the cookie, every state-changing request
must also carry the session's CSRF token (header ``X-CSRF-Token``, or form
field ``csrf_token``), so another site cannot make a signed-in browser act: read
and compared as the pages do (``web.deps.sent_csrf_token``, ``web.auth.csrf_ok``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Header, Path, Request

from pegboard.db import Session, sessionmaker
from pegboard.errors import AuthenticationError, PermissionDeniedError
from pegboard.services import scenarios, users
from pegboard.services.permissions import Permission, allowed
from pegboard.services.users import UserView
from pegboard.web.auth import csrf_ok
from pegboard.web.deps import SAFE_METHODS, sent_csrf_token

COOKIE = users.SESSION_COOKIE
MAX_ID = 2**31 - 1

Id = Annotated[int, Path(ge=1, le=MAX_ID, description="a row id")]
"""An integer path parameter, bounded so no database is ever asked for an absurd number."""


SCENARIO_HEADER = "X-Pegboard-Scenario"


def _live_session(request: Request) -> Iterator[Session]:
    factory: sessionmaker[Session] = request.app.state.sessions
    with factory() as session:
        yield session


LiveSession = Annotated[Session, Depends(_live_session)]
"""The live company's database: users, sessions and tokens live there, whatever scenario
a request works on."""


def live_url(request: Request) -> str:
    """The live company's database URL: where its scenarios are kept follows from it."""
    url: str = request.app.state.engine.url.render_as_string(hide_password=False)
    return url


LiveUrl = Annotated[str, Depends(live_url)]


def _scenario_sessions(request: Request, name: str) -> sessionmaker[Session]:
    """Sessions on scenario ``name``, one engine per scenario for the app's lifetime."""
    live = live_url(request)
    return scenarios.sessions_for(request.app.state.scenario_sessions, name, live=live)


def get_session(
    request: Request,
    scenario: Annotated[
        str | None,
        Header(
            alias=SCENARIO_HEADER,
            description="work on this what-if scenario (`pegboard scenario list`) instead "
            "of the live company; `live` or absent: the live company",
            max_length=40,
        ),
    ] = None,
) -> Iterator[Session]:
    if scenario and scenario != scenarios.LIVE:
        factory = _scenario_sessions(request, scenario)
    else:
        factory = request.app.state.sessions
    with factory() as session:
        yield session


DbSession = Annotated[Session, Depends(get_session)]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def current_user(
    request: Request, session: LiveSession, csrf: Annotated[str | None, Depends(sent_csrf_token)]
) -> UserView:
    token = _bearer(request)
    if token is not None:
        user = users.resolve_token(session, token)
        if user is None:
            raise AuthenticationError("the API token is unknown or revoked")
        return user
    secret = request.cookies.get(COOKIE)
    if secret:
        resolved = users.resolve_session(session, secret)
        if resolved is None:
            raise AuthenticationError("the session has ended; log in again")
        user, expected = resolved
        if request.method not in SAFE_METHODS and not csrf_ok(expected, csrf):
            raise PermissionDeniedError(
                "missing or wrong CSRF token for a change made with the session cookie",
                reason="csrf",
            )
        return user
    raise AuthenticationError("log in, or send an API token as 'Authorization: Bearer …'")


CurrentUser = Annotated[UserView, Depends(current_user)]


def require(permission: Permission) -> Callable[[UserView], UserView]:
    """A dependency: the signed-in user, if their role has ``permission``."""

    def check(user: CurrentUser) -> UserView:
        if not allowed(user.role, permission):
            raise PermissionDeniedError(
                f"the role {user.role.value} may not do this (needs {permission.value})",
                role=user.role.value,
                permission=permission.value,
            )
        return user

    check.permission = permission  # type: ignore[attr-defined]  # read by the permission test
    return check


Reader = Annotated[UserView, Depends(require(Permission.READ))]

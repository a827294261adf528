"""What a page handler depends on: the database session, who is signed in, the role
check, and the one CSRF check of every request that changes something.

    @router.get("/things")
    def things(request: Request, session: DbSession, who: Viewer) -> Response:
        return page(request, "things.html", chrome(who, "things") | {...})

    Maker = Annotated[SignedIn, Depends(require(Permission.X, "Your role may not ..."))]

    @router.post("/things")
    def add_thing(request: Request, session: DbSession, who: Maker) -> Response:
        things.add(session, ..., author=who.user.name)
        return redirect("/things")

The dependencies raise instead of returning a response: not signed in is an
``AuthenticationError`` (the pages answer it with the login page, ``web.errors``), a
role without the permission or a post without the session's CSRF token a
``PermissionDeniedError`` (a 403 page saying why). ``csrf_checked`` runs before every
handler of the pages (``web.mount`` puts it on each router), so a handler never
checks the token itself; the token is checked before the role, both before anything
is read from the form or changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request

from pegboard.db import Session, sessionmaker
from pegboard.errors import AuthenticationError, PegboardError, PermissionDeniedError
from pegboard.services import scenarios
from pegboard.services.permissions import Permission, allowed
from pegboard.web import auth

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
OWN_TOKEN = frozenset({"/login"})
"""Posts that carry a token of their own instead of the session's: the login form,
which is sent before there is a session (``auth.login_token_ok``)."""
NO_TOKEN = "This form had no valid security token. Reload the page and retry."
FORM_FIELDS = 1000
FORM_FILES = 1
"""A posted form holds at most this many fields and files (the one file: a bundle)."""


SCENARIO_COOKIE = "pegboard_scenario"
"""The what-if scenario the browser works on (absent: the live company)."""


def _live_session(request: Request) -> Iterator[Session]:
    factory: sessionmaker[Session] = request.app.state.sessions
    with factory() as session:
        yield session


LiveSession = Annotated[Session, Depends(_live_session)]
"""The live company's database: who is signed in, users, sessions and tokens live there
whatever scenario the pages show."""


def chosen_scenario(request: Request) -> str | None:
    """The scenario the browser chose (its cookie), when it still exists; kept on
    ``request.state.scenario`` for the page's coloured bar. A scenario deleted since is
    noted (``request.state.scenario_gone``) and the live company shown, with that said."""
    if hasattr(request.state, "scenario"):
        chosen: str | None = request.state.scenario
        return chosen
    name = request.cookies.get(SCENARIO_COOKIE) or None
    request.state.scenario_gone = None
    if name is not None and name != scenarios.LIVE:
        live = request.app.state.engine.url.render_as_string(hide_password=False)
        try:
            scenarios.require(name, live=live)
        except PegboardError:
            request.state.scenario_gone, name = name, None
    else:
        name = None
    request.state.scenario = name
    return name


def data_sessions(request: Request) -> sessionmaker[Session]:
    """Sessions on the company the pages show: the chosen scenario, else the live one."""
    name = chosen_scenario(request)
    if name is None:
        live_sessions: sessionmaker[Session] = request.app.state.sessions
        return live_sessions
    live = request.app.state.engine.url.render_as_string(hide_password=False)
    return scenarios.sessions_for(request.app.state.scenario_sessions, name, live=live)


def _session(request: Request) -> Iterator[Session]:
    with data_sessions(request)() as session:
        yield session


DbSession = Annotated[Session, Depends(_session)]
"""The database of the company the pages show (the chosen scenario, else the live one),
for the request; closed (what was left open rolled back) after the answer."""


def viewer(request: Request, session: LiveSession) -> auth.SignedIn:
    """The signed-in user, whose role may read (the pages show nothing to anyone else).
    Kept on ``request.state.who`` (looked up once a request; an error page shows the
    menu to them too)."""
    who: auth.SignedIn | None = getattr(request.state, "who", None)
    who = who or auth.signed_in(request, session)
    if who is None:
        raise AuthenticationError("log in to see this page")
    request.state.who = who
    if not may(who, Permission.READ):
        raise PermissionDeniedError("Your role may not see this page.")
    return who


Viewer = Annotated[auth.SignedIn, Depends(viewer)]


def require(permission: Permission, refusal: str) -> Callable[[auth.SignedIn], auth.SignedIn]:
    """A dependency: the signed-in user, if the role has ``permission``; else a 403
    saying ``refusal``."""

    def check(who: Viewer) -> auth.SignedIn:
        if not may(who, permission):
            raise PermissionDeniedError(refusal, permission=permission.value)
        return who

    check.permission = permission  # type: ignore[attr-defined]  # for a reader of the routes
    return check


def may(who: auth.SignedIn, permission: Permission) -> bool:
    return allowed(who.user.role, permission)


async def sent_csrf_token(request: Request) -> str | None:
    """The CSRF token a request carries: the ``X-CSRF-Token`` header, else the posted
    form's ``csrf_token`` field (the JSON API and the pages read it alike)."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return None
    # parsed once per request: the handler's own form fields read the same parse
    form = await request.form(max_files=FORM_FILES, max_fields=FORM_FIELDS)
    value = form.get(CSRF_FIELD)
    return value if isinstance(value, str) else None


def csrf_checked(
    request: Request,
    session: LiveSession,
    sent: Annotated[str | None, Depends(sent_csrf_token)],
) -> None:
    """The one CSRF check of the pages: a request that may change something (any method
    but GET, HEAD and OPTIONS) must be signed in and carry its session's token."""
    if request.method in SAFE_METHODS or request.url.path in OWN_TOKEN:
        return
    who = viewer(request, session)
    if not auth.csrf_ok(who.csrf_token, sent):
        raise PermissionDeniedError(NO_TOKEN, reason="csrf")


CsrfChecked = Depends(csrf_checked)
"""For ``include_router(..., dependencies=[CsrfChecked])``."""

"""The pages: log in and out, the dashboard. Mounted at the site root by ``api.create_app``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import jinja2
from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session, sessionmaker

from pegboard.errors import AuthenticationError, RateLimitedError
from pegboard.services import users
from pegboard.services.permissions import MATRIX, Permission, allowed
from pegboard.services.planning import local_today
from pegboard.web import auth, dashboard

HERE = Path(__file__).parent
STATIC = HERE / "static"

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"),
    autoescape=jinja2.select_autoescape(["html"], default_for_string=True, default=True),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
templates = Jinja2Templates(env=_env)

SECURITY_HEADERS = {
    # no scripts at all, nothing from elsewhere, and never inside another site's frame
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

router = APIRouter(include_in_schema=False)


def _number(value: float) -> str:
    """A quantity without a needless ``.0``."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.3f}".rstrip("0")


_env.filters["qty"] = _number


@contextmanager
def _db(request: Request) -> Iterator[Session]:
    factory: sessionmaker[Session] = request.app.state.sessions
    with factory() as session:
        yield session


def _page(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    response.headers.update(SECURITY_HEADERS)
    return response


def _redirect(url: str) -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    response.headers.update(SECURITY_HEADERS)
    return response


def _chrome(who: auth.SignedIn, current: str) -> dict[str, Any]:
    """What the base template needs: the user, their role and the session's CSRF token."""
    return {
        "user": who.user,
        "csrf_token": who.csrf_token,
        "current": current,
        "permissions": sorted(p.value for p in MATRIX[who.user.role]),
    }


def _refused(request: Request, who: auth.SignedIn, message: str) -> HTMLResponse:
    context = _chrome(who, "") | {"title": "Refused", "message": message}
    return _page(request, "refused.html", context, status_code=403)


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    with _db(request) as session:
        if auth.signed_in(request, session) is not None:
            return _redirect(auth.safe_next(next))
    return _page(request, "login.html", {"error": None, "name": "", "next": auth.safe_next(next)})


@router.post("/login")
def login(
    request: Request,
    name: Annotated[str, Form(max_length=1000)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    target = auth.safe_next(next)
    ip = request.client.host if request.client else "unknown"
    name = name.strip()
    context: dict[str, Any] = {"name": name[:100], "next": target}
    if not name or not password or len(name) > 100:
        context["error"] = "Enter your user name and password."
        return _page(request, "login.html", context, status_code=400)
    with _db(request) as session:
        try:
            user = users.authenticate(session, name=name, password=password, ip=ip)
        except RateLimitedError as e:
            context["error"] = e.message[:1].upper() + e.message[1:] + "."
            refused = _page(request, "login.html", context, status_code=429)
            refused.headers["Retry-After"] = str(users.THROTTLE_WINDOW.seconds)
            return refused
        except AuthenticationError:
            context["error"] = "Wrong user name or password."
            return _page(request, "login.html", context, status_code=401)
        secret, _csrf = users.start_session(session, user)
    done = _redirect(target)
    auth.set_session_cookie(request, done, secret)
    return done


@router.post("/logout")
def logout(
    request: Request, csrf_token: Annotated[str | None, Form(max_length=200)] = None
) -> Response:
    with _db(request) as session:
        who = auth.signed_in(request, session)
        if who is None:
            response = _redirect("/login")
            auth.clear_session_cookie(response)
            return response
        if not auth.csrf_ok(who.csrf_token, csrf_token):
            return _refused(
                request, who, "This form had no valid security token. Reload the page and retry."
            )
        users.end_session(session, request.cookies[users.SESSION_COOKIE])
    response = _redirect("/login")
    auth.clear_session_cookie(response)
    return response


@router.get("/")
def home(request: Request) -> Response:
    with _db(request) as session:
        who = auth.signed_in(request, session)
        if who is None:
            return _redirect(auth.login_url(request))
        if not allowed(who.user.role, Permission.READ):
            return _refused(request, who, "Your role may not see the plan.")
        board = dashboard.build(session, local_today())
        context = _chrome(who, "dashboard") | {"title": "Today", "board": board}
        return _page(request, "dashboard.html", context)


def mount(app: FastAPI) -> None:
    """Add the pages (at ``/``, ``/login``, ``/logout``) and their ``/static`` files."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

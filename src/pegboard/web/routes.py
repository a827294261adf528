"""The pages: log in and out, the dashboard. Mounted at the site root by ``web.mount``."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from pegboard import clock
from pegboard.errors import AuthenticationError, RateLimitedError
from pegboard.services import dashboard, scenarios, users, xlsx_reports
from pegboard.web import auth
from pegboard.web.deps import SCENARIO_COOKIE, DbSession, LiveSession, Viewer
from pegboard.web.render import chrome, db, page, redirect
from pegboard.web.xlsx_download import Format, sheet_download, xlsx_download

router = APIRouter(include_in_schema=False)


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    with db(request) as session:
        if auth.signed_in(request, session) is not None:
            return redirect(auth.safe_next(next))
    return _login_page(request, {"error": None, "name": "", "next": auth.safe_next(next)})


def _login_page(request: Request, context: dict[str, Any], status_code: int = 200) -> Response:
    """The login form with its token (see ``auth``), the browser's cookie set to match."""
    token = auth.login_token(request)
    response = page(request, "login.html", context | {"login_token": token}, status_code)
    auth.set_login_cookie(request, response, token)
    return response


@router.post("/login")
def login(
    request: Request,
    name: Annotated[str, Form(max_length=1000)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
    login_token: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    target = auth.safe_next(next)
    ip = request.client.host if request.client else "unknown"
    name = name.strip()
    context: dict[str, Any] = {"name": name[:100], "next": target}
    if not auth.login_token_ok(request, login_token):
        context["error"] = (
            "This login form has expired or was sent from another site. "
            "Enter your user name and password again."
        )
        return _login_page(request, context, status_code=403)
    if not name or not password or len(name) > 100:
        context["error"] = "Enter your user name and password."
        return _login_page(request, context, status_code=400)
    with db(request) as session:
        try:
            user = users.authenticate(session, name=name, password=password, ip=ip)
        except RateLimitedError as e:
            context["error"] = e.message[:1].upper() + e.message[1:] + "."
            refused = _login_page(request, context, status_code=429)
            refused.headers["Retry-After"] = str(users.THROTTLE_WINDOW.seconds)
            return refused
        except AuthenticationError:
            context["error"] = "Wrong user name or password."
            return _login_page(request, context, status_code=401)
        secret, _csrf = users.start_session(session, user)
    done = redirect(target)
    auth.set_session_cookie(request, done, secret)
    done.delete_cookie(auth.LOGIN_COOKIE, path="/login")
    return done


@router.post("/logout")
def logout(request: Request, session: LiveSession, who: Viewer) -> Response:
    """End the session (its CSRF token checked first, as for every post)."""
    users.end_session(session, request.cookies[users.SESSION_COOKIE])
    response = redirect("/login")
    auth.clear_session_cookie(response)
    return response


def chain_url(step: dashboard.ChainStep) -> str:
    """The page of a supply of a late line's chain: its purchase order (of ``PO-…/line``)
    or production order, the planned orders of its item, or the item (stock)."""
    if step.kind == "purchase":
        return f"/purchasing/{quote(step.supply.rsplit('/', 1)[0], safe='')}"
    if step.kind == "production":
        return f"/production/{quote(step.supply, safe='')}"
    if step.kind == "planned":
        return "/plan/planned-orders?" + urlencode({"item": step.item})
    return f"/items/{quote(step.item, safe='')}"


@router.get("/")
def home(request: Request, session: DbSession, who: Viewer) -> Response:
    board = dashboard.build(session, clock.today())
    context = chrome(who, "dashboard") | {"title": "Today", "board": board, "step_url": chain_url}
    return page(request, "dashboard.html", context)


@router.get("/reports/late.xlsx")
def late_xlsx(session: DbSession, who: Viewer) -> Response:
    """The dashboard's late lines, all of them (the page shows the first few), as XLSX."""
    return xlsx_download(xlsx_reports.late_xlsx(session), "late-orders")


@router.get("/reports/late.csv")
def late_csv(session: DbSession, who: Viewer) -> Response:
    """The same lines and cells as CSV."""
    return sheet_download(xlsx_reports.late_sheet(session), Format.CSV, "late-orders")


@router.post("/scenario")
def switch_scenario(
    request: Request,
    who: Viewer,
    scenario: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Work on a what-if scenario in this browser (or on the live company again): a
    cookie, checked on every request; the pages show a coloured bar while it is set."""
    name = scenario.strip()
    response = redirect("/")
    if not name or name == scenarios.LIVE:
        response.delete_cookie(SCENARIO_COOKIE, path="/")
        return response
    live = request.app.state.engine.url.render_as_string(hide_password=False)
    scenarios.require(name, live=live)  # an unknown one is the 404 page, naming the known
    response.set_cookie(
        SCENARIO_COOKIE,
        name,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response

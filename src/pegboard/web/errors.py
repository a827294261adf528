"""One error handler for the pages, beside the API's (``api/errors.py``): a domain error,
an unknown address or a request the page cannot take answers with a page.

    AuthenticationError          → the login page (303), to come back here after
    any other PegboardError      → a page saying why, with ``errors.http_status``
                                   (403 refused, 404 not found, 409, 422, 429 …)
    an unknown URL, a wrong method, a bad query or form → 404, 405, 422 pages
    anything unexpected          → a 500 page; the stack trace goes to the server log

A handler raises the service's error and this answers it; a handler catches an error
itself only to show its own form again with the message and what was typed. Requests
under ``/api`` keep the API's error JSON: ``install`` wraps the handlers installed before
it and hands them those.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from pegboard.db import DataError, Session
from pegboard.errors import AuthenticationError, PegboardError, RateLimitedError, http_status
from pegboard.services.users import SESSION_COOKIE
from pegboard.web import auth
from pegboard.web.render import chrome, db, page, redirect

log = logging.getLogger("pegboard.web")

Handler = Callable[[Request, Exception], Response | Awaitable[Response]]

TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Refused",
    404: "Not found",
    405: "Not allowed",
    409: "Not possible now",
    422: "Not accepted",
    429: "Too many attempts",
    500: "Server error",
}
AREAS = {
    "orders": "the sales orders",
    "plan": "the plan",
    "production": "production",
    "purchasing": "purchasing",
    "pegging": "the pegging explorer",
    "policy": "the stock policy",
    "calendar": "the plant calendar",
    "admin": "administration",
}
"""The areas with a page of their own, where an error page of one links back to."""


def is_page(path: str) -> bool:
    """Whether a request is for a page (not for the JSON API under ``/api``)."""
    return not (path == "/api" or path.startswith("/api/"))


def sentence(message: str) -> str:
    """A service's message (``"no such item 'X'"``) as a sentence for a page."""
    message = message.strip()
    if not message:
        return message
    end = "" if message.endswith((".", "!", "?", ":")) else "."
    return message[:1].upper() + message[1:] + end


def _who(request: Request) -> auth.SignedIn | None:
    """Who is signed in, to show them the menu: known already when a page's dependency
    ran, else looked up (never failing the error page itself)."""
    who: auth.SignedIn | None = getattr(request.state, "who", None)
    if who is not None or not request.cookies.get(SESSION_COOKIE):
        return who
    try:
        with db(request) as session:
            return auth.signed_in(request, session)
    except Exception:  # the database may be what failed
        return None


def error_page(request: Request, status: int, message: str) -> Response:
    """The page of an error: its title, why, and a way back."""
    who = _who(request)
    area = request.url.path.strip("/").split("/", 1)[0]
    back = ("/" + area, AREAS[area]) if area in AREAS else ("/", "today's overview")
    context: dict[str, Any] = chrome(who, "") if who is not None else {}
    context |= {
        "title": TITLES.get(status, "Error"),
        "status": status,
        "message": message,
        "back_url": back[0],
        "back_label": back[1],
    }
    return page(request, "error.html", context, status_code=status)


def _domain(request: Request, error: Exception) -> Response:
    assert isinstance(error, PegboardError)
    if isinstance(error, AuthenticationError):  # back here after, unless here is a post
        to_login = redirect(auth.login_url(request) if request.method == "GET" else "/login")
        if request.cookies.get(SESSION_COOKIE):  # the session has ended
            auth.clear_session_cookie(to_login)
        return to_login
    response = error_page(request, http_status(error), sentence(error.message))
    if isinstance(error, RateLimitedError):
        response.headers["Retry-After"] = str(error.params.get("retry_after", 900))
    return response


def _http(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    if error.status_code == 404:
        message = f"There is no page at {request.url.path[:200]}."
    elif error.status_code == 405:
        message = f"This address does not take a {request.method} request."
    else:
        message = sentence(str(error.detail))
    return error_page(request, error.status_code, message)


def _validation(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    first: dict[str, Any] = next(iter(error.errors()), {})
    where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path"))
    why = str(first.get("msg", "invalid"))
    return error_page(request, 422, sentence(f"{where}: {why}" if where else why))


def _out_of_range(request: Request, _error: Exception) -> Response:
    return error_page(request, 422, "A value is out of range or not allowed in text.")


def _unexpected(request: Request, error: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
    return error_page(request, 500, "Something went wrong; the server log has the details.")


PAGE_HANDLERS: list[tuple[type[Exception], Callable[[Request, Exception], Response]]] = [
    (PegboardError, _domain),
    (RequestValidationError, _validation),
    (StarletteHTTPException, _http),
    (OverflowError, _out_of_range),
    (DataError, _out_of_range),
    (Exception, _unexpected),
]


def _split(for_pages: Callable[[Request, Exception], Response], other: Handler | None) -> Handler:
    def handle(request: Request, error: Exception) -> Response | Awaitable[Response]:
        if is_page(request.url.path) or other is None:
            return for_pages(request, error)
        return other(request, error)

    return handle


def install(app: FastAPI) -> None:
    """Answer the pages' errors with pages; the handlers installed before (the API's)
    keep answering the requests under ``/api``."""
    for kind, for_pages in PAGE_HANDLERS:
        app.add_exception_handler(kind, _split(for_pages, app.exception_handlers.get(kind)))


def refused_change(session: Session, error: PegboardError) -> int:
    """A change the service refused, to show its form again with the message: nothing of
    it is kept (the session rolled back, so the page reads what is saved), and the status
    the page answers with (the error's)."""
    session.rollback()
    return http_status(error)

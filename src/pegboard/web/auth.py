"""Who is signed in, the session cookie, and the CSRF check of form posts.

The login form has a CSRF token of its own, before any session exists: ``GET /login``
sets a random token in a cookie (HttpOnly, SameSite=Strict, path ``/login``) and puts
the same token in the form; ``POST /login`` signs in only when the form's token and the
cookie's agree. Another site can neither read the token nor send the cookie with a
cross-site post, so it cannot sign a browser in as an account of its choosing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import quote

from fastapi import Request, Response

from pegboard.db import Session
from pegboard.services import users
from pegboard.services.users import UserView


@dataclass(frozen=True)
class SignedIn:
    user: UserView
    csrf_token: str


def signed_in(request: Request, session: Session) -> SignedIn | None:
    """The user of the request's session cookie and that session's CSRF token."""
    secret = request.cookies.get(users.SESSION_COOKIE)
    if not secret:
        return None
    resolved = users.resolve_session(session, secret)
    if resolved is None:
        return None
    user, csrf = resolved
    return SignedIn(user, csrf)


def csrf_ok(expected: str, sent: str | None) -> bool:
    return bool(sent) and secrets.compare_digest(expected.encode(), (sent or "").encode())


LOGIN_COOKIE = "pegboard_login"
LOGIN_FIELD = "login_token"
LOGIN_TOKEN_SECONDS = 3600


def login_token(request: Request) -> str:
    """The login form's token: the one the browser holds already, else a new one."""
    held = request.cookies.get(LOGIN_COOKIE, "")
    if 20 <= len(held) <= 100 and held.replace("-", "").replace("_", "").isalnum():
        return held
    return secrets.token_urlsafe(32)


def set_login_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        max_age=LOGIN_TOKEN_SECONDS,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/login",
    )


def login_token_ok(request: Request, sent: str | None) -> bool:
    """Whether a login post carries the token its browser's cookie holds."""
    held = request.cookies.get(LOGIN_COOKIE)
    return bool(held) and csrf_ok(held or "", sent)


def set_session_cookie(request: Request, response: Response, secret: str) -> None:
    """The same cookie the JSON API's login sets: HttpOnly, SameSite=Lax, whole site."""
    response.set_cookie(
        users.SESSION_COOKIE,
        secret,
        max_age=users.SESSION_DAYS * 86400,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(users.SESSION_COOKIE, path="/")


def safe_next(target: str | None) -> str:
    """A local path to go to after logging in; anything else (another site) becomes ``/``."""
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(c) < 32 for c in target)
    ):
        return "/"
    return target


def login_url(request: Request) -> str:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login" if here == "/" else f"/login?next={quote(here, safe='/')}"

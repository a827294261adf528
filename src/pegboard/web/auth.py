"""Who is signed in, the session cookie, and the CSRF check of form posts."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import quote

from fastapi import Request, Response
from sqlalchemy.orm import Session

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

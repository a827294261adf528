"""Administration: bundle import and export, users and their tokens, the audit log.

Every form posts ``csrf_token``; the token is checked before the permission, and
both before anything is saved or written. Changes answer with a redirect
(Post/Redirect/Get), except a new API token, which is shown once on the answer.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, Response
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

from pegboard.bundle.upload import export_archive
from pegboard.errors import ConflictError, NotFoundError, PegboardError, PermissionDeniedError
from pegboard.model import Role
from pegboard.services import audit, jobs, users
from pegboard.services.permissions import Permission
from pegboard.web import auth
from pegboard.web.plan import offset_of, parse_date, text
from pegboard.web.render import (
    NO_TOKEN,
    SECURITY_HEADERS,
    changing_user,
    chrome,
    db,
    job_page,
    may,
    page,
    redirect,
    refused,
    signed_in_or_redirect,
)

router = APIRouter(include_in_schema=False)

AUDIT_PAGE = 50
Token = Annotated[str | None, Form(max_length=200)]
Field = Annotated[str | None, Form(max_length=1000)]
DONE = {
    "added": "The user was added.",
    "role": "The role was changed.",
    "active": "The user was switched.",
    "revoked": "The token was revoked.",
}


def _sentence(error: PegboardError) -> str:
    return error.message[:1].upper() + error.message[1:] + "."


def _done(value: str | None) -> str | None:
    return DONE.get(value or "")


# --- the index ---------------------------------------------------------------------------


@router.get("/admin")
def admin_home(request: Request) -> Response:
    with db(request) as session:
        who = signed_in_or_redirect(request, session)
        if isinstance(who, Response):
            return who
        context = chrome(who, "admin") | {
            "title": "Admin",
            "may_import": may(who, Permission.IMPORT),
            "may_users": may(who, Permission.USERS),
        }
        return page(request, "admin.html", context)


# --- import and export -------------------------------------------------------------------


def _bundle_page(
    request: Request, session: Session, who: auth.SignedIn, error: str | None, status: int = 200
) -> Response:
    context = chrome(who, "admin") | {
        "title": "Import and export",
        "error": error,
        "may_import": may(who, Permission.IMPORT),
        "recent": jobs.list_jobs(session, kind="import", limit=5),
    }
    return page(request, "admin_bundle.html", context, status_code=status)


@router.get("/admin/bundle")
def bundle_home(request: Request) -> Response:
    with db(request) as session:
        who = signed_in_or_redirect(request, session)
        if isinstance(who, Response):
            return who
        return _bundle_page(request, session, who, None)


@router.post("/admin/bundle/import")
def bundle_import(
    request: Request,
    csrf_token: Token = None,
    file: Annotated[UploadFile | None, File()] = None,
    allow_empty: Field = None,
) -> Response:
    with db(request) as session:
        who = changing_user(
            request, session, csrf_token, Permission.IMPORT, "Your role may not import data."
        )
        if isinstance(who, Response):
            return who
        if file is None or not file.filename:
            return _bundle_page(request, session, who, "Choose a file to upload.", 422)
        try:
            job_id = jobs.submit(
                session,
                "import",
                author=who.user.name,
                upload=file.file,
                filename=file.filename,
                allow_empty=allow_empty == "1",
            )
        except PegboardError as e:
            session.rollback()
            status = 409 if isinstance(e, ConflictError) else 422
            return _bundle_page(request, session, who, f"Not imported: {_sentence(e)}", status)
    return redirect(f"/admin/jobs/{job_id}")


@router.get("/admin/jobs/{job_id}")
def admin_job(request: Request, job_id: int) -> Response:
    def shown(job: jobs.JobView) -> dict[str, Any]:
        result = job.result or {}
        return {
            "problems": list(result.get("problems") or []),
            "truncated": bool(result.get("truncated")),
            "rows": sorted((result.get("rows") or {}).items()),
        }

    return job_page(request, job_id, area="admin", template="admin_job.html", extra=shown)


JOB_PAGES = {"plan": "/plan/jobs/", "policy": "/policy/jobs/"}
"""Where a job of each kind is shown (the rest, imports too, under /admin/jobs/)."""


@router.post("/jobs/{job_id}/cancel")
def job_cancel(request: Request, job_id: int, csrf_token: Token = None) -> Response:
    """Ask a running job to stop (the job page's button), then back to its page."""
    with db(request) as session:
        who = signed_in_or_redirect(request, session)
        if isinstance(who, Response):
            return who
        if not auth.csrf_ok(who.csrf_token, csrf_token):
            return refused(request, who, NO_TOKEN)
        try:
            kind = jobs.cancel(session, job_id, author=who.user.name, role=who.user.role).kind
        except PermissionDeniedError as e:
            session.rollback()
            return refused(request, who, _sentence(e))
        except NotFoundError:
            session.rollback()
            return refused(request, who, "There is no such job.")
        except ConflictError:  # it ended meanwhile: its page says how
            session.rollback()
            kind = jobs.get_job(session, job_id).kind
    return redirect(JOB_PAGES.get(kind, "/admin/jobs/") + str(job_id))


@router.get("/admin/bundle/export")
def bundle_export(request: Request) -> Response:
    with db(request) as session:
        who = signed_in_or_redirect(request, session)
        if isinstance(who, Response):
            return who
        archive = export_archive(session)
    response = FileResponse(
        archive.path,
        media_type="application/zip",
        filename=archive.filename,
        background=BackgroundTask(archive.remove),
    )
    response.headers.update(SECURITY_HEADERS)
    return response


# --- users and tokens --------------------------------------------------------------------


def _users_page(
    request: Request,
    session: Session,
    who: auth.SignedIn,
    *,
    error: str | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    context = chrome(who, "admin") | {
        "title": "Users",
        "error": error,
        "notice": notice,
        "users": users.list_users(session),
        "tokens": users.list_tokens(session),
        "roles": [r.value for r in Role],
    }
    return page(request, "admin_users.html", context, status_code=status)


@router.get("/admin/users")
def users_home(request: Request, done: str | None = None) -> Response:
    with db(request) as session:
        who = signed_in_or_redirect(request, session)
        if isinstance(who, Response):
            return who
        if not may(who, Permission.USERS):
            return refused(request, who, "Your role may not manage users.")
        return _users_page(request, session, who, notice=_done(done))


def _user_change(request: Request, csrf_token: str | None, change: str, **fields: Any) -> Response:
    with db(request) as session:
        who = changing_user(
            request, session, csrf_token, Permission.USERS, "Your role may not manage users."
        )
        if isinstance(who, Response):
            return who
        try:
            if change == "added":
                users.create_user(session, author=who.user.name, **fields)
            else:
                users.update_user(session, author=who.user.name, **fields)
        except PegboardError as e:
            session.rollback()
            status = (
                409
                if isinstance(e, ConflictError)
                else 404
                if isinstance(e, NotFoundError)
                else 422
            )
            return _users_page(request, session, who, error=_sentence(e), status=status)
    return redirect(f"/admin/users?done={change}")


@router.post("/admin/users")
def user_add(
    request: Request,
    csrf_token: Token = None,
    name: Field = None,
    role: Field = None,
    password: Field = None,
) -> Response:
    return _user_change(
        request, csrf_token, "added", name=name or "", role=role or "", password=password or ""
    )


@router.post("/admin/users/role")
def user_role(
    request: Request, csrf_token: Token = None, name: Field = None, role: Field = None
) -> Response:
    return _user_change(request, csrf_token, "role", name=name or "", role=role or "")


@router.post("/admin/users/active")
def user_active(
    request: Request, csrf_token: Token = None, name: Field = None, active: Field = None
) -> Response:
    return _user_change(request, csrf_token, "active", name=name or "", active=active == "1")


def _tokens_page(
    request: Request,
    session: Session,
    who: auth.SignedIn,
    *,
    secret: str | None = None,
    error: str | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    context = chrome(who, "admin") | {
        "title": "Your API tokens",
        "tokens": users.list_tokens(session, user=who.user.name),
        "secret": secret,
        "error": error,
        "notice": notice,
        "may_users": may(who, Permission.USERS),
    }
    return page(request, "admin_tokens.html", context, status_code=status)


@router.get("/admin/tokens")
def tokens_home(request: Request, done: str | None = None) -> Response:
    with db(request) as session:
        who = signed_in_or_redirect(request, session)
        if isinstance(who, Response):
            return who
        return _tokens_page(request, session, who, notice=_done(done))


@router.post("/admin/tokens")
def token_create(request: Request, csrf_token: Token = None, name: Field = None) -> Response:
    """A new token of the signed-in user, shown this once on the answer (never stored)."""
    with db(request) as session:
        who = signed_in_or_redirect(request, session)
        if isinstance(who, Response):
            return who
        if not auth.csrf_ok(who.csrf_token, csrf_token):
            return refused(request, who, NO_TOKEN)
        try:
            _, secret = users.create_token(
                session, user=who.user.name, name=name or "", author=who.user.name
            )
        except PegboardError as e:
            session.rollback()
            return _tokens_page(request, session, who, error=_sentence(e), status=422)
        return _tokens_page(request, session, who, secret=secret)


@router.post("/admin/tokens/{token_id}/revoke")
def token_revoke(
    request: Request, token_id: int, csrf_token: Token = None, back: Field = None
) -> Response:
    """Revoke a token: one's own, or anyone's with the users permission."""
    with db(request) as session:
        who = signed_in_or_redirect(request, session)
        if isinstance(who, Response):
            return who
        if not auth.csrf_ok(who.csrf_token, csrf_token):
            return refused(request, who, NO_TOKEN)
        anyone = may(who, Permission.USERS)
        try:
            users.revoke_token(
                session,
                token_id=token_id,
                user=None if anyone else who.user.name,
                author=who.user.name,
            )
        except NotFoundError:
            session.rollback()
            return refused(request, who, "There is no such token of yours.")
    target = "/admin/users" if back == "users" and anyone else "/admin/tokens"
    return redirect(f"{target}?done=revoked")


# --- the audit log -----------------------------------------------------------------------


def changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[str]:
    """Before and after, compactly: ``key: old → new`` for each key that differs."""
    old, new = before or {}, after or {}
    out = []
    for key in list(old) + [k for k in new if k not in old]:
        if key in old and key in new:
            if old[key] != new[key]:
                out.append(f"{key}: {_short(old[key])} → {_short(new[key])}")
        elif key in new:
            out.append(f"{key}: {_short(new[key])}")
        else:
            out.append(f"{key}: {_short(old[key])} → (none)")
    return out


def _short(value: Any) -> str:
    shown = "(none)" if value is None else str(value)
    return shown if len(shown) <= 80 else shown[:79] + "…"


@router.get("/admin/audit")
def audit_log(
    request: Request,
    entity: str | None = None,
    ref: str | None = None,
    sales_order: str | None = None,
    author: str | None = None,
    action: str | None = None,
    since: str | None = None,
    offset: str | None = None,
) -> Response:
    with db(request) as session:
        who = signed_in_or_redirect(request, session)
        if isinstance(who, Response):
            return who
        filters = {
            "entity": text(entity) or "",
            "ref": text(ref) or "",
            "sales_order": text(sales_order) or "",
            "author": text(author) or "",
            "action": text(action) or "",
            "since": text(since) or "",
        }
        day = parse_date(since)
        problem = None
        if filters["since"] and day is None:
            problem = f"“{filters['since']}” is not a date: write it as YYYY-MM-DD."
        start = offset_of(offset)
        found = []
        if problem is None:
            found = audit.history(
                session,
                entity=filters["entity"] or None,
                ref=filters["ref"] or None,
                sales_order=filters["sales_order"] or None,
                author=filters["author"] or None,
                action=filters["action"] or None,
                since=datetime.combine(day, time(), tzinfo=UTC) if day else None,
                limit=AUDIT_PAGE + 1,
                offset=start,
            )
        kept = {k: v for k, v in filters.items() if v}

        def at(o: int) -> str:
            return "/admin/audit?" + urlencode(kept | {"offset": str(o)})

        rows = [
            {
                "at": e.at,
                "author": e.author,
                "entity": e.entity,
                "ref": e.entity_ref,
                "action": e.action,
                "changes": changes(e.before, e.after),
                "note": e.note,
            }
            for e in found[:AUDIT_PAGE]
        ]
        context = chrome(who, "admin") | {
            "title": "Audit log",
            "rows": rows,
            "filters": filters,
            "problem": problem,
            "first": start + 1 if rows else 0,
            "last": start + len(rows),
            "previous": at(max(start - AUDIT_PAGE, 0)) if start > 0 else None,
            "next": at(start + AUDIT_PAGE) if len(found) > AUDIT_PAGE else None,
        }
        return page(request, "admin_audit.html", context, status_code=422 if problem else 200)

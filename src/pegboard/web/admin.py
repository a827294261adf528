"""Administration: bundle import and export, users and their tokens, the audit log.

Every form posts ``csrf_token``; the token is checked (``deps.csrf_checked``) before
the permission, and both before anything is saved or written. Changes answer with a redirect
(Post/Redirect/Get), except a new API token, which is shown once on the answer.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask

from pegboard.bundle.upload import (
    StagedPreview,
    export_archive,
    export_workbook,
    stage_upsert_preview,
)
from pegboard.bundle.upsert import FilePreview, describe, from_result
from pegboard.db import Session
from pegboard.errors import ConflictError, NotFoundError, PegboardError, PermissionDeniedError
from pegboard.model.enums import Role
from pegboard.services import audit, jobs, users
from pegboard.services.permissions import Permission
from pegboard.services.spreadsheet import EXPORT_LIMIT, Sheet
from pegboard.web import auth
from pegboard.web.deps import DbSession, LiveSession, Viewer, may, require
from pegboard.web.errors import refused_change, sentence
from pegboard.web.plan import offset_of, parse_date, text
from pegboard.web.render import SECURITY_HEADERS, chrome, job_page, page, redirect
from pegboard.web.xlsx_download import ExportFormat, export_links, sheet_download

router = APIRouter(include_in_schema=False)

AUDIT_PAGE = 50
Importer = Annotated[
    auth.SignedIn, Depends(require(Permission.IMPORT, "Your role may not import data."))
]
UserAdmin = Annotated[
    auth.SignedIn, Depends(require(Permission.USERS, "Your role may not manage users."))
]
Field = Annotated[str | None, Form(max_length=1000)]
DONE = {
    "added": "The user was added.",
    "role": "The role was changed.",
    "active": "The user was switched.",
    "revoked": "The token was revoked.",
}


def _done(value: str | None) -> str | None:
    return DONE.get(value or "")


# --- the index ---------------------------------------------------------------------------


@router.get("/admin")
def admin_home(request: Request, who: Viewer) -> Response:
    context = chrome(who, "admin") | {
        "title": "Admin",
        "may_import": may(who, Permission.IMPORT),
        "may_users": may(who, Permission.USERS),
    }
    return page(request, "admin.html", context)


# --- import and export -------------------------------------------------------------------


def _bundle_page(
    request: Request,
    session: Session,
    who: auth.SignedIn,
    error: str | None,
    status: int = 200,
    preview: tuple[str, StagedPreview] | None = None,
) -> Response:
    context = chrome(who, "admin") | {
        "title": "Import and export",
        "error": error,
        "may_import": may(who, Permission.IMPORT),
        "recent": jobs.list_jobs(session, kind="import", limit=5),
        "preview": preview and _shown(*preview),
    }
    return page(request, "admin_bundle.html", context, status_code=status)


def _shown(name: str, staged: StagedPreview) -> dict[str, Any]:
    """The preview's table and first changes, and whether it may be applied as it is."""
    files: list[FilePreview] = staged.previews
    return {
        "name": name,
        "files": files,
        "changes": describe(files),
        "token": staged.token,
        "something": any(f.added or f.changed for f in files),
    }


@router.get("/admin/bundle")
def bundle_home(request: Request, session: DbSession, who: Viewer) -> Response:
    return _bundle_page(request, session, who, None)


@router.post("/admin/bundle/import")
def bundle_import(
    request: Request,
    session: DbSession,
    who: Importer,
    file: Annotated[UploadFile | None, File()] = None,
    allow_empty: Field = None,
) -> Response:
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
        status = 409 if isinstance(e, ConflictError) else 422  # a bundle's problems: 422
        refused_change(session, e)
        message = f"Not imported: {sentence(e.message)}"
        return _bundle_page(request, session, who, message, status)
    return redirect(f"/admin/jobs/{job_id}")


@router.post("/admin/bundle/upsert-preview")
def bundle_upsert_preview(
    request: Request,
    session: DbSession,
    who: Importer,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """What importing the file in upsert mode would add and change; writes nothing. The
    upload is kept under a token for the page's Apply button (``stage_upsert_preview``)."""
    if file is None or not file.filename:
        return _bundle_page(request, session, who, "Choose a file to preview.", 422)
    try:
        staged = stage_upsert_preview(session, file.filename, file.file, author=who.user.name)
    except PegboardError as e:
        session.rollback()
        return _bundle_page(request, session, who, f"Not previewed: {sentence(e.message)}", 422)
    return _bundle_page(request, session, who, None, preview=(file.filename, staged))


@router.post("/admin/bundle/upsert-apply")
def bundle_upsert_apply(
    request: Request, session: DbSession, who: Importer, token: Field = None
) -> Response:
    """Apply the previewed upload (the very file, kept under its token) as an import job
    in upsert mode; its page shows what was added and changed."""
    try:
        job_id = jobs.submit(
            session, "import", author=who.user.name, upsert=True, preview_token=token or ""
        )
    except PegboardError as e:
        status = 409 if isinstance(e, ConflictError) else 422
        refused_change(session, e)
        return _bundle_page(request, session, who, f"Not applied: {sentence(e.message)}", status)
    return redirect(f"/admin/jobs/{job_id}")


@router.get("/admin/jobs/{job_id}")
def admin_job(request: Request, session: DbSession, who: Viewer, job_id: int) -> Response:
    def shown(job: jobs.JobView) -> dict[str, Any]:
        result = job.result or {}
        return {
            "problems": list(result.get("problems") or []),
            "truncated": bool(result.get("truncated")),
            "rows": sorted((result.get("rows") or {}).items()),
            "upsert": [from_result(f) for f in result.get("upsert") or []],
        }

    return job_page(
        request, session, who, job_id, area="admin", template="admin_job.html", extra=shown
    )


JOB_PAGES = {"plan": "/plan/jobs/", "policy": "/policy/jobs/"}
"""Where a job of each kind is shown (the rest, imports too, under /admin/jobs/)."""


@router.post("/jobs/{job_id}/cancel")
def job_cancel(request: Request, session: DbSession, who: Viewer, job_id: int) -> Response:
    """Ask a running job to stop (the job page's button), then back to its page (the
    service says whether the role may cancel a job of its kind: else the 403 page)."""
    try:
        kind = jobs.cancel(session, job_id, author=who.user.name, role=who.user.role).kind
    except ConflictError:  # it ended meanwhile: its page says how
        session.rollback()
        kind = jobs.get_job(session, job_id).kind
    return redirect(JOB_PAGES.get(kind, "/admin/jobs/") + str(job_id))


@router.get("/admin/bundle/export")
def bundle_export(session: DbSession, who: Viewer) -> Response:
    archive = export_archive(session)
    response = FileResponse(
        archive.path,
        media_type="application/zip",
        filename=archive.filename,
        background=BackgroundTask(archive.remove),
    )
    response.headers.update(SECURITY_HEADERS)
    return response


@router.get("/admin/bundle/export.xlsx")
def bundle_export_workbook(session: DbSession, who: Viewer) -> Response:
    """The company's data as one workbook (``bundle.workbook``), which imports again."""
    book = export_workbook(session)
    response = FileResponse(
        book.path,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename=book.filename,
        background=BackgroundTask(book.remove),
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
def users_home(
    request: Request, session: LiveSession, who: UserAdmin, done: str | None = None
) -> Response:
    return _users_page(request, session, who, notice=_done(done))


def _user_change(
    request: Request, session: Session, who: auth.SignedIn, change: str, **fields: Any
) -> Response:
    try:
        if change == "added":
            users.create_user(session, author=who.user.name, **fields)
        else:
            users.update_user(session, author=who.user.name, **fields)
    except PegboardError as e:
        status = refused_change(session, e)
        return _users_page(request, session, who, error=sentence(e.message), status=status)
    return redirect(f"/admin/users?done={change}")


@router.post("/admin/users")
def user_add(
    request: Request,
    session: LiveSession,
    who: UserAdmin,
    name: Field = None,
    role: Field = None,
    password: Field = None,
) -> Response:
    return _user_change(
        request, session, who, "added", name=name or "", role=role or "", password=password or ""
    )


@router.post("/admin/users/role")
def user_role(
    request: Request, session: LiveSession, who: UserAdmin, name: Field = None, role: Field = None
) -> Response:
    return _user_change(request, session, who, "role", name=name or "", role=role or "")


@router.post("/admin/users/active")
def user_active(
    request: Request,
    session: LiveSession,
    who: UserAdmin,
    name: Field = None,
    active: Field = None,
) -> Response:
    return _user_change(request, session, who, "active", name=name or "", active=active == "1")


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
def tokens_home(
    request: Request, session: LiveSession, who: Viewer, done: str | None = None
) -> Response:
    return _tokens_page(request, session, who, notice=_done(done))


@router.post("/admin/tokens")
def token_create(
    request: Request, session: LiveSession, who: Viewer, name: Field = None
) -> Response:
    """A new token of the signed-in user, shown this once on the answer (never stored)."""
    try:
        _, secret = users.create_token(
            session, user=who.user.name, name=name or "", author=who.user.name
        )
    except PegboardError as e:
        refused_change(session, e)
        return _tokens_page(request, session, who, error=sentence(e.message), status=422)
    return _tokens_page(request, session, who, secret=secret)


@router.post("/admin/tokens/{token_id}/revoke")
def token_revoke(
    request: Request, session: LiveSession, who: Viewer, token_id: int, back: Field = None
) -> Response:
    """Revoke a token: one's own, or anyone's with the users permission."""
    anyone = may(who, Permission.USERS)
    try:
        users.revoke_token(
            session,
            token_id=token_id,
            user=None if anyone else who.user.name,
            author=who.user.name,
        )
    except NotFoundError:
        raise PermissionDeniedError("There is no such token of yours.") from None
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


AUDIT_HEADER = ("when (UTC)", "author", "entity", "reference", "action", "changes", "note")


def audit_sheet(entries: list[Any]) -> Sheet:
    """The audit entries as the log shows them, newest first, one change per line of
    the changes cell; the time as text (a spreadsheet cell keeps no time zone)."""
    return Sheet(
        "Audit log",
        AUDIT_HEADER,
        [
            (
                e.at.strftime("%Y-%m-%d %H:%M:%S"),
                e.author,
                e.entity,
                e.entity_ref,
                e.action,
                "\n".join(changes(e.before, e.after)),
                e.note or None,
            )
            for e in entries
        ],
    )


@router.get("/admin/audit")
def audit_log(
    request: Request,
    session: DbSession,
    who: Viewer,
    entity: str | None = None,
    ref: str | None = None,
    sales_order: str | None = None,
    author: str | None = None,
    action: str | None = None,
    since: str | None = None,
    offset: str | None = None,
    export: ExportFormat = None,
) -> Response:
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
            limit=EXPORT_LIMIT if export else AUDIT_PAGE + 1,
            offset=0 if export else start,
        )
    if export and problem is None:
        return sheet_download(audit_sheet(found), export, "audit-log")
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
        "exports": export_links("/admin/audit", kept),
    }
    return page(request, "admin_audit.html", context, status_code=422 if problem else 200)

"""Bundle import (zip of CSVs or xlsx, as a background job) and export (zip).

``POST /bundle/import`` takes a ``.zip`` of the bundle's CSV files (and
``templates.json``), or one ``.xlsx`` workbook, answers 202 with a job and
replaces the company's data in the background. A bad bundle writes nothing:
the job ends ``failed`` and its ``result.problems`` lists every problem with
its file, line, column and value.

The zip is unpacked by hand, never with ``extractall``: entries with an
absolute path or ``..`` are refused, as are archives with too many files or
that unpack to more than ``MAX_UNPACKED_BYTES`` (counted while unpacking, not
taken from the archive's word).
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Annotated, Any

from fastapi import APIRouter, Depends, File, Request, Response, UploadFile
from fastapi.responses import FileResponse
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

from pegboard.api.deps import DbSession, Reader, require
from pegboard.api.routers.jobs import JobOut, job_out
from pegboard.bundle.importer import TEMPLATES_FILE, read_bundle
from pegboard.bundle.writer import write_dataset, write_plan
from pegboard.errors import ValidationError
from pegboard.services import jobs, plan_results
from pegboard.services.company_data import read_company, replace_company
from pegboard.services.jobs import Progress
from pegboard.services.permissions import Permission
from pegboard.services.planning import current_run
from pegboard.services.users import UserView

router = APIRouter(prefix="/bundle", tags=["bundle"])
Importer = Annotated[UserView, Depends(require(Permission.IMPORT))]

MAX_FILES = 100
"""Entries an uploaded zip may hold (a bundle is under a dozen files)."""
MAX_UNPACKED_BYTES = 4 * 1024**3
"""What an uploaded zip may unpack to, in total."""
_CHUNK = 1024 * 1024


def _refuse(message: str, **params: object) -> ValidationError:
    return ValidationError(message, field="file", **params)


def _safe_name(name: str) -> PurePosixPath:
    """The entry's path inside the bundle folder; refused when it could leave it."""
    path = PurePosixPath(name.replace("\\", "/"))
    if (
        not name
        or path.is_absolute()
        or name.startswith(("/", "\\"))
        or ".." in path.parts
        or (path.parts and ":" in path.parts[0])  # a Windows drive, C:
        or "\x00" in name
    ):
        raise _refuse(f"the zip has an unsafe entry {name!r} (absolute, or with '..')", entry=name)
    return path


def _wanted(path: PurePosixPath) -> bool:
    """CSV files and templates.json; the rest (``__MACOSX/``, ``.DS_Store``) is skipped."""
    if any(part.startswith(".") or part == "__MACOSX" for part in path.parts):
        return False
    return path.suffix.lower() == ".csv" or path.name == TEMPLATES_FILE


def unpack_zip(archive: Path, into: Path) -> Path:
    """Unpack the bundle's files safely into ``into``; returns the folder holding them
    (the archive's single top folder when the files sit in one)."""
    into.mkdir(parents=True, exist_ok=True)
    try:
        with zipfile.ZipFile(archive) as zf:
            entries = zf.infolist()
            if len(entries) > MAX_FILES:
                raise _refuse(f"the zip holds {len(entries)} entries (at most {MAX_FILES})")
            if sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
                raise _refuse(_too_big())
            written = 0
            for entry in entries:
                path = _safe_name(entry.filename)
                if entry.is_dir() or not _wanted(path):
                    continue
                target = into.joinpath(*path.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(entry) as src, target.open("wb") as dst:
                    written = _copy_capped(src, dst, written)
    except zipfile.BadZipFile as e:
        raise _refuse(f"not a readable zip file ({e})") from e
    except (zipfile.LargeZipFile, NotImplementedError, RuntimeError) as e:  # e.g. encrypted
        raise _refuse(f"cannot unpack the zip ({e})") from e
    return _bundle_folder(into)


def _too_big() -> str:
    return f"the zip unpacks to more than {MAX_UNPACKED_BYTES // 1024**2} MiB"


def _copy_capped(src: IO[bytes], dst: IO[bytes], written: int) -> int:
    while chunk := src.read(_CHUNK):
        written += len(chunk)
        if written > MAX_UNPACKED_BYTES:
            raise _refuse(_too_big())
        dst.write(chunk)
    return written


def _bundle_folder(root: Path) -> Path:
    if any(root.glob("*.csv")) or (root / TEMPLATES_FILE).exists():
        return root
    folders = [p for p in root.iterdir() if p.is_dir()]
    if len(folders) == 1:
        return _bundle_folder(folders[0])
    raise _refuse("the zip holds no CSV files of a bundle")


def _kind(filename: str, saved: Path) -> str:
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx":
        return "xlsx"
    if suffix == ".zip" or (suffix == "" and zipfile.is_zipfile(saved)):
        return "zip"
    raise _refuse(
        f"upload a .zip of the bundle's CSV files or an .xlsx workbook, not {filename!r}",
        filename=filename,
    )


def _stage_upload(upload: UploadFile, workdir: Path) -> Path:
    """Save the upload under ``workdir``; the path ``read_bundle`` should read."""
    filename = Path((upload.filename or "bundle.zip").replace("\\", "/")).name or "bundle.zip"
    saved = workdir / "upload" / filename
    saved.parent.mkdir()
    with saved.open("wb") as dst:
        shutil.copyfileobj(upload.file, dst, _CHUNK)
    if _kind(filename, saved) == "xlsx":
        return saved
    folder = unpack_zip(saved, workdir / "bundle")
    saved.unlink()
    return folder


@router.post("/import", status_code=202)
def import_bundle(
    request: Request,
    response: Response,
    user: Importer,
    session: DbSession,
    file: Annotated[UploadFile, File(description=".zip of CSV files, or an .xlsx workbook")],
) -> JobOut:
    """Replace the company's data with a bundle, in the background; 409 while a plan run
    or another import is open. A bad bundle writes nothing: the job fails and its
    ``result.problems`` locates every problem (file, line, column, value)."""
    workdir = Path(tempfile.mkdtemp(prefix="pegboard-import-"))
    try:
        source = _stage_upload(file, workdir)
        job_id = jobs.start_job(session, "import", author=user.name)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    author, name = user.name, file.filename or source.name

    def work(s: Session, progress: Progress) -> dict[str, Any]:
        try:
            data = read_bundle(source, progress)
            counts = replace_company(s, data, author=author, progress=progress)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        return {"file": name, "rows": counts}

    try:
        jobs.start_in_background(request.app.state.engine, job_id, work)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    response.headers["Location"] = f"/api/jobs/{job_id}"
    return job_out(jobs.get_job(session, job_id))


def _zip_folder(folder: Path, archive: Path) -> None:
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.iterdir()):
            zf.write(path, arcname=path.name)


def _snapshot(session: Session, folder: Path) -> None:
    """The data and the current plan, read in one transaction (one consistent view)."""
    session.commit()  # end the transaction the sign-in check began; read afresh
    with session.begin():
        if session.get_bind().dialect.name == "postgresql":
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        write_dataset(read_company(session), folder)
        if current_run(session) is not None:
            write_plan(
                folder,
                plan_results.planned_order_rows(session),
                plan_results.pegging_rows(session),
                plan_results.exception_rows(session),
            )


@router.get(
    "/export",
    response_class=FileResponse,
    responses={
        200: {
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            "description": "the bundle as a zip",
        }
    },
)
def export_bundle(user: Reader, session: DbSession) -> FileResponse:
    """The company's data (what is still open) and the current plan, as a zip of the
    bundle's CSV files (and ``templates.json``); it imports again as it is."""
    workdir = Path(tempfile.mkdtemp(prefix="pegboard-export-"))
    try:
        folder = workdir / "bundle"
        _snapshot(session, folder)
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        archive = workdir / f"pegboard-{stamp}.zip"
        _zip_folder(folder, archive)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    return FileResponse(
        archive,
        media_type="application/zip",
        filename=archive.name,
        background=BackgroundTask(shutil.rmtree, workdir, ignore_errors=True),
    )

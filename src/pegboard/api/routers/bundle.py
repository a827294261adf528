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
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Request, Response, UploadFile
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from pegboard import clock
from pegboard.api.deps import DbSession, Reader, require
from pegboard.api.routers.jobs import JobOut, job_out
from pegboard.bundle import upload as bundle_upload
from pegboard.bundle.upload import import_work, snapshot, stage_upload, zip_folder
from pegboard.services import jobs
from pegboard.services.permissions import Permission
from pegboard.services.users import UserView

router = APIRouter(prefix="/bundle", tags=["bundle"])
Importer = Annotated[UserView, Depends(require(Permission.IMPORT))]

MAX_FILES = bundle_upload.MAX_FILES
"""Entries an uploaded zip may hold (a bundle is under a dozen files)."""
MAX_UNPACKED_BYTES = bundle_upload.MAX_UNPACKED_BYTES
"""What an uploaded zip may unpack to, in total."""


def _stage_upload(upload: UploadFile, workdir: Path) -> Path:
    """Save the upload under ``workdir``; the path ``read_bundle`` should read."""
    return stage_upload(
        upload.filename, upload.file, workdir, max_files=MAX_FILES, max_bytes=MAX_UNPACKED_BYTES
    )


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
    work = import_work(source, workdir, author=user.name, name=file.filename or source.name)

    try:
        jobs.start_in_background(request.app.state.engine, job_id, work)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    response.headers["Location"] = f"/api/jobs/{job_id}"
    return job_out(jobs.get_job(session, job_id))


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
        snapshot(session, folder)
        stamp = clock.now().strftime("%Y%m%d-%H%M%S")
        archive = workdir / f"pegboard-{stamp}.zip"
        zip_folder(folder, archive)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    return FileResponse(
        archive,
        media_type="application/zip",
        filename=archive.name,
        background=BackgroundTask(shutil.rmtree, workdir, ignore_errors=True),
    )

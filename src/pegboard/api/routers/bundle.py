"""Bundle import (zip of CSVs or xlsx, as a background job) and export (zip).

``POST /bundle/import`` takes a ``.zip`` of the bundle's CSV files (and
``templates.json``), or one ``.xlsx`` workbook, answers 202 with a job and
replaces the company's data in the background; ``POST /bundle/upsert`` adds and changes
rows in place instead (``/bundle/upsert/preview`` says what it would). A bad bundle
writes nothing: the job ends ``failed`` and its ``result.problems`` lists every problem
with its file, line, column and value. ``POST /jobs/{id}/cancel`` stops it.

The upload is checked by ``bundle.upload`` (the same code as the web page's):
unsafe entries, too many files, and a file or a whole that unpacks to more than
``BUNDLE_LIMIT`` are refused before a job exists.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from pegboard.api.deps import DbSession, Reader, require
from pegboard.api.routers.jobs import JobOut, job_out
from pegboard.bundle.upload import export_archive, export_workbook, upsert_preview_upload
from pegboard.bundle.upsert import FilePreview
from pegboard.services import jobs
from pegboard.services.permissions import Permission
from pegboard.services.users import UserView

router = APIRouter(prefix="/bundle", tags=["bundle"])
Importer = Annotated[UserView, Depends(require(Permission.IMPORT))]


@router.post("/import", status_code=202)
def import_bundle(
    request: Request,
    response: Response,
    user: Importer,
    session: DbSession,
    file: Annotated[UploadFile, File(description=".zip of CSV files, or an .xlsx workbook")],
    allow_empty: Annotated[
        bool,
        Form(description="import an items.csv without rows (it deletes every item)"),
    ] = False,
) -> JobOut:
    """Replace the company's data with a bundle, in the background; 409 while a plan run
    or another import is open. A bad bundle writes nothing: the job fails and its
    ``result.problems`` locates every problem (file, line, column, value). An items.csv
    without rows is such a problem unless ``allow_empty`` is true."""
    job_id = jobs.submit(
        session,
        "import",
        author=user.name,
        upload=file.file,
        filename=file.filename,
        allow_empty=allow_empty,
    )
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
    archive = export_archive(session)
    return FileResponse(
        archive.path,
        media_type="application/zip",
        filename=archive.filename,
        background=BackgroundTask(archive.remove),
    )


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(
    "/export.xlsx",
    response_class=FileResponse,
    responses={
        200: {
            "content": {XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            "description": "the company's data as one workbook",
        }
    },
)
def export_bundle_workbook(user: Reader, session: DbSession) -> FileResponse:
    """The company's data as one ``.xlsx`` workbook: a sheet per bundle file and a
    ``templates`` sheet; typed cells, never a formula. It imports again as it is
    (``POST /bundle/import``); the plan is not in it."""
    book = export_workbook(session)
    return FileResponse(
        book.path,
        media_type=XLSX_TYPE,
        filename=book.filename,
        background=BackgroundTask(book.remove),
    )


@router.post("/upsert", status_code=202)
def upsert_bundle(
    response: Response,
    user: Importer,
    session: DbSession,
    file: Annotated[UploadFile, File(description=".zip of CSV files, or an .xlsx workbook")],
) -> JobOut:
    """Import the upload in upsert mode, in the background (docs/bundle-upsert.md): its new
    rows added and its changed rows changed in place by their key, nothing deleted, all or
    nothing. An import job: 409 while a plan run or another import is open. A bad bundle
    writes nothing: the job fails and its ``result.problems`` locates every problem; done,
    its ``result.upsert`` says per file what was added and changed, as the preview does."""
    job_id = jobs.submit(
        session, "import", author=user.name, upload=file.file, filename=file.filename, upsert=True
    )
    response.headers["Location"] = f"/api/jobs/{job_id}"
    return job_out(jobs.get_job(session, job_id))


@router.post("/upsert/preview")
def upsert_preview_bundle(
    user: Importer,
    session: DbSession,
    file: Annotated[UploadFile, File(description=".zip of CSV files, or an .xlsx workbook")],
) -> list[FilePreview]:
    """What importing the upload in upsert mode would do (docs/bundle-upsert.md): per file
    the rows it would add, change (the first ones' fields before and after) and leave
    unchanged. Checked by every rule of an import (422 locating each problem); writes
    nothing."""
    return upsert_preview_upload(session, file.filename, file.file)

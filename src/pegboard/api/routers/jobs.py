"""Background jobs (plan runs, imports, policy runs): their status and progress, and
cancelling one."""

from __future__ import annotations

import dataclasses
from typing import Annotated

import pydantic
from fastapi import APIRouter, Query

from pegboard.api.deps import DbSession, Id, Reader
from pegboard.api.pagination import Paging
from pegboard.services import jobs

router = APIRouter(prefix="/jobs", tags=["jobs"])


@pydantic.dataclasses.dataclass(frozen=True)
class JobOut(jobs.JobView):
    """A job as the service shows it, field for field: declared once, by the service
    (``JobView``), so the API's answer cannot drift from it."""


def job_out(view: jobs.JobView) -> JobOut:
    return JobOut(**dataclasses.asdict(view))


@router.get("")
def list_jobs(
    user: Reader,
    session: DbSession,
    paging: Paging,
    kind: Annotated[str | None, Query(max_length=20)] = None,
) -> list[JobOut]:
    return [
        job_out(j)
        for j in jobs.list_jobs(session, kind=kind, limit=paging.limit, offset=paging.offset)
    ]


@router.get("/{job_id}")
def get_job(job_id: Id, user: Reader, session: DbSession) -> JobOut:
    """Poll this while a plan run or import works: status, stage and done/total."""
    return job_out(jobs.get_job(session, job_id))


@router.post("/{job_id}/cancel", status_code=202)
def cancel_job(job_id: Id, user: Reader, session: DbSession) -> JobOut:
    """Ask an open job to stop: it rolls back at its next stage or batch (within a second
    or two) and ends ``failed``, saying who cancelled it; poll it to see. Cancelling
    needs the permission that starting a job of that kind does (``import`` for an
    import, ``plan`` for a plan or policy run); 409 for a job that has already ended."""
    return job_out(jobs.cancel(session, job_id, author=user.name, role=user.role))

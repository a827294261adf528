"""Reading jobs: a job as people see it, which is not always its row.

An open job whose process is gone is shown failed (as the next start will record it),
and a job running in this process shows the progress it keeps in memory (on SQLite
the work may hold the only write lock, so its row is not kept current).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.errors import NotFoundError
from pegboard.model import Job, JobStatus
from pegboard.services.jobs.liveness import CANCELLED, LIVE, OPEN, alive, dead_message
from pegboard.services.jobs.records import PROCESS_GONE


@dataclass(frozen=True)
class JobView:
    """A job's status, progress and outcome (the API answers this very shape)."""

    id: int
    kind: str
    status: str
    author: str
    stage: str
    done: int
    total: int
    message: str
    result: dict[str, Any] | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    cancelled_by: str | None = None


def _view(job: Job) -> JobView:
    view = JobView(
        job.id,
        job.kind,
        job.status.value,
        job.author,
        job.stage,
        job.done,
        job.total,
        job.message,
        job.result,
        job.created_at,
        job.started_at,
        job.finished_at,
        job.cancelled_by or CANCELLED.get(job.id),
    )
    if job.status in OPEN and not alive(job):  # shown as it will be recorded
        return dataclasses.replace(
            view,
            status=JobStatus.FAILED.value,
            message=dead_message(job),
            result=dict(PROCESS_GONE),
        )
    return view


def get_job(session: Session, job_id: int) -> JobView:
    job = session.get(Job, job_id, populate_existing=True)
    if job is None:
        raise NotFoundError(f"no job {job_id}", job=job_id)
    view = _view(job)
    live = LIVE.get(job_id)
    if live is not None and view.status in (s.value for s in OPEN):
        stage, done, total = live
        view = dataclasses.replace(
            view, status=JobStatus.RUNNING.value, stage=stage, done=done, total=total
        )
    return view


def list_jobs(
    session: Session, *, kind: str | None = None, limit: int = 50, offset: int = 0
) -> list[JobView]:
    stmt = select(Job).order_by(Job.id.desc()).limit(limit).offset(offset)
    if kind:
        stmt = stmt.where(Job.kind == kind)
    return [_view(j) for j in session.scalars(stmt)]

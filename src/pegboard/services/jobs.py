"""Background jobs: long work (a plan run, a bundle import) with progress people can watch.

A job is a row: queued → running → done or failed, with a stage, a done/total
count and a heartbeat. Plan runs and imports both replace large tables, so at
most one of them is open at a time, across every server process: the check and
the insert happen in one write transaction (SQLite's write lock, PostgreSQL's
transaction-level advisory lock). A job whose heartbeat stopped (its process
died) no longer blocks the next one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from pegboard.db import session_factory
from pegboard.errors import ConflictError, NotFoundError, PegboardError
from pegboard.model import Job, JobStatus
from pegboard.model.base import utcnow
from pegboard.services._tx import for_update, writes

log = logging.getLogger(__name__)

EXCLUSIVE = ("plan", "import")
STALE_AFTER = timedelta(minutes=5)
"""A running job that has not reported for this long is taken as dead."""
LOCK_KEY = 7_300_001  # PostgreSQL advisory lock: "starting an exclusive job"
OPEN = (JobStatus.QUEUED, JobStatus.RUNNING)

Progress = Callable[[str, int, int], None]
Work = Callable[[Session, Progress], dict[str, Any]]


@dataclass(frozen=True)
class JobView:
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


def _view(job: Job) -> JobView:
    return JobView(
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
    )


@writes
def start_job(session: Session, kind: str, *, author: str) -> int:
    """Register a job; refused while another plan run or import is open."""
    if kind in EXCLUSIVE:
        if for_update(session):
            session.execute(select(func.pg_advisory_xact_lock(LOCK_KEY)))
        stale = utcnow() - STALE_AFTER
        session.execute(
            update(Job)
            .where(Job.status.in_(OPEN), Job.heartbeat_at < stale)
            .values(
                status=JobStatus.FAILED,
                message="stopped reporting (its process ended)",
                finished_at=utcnow(),
            )
        )
        busy = session.scalars(
            select(Job).where(Job.kind.in_(EXCLUSIVE), Job.status.in_(OPEN)).limit(1)
        ).first()
        if busy is not None:
            raise ConflictError(
                f"a {busy.kind} (job {busy.id}, by {busy.author}) is still running; "
                "wait for it to finish",
                job=busy.id,
                kind=busy.kind,
            )
    job = Job(kind=kind, status=JobStatus.QUEUED, author=author, heartbeat_at=utcnow())
    session.add(job)
    session.flush()
    return job.id


@writes
def report(session: Session, job_id: int, stage: str, done: int, total: int) -> None:
    session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(
            status=JobStatus.RUNNING,
            stage=stage[:100],
            done=done,
            total=total,
            heartbeat_at=utcnow(),
            started_at=func.coalesce(Job.started_at, utcnow()),
        )
    )


@writes
def finish(session: Session, job_id: int, result: dict[str, Any]) -> None:
    session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(
            status=JobStatus.DONE,
            result=result,
            finished_at=utcnow(),
            heartbeat_at=utcnow(),
            stage="done",
        )
    )


@writes
def fail(session: Session, job_id: int, message: str) -> None:
    session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(status=JobStatus.FAILED, message=message[:2000], finished_at=utcnow())
    )


_LIVE: dict[int, tuple[str, int, int]] = {}
"""Progress of the jobs running in this process. On SQLite the work itself may hold the
only write lock (an import is one transaction), so progress is kept here and not
written; on PostgreSQL it is written too, for the other server processes."""


def get_job(session: Session, job_id: int) -> JobView:
    job = session.get(Job, job_id, populate_existing=True)
    if job is None:
        raise NotFoundError(f"no job {job_id}", job=job_id)
    view = _view(job)
    live = _LIVE.get(job_id)
    if live is not None and view.status in (s.value for s in OPEN):
        stage, done, total = live
        view = JobView(
            **{
                **view.__dict__,
                "status": JobStatus.RUNNING.value,
                "stage": stage,
                "done": done,
                "total": total,
            }
        )
    return view


def list_jobs(
    session: Session, *, kind: str | None = None, limit: int = 50, offset: int = 0
) -> list[JobView]:
    stmt = select(Job).order_by(Job.id.desc()).limit(limit).offset(offset)
    if kind:
        stmt = stmt.where(Job.kind == kind)
    return [_view(j) for j in session.scalars(stmt)]


def run_job(engine: Engine, job_id: int, work: Work) -> None:
    """Do the work in this thread with sessions of its own, recording progress and outcome."""
    factory = session_factory(engine)
    shared = engine.dialect.name == "postgresql"
    last = [0.0]

    def progress(stage: str, done: int, total: int) -> None:
        _LIVE[job_id] = (stage, done, total)
        now = time.monotonic()
        if shared and (now - last[0] >= 0.5 or done == total):
            last[0] = now
            with factory() as s:
                report(s, job_id, stage, done, total)

    try:
        with factory() as s:
            report(s, job_id, "starting", 0, 1)
        with factory() as session:
            result = work(session, progress)
        with factory() as s:
            finish(s, job_id, result)
    except PegboardError as error:
        with factory() as s:
            fail(s, job_id, error.message)
    except Exception:
        log.exception("job %s failed", job_id)
        with factory() as s:
            fail(s, job_id, "internal error; see the server log")
    finally:
        _LIVE.pop(job_id, None)


def start_in_background(engine: Engine, job_id: int, work: Work) -> threading.Thread:
    thread = threading.Thread(
        target=run_job, args=(engine, job_id, work), name=f"job-{job_id}", daemon=True
    )
    thread.start()
    return thread

"""A job's row: registering one (refused while a job that blocks it is open), its
progress, its end, and the jobs whose process is gone.

A job is a row: queued → running → done or failed, with a stage, a done/total count,
a heartbeat and the process that runs it. Plan runs and imports both replace large
tables, so at most one of them is open at a time, across every server process: the
check and the insert happen in one write transaction (SQLite's write lock,
PostgreSQL's transaction-level advisory lock).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, func, select, update
from sqlalchemy.orm import Session

from pegboard.errors import BundleError, ConflictError, PegboardError
from pegboard.model import Job, JobStatus
from pegboard.model.base import utcnow
from pegboard.services import audit
from pegboard.services._tx import for_update, writes
from pegboard.services.jobs import kinds
from pegboard.services.jobs.liveness import OPEN, alive, dead_message, this_process

LOCK_KEY = 7_300_001  # PostgreSQL advisory lock: "starting a job that others may block"
PROCESS_GONE = {"code": "process_gone"}
"""The result of a job failed because its process ended."""


def start_job(session: Session, kind: str, *, author: str) -> int:
    """Register a job; refused while a job of a kind that blocks it is open.

    A job running in this process is refused at once, without waiting for the
    database's write lock (which an import may hold for its whole transaction)."""
    blockers = kinds.blockers(kind)
    if blockers:
        _refuse_if_busy(_open_live(session, blockers))
    return _insert_job(session, kind, author=author)


@writes
def _insert_job(session: Session, kind: str, *, author: str) -> int:
    blockers = kinds.blockers(kind)
    if blockers:
        if for_update(session):
            session.execute(select(func.pg_advisory_xact_lock(LOCK_KEY)))
        _reap(session)
        _refuse_if_busy(_open_live(session, blockers))
    me = this_process()
    job = Job(
        kind=kind,
        status=JobStatus.QUEUED,
        author=author,
        heartbeat_at=utcnow(),
        host=me.host,
        pid=me.pid,
        process_started=me.started,
    )
    session.add(job)
    session.flush()
    return job.id


def _open_live(session: Session, of_kinds: tuple[str, ...]) -> Job | None:
    """The first open job of these kinds whose process is alive (a read)."""
    stmt = select(Job).where(Job.kind.in_(of_kinds), Job.status.in_(OPEN)).order_by(Job.id)
    return next((j for j in session.scalars(stmt) if alive(j)), None)


def _refuse_if_busy(busy: Job | None) -> None:
    if busy is not None:
        raise ConflictError(
            f"a {kinds.label(busy.kind)} (job {busy.id}, by {busy.author}) is still running; "
            "wait for it to finish",
            job=busy.id,
            kind=busy.kind,
        )


def fail_dead(job: Job, message: str, result: dict[str, Any]) -> None:
    """End an open job whose process is gone (nobody else will)."""
    job.status = JobStatus.FAILED
    job.message = message
    job.result = result
    job.finished_at = utcnow()


def _reap(session: Session) -> int:
    """Mark every open job whose process is gone failed; how many were."""
    dead = [j for j in session.scalars(select(Job).where(Job.status.in_(OPEN))) if not alive(j)]
    for job in dead:
        fail_dead(job, dead_message(job), dict(PROCESS_GONE))
    session.flush()
    return len(dead)


@writes
def reap_dead_jobs(session: Session) -> int:
    """Fail every open job whose process is gone (a server does it when it starts)."""
    return _reap(session)


def _set(session: Session, job_id: int, **values: Any) -> None:
    session.execute(update(Job).where(Job.id == job_id).values(**values))


@writes
def report(session: Session, job_id: int, stage: str, done: int, total: int) -> None:
    _set(
        session,
        job_id,
        status=JobStatus.RUNNING,
        stage=stage[:100],
        done=done,
        total=total,
        heartbeat_at=utcnow(),
        started_at=func.coalesce(Job.started_at, utcnow()),
    )


def _end(session: Session, job_id: int, status: JobStatus, **values: Any) -> None:
    """The one update that ends a job, done or failed."""
    _set(session, job_id, status=status, finished_at=utcnow(), heartbeat_at=utcnow(), **values)


@writes
def finish(session: Session, job_id: int, result: dict[str, Any]) -> None:
    _end(session, job_id, JobStatus.DONE, result=result, stage="done", done=Job.total)


@writes
def fail(
    session: Session,
    job_id: int,
    message: str,
    result: dict[str, Any] | None = None,
    *,
    cancelled_by: str | None = None,
) -> None:
    """End a job failed. A cancelled job also records who cancelled it, and the audit
    entry of its cancel (written once the cancel took)."""
    extra = {} if cancelled_by is None else {"cancelled_by": cancelled_by[:100]}
    _end(session, job_id, JobStatus.FAILED, message=message[:2000], result=result, **extra)
    if cancelled_by is not None:
        audit.record(session, author=cancelled_by, entity="job", ref=str(job_id), action="cancel")


def failure_result(error: PegboardError) -> dict[str, Any]:
    """What a client needs to show a failure: the error code and, for a bad bundle,
    every problem located by file, line, column and value."""
    out: dict[str, Any] = {"code": error.code}
    if isinstance(error, BundleError):
        out["problems"] = [
            {
                "file": p.file,
                "line": p.line,
                "column": p.column,
                "value": p.value,
                "reason": p.reason,
                "text": str(p),
            }
            for p in error.problems
        ]
        out["truncated"] = error.truncated
    return out


def engine_of(session: Session) -> Engine:
    """The engine a session writes through (a job runs with sessions of its own)."""
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


@contextmanager
def no_lock_wait(conn: Connection) -> Iterator[None]:
    """On SQLite, fail at once instead of waiting when another connection writes (a
    heartbeat or a cancel request beside a job that holds the only write lock)."""
    if conn.dialect.name != "sqlite":
        yield
        return
    previous = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
    conn.exec_driver_sql("PRAGMA busy_timeout=0")
    conn.commit()
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA busy_timeout={int(previous or 0)}")
        conn.commit()

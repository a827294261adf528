"""Background jobs: long work (a plan run, a bundle import) with progress people can watch.

A job is a row: queued → running → done or failed, with a stage, a done/total
count and a heartbeat. Plan runs and imports both replace large tables, so at
most one of them is open at a time, across every server process: the check and
the insert happen in one write transaction (SQLite's write lock, PostgreSQL's
transaction-level advisory lock). A job whose heartbeat stopped (its process
died) no longer blocks the next one; while the work runs, a heartbeat thread
keeps the row fresh however long one stage takes.

The API runs a job in a background thread (``start_in_background``); the CLI
runs it in its own thread (``run_job(..., reraise=True)``), so a command-line
import or plan and one started through the API never overlap.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, func, select, update
from sqlalchemy.orm import Session

from pegboard.db import session_factory
from pegboard.errors import BundleError, ConflictError, NotFoundError, PegboardError
from pegboard.model import Job, JobStatus
from pegboard.model.base import utcnow
from pegboard.services._tx import for_update, writes

log = logging.getLogger(__name__)

EXCLUSIVE = ("plan", "import")
STALE_AFTER = timedelta(minutes=5)
"""A running job that has not reported for this long is taken as dead."""
HEARTBEAT_EVERY = 30.0
"""Seconds between heartbeats of a running job (well under ``STALE_AFTER``)."""
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


def start_job(session: Session, kind: str, *, author: str) -> int:
    """Register a job; refused while another plan run or import is open.

    A job running in this process is refused at once, without waiting for the
    database's write lock (which an import may hold for its whole transaction)."""
    if kind in EXCLUSIVE:
        _refuse_if_busy(_open_exclusive(session, live_only=True))
    return _insert_job(session, kind, author=author)


@writes
def _insert_job(session: Session, kind: str, *, author: str) -> int:
    if kind in EXCLUSIVE:
        if for_update(session):
            session.execute(select(func.pg_advisory_xact_lock(LOCK_KEY)))
        stale = utcnow() - STALE_AFTER
        stmt = update(Job).where(Job.status.in_(OPEN), Job.heartbeat_at < stale)
        if _LIVE:  # a job of this process is alive, whatever its heartbeat says
            stmt = stmt.where(Job.id.not_in(list(_LIVE)))
        session.execute(
            stmt.values(
                status=JobStatus.FAILED,
                message="stopped reporting (its process ended)",
                finished_at=utcnow(),
            )
        )
        _refuse_if_busy(_open_exclusive(session, live_only=False))
    job = Job(kind=kind, status=JobStatus.QUEUED, author=author, heartbeat_at=utcnow())
    session.add(job)
    session.flush()
    return job.id


def _open_exclusive(session: Session, *, live_only: bool) -> Job | None:
    """An open plan run or import (with ``live_only``: one of this process, or one
    whose heartbeat is fresh; a read that takes no lock)."""
    stmt = select(Job).where(Job.kind.in_(EXCLUSIVE), Job.status.in_(OPEN))
    if live_only:
        fresh = Job.heartbeat_at >= utcnow() - STALE_AFTER
        stmt = stmt.where(fresh | Job.id.in_(list(_LIVE)) if _LIVE else fresh)
    return session.scalars(stmt.order_by(Job.id).limit(1)).first()


def _refuse_if_busy(busy: Job | None) -> None:
    if busy is not None:
        raise ConflictError(
            f"a {busy.kind} (job {busy.id}, by {busy.author}) is still running; "
            "wait for it to finish",
            job=busy.id,
            kind=busy.kind,
        )


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
            done=Job.total,
        )
    )


@writes
def fail(session: Session, job_id: int, message: str, result: dict[str, Any] | None = None) -> None:
    session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(
            status=JobStatus.FAILED,
            message=message[:2000],
            result=result,
            finished_at=utcnow(),
            heartbeat_at=utcnow(),
        )
    )


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


def run_job(
    engine: Engine, job_id: int, work: Work, *, reraise: bool = False
) -> dict[str, Any] | None:
    """Do the work in this thread with sessions of its own, recording progress and outcome.

    Returns the work's result (``None`` when it failed). With ``reraise`` a failure is
    recorded and then raised to the caller (the CLI prints it); without, it is only
    recorded (a background thread has no one to raise to)."""
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

    _LIVE[job_id] = ("starting", 0, 1)
    heartbeat = _Heartbeat(engine, job_id)
    try:
        with factory() as s:
            report(s, job_id, "starting", 0, 1)
        heartbeat.start()
        with factory() as session:
            result = work(session, progress)
        heartbeat.stop()
        with factory() as s:
            finish(s, job_id, result)
        return result
    except PegboardError as error:
        _record_failure(engine, job_id, error.message, failure_result(error))
        if reraise:
            raise
    except Exception:
        log.exception("job %s failed", job_id)
        _record_failure(engine, job_id, "internal error; see the server log", {"code": "internal"})
        if reraise:
            raise
    except BaseException:  # Ctrl-C in the CLI: the job ends, it does not go stale
        _record_failure(engine, job_id, "interrupted", {"code": "interrupted"})
        raise
    finally:
        heartbeat.stop()
        _LIVE.pop(job_id, None)
    return None


def _record_failure(engine: Engine, job_id: int, message: str, result: dict[str, Any]) -> None:
    try:
        with session_factory(engine)() as s:
            fail(s, job_id, message, result)
    except Exception:  # the database is gone too: the heartbeat stops, the job goes stale
        log.exception("could not record the failure of job %s", job_id)


class _Heartbeat:
    """Refreshes a running job's heartbeat (and, when it can, its progress) every
    ``HEARTBEAT_EVERY`` seconds, so a long stage does not make the job look dead.

    On SQLite the work may hold the only write lock (an import is one transaction):
    a beat then gives up at once instead of waiting; the job cannot be taken for
    dead meanwhile, since no other process can write either."""

    def __init__(self, engine: Engine, job_id: int) -> None:
        self.engine = engine
        self.job_id = job_id
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._run, name=f"job-{self.job_id}-heartbeat", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(HEARTBEAT_EVERY):
            beat(self.engine, self.job_id)


def beat(engine: Engine, job_id: int) -> bool:
    """Write one heartbeat of a running job, without waiting for a lock; ``False`` when
    the database was busy (or unreachable)."""
    values: dict[str, Any] = {"heartbeat_at": utcnow()}
    live = _LIVE.get(job_id)
    if live is not None:
        stage, done, total = live
        values |= {"stage": stage[:100], "done": done, "total": total}
    stmt = update(Job).where(Job.id == job_id, Job.status.in_(OPEN)).values(**values)
    try:
        with engine.connect() as conn, _no_lock_wait(conn), conn.begin():
            conn.execute(stmt)
    except Exception as error:  # busy, or the database is unreachable: try again next beat
        log.debug("heartbeat of job %s skipped: %s", job_id, error)
        return False
    return True


@contextmanager
def _no_lock_wait(conn: Connection) -> Iterator[None]:
    """On SQLite, fail at once instead of waiting when another connection writes."""
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


def start_in_background(engine: Engine, job_id: int, work: Work) -> threading.Thread:
    """Run the job in a thread of its own (named ``job-<id>``); returns at once."""
    thread = threading.Thread(
        target=run_job, args=(engine, job_id, work), name=f"job-{job_id}", daemon=True
    )
    try:
        thread.start()
    except BaseException:  # no thread (the process is out of them): the job must not stay open
        _record_failure(engine, job_id, "could not start the job", {"code": "internal"})
        raise
    return thread

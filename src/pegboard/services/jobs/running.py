"""Running a job: its work in a thread with sessions of its own, progress recorded as
it goes, a heartbeat kept fresh however long one stage takes, and an outcome recorded
whatever happens (done, failed, cancelled, interrupted)."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from sqlalchemy import Engine, update

from pegboard.db import session_factory
from pegboard.errors import PegboardError
from pegboard.model import Job
from pegboard.model.base import utcnow
from pegboard.services.jobs.cancelling import CancelWatch, JobCancelled
from pegboard.services.jobs.kinds import Progress, Work
from pegboard.services.jobs.liveness import CANCELLED, LIVE, OPEN
from pegboard.services.jobs.records import fail, failure_result, finish, no_lock_wait, report

log = logging.getLogger(__name__)

HEARTBEAT_EVERY = 30.0
"""Seconds between heartbeats of a running job (well under ``liveness.STALE_AFTER``)."""


def run_job(
    engine: Engine,
    job_id: int,
    work: Work,
    *,
    reraise: bool = False,
    also: Progress | None = None,
    heartbeat_every: float = HEARTBEAT_EVERY,
) -> dict[str, Any] | None:
    """Do the work in this thread with sessions of its own, recording progress and outcome.

    Returns the work's result (``None`` when it failed). With ``reraise`` a failure is
    recorded and then raised to the caller (the CLI prints it); without, it is only
    recorded (a background thread has no one to raise to). ``also`` sees every progress
    report (the CLI's bars). Each report is also where a cancel request is noticed.
    ``heartbeat_every``: seconds between heartbeats (tests shorten it)."""
    factory = session_factory(engine)
    watch = CancelWatch(engine, job_id)
    progress = _reporter(engine, job_id, watch, also)
    LIVE[job_id] = ("starting", 0, 1)
    heartbeat = _Heartbeat(engine, job_id, heartbeat_every)
    try:
        with factory() as s:
            report(s, job_id, "starting", 0, 1)
        heartbeat.start()
        with factory() as session:
            watch.check()
            result = work(session, progress)
        heartbeat.stop()
        with factory() as s:
            finish(s, job_id, result)
        return result
    except JobCancelled as error:
        _record_failure(engine, job_id, error.message, failure_result(error), error.params["by"])
        if reraise:
            raise
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
        LIVE.pop(job_id, None)
        CANCELLED.pop(job_id, None)
    return None


def _reporter(engine: Engine, job_id: int, watch: CancelWatch, also: Progress | None) -> Progress:
    """The progress callback the work gets: it notices a cancel request, keeps the
    progress in memory and, on PostgreSQL, writes it (at most twice a second) for the
    other server processes."""
    factory = session_factory(engine)
    shared = engine.dialect.name == "postgresql"
    last = [0.0]

    def progress(stage: str, done: int, total: int) -> None:
        watch.check()
        LIVE[job_id] = (stage, done, total)
        if also is not None:
            also(stage, done, total)
        now = time.monotonic()
        if shared and (now - last[0] >= 0.5 or done == total):
            last[0] = now
            with factory() as s:
                report(s, job_id, stage, done, total)

    return progress


def _record_failure(
    engine: Engine,
    job_id: int,
    message: str,
    result: dict[str, Any],
    cancelled_by: object = None,
) -> None:
    try:
        with session_factory(engine)() as s:
            by = cancelled_by if isinstance(cancelled_by, str) else None
            fail(s, job_id, message, result, cancelled_by=by)
    except Exception:  # the database is gone too: the heartbeat stops, the job goes stale
        log.exception("could not record the failure of job %s", job_id)


class _Heartbeat:
    """Refreshes a running job's heartbeat (and, when it can, its progress) every
    ``every`` seconds (``HEARTBEAT_EVERY``), so a long stage does not make the job look dead to
    another machine.

    On SQLite the work may hold the only write lock (an import is one transaction):
    a beat then gives up at once instead of waiting; the job cannot be taken for
    dead meanwhile, since no other process can write either."""

    def __init__(self, engine: Engine, job_id: int, every: float = HEARTBEAT_EVERY) -> None:
        self.engine = engine
        self.job_id = job_id
        self.every = every
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
        while not self._stop.wait(self.every):
            beat(self.engine, self.job_id)


def beat(engine: Engine, job_id: int) -> bool:
    """Write one heartbeat of a running job, without waiting for a lock; ``False`` when
    the database was busy (or unreachable)."""
    values: dict[str, Any] = {"heartbeat_at": utcnow()}
    live = LIVE.get(job_id)
    if live is not None:
        stage, done, total = live
        values |= {"stage": stage[:100], "done": done, "total": total}
    stmt = update(Job).where(Job.id == job_id, Job.status.in_(OPEN)).values(**values)
    try:
        with engine.connect() as conn, no_lock_wait(conn), conn.begin():
            conn.execute(stmt)
    except Exception as error:  # busy, or the database is unreachable: try again next beat
        log.debug("heartbeat of job %s skipped: %s", job_id, error)
        return False
    return True


def start_in_background(
    engine: Engine, job_id: int, work: Work, *, heartbeat_every: float = HEARTBEAT_EVERY
) -> threading.Thread:
    """Run the job in a thread of its own (named ``job-<id>``); returns at once."""
    thread = threading.Thread(
        target=run_job,
        args=(engine, job_id, work),
        kwargs={"heartbeat_every": heartbeat_every},
        name=f"job-{job_id}",
        daemon=True,
    )
    try:
        thread.start()
    except BaseException:  # no thread (the process is out of them): the job must not stay open
        _record_failure(engine, job_id, "could not start the job", {"code": "internal"})
        raise
    return thread

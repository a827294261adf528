"""Background jobs: long work (a plan run, a bundle import, a policy run) with progress
people can watch, and a cancel button.

A job is a row: queued → running → done or failed, with a stage, a done/total
count, a heartbeat and the process that runs it (machine, process id, the
process's start time). Every kind of job is registered once (``register``) with
the permission it needs, the kinds it may not overlap, and the work it does;
the adapters start one with ``submit(session, kind, author=…, **params)`` (in
the background) or ``run_here(engine, kind, …)`` (the CLI, in its own thread).

Plan runs and imports both replace large tables, so at most one of them is open
at a time, across every server process: the check and the insert happen in one
write transaction (SQLite's write lock, PostgreSQL's transaction-level advisory
lock). A job whose process is gone no longer blocks the next one: on this
machine the process is looked up (failed at once when it has ended); a job of
another machine goes by its heartbeat, which a thread keeps fresh while the work
runs, however long one stage takes.

``cancel`` asks an open job to stop: the work looks at every progress report
(between its stages and batches), raises ``JobCancelled``, its transaction rolls
back, and the job ends failed, naming who cancelled it.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import Connection, Engine, func, select, update
from sqlalchemy.orm import Session

from pegboard.db import session_factory
from pegboard.errors import (
    BundleError,
    ConflictError,
    NotFoundError,
    PegboardError,
    PermissionDeniedError,
)
from pegboard.model import Job, JobStatus, Role
from pegboard.model.base import utcnow
from pegboard.services import audit
from pegboard.services._tx import for_update, writes
from pegboard.services.bounds import check_day
from pegboard.services.permissions import Permission, allowed

log = logging.getLogger(__name__)

EXCLUSIVE = ("plan", "import")
STALE_AFTER = timedelta(minutes=5)
"""A running job of another machine that has not reported for this long is taken as dead."""
HEARTBEAT_EVERY = 30.0
"""Seconds between heartbeats of a running job (well under ``STALE_AFTER``)."""
CANCEL_CHECK_EVERY = 1.0
"""Seconds between two looks at the database for a cancel request made in another process."""
LOCK_KEY = 7_300_001  # PostgreSQL advisory lock: "starting a job that others may block"
OPEN = (JobStatus.QUEUED, JobStatus.RUNNING)

Progress = Callable[[str, int, int], None]
Work = Callable[[Session, Progress], dict[str, Any]]


class JobCancelled(ConflictError):
    """Raised inside a job's work when someone asked it to stop; its transaction rolls back."""

    code: ClassVar[str] = "cancelled"


# --- the kinds of jobs -------------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    """A job's work, ready to run, and what to throw away if it never runs."""

    work: Work
    discard: Callable[[], None] = lambda: None


@dataclass(frozen=True)
class JobKind:
    """One kind of background job.

    ``prepare(author=…, **params)`` checks the parameters and readies the work (an
    import stages its upload there, so a bad file is refused before a job exists);
    ``blocked_by`` are the kinds that may not be open when one starts; ``permission``
    is needed to start one and to cancel one."""

    name: str
    label: str
    permission: Permission
    blocked_by: tuple[str, ...]
    prepare: Callable[..., Prepared] = field(repr=False)


_KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    _KINDS[kind.name] = kind
    return kind


def kind_of(name: str) -> JobKind:
    _register_services()
    try:
        return _KINDS[name]
    except KeyError:
        known = ", ".join(sorted(_KINDS))
        raise NotFoundError(f"no job kind {name!r} (known: {known})", kind=name) from None


def kinds() -> list[JobKind]:
    _register_services()
    return [_KINDS[k] for k in sorted(_KINDS)]


def may_cancel(role: Role, kind: str) -> bool:
    """Whether ``role`` may cancel a job of ``kind`` (it needs what starting one needs)."""
    _register_services()
    spec = _KINDS.get(kind)
    return spec is not None and allowed(role, spec.permission)


def submit(session: Session, kind: str, *, author: str, **params: Any) -> int:
    """Start a job of ``kind`` in a background thread and return its id at once; refused
    (``ConflictError``) while a job that blocks it is open. Poll ``get_job``."""
    spec = kind_of(kind)
    prepared = spec.prepare(author=author, **params)
    try:
        job_id = start_job(session, kind, author=author)
        start_in_background(_engine_of(session), job_id, prepared.work)
    except BaseException:
        prepared.discard()
        raise
    return job_id


def run_here(
    engine: Engine,
    kind: str,
    *,
    author: str,
    progress: Progress | None = None,
    **params: Any,
) -> dict[str, Any]:
    """Run a job of ``kind`` in this thread (the CLI), recorded like any other, so it
    and those the server runs never overlap; ``progress`` also sees every report. A
    failure is recorded, then raised."""
    spec = kind_of(kind)
    prepared = spec.prepare(author=author, **params)
    try:
        with session_factory(engine)() as s:
            job_id = start_job(s, kind, author=author)
    except BaseException:
        prepared.discard()
        raise
    result = run_job(engine, job_id, prepared.work, reraise=True, also=progress)
    assert result is not None  # a failure was raised
    return result


def _engine_of(session: Session) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


@cache
def _register_services() -> None:
    """The kinds the services define themselves (the import kind is the bundle layer's)."""
    register(JobKind("plan", "plan", Permission.PLAN, ("plan", "import"), _prepare_plan))
    register(
        JobKind("policy", "policy run", Permission.PLAN, ("policy", "import"), _prepare_policy)
    )


def _prepare_plan(*, author: str, planning_date: date | None = None) -> Prepared:
    from pegboard.services.planning import run_plan

    if planning_date is not None:  # refused before a job is recorded, not as a failed job
        check_day(planning_date, "planning_date")

    def work(s: Session, progress: Progress) -> dict[str, Any]:
        summary = run_plan(s, author=author, planning_date=planning_date, progress=progress)
        return summary.as_result()

    return Prepared(work)


def _prepare_policy(
    *, author: str, window_days: int | None = None, service_level: float | None = None
) -> Prepared:
    from pegboard.services import policy

    def work(s: Session, progress: Progress) -> dict[str, Any]:
        summary = policy.run_policy(
            s,
            author=author,
            window_days=window_days,
            service_level=service_level,
            progress=progress,
        )
        return policy.summary_result(summary)

    return Prepared(work)


# --- the process that runs a job ---------------------------------------------------------


@dataclass(frozen=True)
class ProcessId:
    host: str
    pid: int
    started: str
    """The process's start time as the system keeps it ("" where it cannot be read):
    with it a process id the system handed out again is not taken for the job's."""


def _start_time(pid: int) -> str:
    """Linux's start time of a process (field 22 of /proc/PID/stat), "" elsewhere."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return ""
    # the command name (field 2) is in parentheses and may hold spaces: split after it
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else ""


def this_process() -> ProcessId:
    return _process(os.getpid())


@cache
def _process(pid: int) -> ProcessId:
    return ProcessId(socket.gethostname()[:255], pid, _start_time(pid))


def process_alive(host: str | None, pid: int | None, started: str | None) -> bool | None:
    """Whether that process still runs: ``None`` when this machine cannot tell (another
    machine's process, no process recorded, or a system without signals)."""
    if host is None or pid is None or host != this_process().host or os.name != "posix":
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists; another user's
        pass
    except OSError:
        return None
    now = _start_time(pid)
    return not (started and now and now != started)


def _alive(job: Job) -> bool:
    """An open job is alive while its process runs; one of another machine (or of this
    process but never started) while its heartbeat is fresh."""
    if job.id in _LIVE:
        return True
    me = this_process()
    if job.pid != me.pid or job.host != me.host or (job.process_started or "") != me.started:
        verdict = process_alive(job.host, job.pid, job.process_started)
        if verdict is not None:
            return verdict
    fresh = utcnow() - STALE_AFTER
    return job.heartbeat_at is not None and job.heartbeat_at >= fresh


def _dead_message(job: Job) -> str:
    if job.pid is not None and job.host == this_process().host:
        return f"its process ended (process {job.pid} on {job.host})"
    return "stopped reporting (its process ended)"


def _reap(session: Session) -> int:
    """Mark every open job whose process is gone failed; how many were."""
    dead = [j for j in session.scalars(select(Job).where(Job.status.in_(OPEN))) if not _alive(j)]
    for job in dead:
        job.status = JobStatus.FAILED
        job.message = _dead_message(job)
        job.result = {"code": "process_gone"}
        job.finished_at = utcnow()
    session.flush()
    return len(dead)


@writes
def reap_dead_jobs(session: Session) -> int:
    """Fail every open job whose process is gone (a server does it when it starts)."""
    return _reap(session)


# --- starting, reporting, ending ---------------------------------------------------------


IMPORT_BLOCKED_BY = ("plan", "import")
"""What an import waits for: known here, not only once the bundle layer (which does the
import's work and registers its kind) has been loaded, so the rule never depends on
what a process happened to import."""


def _blockers(kind: str) -> tuple[str, ...]:
    _register_services()
    spec = _KINDS.get(kind)
    if spec is not None:
        return spec.blocked_by
    return IMPORT_BLOCKED_BY if kind == "import" else ()


def start_job(session: Session, kind: str, *, author: str) -> int:
    """Register a job; refused while a job of a kind that blocks it is open.

    A job running in this process is refused at once, without waiting for the
    database's write lock (which an import may hold for its whole transaction)."""
    blockers = _blockers(kind)
    if blockers:
        _refuse_if_busy(_open_live(session, blockers))
    return _insert_job(session, kind, author=author)


@writes
def _insert_job(session: Session, kind: str, *, author: str) -> int:
    blockers = _blockers(kind)
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


def _open_live(session: Session, kinds: tuple[str, ...]) -> Job | None:
    """The first open job of these kinds whose process is alive (a read)."""
    stmt = select(Job).where(Job.kind.in_(kinds), Job.status.in_(OPEN)).order_by(Job.id)
    return next((j for j in session.scalars(stmt) if _alive(j)), None)


def _refuse_if_busy(busy: Job | None) -> None:
    if busy is not None:
        _register_services()
        spec = _KINDS.get(busy.kind)
        label = spec.label if spec is not None else busy.kind
        raise ConflictError(
            f"a {label} (job {busy.id}, by {busy.author}) is still running; wait for it to finish",
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


# --- cancelling --------------------------------------------------------------------------

_CANCELLED: dict[int, str] = {}
"""Jobs of this process someone asked to stop, and who: seen at the next progress report
without a database read (on SQLite the job itself may hold the only write lock)."""


def cancel(session: Session, job_id: int, *, author: str, role: Role | None = None) -> JobView:
    """Ask an open job to stop; it rolls back at its next stage or batch and ends failed.

    ``role`` (None: the command line, which may) must hold the permission that starting
    a job of that kind needs. A job whose process is gone is failed at once. Refused
    for a job that has ended."""
    session.commit()  # read afresh
    job = session.get(Job, job_id, populate_existing=True)
    if job is None:
        raise NotFoundError(f"no job {job_id}", job=job_id)
    spec = _KINDS.get(job.kind)
    if role is not None and spec is not None and not allowed(role, spec.permission):
        article = "an" if spec.label[:1] in "aeiou" else "a"
        raise PermissionDeniedError(
            f"your role may not cancel {article} {spec.label} "
            f"(it needs the {spec.permission.value} permission)",
            permission=spec.permission.value,
        )
    if job.status not in OPEN:
        raise ConflictError(
            f"job {job_id} has already ended ({job.status.value})",
            job=job_id,
            status=job.status.value,
        )
    live = job.id in _LIVE
    session.rollback()
    if live:
        _CANCELLED[job_id] = author
        _request_cancel_without_waiting(_engine_of(session), job_id, author)
    else:
        _request_cancel(session, job_id, author=author)
    return get_job(session, job_id)


@writes
def _request_cancel(session: Session, job_id: int, *, author: str) -> None:
    job = session.get(Job, job_id, populate_existing=True, with_for_update=for_update(session))
    if job is None or job.status not in OPEN:
        return
    job.cancelled_by = author[:100]
    if not _alive(job):  # nobody will see the request: the job ends here
        job.status = JobStatus.FAILED
        job.message = f"cancelled by {author} ({_dead_message(job)})"
        job.result = {"code": JobCancelled.code}
        job.finished_at = utcnow()
        audit.record(session, author=author, entity="job", ref=str(job_id), action="cancel")


def _request_cancel_without_waiting(engine: Engine, job_id: int, author: str) -> None:
    """Record the request of a job of this process if the database is free now; the job
    sees ``_CANCELLED`` either way (its own write transaction may hold the lock)."""
    try:
        with engine.connect() as conn, _no_lock_wait(conn), conn.begin():
            conn.execute(
                update(Job)
                .where(Job.id == job_id, Job.status.in_(OPEN))
                .values(cancelled_by=author[:100])
            )
    except Exception as error:  # busy: the job is told in memory, and records who at its end
        log.debug("cancel of job %s not written yet: %s", job_id, error)


class _CancelWatch:
    """Raises ``JobCancelled`` in the work once someone asked: at once when asked in this
    process, within ``CANCEL_CHECK_EVERY`` seconds when asked in another one."""

    def __init__(self, engine: Engine, job_id: int) -> None:
        self.engine = engine
        self.job_id = job_id
        self.last = time.monotonic()

    def check(self) -> None:
        who = _CANCELLED.get(self.job_id)
        now = time.monotonic()
        if who is None and now - self.last >= CANCEL_CHECK_EVERY:
            self.last = now
            who = self._asked()
        if who is not None:
            raise JobCancelled(f"cancelled by {who}; nothing was written", job=self.job_id, by=who)

    def _asked(self) -> str | None:
        try:
            with self.engine.connect() as conn:
                return conn.execute(
                    select(Job.cancelled_by).where(Job.id == self.job_id)
                ).scalar_one_or_none()
        except Exception as error:  # unreachable for a moment: look again next time
            log.debug("cancel check of job %s skipped: %s", self.job_id, error)
            return None


# --- reading jobs ------------------------------------------------------------------------


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
        job.cancelled_by or _CANCELLED.get(job.id),
    )
    if job.status in OPEN and not _alive(job):  # shown as it will be recorded
        return JobView(
            **{
                **view.__dict__,
                "status": JobStatus.FAILED.value,
                "message": _dead_message(job),
                "result": {"code": "process_gone"},
            }
        )
    return view


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


# --- running -----------------------------------------------------------------------------


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
    shared = engine.dialect.name == "postgresql"
    last = [0.0]
    watch = _CancelWatch(engine, job_id)

    def progress(stage: str, done: int, total: int) -> None:
        watch.check()
        _LIVE[job_id] = (stage, done, total)
        if also is not None:
            also(stage, done, total)
        now = time.monotonic()
        if shared and (now - last[0] >= 0.5 or done == total):
            last[0] = now
            with factory() as s:
                report(s, job_id, stage, done, total)

    _LIVE[job_id] = ("starting", 0, 1)
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
        _LIVE.pop(job_id, None)
        _CANCELLED.pop(job_id, None)
    return None


def _record_failure(
    engine: Engine,
    job_id: int,
    message: str,
    result: dict[str, Any],
    cancelled_by: object = None,
) -> None:
    try:
        with session_factory(engine)() as s:
            if isinstance(cancelled_by, str):
                _fail_cancelled(s, job_id, message, result, by=cancelled_by)
            else:
                fail(s, job_id, message, result)
    except Exception:  # the database is gone too: the heartbeat stops, the job goes stale
        log.exception("could not record the failure of job %s", job_id)


@writes
def _fail_cancelled(
    session: Session, job_id: int, message: str, result: dict[str, Any], *, by: str
) -> None:
    """A cancelled job's end, and the audit entry of its cancel (written once it took)."""
    session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(
            status=JobStatus.FAILED,
            message=message[:2000],
            result=result,
            finished_at=utcnow(),
            heartbeat_at=utcnow(),
            cancelled_by=by[:100],
        )
    )
    audit.record(session, author=by, entity="job", ref=str(job_id), action="cancel")


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

"""Cancelling a job: ``cancel`` asks an open job to stop; the work looks at every
progress report (between its stages and batches), raises ``JobCancelled``, its
transaction rolls back, and the job ends failed, naming who cancelled it.

A job of this process is told in memory at once (its own write transaction may hold
the only lock on SQLite); one of another process reads the request from its row
within ``CANCEL_CHECK_EVERY`` seconds; one whose process is gone is failed at once.
"""

from __future__ import annotations

import logging
import time
from typing import ClassVar

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from pegboard.errors import ConflictError, NotFoundError, PermissionDeniedError
from pegboard.model import Job, Role
from pegboard.services import audit
from pegboard.services._tx import for_update, writes
from pegboard.services.jobs import kinds
from pegboard.services.jobs.liveness import CANCELLED, LIVE, OPEN, alive, dead_message
from pegboard.services.jobs.records import engine_of, fail_dead, no_lock_wait
from pegboard.services.jobs.views import JobView, get_job

log = logging.getLogger(__name__)

CANCEL_CHECK_EVERY = 1.0
"""Seconds between two looks at the database for a cancel request made in another process."""


class JobCancelled(ConflictError):
    """Raised inside a job's work when someone asked it to stop; its transaction rolls back."""

    code: ClassVar[str] = "cancelled"


def cancel(session: Session, job_id: int, *, author: str, role: Role | None = None) -> JobView:
    """Ask an open job to stop; it rolls back at its next stage or batch and ends failed.

    ``role`` (None: the command line, which may) must hold the permission that starting
    a job of that kind needs. A job whose process is gone is failed at once. Refused
    for a job that has ended."""
    session.commit()  # read afresh
    job = session.get(Job, job_id, populate_existing=True)
    if job is None:
        raise NotFoundError(f"no job {job_id}", job=job_id)
    spec = kinds.find(job.kind)
    if role is not None and spec is not None and not kinds.may_cancel(role, job.kind):
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
    live = job.id in LIVE
    session.rollback()
    if live:
        CANCELLED[job_id] = author
        _request_cancel_without_waiting(engine_of(session), job_id, author)
    else:
        _request_cancel(session, job_id, author=author)
    return get_job(session, job_id)


@writes
def _request_cancel(session: Session, job_id: int, *, author: str) -> None:
    job = session.get(Job, job_id, populate_existing=True, with_for_update=for_update(session))
    if job is None or job.status not in OPEN:
        return
    job.cancelled_by = author[:100]
    if not alive(job):  # nobody will see the request: the job ends here
        message = f"cancelled by {author} ({dead_message(job)})"
        fail_dead(job, message, {"code": JobCancelled.code})
        audit.record(session, author=author, entity="job", ref=str(job_id), action="cancel")


def _request_cancel_without_waiting(engine: Engine, job_id: int, author: str) -> None:
    """Record the request of a job of this process if the database is free now; the job
    sees ``CANCELLED`` either way (its own write transaction may hold the lock)."""
    try:
        with engine.connect() as conn, no_lock_wait(conn), conn.begin():
            conn.execute(
                update(Job)
                .where(Job.id == job_id, Job.status.in_(OPEN))
                .values(cancelled_by=author[:100])
            )
    except Exception as error:  # busy: the job is told in memory, and records who at its end
        log.debug("cancel of job %s not written yet: %s", job_id, error)


class CancelWatch:
    """Raises ``JobCancelled`` in the work once someone asked: at once when asked in this
    process, within ``CANCEL_CHECK_EVERY`` seconds when asked in another one."""

    def __init__(self, engine: Engine, job_id: int) -> None:
        self.engine = engine
        self.job_id = job_id
        self.last = time.monotonic()

    def check(self) -> None:
        who = CANCELLED.get(self.job_id)
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

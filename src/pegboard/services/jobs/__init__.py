"""Background jobs: long work (a plan run, a bundle import, a policy run) with progress
people can watch, and a cancel button.

This package's own names are what the adapters (web, API, CLI) need, and all they
need: start a job of a registered kind with ``submit(session, kind, author=…,
**params)`` (in the background) or ``run_here(engine, kind, …)`` (the CLI, in its own
thread), read one back (``get_job``, ``list_jobs``, ``JobView``), ask one to stop
(``cancel``, ``may_cancel``). The services, the bundle layer and the tests reach the
parts, each in its module:

* ``kinds``: the registry of job kinds (permission, blockers, work) and the plan and
  policy kinds;
* ``records``: a job's row, registering one (at most one plan run or import open at a
  time, across every server process), its progress and its end;
* ``liveness``: the process that runs a job, and whether it still does;
* ``running``: doing the work, with a heartbeat, recording the outcome;
* ``cancelling``: asking an open job to stop;
* ``views``: a job as people see it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from pegboard.db import session_factory
from pegboard.services.jobs.cancelling import cancel
from pegboard.services.jobs.kinds import Progress, kind_of, may_cancel
from pegboard.services.jobs.records import engine_of, start_job
from pegboard.services.jobs.running import run_job, start_in_background
from pegboard.services.jobs.views import JobView, get_job, list_jobs

__all__ = ["JobView", "cancel", "get_job", "list_jobs", "may_cancel", "run_here", "submit"]


def submit(session: Session, kind: str, *, author: str, **params: Any) -> int:
    """Start a job of ``kind`` in a background thread and return its id at once; refused
    (``ConflictError``) while a job that blocks it is open. Poll ``get_job``."""
    prepared = kind_of(kind).prepare(author=author, **params)
    try:
        job_id = start_job(session, kind, author=author)
        start_in_background(engine_of(session), job_id, prepared.work)
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
    prepared = kind_of(kind).prepare(author=author, **params)
    try:
        with session_factory(engine)() as s:
            job_id = start_job(s, kind, author=author)
    except BaseException:
        prepared.discard()
        raise
    result = run_job(engine, job_id, prepared.work, reraise=True, also=progress)
    assert result is not None  # a failure was raised
    return result

"""Background jobs: one plan run or import at a time, stale jobs, failures, progress.

Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from pegboard import db
from pegboard.cli import app
from pegboard.errors import BundleError, BundleProblem, ConflictError, PegboardError
from pegboard.model import Job, JobStatus
from pegboard.model.base import utcnow
from pegboard.services import jobs
from pegboard.services.jobs import kinds as job_kinds
from pegboard.services.jobs import liveness as job_liveness
from pegboard.services.jobs import records as job_records
from pegboard.services.jobs import running as job_running

BASIC = Path(__file__).parents[1] / "scenarios" / "basic" / "bundle"


@pytest.fixture
def factory(engine: Engine) -> Callable[[], Session]:
    return db.session_factory(engine)


def _status(factory: Callable[[], Session], job_id: int) -> jobs.JobView:
    with factory() as s:
        return jobs.get_job(s, job_id)


def _elsewhere(factory: Callable[[], Session], job_id: int) -> None:
    """Make a job look as if a process of another machine ran it."""
    with factory() as s, s.begin():
        s.execute(update(Job).where(Job.id == job_id).values(host="elsewhere", pid=1))


def _dead_pid() -> int:
    """The id of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _age(factory: Callable[[], Session], job_id: int, minutes: int = 10) -> None:
    """Make a job look as if its process stopped reporting ``minutes`` ago."""
    with factory() as s, s.begin():
        s.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(heartbeat_at=utcnow() - timedelta(minutes=minutes))
        )


class Gate:
    """Work that reports progress, then waits until the test lets it finish."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()

    def __call__(self, _session: Session, progress: job_kinds.Progress) -> dict[str, Any]:
        progress("waiting", 1, 4)
        self.started.set()
        assert self.release.wait(20), "the test never released the job"
        progress("finishing", 4, 4)
        return {"ok": True}


@pytest.fixture
def gate(engine: Engine) -> Iterator[Callable[..., Gate]]:
    """``gate(job_id)`` runs that job in the background until ``.release`` is set
    (``heartbeat_every``: seconds between its heartbeats)."""
    threads: list[tuple[threading.Thread, Gate]] = []

    def start(job_id: int, heartbeat_every: float = job_running.HEARTBEAT_EVERY) -> Gate:
        g = Gate()
        thread = job_running.start_in_background(engine, job_id, g, heartbeat_every=heartbeat_every)
        threads.append((thread, g))
        assert g.started.wait(20)
        return g

    yield start
    for thread, g in threads:
        g.release.set()
        thread.join(20)


def test_one_plan_or_import_at_a_time(factory: Callable[[], Session]) -> None:
    with factory() as s:
        first = job_records.start_job(s, "plan", author="ann")
        with pytest.raises(ConflictError) as caught:
            job_records.start_job(s, "import", author="bob")
        assert f"a plan (job {first}, by ann) is still running" in caught.value.message
        with pytest.raises(ConflictError):
            job_records.start_job(s, "plan", author="bob")
        other = job_records.start_job(s, "report", author="bob")  # not exclusive
        assert other != first
        job_records.finish(s, first, {"done": 1})
        second = job_records.start_job(s, "import", author="bob")
        assert jobs.get_job(s, second).status == "queued"
        assert jobs.get_job(s, first).status == "done"


def test_stale_job_of_another_machine_no_longer_blocks(factory: Callable[[], Session]) -> None:
    with factory() as s:
        dead = job_records.start_job(s, "import", author="ann")
    _elsewhere(factory, dead)
    with factory() as s, pytest.raises(ConflictError):  # its heartbeat is fresh
        job_records.start_job(s, "plan", author="bob")
    _age(factory, dead)
    with factory() as s:
        fresh = job_records.start_job(s, "plan", author="bob")
        view = jobs.get_job(s, dead)
        assert view.status == "failed"
        assert "stopped reporting" in view.message
        assert jobs.get_job(s, fresh).status == "queued"


def test_a_job_whose_process_ended_is_failed_at_once(factory: Callable[[], Session]) -> None:
    """A crashed import no longer refuses plans for five minutes: its process is looked up."""
    with factory() as s:
        dead = job_records.start_job(s, "import", author="ann")
    pid = _dead_pid()
    with factory() as s, s.begin():
        s.execute(update(Job).where(Job.id == dead).values(pid=pid))
    with factory() as s:
        view = jobs.get_job(s, dead)  # shown as it will be recorded
        assert view.status == "failed" and f"process {pid}" in view.message
        fresh = job_records.start_job(s, "plan", author="bob")  # heartbeat still fresh: not blocked
        assert jobs.get_job(s, fresh).status == "queued"
        row = s.get(Job, dead, populate_existing=True)
        assert row is not None and row.status is JobStatus.FAILED
        assert row.result == {"code": "process_gone"} and row.finished_at is not None


def test_a_reused_process_id_is_not_the_jobs_process(factory: Callable[[], Session]) -> None:
    with factory() as s:
        job_id = job_records.start_job(s, "import", author="ann")
    with factory() as s, s.begin():  # this test's pid, but a process started at another time
        s.execute(update(Job).where(Job.id == job_id).values(pid=os.getppid(), process_started="1"))
    if not job_liveness.this_process().started:
        pytest.skip("no process start times on this system")
    with factory() as s:
        assert job_records.reap_dead_jobs(s) == 1
        assert jobs.get_job(s, job_id).status == "failed"


def test_reap_leaves_live_jobs(factory: Callable[[], Session]) -> None:
    with factory() as s:
        mine = job_records.start_job(s, "plan", author="ann")
        other = job_records.start_job(s, "report", author="ann")
    _elsewhere(factory, other)
    with factory() as s:
        assert job_records.reap_dead_jobs(s) == 0
        assert {jobs.get_job(s, j).status for j in (mine, other)} == {"queued"}


def test_a_job_running_here_is_never_taken_for_stale(
    factory: Callable[[], Session], gate: Callable[[int], Gate]
) -> None:
    with factory() as s:
        job_id = job_records.start_job(s, "import", author="ann")
    g = gate(job_id)
    _age(factory, job_id)
    with factory() as s, pytest.raises(ConflictError):
        job_records.start_job(s, "plan", author="bob")
    g.release.set()


def test_progress_is_visible_while_running_and_the_result_after(
    engine: Engine, factory: Callable[[], Session]
) -> None:
    with factory() as s:
        job_id = job_records.start_job(s, "plan", author="ann")
    g = Gate()
    thread = job_running.start_in_background(engine, job_id, g)
    assert g.started.wait(20)
    view = _status(factory, job_id)
    assert (view.status, view.stage, view.done, view.total) == ("running", "waiting", 1, 4)
    g.release.set()
    thread.join(20)
    view = _status(factory, job_id)
    assert view.status == "done"
    assert view.result == {"ok": True}
    assert view.started_at is not None and view.finished_at is not None


def _run(engine: Engine, factory: Callable[[], Session], work: job_kinds.Work) -> jobs.JobView:
    with factory() as s:
        job_id = job_records.start_job(s, "import", author="ann")
    assert job_running.run_job(engine, job_id, work) is None
    return _status(factory, job_id)


def test_failure_is_recorded(engine: Engine, factory: Callable[[], Session]) -> None:
    def refuse(_s: Session, _p: job_kinds.Progress) -> dict[str, Any]:
        raise PegboardError("the data cannot be planned")

    view = _run(engine, factory, refuse)
    assert view.status == "failed"
    assert view.message == "the data cannot be planned"
    assert view.result == {"code": "error"}
    with factory() as s:  # a failed job does not block the next one
        job_records.start_job(s, "plan", author="bob")


def test_bundle_problems_reach_the_job(engine: Engine, factory: Callable[[], Session]) -> None:
    problem = BundleProblem("items.csv", 3, "type", "maybe", "must be one of: make, buy")

    def bad_bundle(_s: Session, _p: job_kinds.Progress) -> dict[str, Any]:
        raise BundleError([problem])

    view = _run(engine, factory, bad_bundle)
    assert view.status == "failed"
    assert "nothing was imported" in view.message
    assert view.result is not None
    assert view.result["code"] == "bundle_invalid"
    assert view.result["problems"] == [
        {
            "file": "items.csv",
            "line": 3,
            "column": "type",
            "value": "maybe",
            "reason": "must be one of: make, buy",
            "text": str(problem),
        }
    ]


def test_a_bug_fails_the_job_without_leaking_details(
    engine: Engine, factory: Callable[[], Session], caplog: pytest.LogCaptureFixture
) -> None:
    def bug(_s: Session, _p: job_kinds.Progress) -> dict[str, Any]:
        raise KeyError("secret detail")

    view = _run(engine, factory, bug)
    assert view.status == "failed"
    assert view.message == "internal error; see the server log"
    assert "secret" not in str(view.result)
    assert "secret detail" in caplog.text


def test_reraise_records_then_raises(engine: Engine, factory: Callable[[], Session]) -> None:
    with factory() as s:
        job_id = job_records.start_job(s, "plan", author="ann")

    def refuse(_s: Session, _p: job_kinds.Progress) -> dict[str, Any]:
        raise ConflictError("no")

    with pytest.raises(ConflictError):
        job_running.run_job(engine, job_id, refuse, reraise=True)
    assert _status(factory, job_id).status == "failed"


def test_heartbeat_keeps_a_long_stage_fresh(
    engine: Engine,
    factory: Callable[[], Session],
    gate: Callable[..., Gate],
) -> None:
    with factory() as s:
        job_id = job_records.start_job(s, "plan", author="ann")
    g = gate(job_id, heartbeat_every=0.05)
    _age(factory, job_id)
    heartbeat = select(Job.heartbeat_at, Job.stage).where(Job.id == job_id)
    with factory() as s:
        aged, _ = s.execute(heartbeat).one()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with factory() as s:
            beat_at, stage = s.execute(heartbeat).one()
        if beat_at != aged and stage == "waiting":
            break
        time.sleep(0.05)
    else:
        pytest.fail("the heartbeat never wrote")
    job_liveness.LIVE.pop(job_id)  # as another process sees it: only the row
    with factory() as s, pytest.raises(ConflictError):
        job_records.start_job(s, "import", author="bob")
    job_liveness.LIVE[job_id] = ("waiting", 1, 4)
    g.release.set()


def test_heartbeat_does_not_wait_for_sqlites_write_lock(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL locks rows, not the database")
    with db.session_scope(engine) as s:
        job_id = job_records.start_job(s, "import", author="ann")
    with engine.connect().execution_options(**{db.WRITE: True}) as holder, holder.begin():
        holder.execute(select(Job.id))  # BEGIN IMMEDIATE: the write lock is held
        started = time.monotonic()
        assert job_running.beat(engine, job_id) is False
        assert time.monotonic() - started < 5
    assert job_running.beat(engine, job_id) is True
    with engine.connect() as conn:  # the pooled connection waits for locks again
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


def test_cli_plan_and_import_take_the_same_lock(
    engine: Engine, factory: Callable[[], Session]
) -> None:
    env = {"PEGBOARD_DATABASE_URL": engine.url.render_as_string(hide_password=False)}
    runner = CliRunner()
    with factory() as s:
        busy = job_records.start_job(s, "plan", author="api")
    for args in (["import", str(BASIC)], ["plan"]):
        result = runner.invoke(app, args, env=env)
        assert result.exit_code == 1, result.output
        assert f"a plan (job {busy}, by api) is still running" in result.output
    with factory() as s:
        job_records.finish(s, busy, {})
    assert runner.invoke(app, ["import", str(BASIC)], env=env).exit_code == 0
    result = runner.invoke(app, ["plan"], env=env)
    assert result.exit_code == 0, result.output
    assert "Plan of 2026-11-24" in result.output
    with factory() as s:
        rows = s.execute(select(Job.kind, Job.status).order_by(Job.id)).all()
        assert rows[1:] == [("import", JobStatus.DONE), ("plan", JobStatus.DONE)]
        open_jobs = select(func.count()).select_from(Job).where(Job.status.in_(job_liveness.OPEN))
        assert s.scalar(open_jobs) == 0

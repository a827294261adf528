"""Cancelling a job (issue #20, item 4): an import nobody could stop blocked plans for
half an hour. A cancel is seen between stages and batches, the work's transaction rolls
back, and the job ends failed naming who cancelled it; every rule is in
``services.jobs``. Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from pegboard import db
from pegboard.bundle import upload  # registers the import kind
from pegboard.bundle.importer import read_bundle
from pegboard.cli import app
from pegboard.demo import demo_path
from pegboard.errors import ConflictError, NotFoundError, PermissionDeniedError
from pegboard.model import AuditEntry, Item, Job, JobStatus, Role
from pegboard.model.base import utcnow
from pegboard.services import jobs
from pegboard.services.company_data import replace_company
from pegboard.services.jobs import cancelling as job_cancelling
from pegboard.services.jobs import kinds as job_kinds
from pegboard.services.jobs import liveness as job_liveness
from pegboard.services.jobs import records as job_records
from pegboard.services.jobs import running as job_running

BASIC = Path(__file__).parents[1] / "scenarios" / "basic" / "bundle"


@pytest.fixture
def factory(engine: Engine) -> Callable[[], Session]:
    return db.session_factory(engine)


@pytest.fixture
def basic(engine: Engine, factory: Callable[[], Session]) -> set[str]:
    """The basic company, loaded; returns its item codes."""
    with factory() as s:
        replace_company(s, read_bundle(BASIC), author="test")
    return _codes(factory)


def _codes(factory: Callable[[], Session]) -> set[str]:
    with factory() as s:
        return set(s.scalars(select(Item.code)))


def _job(factory: Callable[[], Session], job_id: int) -> Job:
    with factory() as s:
        job = s.get(Job, job_id)
        assert job is not None
        s.expunge(job)
        return job


def test_cancelled_import_rolls_back_what_it_wrote(
    engine: Engine, factory: Callable[[], Session], basic: set[str]
) -> None:
    """Cancelled after it deleted the company and wrote the new items: nothing is kept."""
    lighting = demo_path("lighting")
    asked: list[int] = []

    def cancel_once_writing(stage: str, _done: int, _total: int) -> None:
        if stage == "items" and not asked:  # the old company is deleted, the new one going in
            with factory() as s:
                (job,) = [j for j in jobs.list_jobs(s, kind="import") if j.status == "running"]
                asked.append(job.id)
                view = jobs.cancel(s, job.id, author="bob", role=Role.ADMIN)
            assert view.status == "running" and view.cancelled_by == "bob"

    with pytest.raises(job_cancelling.JobCancelled) as caught:
        jobs.run_here(engine, "import", author="ann", progress=cancel_once_writing, source=lighting)
    assert caught.value.message == "cancelled by bob; nothing was written"
    assert _codes(factory) == basic
    job = _job(factory, asked[0])
    assert job.status is JobStatus.FAILED
    assert job.message == "cancelled by bob; nothing was written"
    assert job.result == {"code": "cancelled"} and job.cancelled_by == "bob"
    with factory() as s:  # the cancel is audited, and the lock is free for the next job
        entry = s.scalars(select(AuditEntry).where(AuditEntry.entity == "job")).one()
        assert (entry.author, entry.entity_ref, entry.action) == ("bob", str(job.id), "cancel")
        job_records.start_job(s, "plan", author="ann")


class Looping:
    """Work that reports progress every 20 ms until cancelled (or 20 s pass)."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.steps = 0

    def __call__(self, _session: Session, progress: job_kinds.Progress) -> dict[str, Any]:
        self.started.set()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            self.steps += 1
            progress("batch", self.steps, 1000)
            time.sleep(0.02)
        return {"finished": True}


@pytest.fixture
def looping(engine: Engine, factory: Callable[[], Session]) -> Iterator[tuple[int, Looping]]:
    with factory() as s:
        job_id = job_records.start_job(s, "import", author="ann")
    work = Looping()
    thread = job_running.start_in_background(engine, job_id, work)
    assert work.started.wait(20)
    yield job_id, work
    thread.join(30)


def _ended(factory: Callable[[], Session], job_id: int, seconds: float = 10) -> jobs.JobView:
    deadline = time.monotonic() + seconds
    while True:
        with factory() as s:
            view = jobs.get_job(s, job_id)
        if view.status in ("done", "failed"):
            return view
        assert time.monotonic() < deadline, view
        time.sleep(0.02)


def test_a_cancel_from_this_process_stops_the_job_at_its_next_report(
    factory: Callable[[], Session], looping: tuple[int, Looping]
) -> None:
    job_id, work = looping
    with factory() as s:
        jobs.cancel(s, job_id, author="bob", role=Role.ADMIN)
    view = _ended(factory, job_id, seconds=2)
    assert view.status == "failed" and view.message == "cancelled by bob; nothing was written"
    assert view.result == {"code": "cancelled"}
    assert work.steps < 500


def test_a_cancel_recorded_by_another_process_is_seen_within_seconds(
    factory: Callable[[], Session], looping: tuple[int, Looping]
) -> None:
    """Another server process (or ``pegboard job cancel``) can only write the row."""
    job_id, _work = looping
    with factory() as s, s.begin():
        s.execute(update(Job).where(Job.id == job_id).values(cancelled_by="carl"))
    view = _ended(factory, job_id, seconds=job_cancelling.CANCEL_CHECK_EVERY + 5)
    assert view.status == "failed" and view.message.startswith("cancelled by carl")


def test_what_may_not_be_cancelled(
    factory: Callable[[], Session], looping: tuple[int, Looping]
) -> None:
    job_id, _work = looping
    with factory() as s:
        with pytest.raises(PermissionDeniedError) as caught:  # an import needs `import`
            jobs.cancel(s, job_id, author="pat", role=Role.PLANNER)
        assert caught.value.message == (
            "your role may not cancel an import (it needs the import permission)"
        )
        with pytest.raises(NotFoundError):
            jobs.cancel(s, job_id + 100, author="bob", role=Role.ADMIN)
        jobs.cancel(s, job_id, author="bob", role=Role.ADMIN)
    assert _ended(factory, job_id).status == "failed"
    with factory() as s, pytest.raises(ConflictError) as ended:
        jobs.cancel(s, job_id, author="bob", role=Role.ADMIN)
    assert f"job {job_id} has already ended (failed)" in ended.value.message


def test_cancelling_a_job_whose_process_ended_fails_it_at_once(
    factory: Callable[[], Session],
) -> None:
    with factory() as s:
        job_id = job_records.start_job(s, "plan", author="ann")
    with factory() as s, s.begin():  # a process of another machine that stopped reporting
        s.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(host="elsewhere", heartbeat_at=utcnow() - job_liveness.STALE_AFTER * 2)
        )
    with factory() as s:
        view = jobs.cancel(s, job_id, author="bob")
    assert view.status == "failed" and view.message.startswith("cancelled by bob")


def test_pegboard_job_cancel_and_list(engine: Engine, factory: Callable[[], Session]) -> None:
    env = {"PEGBOARD_DATABASE_URL": engine.url.render_as_string(hide_password=False)}
    with factory() as s:
        job_id = job_records.start_job(s, "plan", author="api")
    with factory() as s, s.begin():
        s.execute(update(Job).where(Job.id == job_id).values(host="elsewhere", pid=1))
    runner = CliRunner()
    listed = runner.invoke(app, ["job", "list"], env=env)
    assert listed.exit_code == 0 and "queued" in listed.output
    result = runner.invoke(app, ["job", "cancel", str(job_id)], env=env)
    assert result.exit_code == 0, result.output
    assert f"job {job_id} (plan) asked to stop" in result.output
    assert _job(factory, job_id).cancelled_by  # the running process sees it at its next step
    again = runner.invoke(app, ["job", "cancel", str(job_id + 1)], env=env)
    assert again.exit_code == 1 and f"no job {job_id + 1}" in again.output
    shown = runner.invoke(app, ["job", "show", str(job_id)], env=env)
    assert shown.exit_code == 0 and "cancel asked by" in shown.output


def test_every_kind_is_registered_once() -> None:
    assert upload.MAX_FILES  # the bundle layer's kind is registered when it is imported
    assert [k.name for k in job_kinds.kinds()] == ["import", "plan", "policy"]
    with pytest.raises(NotFoundError) as caught:
        job_kinds.kind_of("reindex")
    assert "known: import, plan, policy" in caught.value.message

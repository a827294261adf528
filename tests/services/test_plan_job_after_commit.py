"""The plan job after its plan is committed (issue #19, review R1 item 2): the new plan is
current whatever happens to the capacity summary worked out after it. A cancel asked
once the plan is being stored cannot undo it: the job ends done with the plan's result
(the summary skipped, the capacity page works it out), never "cancelled; nothing was
written". Any error of the summary step (here a trigger refusing the summary's row) is
logged and rolled back, and the job succeeds. Real jobs, real cancel requests, both
databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from pegboard import db
from pegboard.bundle.importer import read_bundle
from pegboard.demo import demo_path
from pegboard.model import Job, JobStatus, Role
from pegboard.model.capacity import LoadSummary
from pegboard.services import company_data, jobs
from pegboard.services.jobs import kinds as job_kinds
from pegboard.services.jobs import records as job_records
from pegboard.services.jobs import running as job_running
from pegboard.services.load_weeks import kept_summary, load_page
from pegboard.services.plan_results import current_run

TODAY = date(2026, 11, 23)


def _start(engine: Engine, session: Session) -> int:
    company_data.replace_company(session, read_bundle(demo_path("lighting")), author="test")
    job_id = job_records.start_job(session, "plan", author="ann")
    session.commit()
    return job_id


def _run(engine: Engine, job_id: int, cancel_at: str | None = None) -> dict[str, object]:
    """Run the plan job; ``cancel_at``: the stage at which bob asks it to stop, as the
    cancel button does (``jobs.cancel``, from another session)."""
    seen: list[str] = []

    def also(stage: str, _done: int, _total: int) -> None:
        seen.append(stage)
        if stage == cancel_at:
            with db.session_factory(engine)() as other:
                view = jobs.cancel(other, job_id, author="bob", role=Role.ADMIN)
            assert view.cancelled_by == "bob"

    work = job_kinds.kind_of("plan").prepare(author="ann").work
    result = job_running.run_job(engine, job_id, work, reraise=True, also=also)
    assert result is not None
    return result


def _ended(session: Session, job_id: int) -> Job:
    session.expire_all()
    job = session.get(Job, job_id)
    assert job is not None
    return job


def _the_plan_is_current(session: Session, result: dict[str, object]) -> None:
    run = current_run(session)
    assert run is not None and run.id == result["run_id"]


def test_a_cancel_while_the_plan_stores_skips_the_summary_only(
    engine: Engine, session: Session
) -> None:
    job_id = _start(engine, session)
    result = _run(engine, job_id, cancel_at="storing")
    job = _ended(session, job_id)
    assert job.status is JobStatus.DONE, job.message
    assert job.result == result and result["load_summary_seconds"] is None
    assert "nothing was written" not in (job.message or "")
    _the_plan_is_current(session, result)
    # the summary was skipped: the capacity page works it out and keeps it
    assert kept_summary(session) is None
    load_page(session, today=TODAY)
    assert kept_summary(session) is not None


def test_a_cancel_during_the_summary_keeps_the_plan_and_the_summary(
    engine: Engine, session: Session
) -> None:
    job_id = _start(engine, session)
    result = _run(engine, job_id, cancel_at="capacity summary")
    job = _ended(session, job_id)
    assert job.status is JobStatus.DONE, job.message
    assert isinstance(result["load_summary_seconds"], float)
    _the_plan_is_current(session, result)
    summary = kept_summary(session)
    assert summary is not None and summary.plan_run_id == result["run_id"]


@pytest.fixture
def refused_summary(engine: Engine, session: Session) -> Iterator[None]:
    """A trigger that refuses every capacity summary row (a database error the summary
    step does not expect, neither a lock wait nor one of ours); dropped afterwards."""
    if engine.dialect.name == "sqlite":
        create = [
            "CREATE TRIGGER refuse_summary BEFORE INSERT ON load_summary "
            "BEGIN SELECT RAISE(ABORT, 'no summary here'); END"
        ]
        drop = ["DROP TRIGGER IF EXISTS refuse_summary"]
    else:
        create = [
            "CREATE FUNCTION refuse_summary() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'no summary here'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER refuse_summary BEFORE INSERT ON load_summary "
            "FOR EACH ROW EXECUTE FUNCTION refuse_summary()",
        ]
        drop = [
            "DROP TRIGGER IF EXISTS refuse_summary ON load_summary",
            "DROP FUNCTION IF EXISTS refuse_summary()",
        ]
    with engine.begin() as conn:
        for statement in create:
            conn.execute(text(statement))
    try:
        yield
    finally:
        session.rollback()  # its read of load_summary would hold the DROP's lock
        with engine.begin() as conn:
            for statement in drop:
                conn.execute(text(statement))


def test_an_error_of_the_summary_step_leaves_the_job_done(
    engine: Engine, session: Session, refused_summary: None, caplog: pytest.LogCaptureFixture
) -> None:
    job_id = _start(engine, session)
    result = _run(engine, job_id)
    job = _ended(session, job_id)
    assert job.status is JobStatus.DONE, job.message
    assert result["load_summary_seconds"] is None
    assert "the capacity summary of the new plan was not stored" in caplog.text
    assert "no summary here" in caplog.text
    _the_plan_is_current(session, result)
    assert session.scalar(select(func.count()).select_from(LoadSummary)) == 0

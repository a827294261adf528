"""Stored policy runs: ``run_policy`` computes every MTS item and stores the result as
the newest run, replacing the previous run's lines in one transaction; the job
that runs it, and the latest run."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from pegboard import clock
from pegboard.db import WRITE
from pegboard.model import (
    PolicyLine,
    PolicyRun,
)
from pegboard.services._bulk import bulk_insert_columns
from pegboard.services.jobs import records as job_records
from pegboard.services.jobs.kinds import Progress
from pegboard.services.policy.computation import compute_columns
from pegboard.services.policy.item_policy import LINE_FIELDS


@dataclass(frozen=True)
class PolicyRunView:
    id: int
    started_at: datetime
    finished_at: datetime
    author: str
    planning_date: date
    window_days: int | None
    service_level: float | None
    items: int
    below: int
    load_seconds: float
    compute_seconds: float
    store_seconds: float
    seconds: float


@dataclass(frozen=True)
class PolicySummary:
    run_id: int
    planning_date: date
    items: int
    below: int
    load_seconds: float
    compute_seconds: float
    store_seconds: float
    seconds: float


STORE_LOCK_KEY = 7_300_002  # PostgreSQL advisory lock: "replacing the policy lines"


def run_policy(
    session: Session,
    *,
    author: str,
    window_days: int | None = None,
    service_level: float | None = None,
    today: date | None = None,
    progress: Progress | None = None,
) -> PolicySummary:
    """Compute every MTS item's policy and store it as the newest run, replacing the
    previous run's lines in one transaction."""
    note = progress or (lambda _stage, _done, _total: None)
    started = clock.now()
    t0 = time.perf_counter()
    note("loading", 0, 4)
    cols, pd, load_seconds = compute_columns(
        session,
        items=None,
        window_days=window_days,
        service_level=service_level,
        today=today,
        progress=note,
    )
    t1 = time.perf_counter()
    note("storing", 2, 4)
    m = len(cols["item_id"])
    below = int(sum(cols["below"]))
    with session.begin():
        conn = session.connection(execution_options={WRITE: True})
        if conn.dialect.name == "postgresql":
            conn.execute(select(func.pg_advisory_xact_lock(STORE_LOCK_KEY)))
        conn.execute(delete(PolicyLine))
        run_id = conn.execute(
            insert(PolicyRun)
            .values(
                started_at=started,
                finished_at=started,
                author=author,
                planning_date=date.fromordinal(pd),
                window_days=window_days,
                service_level=service_level,
                items=m,
                below=below,
            )
            .returning(PolicyRun.id)
        ).scalar_one()
        data = {"policy_run_id": [run_id] * m, "item_id": cols["item_id"]}
        data |= {name: cols[name] for name in LINE_FIELDS}
        data["position"] = cols["position"]
        data["rank"] = [0 if b else 1 for b in cols["below"]]
        bulk_insert_columns(conn, PolicyLine, data)
        t2 = time.perf_counter()
        conn.execute(
            update(PolicyRun)
            .where(PolicyRun.id == run_id)
            .values(
                finished_at=clock.now(),
                load_seconds=load_seconds,
                compute_seconds=t1 - t0 - load_seconds,
                store_seconds=t2 - t1,
                seconds=t2 - t0,
            )
        )
    note("done", 4, 4)
    return PolicySummary(
        run_id=run_id,
        planning_date=date.fromordinal(pd),
        items=m,
        below=below,
        load_seconds=load_seconds,
        compute_seconds=t1 - t0 - load_seconds,
        store_seconds=t2 - t1,
        seconds=t2 - t0,
    )


def start_policy_job(session: Session, *, author: str) -> int:
    """Register a policy-run job; refused while another policy run or an import is open
    (the ``policy`` kind of ``services.jobs``). A plan run may go on meanwhile: they
    write different tables."""
    return job_records.start_job(session, "policy", author=author)


def summary_result(summary: PolicySummary) -> dict[str, Any]:
    """A policy run's summary as a job's (JSON) result."""
    return {
        "run_id": summary.run_id,
        "planning_date": summary.planning_date.isoformat(),
        "items": summary.items,
        "below": summary.below,
        "load_seconds": round(summary.load_seconds, 3),
        "compute_seconds": round(summary.compute_seconds, 3),
        "store_seconds": round(summary.store_seconds, 3),
        "seconds": round(summary.seconds, 3),
    }


def _run_view(run: PolicyRun) -> PolicyRunView:
    return PolicyRunView(
        run.id,
        run.started_at,
        run.finished_at,
        run.author,
        run.planning_date,
        run.window_days,
        run.service_level,
        run.items,
        run.below,
        run.load_seconds,
        run.compute_seconds,
        run.store_seconds,
        run.seconds,
    )


def latest_run(session: Session) -> PolicyRunView | None:
    """The newest policy run, whose lines are stored; None before the first."""
    run = session.scalars(select(PolicyRun).order_by(PolicyRun.id.desc()).limit(1)).first()
    return None if run is None else _run_view(run)

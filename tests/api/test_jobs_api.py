"""Jobs through the API: cancelling one, and what a starting server cleans up after a
crash (issue #20, item 4). Each test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from conftest import Headers
from pegboard import db
from pegboard.api import create_app
from pegboard.model import Job
from pegboard.services.jobs import kinds as job_kinds
from pegboard.services.jobs import records as job_records
from pegboard.services.jobs import running as job_running


class Looping:
    """Work that reports progress every 20 ms until cancelled (or 20 s pass)."""

    def __init__(self) -> None:
        self.started = threading.Event()

    def __call__(self, _session: Session, progress: job_kinds.Progress) -> dict[str, Any]:
        self.started.set()
        deadline = time.monotonic() + 20
        n = 0
        while time.monotonic() < deadline:
            n += 1
            progress("batch", n, 1000)
            time.sleep(0.02)
        return {}


@pytest.fixture
def running(engine: Engine) -> Iterator[Callable[[str], int]]:
    threads: list[threading.Thread] = []

    def start(kind: str) -> int:
        with db.session_factory(engine)() as s:
            job_id = job_records.start_job(s, kind, author="ann")
        work = Looping()
        threads.append(job_running.start_in_background(engine, job_id, work))
        assert work.started.wait(20)
        return job_id

    yield start
    for thread in threads:
        thread.join(30)


def _wait(api: TestClient, headers: Headers, job_id: int, seconds: float = 10) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        job: dict[str, Any] = api.get(f"/api/jobs/{job_id}", headers=headers).json()
        if job["status"] in ("done", "failed"):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.02)


def test_cancel_a_running_import(
    api: TestClient, as_role: Callable[[str], Headers], running: Callable[[str], int]
) -> None:
    job_id = running("import")
    planner = as_role("planner")
    refused = api.post(f"/api/jobs/{job_id}/cancel", headers=planner)
    assert refused.status_code == 403
    assert refused.json()["error"]["params"]["permission"] == "import"
    admin = as_role("admin")
    asked = api.post(f"/api/jobs/{job_id}/cancel", headers=admin)
    assert asked.status_code == 202, asked.text
    assert asked.json()["cancelled_by"] == "admin"
    job = _wait(api, admin, job_id)
    assert job["status"] == "failed" and job["message"] == "cancelled by admin; nothing was written"
    assert job["result"] == {"code": "cancelled"}
    again = api.post(f"/api/jobs/{job_id}/cancel", headers=admin)
    assert again.status_code == 409 and "already ended" in again.json()["error"]["message"]
    assert api.post("/api/jobs/999999/cancel", headers=admin).status_code == 404
    assert api.post(f"/api/jobs/{job_id}/cancel").status_code == 401


def test_a_planner_cancels_a_plan_run(
    api: TestClient, as_role: Callable[[str], Headers], running: Callable[[str], int]
) -> None:
    job_id = running("plan")
    planner = as_role("planner")
    assert api.post(f"/api/jobs/{job_id}/cancel", headers=planner).status_code == 202
    assert _wait(api, planner, job_id)["message"].startswith("cancelled by planner")
    # and the next plan may start at once; it runs to its end before the test does, so
    # no plan thread outlives the test (it held locks the next test's TRUNCATE waited on)
    started = api.post("/api/plan/runs", headers=planner)
    assert started.status_code == 202
    assert _wait(api, planner, started.json()["id"], seconds=120)["status"] == "done"


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_starting_server_cleans_up_after_a_crash(engine: Engine) -> None:
    """A killed import leaves its staging folder and an open job: the next server start
    removes the one and fails the other, so plans are not refused for minutes."""
    pid = _dead_pid()
    root = Path(tempfile.gettempdir())
    left = root / f"pegboard-import-{pid}-crashed"
    (left / "bundle").mkdir(parents=True)
    (left / "bundle" / "items.csv").write_text("code\n")
    mine = Path(tempfile.mkdtemp(prefix=f"pegboard-import-{os.getpid()}-"))
    with db.session_factory(engine)() as s:
        job_id = job_records.start_job(s, "import", author="ann")
    with db.session_factory(engine)() as s, s.begin():
        s.execute(update(Job).where(Job.id == job_id).values(pid=pid))
    try:
        with TestClient(create_app(engine)):
            assert not left.exists()
            assert mine.exists()  # a live process's folder stays
            with db.session_factory(engine)() as s:
                job = s.get(Job, job_id)
                assert job is not None and job.status.value == "failed"
                assert f"process {pid}" in job.message
    finally:
        shutil.rmtree(left, ignore_errors=True)
        shutil.rmtree(mine, ignore_errors=True)

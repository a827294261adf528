"""Fixtures shared by every test: real databases, SQLite and PostgreSQL.

Every test that takes ``engine`` runs twice, once per database. PostgreSQL is
the throwaway cluster that ``scripts/test`` starts (URL in
``PEGBOARD_TEST_POSTGRES_URL``). Without it the PostgreSQL half is skipped
loudly, and under ``CI=true`` it fails instead, so CI can never pass on SQLite
alone.

No test reads the machine's clock: every test runs with "today" pinned (time-machine,
ticking from 09:00 UTC) to ``PEGBOARD_TEST_TODAY``, by default the sample companies'
planning date. ``scripts/test`` runs the suite a second time at a later date (a Saturday
in a leap year), so a test or a code path that quietly depends on one particular day
fails there. Tests whose expectations are tied to a day pin it themselves with
``pin_today``.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from _clock import TEST_TODAY, pin_today
from pegboard import db
from pegboard.model import Base

# A promise through the API or the page runs in a worker with a time limit (10 s by
# default). Tests are about answers, not that limit (its own tests set it): on a busy
# two-core machine a normal promise can take longer, so the suite allows two minutes.
os.environ.setdefault("PEGBOARD_PROMISE_TIME_LIMIT", "120")

PG_URL = os.environ.get("PEGBOARD_TEST_POSTGRES_URL", "")
IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture(autouse=True)
def _pinned_clock() -> Iterator[None]:
    """Every test runs on ``TEST_TODAY``, never on the machine's date."""
    with pin_today(TEST_TODAY):
        yield


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating per test is slow)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = db.make_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_engine(worker_id: str) -> Iterator[Engine]:
    if not PG_URL:
        message = "PostgreSQL not available: set PEGBOARD_TEST_POSTGRES_URL (scripts/test does)"
        if IN_CI:
            pytest.fail(message + " — refusing to skip under CI=true")
        pytest.skip(message)
    name = f"pegboard_test_{worker_id}_{os.getpid()}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = PG_URL.rsplit("/", 1)[0] + f"/{name}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    yield engine
    engine.dispose()
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_pg(engine: Engine) -> None:
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[Engine]:
    """An empty, migrated database of each kind."""
    if request.param == "sqlite":
        path = tmp_path / "pegboard.db"
        shutil.copy(sqlite_template, path)
        eng = db.make_engine(f"sqlite:///{path}")
        yield eng
        eng.dispose()
    else:
        eng = request.getfixturevalue("pg_engine")
        _truncate_pg(eng)
        yield eng
    _join_job_threads()


def _join_job_threads(seconds: float = 120) -> None:
    """Let every background job a test started end before the next test empties the
    database: a job thread still reading holds locks that deadlock its TRUNCATE."""
    deadline = time.monotonic() + seconds
    for thread in threading.enumerate():
        if thread.name.startswith("job-") and thread is not threading.current_thread():
            thread.join(max(0.0, deadline - time.monotonic()))


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with db.session_scope(engine) as s:
        yield s


def pytest_report_header(config: pytest.Config) -> str:
    today = f"today pinned to {TEST_TODAY.isoformat()} ({TEST_TODAY:%A})"
    if PG_URL:
        return f"databases: sqlite + postgresql ({PG_URL}); {today}"
    return (
        today
        + "; "
        + (
            "databases: sqlite ONLY — PEGBOARD_TEST_POSTGRES_URL is not set, PostgreSQL tests are "
            "SKIPPED (scripts/test starts a throwaway cluster)"
        )
    )


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite the expected CSV files of tests/scenarios from the current output",
    )

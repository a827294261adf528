"""Only ``pegboard db upgrade`` (and ``init``/``demo``) migrate the schema; every other
command refuses an outdated database, naming the command to run (both databases)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect, text
from typer.testing import CliRunner

from pegboard import db
from pegboard.cli import app

PG_URL = os.environ.get("PEGBOARD_TEST_POSTGRES_URL", "")
OLD = "0007"


@pytest.fixture(params=["sqlite", "postgresql"])
def blank(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a database of each kind with nothing in it."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'blank.db'}"
        return
    if not PG_URL:
        pytest.skip("PostgreSQL not available")
    name = f"pegboard_schema_{os.getpid()}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _pegboard(url: str, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(
        app, list(args), env={"PEGBOARD_DATABASE_URL": url, "COLUMNS": "160"}
    )
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result.output


def _revision(url: str) -> str | None:
    engine = db.make_engine(url)
    try:
        return db.current_revision(engine)
    finally:
        engine.dispose()


def _at(url: str, revision: str) -> None:
    engine = db.make_engine(url)
    try:
        command.upgrade(db.alembic_config(engine), revision)
    finally:
        engine.dispose()


def test_head_from_file_names_is_alembics_head() -> None:
    engine: Engine = db.make_engine("sqlite://")
    try:
        script = ScriptDirectory.from_config(db.alembic_config(engine))
        assert script.get_heads() == [db.head_revision()]
    finally:
        engine.dispose()


def test_a_report_refuses_an_outdated_schema_and_leaves_it_alone(blank: str) -> None:
    _at(blank, OLD)
    out = _pegboard(blank, "report", "late", code=1)
    assert f"revision {OLD}" in out and db.head_revision() in out
    assert "pegboard db upgrade" in out and "report late" in out
    assert _revision(blank) == OLD  # nothing migrated as a side effect
    _pegboard(blank, "plan", code=1)
    assert _revision(blank) == OLD

    assert "up to date" not in _pegboard(blank, "db", "status")
    out = _pegboard(blank, "db", "upgrade")
    assert db.head_revision() in out
    assert _revision(blank) == db.head_revision()
    assert "up to date" in _pegboard(blank, "db", "status")
    assert "Working days" in _pegboard(blank, "calendar", "show")


def test_an_empty_database_gets_the_schema_on_first_use(blank: str) -> None:
    assert _revision(blank) is None
    assert "no pegboard schema yet" in _pegboard(blank, "db", "status")
    assert "Working days" in _pegboard(blank, "calendar", "show")
    assert _revision(blank) == db.head_revision()


def test_init_upgrades_too(blank: str) -> None:
    _at(blank, OLD)
    _pegboard(blank, "init")
    assert _revision(blank) == db.head_revision()


def test_a_database_of_something_else_is_refused(blank: str) -> None:
    engine = db.make_engine(blank)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE invoices (id integer primary key)"))
        _pegboard(blank, "report", "late", code=1)
        assert inspect(engine).get_table_names() == ["invoices"]
    finally:
        engine.dispose()

"""A full disk is a clear refusal with nothing written, never a raw OperationalError
(issue #20, item 8): a service call, the bulk import, the plan store and ``pegboard
import``. SQLite's disk is made full by capping the database at the pages it has
(``PRAGMA max_page_count`` on every connection of the test); PostgreSQL's disk_full
(53100) is recognised by its SQLSTATE."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, event, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import Pool
from typer.testing import CliRunner

from pegboard import db
from pegboard.bundle.importer import read_bundle
from pegboard.cli import app
from pegboard.demo import demo_path
from pegboard.errors import ConflictError
from pegboard.model import Item, PlanRun
from pegboard.services import items
from pegboard.services._tx import DISK_FULL, disk_full
from pegboard.services.company_data import replace_company
from pegboard.services.planning import run_plan

LIGHTING = demo_path("lighting")


def _cap(dbapi_connection: Any, _record: Any) -> None:
    """No page beyond those the file has (SQLite raises the cap to the current size)."""
    dbapi_connection.execute("PRAGMA max_page_count = 1")


@pytest.fixture
def db_file(tmp_path: Path, sqlite_template: Path) -> Path:
    path = tmp_path / "full.db"
    shutil.copy(sqlite_template, path)
    return path


def _full(path: Path) -> Engine:
    engine = db.make_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", _cap)
    return engine


def _count(engine: Engine, model: type[Any]) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def test_a_service_call_on_a_full_disk_is_refused_and_writes_nothing(db_file: Path) -> None:
    engine = _full(db_file)
    made = 0
    with db.session_scope(engine) as s, pytest.raises(ConflictError) as refused:
        for made in range(10_000):
            items.create_item(s, f"W-{made:05}", {"description": "x" * 500}, author="test")
    assert refused.value.message == DISK_FULL
    assert refused.value.params == {"reason": "disk_full"}
    assert 0 < made < 10_000
    assert _count(engine, Item) == made  # the refused item is not there, half or whole
    engine.dispose()


def test_an_import_on_a_full_disk_is_refused_and_writes_nothing(db_file: Path) -> None:
    data = read_bundle(LIGHTING)
    engine = _full(db_file)
    with db.session_scope(engine) as s, pytest.raises(ConflictError, match="disk is full"):
        replace_company(s, data, author="test")
    assert _count(engine, Item) == 0
    engine.dispose()


def test_a_plan_on_a_full_disk_is_refused_and_the_store_is_rolled_back(db_file: Path) -> None:
    loaded = db.make_engine(f"sqlite:///{db_file}")
    with db.session_scope(loaded) as s:
        replace_company(s, read_bundle(LIGHTING), author="test")
    loaded.dispose()
    engine = _full(db_file)
    with db.session_scope(engine) as s, pytest.raises(ConflictError, match="disk is full"):
        run_plan(s, author="test")
    assert _count(engine, PlanRun) == 0
    engine.dispose()


@pytest.fixture
def every_connection_capped() -> Iterator[None]:
    """Every connection the command opens is capped too (it makes its own engine)."""
    event.listen(Pool, "connect", _cap)
    try:
        yield
    finally:
        event.remove(Pool, "connect", _cap)


def test_pegboard_import_on_a_full_disk_says_so(
    db_file: Path, every_connection_capped: None
) -> None:
    result = CliRunner().invoke(
        app,
        ["import", str(LIGHTING)],
        env={"PEGBOARD_DATABASE_URL": f"sqlite:///{db_file}", "COLUMNS": "250"},
    )
    assert result.exit_code == 1, result.output
    assert "the database's disk is full; nothing was written" in result.output
    assert "OperationalError" not in result.output and "Traceback" not in result.output


def test_postgresqls_disk_full_is_recognised_by_its_sqlstate() -> None:
    error = psycopg.errors.DiskFull("could not extend file: No space left on device")
    assert disk_full(error)  # as COPY raises it
    assert disk_full(OperationalError("INSERT", None, error))  # as SQLAlchemy wraps it
    assert not disk_full(psycopg.errors.UniqueViolation("duplicate key"))

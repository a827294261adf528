"""A database that cannot be opened is one line naming it and why, exit 1, from every
command that opens it: a missing folder, a file that is not a database, a URL pegboard
cannot read, a PostgreSQL server that refuses or a database it does not have. Never the
driver's traceback, never the password."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pegboard.cli import app

PG_URL = os.environ.get("PEGBOARD_TEST_POSTGRES_URL", "")
COMMANDS = [
    ("report", "late"),
    ("db", "status"),
    ("db", "upgrade"),
    ("plan",),
    ("serve", "--port", "1"),
]


def _refused(url: str, *args: str) -> str:
    result = CliRunner().invoke(
        app, list(args), env={"PEGBOARD_DATABASE_URL": url, "COLUMNS": "400"}
    )
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert result.output.startswith("error: "), result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    return result.output


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a))
def test_a_missing_folder_is_named(tmp_path: Path, args: tuple[str, ...]) -> None:
    where = tmp_path / "no-such-folder" / "company.db"
    out = _refused(f"sqlite:///{where}", *args)
    assert f"cannot open the database sqlite:///{where}" in out
    assert f"folder {where.parent} does not exist" in out
    assert not where.parent.exists()  # nothing was created on the way


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a))
def test_a_file_that_is_not_a_database(tmp_path: Path, args: tuple[str, ...]) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database, but someone's notes\n" * 200)
    out = _refused(f"sqlite:///{notes}", *args)
    assert "file is not a database" in out
    assert "does not exist" not in out
    assert notes.read_text() == "not a database, but someone's notes\n" * 200  # untouched


@pytest.mark.parametrize(
    "url",
    [
        "foo://somewhere/company",
        "company.db",
        "sqlite+nope:///x.db",
        "postgresql://planner@db.example:abc/company",  # a port that is not a number
        "mysql://planner@db.example/company",  # a database pegboard has no driver for
    ],
)
def test_a_url_pegboard_cannot_read(url: str) -> None:
    out = _refused(url, "report", "late")
    assert "PEGBOARD_DATABASE_URL is not a database pegboard can open" in out
    assert "sqlite:///FILE" in out


def test_an_unescaped_at_in_the_password_shows_none_of_it() -> None:
    out = _refused("postgresql://planner:pa@ss-word@127.0.0.1:1/company", "db", "status")
    assert "write an '@' in the password as %40" in out
    assert "//***@127.0.0.1:1/company" in out
    assert "ss-word" not in out and "pa@" not in out


def test_a_server_that_refuses_hides_the_password() -> None:
    out = _refused("postgresql://planner:s3cret-word@127.0.0.1:1/company", "report", "late")
    assert "cannot open the database postgresql+psycopg://planner:***@127.0.0.1:1/company" in out
    assert "s3cret-word" not in out
    assert "refused" in out.lower()


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL not available")
@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a))
def test_a_database_the_server_does_not_have(args: tuple[str, ...]) -> None:
    missing = PG_URL.rsplit("/", 1)[0] + "/pegboard_no_such_company"
    out = _refused(missing, *args)
    assert "cannot open the database" in out
    assert 'database "pegboard_no_such_company" does not exist' in out

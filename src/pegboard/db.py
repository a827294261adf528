"""Database engines, sessions and schema upgrades.

SQLite is the embedded default: foreign keys on, WAL so readers never block the
writer, and a busy timeout so concurrent writers wait instead of failing.
pysqlite's own transaction handling is switched off and SQLAlchemy emits the
BEGIN: a transaction that will write asks for ``BEGIN IMMEDIATE`` (see
``WRITE``), so it takes the write lock up front and waits for it, instead of
reading a snapshot and failing with "database is locked" when it upgrades.
PostgreSQL is reached through psycopg 3.

The adapters (web, API, CLI) take their types from here (``Engine``, ``Session``,
``sessionmaker``, ``DataError``): they never import SQLAlchemy, so they cannot build a
query (the import contract "The adapters build no queries" checks it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DataError, DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from pegboard.config import get_settings
from pegboard.errors import DatabaseUnavailableError, SchemaOutdatedError

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = [
    "BINARY_RESULTS",
    "LOCK_TIMEOUT_MS",
    "WRITE",
    "DataError",
    "Engine",
    "Session",
    "alembic_config",
    "current_revision",
    "ensure_schema",
    "head_revision",
    "is_initialised",
    "make_engine",
    "ping",
    "reachable",
    "session_factory",
    "session_scope",
    "sessionmaker",
    "shown_url",
    "upgrade",
]

LOCK_TIMEOUT_MS = 60_000
WRITE = "pegboard_write"
"""Execution option of a connection whose transaction writes: on SQLite it
begins with ``BEGIN IMMEDIATE``."""
BINARY_RESULTS = "pegboard_binary_results"
"""Execution option of a statement whose rows PostgreSQL sends in its binary format
(``_binary_results``): a bytea comes as its bytes, not as hex text twice as long.
SQLite has no such format; there the option does nothing."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event emits BEGIN
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA cache_size=-262144")  # 256 MiB: bulk loads and plans touch big indexes
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


def _binary_results(
    _conn: Connection, cursor: Any, _sql: str, _params: Any, context: Any, _many: bool
) -> None:
    """Ask psycopg for the statement's rows in binary (``BINARY_RESULTS``): the cursor is
    the statement's own, so later statements are not affected."""
    if context is not None and context.execution_options.get(BINARY_RESULTS):
        from psycopg import pq

        cursor.format = pq.Format.BINARY


def _sqlite_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get(WRITE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def shown_url(url: str) -> str:
    """``url`` as it may be printed: its password hidden (a URL that cannot be parsed
    loses everything between ``//`` and ``@``)."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        parsed = None
    if parsed is None or "@" in (parsed.host or ""):  # an unescaped "@" in a password
        return re.sub(r"//[^/]*@", "//***@", url)
    return parsed.render_as_string(hide_password=True)


def make_engine(url: str | None = None) -> Engine:
    """Create an engine for ``url`` (default: the configured ``PEGBOARD_DATABASE_URL``).

    A URL that names no database pegboard can open is refused here, in words."""
    settings = get_settings()
    url = url or settings.working_url()
    try:
        if "@" in (make_url(url).host or ""):
            raise DatabaseUnavailableError(
                f"PEGBOARD_DATABASE_URL has more than one '@' before its host: {shown_url(url)} "
                "(write an '@' in the password as %40)",
                url=shown_url(url),
            )
        return _engine(url)
    except (ArgumentError, ValueError, ImportError):
        # an unknown dialect (NoSuchModuleError), a port that is not a number, a
        # database whose driver pegboard does not ship (mysql://)
        raise DatabaseUnavailableError(
            f"PEGBOARD_DATABASE_URL is not a database pegboard can open: {shown_url(url)} "
            "(use sqlite:///FILE or postgresql://USER@HOST:PORT/DATABASE)",
            url=shown_url(url),
        ) from None


def reachable(engine: Engine) -> None:
    """Open one connection to ``engine``'s database, or say in one line which database
    cannot be opened and the driver's reason (a missing folder, a file that is not a
    database, a server that refuses): the check every command makes before its first
    query, so the failure is never a traceback. The connection goes back to the pool."""
    try:
        with engine.connect():
            pass
    except DBAPIError as e:
        where = engine.url.render_as_string(hide_password=True)
        reason = " ".join(str(e.orig or e).split()) or type(e.orig).__name__
        raise DatabaseUnavailableError(
            f"cannot open the database {where}: {reason}{_missing_folder(engine)} "
            "(check PEGBOARD_DATABASE_URL)",
            url=where,
        ) from None


def _missing_folder(engine: Engine) -> str:
    """Words for a SQLite file whose folder is missing (SQLite creates the file, not its
    folder, and its own message says only "unable to open database file")."""
    name = engine.url.database or ""
    if engine.dialect.name != "sqlite" or name in ("", ":memory:") or name.startswith("file:"):
        return ""
    folder = Path(name).expanduser().absolute().parent
    return "" if folder.is_dir() else f", folder {folder} does not exist"


def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # a writer waits at most a minute for a row lock, then gets a clear refusal
    # (services._tx) instead of hanging behind a session left open
    engine = create_engine(
        url, pool_pre_ping=True, connect_args={"options": f"-c lock_timeout={LOCK_TIMEOUT_MS}"}
    )
    event.listen(engine, "before_cursor_execute", _binary_results)
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def ping(session: Session) -> str:
    """Ask the database a trivial question (``SELECT 1``): a health check's proof that
    it answers. Returns the database's kind (``sqlite``, ``postgresql``)."""
    session.execute(text("SELECT 1"))
    return session.get_bind().dialect.name


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session whose transaction the called service owns (``with session.begin()``)."""
    with session_factory(engine)() as session:
        yield session


def alembic_config(engine: Engine) -> Config:
    # alembic is imported here, when a migration runs: loading it costs every other
    # command a third of a second (issue #18)
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(files("pegboard") / "migrations"))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine) -> None:
    """Create or upgrade the schema to the newest migration."""
    from alembic import command

    reachable(engine)
    command.upgrade(alembic_config(engine), "head")


def is_initialised(engine: Engine) -> bool:
    return inspect(engine).has_table("alembic_version")


def head_revision() -> str:
    """The newest migration's revision, read from the file names (``0009_locations.py`` is
    revision ``0009``): loading alembic's script directory costs a third of a second, which
    every command would pay. A test checks this against alembic's own head."""
    versions = files("pegboard") / "migrations" / "versions"
    revisions = [
        entry.name.split("_", 1)[0]
        for entry in versions.iterdir()
        if entry.name.endswith(".py") and entry.name[:4].isdigit()
    ]
    return max(revisions)


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at; ``None`` for a database without pegboard's
    tables (a new, empty file or database)."""
    reachable(engine)
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def ensure_schema(engine: Engine, *, command_name: str) -> None:
    """Make sure the schema is the one this pegboard needs, without migrating a database
    someone else uses: an empty database gets the schema created (the first command run
    against a new file or database), an outdated one is refused with the command to run."""
    current, head = current_revision(engine), head_revision()
    if current == head:
        return
    if current is None:
        with engine.connect() as conn:
            others = inspect(conn).get_table_names()
        if others:
            raise SchemaOutdatedError(
                f"this database has tables but no pegboard schema ({', '.join(sorted(others)[:5])}"
                f"{', …' if len(others) > 5 else ''}): point PEGBOARD_DATABASE_URL at a pegboard "
                "database or an empty one",
                current=None,
                head=head,
            )
        upgrade(engine)
        return
    if current > head:
        raise SchemaOutdatedError(
            f"the database schema is at revision {current}, newer than this pegboard "
            f"({head}): upgrade pegboard before running `pegboard {command_name}`",
            current=current,
            head=head,
        )
    raise SchemaOutdatedError(
        f"the database schema is at revision {current} and this pegboard needs {head}: "
        f"run `pegboard db upgrade` (it migrates the data), then `pegboard {command_name}` again",
        current=current,
        head=head,
    )

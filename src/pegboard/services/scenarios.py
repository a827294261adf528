"""What-if scenarios: whole copies of the company a planner can change and plan freely.

A scenario is a copy made by the database itself, never row by row: SQLite's online
backup writes a consistent copy of the live file's pages (readers and the writer
carry on), PostgreSQL's ``CREATE DATABASE … TEMPLATE`` clones the live database
when nobody else is connected to it, and ``pg_dump | psql`` (one consistent
snapshot, ``services.pg_copy``) copies it while a server or a planner works on it.
Where a scenario is kept follows from its name (``config.scenario_url``), so there
is no registry to get out of step with the copies, and nothing about a scenario is
ever written to the live company: its creation is recorded in the copy's own audit
trail. What changes between two of them: ``services.scenario_compare``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from pegboard import db
from pegboard.config import SCENARIO_NAME, get_settings, scenario_url
from pegboard.errors import ConflictError, NotFoundError, ValidationError
from pegboard.model import AuditEntry, PlanRun
from pegboard.model.enums import PlanRunStatus
from pegboard.services import audit, pg_copy

LIVE = "live"
"""The name that means the live company wherever a scenario name is asked for."""

MAX_SCENARIOS = 20
"""Each scenario is a whole copy of the company (hundreds of MiB at full size): enough
for the what-ifs a planner keeps side by side, not a disk filled by a loop."""


@dataclass(frozen=True)
class ScenarioInfo:
    name: str
    base: str
    author: str
    created_at: datetime | None
    planned_on: date | None
    """The planning date of the scenario's current plan (None: not planned yet)."""


def _check_name(name: str) -> None:
    if name == LIVE:
        raise ValidationError(f"{LIVE!r} is the live company, not a scenario name")
    if not SCENARIO_NAME.fullmatch(name):
        raise ValidationError(
            f"scenario name {name!r}: use 1-40 lowercase letters, digits and dashes, "
            "starting with a letter or digit",
            field="name",
            value=name,
        )


def _live(live: str | None = None) -> str:
    return live or get_settings().normalized_url()


def url_of(name: str | None, *, live: str | None = None) -> str:
    """The URL of scenario ``name`` (``None`` or ``live``: the live company); ``live`` is
    the live company's URL (default: the configured one)."""
    if name is None or name == LIVE:
        return _live(live)
    _check_name(name)
    return scenario_url(_live(live), name)


def _sqlite_file(url: str) -> Path:
    database = make_url(url).database
    if not database:
        raise ValidationError("an in-memory SQLite database has no scenarios")
    return Path(database)


@contextmanager
def _admin(live: str) -> Iterator[Engine]:
    """An autocommit engine on the PostgreSQL server's maintenance database."""
    engine = create_engine(make_url(live).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        yield engine
    finally:
        engine.dispose()


def _pg_names(live: str) -> list[str]:
    prefix = f"{make_url(live).database}__"
    with _admin(live) as admin, admin.connect() as conn:
        names = conn.execute(
            text("SELECT datname FROM pg_database WHERE starts_with(datname, :prefix)"),
            {"prefix": prefix},
        ).scalars()
        return sorted(n[len(prefix) :] for n in names if SCENARIO_NAME.fullmatch(n[len(prefix) :]))


def names(*, live: str | None = None) -> list[str]:
    """The scenarios of the live company, by name."""
    live = _live(live)
    if live.startswith("sqlite"):
        folder = Path(_sqlite_file(scenario_url(live, "x"))).parent
        if not folder.is_dir():
            return []
        return sorted(p.stem for p in folder.glob("*.db") if SCENARIO_NAME.fullmatch(p.stem))
    return _pg_names(live)


def exists(name: str, *, live: str | None = None) -> bool:
    return name == LIVE or name in names(live=live)


def require(name: str, *, live: str | None = None) -> None:
    """Refuse a scenario that does not exist, naming the ones that do."""
    if name == LIVE:
        return
    _check_name(name)
    known_names = names(live=live)
    if name not in known_names:
        known = ", ".join(known_names) or "none yet"
        raise NotFoundError(
            f"no scenario {name!r} (scenarios: {known}; `pegboard scenario create {name}`)",
            scenario=name,
        )


def sessions_for(
    cache: dict[str, sessionmaker[Session]], name: str, *, live: str
) -> sessionmaker[Session]:
    """Sessions on scenario ``name`` of the company at ``live``, one engine per scenario
    kept in ``cache`` (a server's); a scenario deleted since is refused, never reached."""
    require(name, live=live)
    if name not in cache:
        cache[name] = db.session_factory(db.make_engine(url_of(name, live=live)))
    return cache[name]


def dispose_all(cache: dict[str, sessionmaker[Session]]) -> None:
    """Close the engines of ``sessions_for``'s cache (a server stopping)."""
    for sessions in cache.values():
        bind = sessions.kw.get("bind")
        if isinstance(bind, Engine):
            bind.dispose()
    cache.clear()


def create(
    name: str, *, base: str | None = None, author: str, live: str | None = None
) -> ScenarioInfo:
    """Copy the live company (or scenario ``base``) into a new scenario ``name``; at most
    ``MAX_SCENARIOS`` are kept, each a whole company on disk."""
    _check_name(name)
    known = names(live=live)
    if name in known:
        raise ConflictError(f"scenario {name!r} exists already", scenario=name)
    if len(known) >= MAX_SCENARIOS:
        raise ConflictError(
            f"there are {len(known)} scenarios already, the most kept at once: delete one "
            "you no longer need first",
            limit=MAX_SCENARIOS,
        )
    if base not in (None, LIVE):
        require(base, live=live)
    source, target = url_of(base, live=live), url_of(name, live=live)
    _check_schema(source)
    if source.startswith("sqlite"):
        _copy_sqlite(source, _sqlite_file(target))
    else:
        _copy_postgresql(source, target)
    engine = db.make_engine(target)
    try:
        with db.session_scope(engine) as session, session.begin():
            audit.record(
                session,
                author=author,
                entity="scenario",
                ref=name,
                action="create",
                after={"base": base or LIVE},
                note=f"copied from {base or 'the live company'}",
            )
    finally:
        engine.dispose()
    return info(name, live=live)


def _check_schema(url: str) -> None:
    engine = db.make_engine(url)
    try:
        db.ensure_schema(engine, command_name="scenario create")
    finally:
        engine.dispose()


def _copy_sqlite(source: str, target: Path) -> None:
    """SQLite's online backup, in one step: the live file's pages copied as they are
    under one read transaction, so the copy is the company as last committed while its
    readers and writer carry on. ``VACUUM INTO`` (the first way) rebuilds every table and
    index instead: at full size (1.1 GiB) it took 2.3 times the CPU and 2.5 to 3 times
    the wall time. A copy that fails leaves no file behind to pass for a scenario."""
    target.parent.mkdir(parents=True, exist_ok=True)
    engine = db.make_engine(source)
    raw = engine.raw_connection()
    try:
        copy = sqlite3.connect(str(target))
        try:
            raw.driver_connection.backup(copy, pages=-1)  # type: ignore[union-attr]
        finally:
            copy.close()
    except BaseException:
        for extra in ("", "-journal", "-wal", "-shm"):
            Path(str(target) + extra).unlink(missing_ok=True)
        raise
    finally:
        raw.close()
        engine.dispose()


def _copy_postgresql(source: str, target: str) -> None:
    """Clone with ``TEMPLATE`` (a file-level copy, the fastest) when nobody else is
    connected to the source, else with the server's own dump and restore tools, which
    read one consistent snapshot while a server and planners carry on."""
    source_db, target_db = str(make_url(source).database), str(make_url(target).database)
    with _admin(source) as admin, admin.connect() as conn:
        quote = conn.dialect.identifier_preparer.quote
        if _others_connected(conn, source_db) == 0:
            try:
                conn.exec_driver_sql(
                    f"CREATE DATABASE {quote(target_db)} TEMPLATE {quote(source_db)}"
                )
                return
            except DBAPIError as e:
                if getattr(e.orig, "sqlstate", None) != "55006":  # object_in_use: dump instead
                    raise
        conn.exec_driver_sql(f"CREATE DATABASE {quote(target_db)} TEMPLATE template0")
        try:
            pg_copy.dump_into(source, target)
        except BaseException:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {quote(target_db)} WITH (FORCE)")
            raise


def _others_connected(conn: Connection, database: str) -> int:
    return int(
        conn.execute(
            text("SELECT count(*) FROM pg_stat_activity WHERE datname = :db"), {"db": database}
        ).scalar_one()
    )


def delete(
    name: str,
    *,
    live: str | None = None,
    cache: dict[str, sessionmaker[Session]] | None = None,
) -> None:
    """Remove scenario ``name`` and everything in it (never the live company); a server
    passes its ``sessions_for`` cache, whose engine on the scenario is closed first."""
    _check_name(name)
    require(name, live=live)
    if cache is not None and name in cache:
        dispose_all({name: cache.pop(name)})
    target = url_of(name, live=live)
    if target.startswith("sqlite"):
        path = _sqlite_file(target)
        for extra in ("-wal", "-shm", "-journal"):
            Path(str(path) + extra).unlink(missing_ok=True)
        path.unlink()
        return
    with _admin(target) as admin, admin.connect() as conn:
        quote = conn.dialect.identifier_preparer.quote
        try:
            conn.exec_driver_sql(f"DROP DATABASE {quote(str(make_url(target).database))}")
        except DBAPIError as e:
            if getattr(e.orig, "sqlstate", None) == "55006":
                raise ConflictError(
                    f"scenario {name!r} is in use (a server or a terminal works on it): "
                    "stop them and try again",
                    scenario=name,
                ) from None
            raise


def info(name: str, *, live: str | None = None) -> ScenarioInfo:
    """What the scenario's own audit trail and plan say about it."""
    engine = db.make_engine(url_of(name, live=live))
    try:
        with db.session_scope(engine) as session:
            created = session.scalars(
                select(AuditEntry)
                .where(AuditEntry.entity == "scenario", AuditEntry.action == "create")
                .order_by(AuditEntry.id.desc())
                .limit(1)
            ).first()
            planned_on = session.scalar(
                select(PlanRun.planning_date)
                .where(PlanRun.status == PlanRunStatus.DONE)
                .order_by(PlanRun.id.desc())
                .limit(1)
            )
    finally:
        engine.dispose()
    base = str((created.after or {}).get("base", "?")) if created else "?"
    return ScenarioInfo(
        name=name,
        base=base,
        author=created.author if created else "?",
        created_at=created.at if created else None,
        planned_on=planned_on,
    )


def list_all(*, live: str | None = None) -> list[ScenarioInfo]:
    return [info(n, live=live) for n in names(live=live)]

"""A company's BOM lines keep their foreign keys when PostgreSQL checks them once for
all the lines instead of row by row (``services.pg_key_checks``, #18): the same lines
whichever role imports, a role that may not skip the per-row checks keeps them, and a
key without its row fails the write (both databases where it applies)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pegboard import db
from pegboard.bundle.importer import read_bundle
from pegboard.model import Bom, BomLine, Item
from pegboard.services.bom_lines_write import write_bom_lines
from pegboard.services.company_data import replace_company
from pegboard.services.pg_key_checks import MissingKeyError, check_keys, may_skip_row_checks

BASIC = Path(__file__).parents[1] / "scenarios" / "basic" / "bundle"
_GRANTS_LOCK = 718_180_001
"""The advisory lock of the tests that grant on a parameter (``_parameter_grants``)."""


def _lines(session: Session) -> list[tuple[str, str, str, int, str, float, float]]:
    """The BOMs and their lines as an import leaves them, by codes (ids differ between
    imports)."""
    parent = Item.__table__.alias("parent")
    stmt = (
        select(
            Bom.number,
            Bom.kind,
            parent.c.code,
            BomLine.position,
            Item.code,
            BomLine.qty_per,
            BomLine.scrap_pct,
        )
        .join(Bom, Bom.id == BomLine.bom_id)
        .join(Item, Item.id == BomLine.component_id)
        .join(parent, parent.c.id == Bom.item_id)
        .order_by(Bom.number, BomLine.position)
    )
    with session.begin():
        return [tuple(row) for row in session.execute(stmt)]  # type: ignore[misc]


@pytest.fixture
def plain_role(engine: Engine) -> Iterator[Engine]:
    """The test database through a role that is no superuser and may only read and write
    the tables (PostgreSQL): what a team's application role usually is."""
    if engine.dialect.name != "postgresql":
        pytest.skip("roles are PostgreSQL's")
    name = f"pegboard_plain_{os.getpid()}"
    password = secrets.token_hex(16)  # a server that asks for passwords asks this role too
    with engine.connect() as conn:
        conn.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
        conn.execute(text(f"CREATE ROLE \"{name}\" LOGIN PASSWORD '{password}'"))
        conn.execute(text(f'GRANT ALL ON ALL TABLES IN SCHEMA public TO "{name}"'))
        conn.execute(text(f'GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO "{name}"'))
        conn.commit()
    url = engine.url.set(username=name, password=password)
    plain = db.make_engine(url.render_as_string(hide_password=False))
    try:
        yield plain
    finally:
        plain.dispose()
        with engine.connect() as conn:
            conn.execute(text(f'DROP OWNED BY "{name}"'))
            conn.execute(text(f'DROP ROLE "{name}"'))
            conn.commit()


def test_the_import_writes_the_same_lines_whoever_imports(
    engine: Engine, session: Session, plain_role: Engine
) -> None:
    with engine.connect() as conn:
        assert may_skip_row_checks(conn)  # the tests' superuser: checked at once
    with plain_role.connect() as conn:
        assert not may_skip_row_checks(conn)  # row by row
    replace_company(session, read_bundle(BASIC), author="test")
    at_once = _lines(session)
    with db.session_scope(plain_role) as plain:
        replace_company(plain, read_bundle(BASIC), author="test")
        row_by_row = _lines(plain)
    assert at_once == row_by_row
    assert len(at_once) == len((BASIC / "bom.csv").read_text().splitlines()) - 1  # its header


def test_a_role_granted_the_setting_checks_at_once(engine: Engine, plain_role: Engine) -> None:
    if (engine.dialect.server_version_info or (0,)) < (15,):
        pytest.skip("GRANT SET ON PARAMETER is PostgreSQL 15's")
    name = plain_role.url.username
    with _parameter_grants(engine), engine.connect() as conn:
        conn.execute(text(f'GRANT SET ON PARAMETER session_replication_role TO "{name}"'))
        conn.commit()
        try:
            with plain_role.connect() as plain:
                assert may_skip_row_checks(plain)
        finally:
            conn.execute(text(f'REVOKE SET ON PARAMETER session_replication_role FROM "{name}"'))
            conn.commit()


@contextmanager
def _parameter_grants(engine: Engine) -> Iterator[None]:
    """One test run at a time grants on a parameter: the grants are the whole cluster's
    (``pg_parameter_acl``), and two runs granting and revoking at once collide there
    ("tuple concurrently updated"). The lock is taken in the cluster's ``postgres``
    database, which every run's databases share (an advisory lock is a database's)."""
    shared = create_engine(engine.url.set(database="postgres"))
    try:
        with shared.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _GRANTS_LOCK})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _GRANTS_LOCK})
    finally:
        shared.dispose()


def test_sqlite_checks_its_keys_as_it_does(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's case is the tests above")
    with engine.connect() as conn:
        assert not may_skip_row_checks(conn)


def test_a_line_naming_no_item_fails_and_leaves_nothing(engine: Engine, session: Session) -> None:
    replace_company(session, read_bundle(BASIC), author="test")
    before = _lines(session)
    with session.begin():
        first = session.execute(select(BomLine.bom_id, BomLine.component_id)).first()
        assert first is not None
        bom, item = first
        missing = (session.scalar(select(Item.id).order_by(Item.id.desc())) or 0) + 1000
    with pytest.raises((MissingKeyError, IntegrityError)) as failed, session.begin():
        write_bom_lines(
            session.connection(),
            np.array([bom, bom]),
            np.array([item, missing]),
            [1.0, 2.0],
            [0.0, 0.0],
        )
    if engine.dialect.name == "postgresql":
        assert isinstance(failed.value, MissingKeyError)
        assert failed.value.params["columns"] == "component_id"
        assert failed.value.params["values"] == [missing]
        assert "names no row of item" in failed.value.message
    else:  # SQLite refuses the row itself
        assert isinstance(failed.value, IntegrityError)
    assert _lines(session) == before


def test_check_keys_finds_a_key_without_its_row(engine: Engine, session: Session) -> None:
    """The check itself, on a line written while keys are not enforced row by row
    (SQLite: deferred to the commit; PostgreSQL: the replica role)."""
    replace_company(session, read_bundle(BASIC), author="test")
    with session.begin():
        conn = session.connection()
        check_keys(conn, BomLine.__table__)  # an import's lines: every key has its row
        if engine.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            conn.execute(text("PRAGMA defer_foreign_keys = ON"))
        bom = session.scalar(select(BomLine.bom_id))
        conn.execute(
            BomLine.__table__.insert().values(
                bom_id=bom, position=99, component_id=10**6, qty_per=1, scrap_pct=0
            )
        )
        with pytest.raises(MissingKeyError, match=r"bom_line.component_id = \(1000000,\)"):
            check_keys(conn, BomLine.__table__)
        session.rollback()


def test_a_key_to_its_own_table_is_looked_up_in_another_row(
    engine: Engine, session: Session
) -> None:
    """A BOM's parent BOM: a parent that is there passes, one that is not fails."""
    replace_company(session, read_bundle(BASIC), author="test")
    with session.begin():
        conn = session.connection()
        first, second = session.scalars(select(Bom.id).order_by(Bom.id).limit(2)).all()
        conn.execute(Bom.__table__.update().where(Bom.id == second).values(parent_bom_id=first))
        check_keys(conn, Bom.__table__)  # the parent is there
        if engine.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            conn.execute(text("PRAGMA defer_foreign_keys = ON"))
        missing = second + 10**6
        conn.execute(Bom.__table__.update().where(Bom.id == first).values(parent_bom_id=missing))
        with pytest.raises(MissingKeyError, match=rf"bom.parent_bom_id = \({missing},\)"):
            check_keys(conn, Bom.__table__)
        session.rollback()

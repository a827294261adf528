"""``pegboard db upgrade`` of a company planned before the pegging's ref indexes were
byte-wise on PostgreSQL (#18): the revision rebuilds the current plan's two indexes in
``varchar_pattern_ops`` and its downgrade rebuilds them in the collation's order again;
SQLite's stay as they are (both databases)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from test_db_upgrade import blank

from _pegging_indexes import INDEXES, assert_byte_wise, definitions
from pegboard import db
from pegboard.bundle.importer import read_bundle
from pegboard.services.company_data import replace_company
from pegboard.services.planning import run_plan

__all__ = ["blank"]
BASIC = Path(__file__).parents[1] / "scenarios" / "basic" / "bundle"


def _before(engine: Engine) -> str:
    """The revision before the one that made the indexes byte-wise (its doc's words)."""
    script = ScriptDirectory.from_config(db.alembic_config(engine))
    (made,) = [r for r in script.walk_revisions() if (r.doc or "").startswith("pegging's ref")]
    assert isinstance(made.down_revision, str)
    return made.down_revision


def test_the_ref_indexes_go_byte_wise_and_back(blank: str) -> None:
    engine = db.make_engine(blank)  # a database of its own: its schema goes down and up
    try:
        db.upgrade(engine)
        with db.session_scope(engine) as session:
            replace_company(session, read_bundle(BASIC), author="test")
            run_plan(session, author="test")
        config = db.alembic_config(engine)
        command.downgrade(config, _before(engine))
        found = definitions(engine)
        assert set(found) == INDEXES
        assert not any("pattern_ops" in sql for sql in found.values())
        command.upgrade(config, "head")
        assert db.current_revision(engine) == db.head_revision()
        assert_byte_wise(engine)
    finally:
        engine.dispose()

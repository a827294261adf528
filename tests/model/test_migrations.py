"""The migrations build exactly the schema the models declare, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from pegboard import db
from pegboard.model import Base


def test_upgrade_head_matches_models(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_upgrade_is_idempotent(engine: Engine) -> None:
    db.upgrade(engine)
    db.upgrade(engine)
    assert db.is_initialised(engine)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())

"""Alembic environment: runs on the engine that ``pegboard.db.upgrade`` passes in."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from pegboard.config import get_settings
from pegboard.db import make_engine
from pegboard.model import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if not isinstance(engine, Engine):
        engine = make_engine(get_settings().normalized_url())
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()

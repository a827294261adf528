"""What the pegging's ref indexes look like in a database (#18): the tests of the plan
that builds them and of the revision that rebuilds them share it."""

from __future__ import annotations

from sqlalchemy import Engine, text

INDEXES = {"ix_pegging_supply", "ix_pegging_demand"}


def definitions(engine: Engine) -> dict[str, str]:
    """Each ref index's definition as the database states it."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            query = "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'pegging'"
        else:
            query = "SELECT name, sql FROM sqlite_master WHERE tbl_name = 'pegging'"
        return {name: str(sql) for name, sql in conn.execute(text(query)) if name in INDEXES}


def assert_byte_wise(engine: Engine) -> None:
    """Both ref indexes are there; on PostgreSQL in the pattern operator class."""
    found = definitions(engine)
    assert set(found) == INDEXES
    if engine.dialect.name != "postgresql":
        assert not any("pattern_ops" in sql for sql in found.values())
        return
    assert "(supply_ref varchar_pattern_ops, item_id)" in found["ix_pegging_supply"]
    assert "(demand_ref varchar_pattern_ops)" in found["ix_pegging_demand"]

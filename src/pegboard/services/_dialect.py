"""The dialect's own ``INSERT … ON CONFLICT`` construct, imported when first asked for.

Importing SQLAlchemy's PostgreSQL dialect costs about a third of a second of CPU; the
services package is loaded by every command, so a module-level import made every
SQLite command (``pegboard report late``) pay it. Both constructs offer
``on_conflict_do_update`` and ``on_conflict_do_nothing``.
"""

from __future__ import annotations

from typing import Any


def insert_for(dialect: str) -> Any:
    """``insert`` of ``sqlalchemy.dialects.postgresql`` for PostgreSQL, else SQLite's."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert

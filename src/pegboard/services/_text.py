"""No NUL character reaches the database, from any service, on either database.

PostgreSQL refuses a NUL in text (and the driver's error names no field); SQLite
stores it silently, so the same data would not move to PostgreSQL. Every string
attribute of every new or changed row is checked before a flush, and a NUL is a
``ValidationError`` naming the table and column (``item.description``): one check
for every service, so no adapter or rule can forget it. (Bulk loads write through
the bundle reader, which refuses NUL with the file, line and column.)
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from pegboard.errors import ValidationError


def _refuse_nul(session: Session, _context: Any, _instances: Any) -> None:
    for row in (*session.new, *session.dirty):
        state = inspect(row)
        for attr in state.mapper.column_attrs:
            value = state.attrs[attr.key].loaded_value
            if isinstance(value, str) and "\x00" in value:
                field = f"{state.mapper.local_table.name}.{attr.key}"
                raise ValidationError(
                    f"{field} holds a NUL character (\\x00), which cannot be stored",
                    field=attr.key,
                    table=state.mapper.local_table.name,
                )


def install() -> None:
    """Check every session's flush (idempotent)."""
    if not event.contains(Session, "before_flush", _refuse_nul):
        event.listen(Session, "before_flush", _refuse_nul)

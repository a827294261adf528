"""Large results read as plain tuples and NumPy columns, not as SQLAlchemy rows.

The load and the finite schedule read hundreds of thousands of routing operations,
orders and pegging rows of a full-size plan. Wrapping each in a ``Row`` and
running each value through a result processor cost more than the query; the DBAPI
cursor's own tuples, transposed in C and turned into arrays a column at a time, do
not. Dates come back as ISO text on SQLite and as ``date`` on PostgreSQL:
``ordinals`` reads both.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection
from sqlalchemy.sql import Select

IntArray = npt.NDArray[np.int64]
_EPOCH = date(1970, 1, 1).toordinal()


def tuples(conn: Connection, stmt: Select[*tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The rows of ``stmt`` as the driver's plain tuples."""
    result = conn.execute(stmt)
    try:
        cursor = result.cursor
        return list(cursor.fetchall()) if cursor is not None else []
    finally:
        result.close()


def columns(conn: Connection, stmt: Select[*tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The rows of ``stmt`` as one tuple per selected column (empty ones when none)."""
    rows = tuples(conn, stmt)
    if not rows:
        return [() for _ in stmt.selected_columns]
    return list(zip(*rows, strict=True))


def ordinals(values: tuple[Any, ...] | list[Any]) -> IntArray:
    """Day ordinals (``date.toordinal``) of a column of dates or ISO texts, no NULLs,
    in one NumPy conversion."""
    if not len(values):
        return np.empty(0, dtype=np.int64)
    days = np.array(values, dtype="datetime64[D]").astype(np.int64)
    return days + _EPOCH


def days(values: list[Any]) -> dict[Any, date]:
    """Each distinct value of a date column (``date`` or ISO text) as its ``date``:
    a plan's hundreds of thousands of dates fall on a few hundred days."""
    return {v: v if isinstance(v, date) else date.fromisoformat(v) for v in set(values)}

"""SQLite inserts of integer columns many rows a statement (``INSERT ... VALUES (...),
(...)``), for a plan's millions of narrow rows.

``_bulk``'s row-per-statement ``executemany`` spends about 0.5 us a row stepping and
resetting the statement, whatever its width: for the reference shape's 3.7 M narrow
shortage rows (four integers each) that was more than SQLite's own insert. A
statement of ``ROWS_PER_STATEMENT`` rows halves it. Kept apart from ``_bulk`` because
it works on NumPy arrays, which ``_bulk``'s light importers (a bundle import's
commands) need not load.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any, cast

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from pegboard.services._bulk import _literal
from pegboard.services._bulk import _null_adapter as null_adapter

ROWS_PER_STATEMENT = 200
"""Rows of one statement: about half the CPU of a statement per row already at 50
rows, little more gained past 200 (and the values a statement binds, rows x
columns, stay far below SQLite's limit of 32,766)."""

NULL_MARK = -1
"""In a nullable column (``insert_integers(nullable=...)``), the value written as NULL."""


def insert_integers(
    conn: Connection,
    table: str,
    data: Mapping[str, npt.NDArray[np.integer]],
    *,
    nullable: Sequence[str] = (),
    same: Mapping[str, int | str] | None = None,
) -> int:
    """Insert equal-length integer arrays ``{name: values}`` into ``table``, in order
    (rowids follow it), ``ROWS_PER_STATEMENT`` rows a statement; returns the count.

    ``nullable`` columns hold NULL where they hold ``NULL_MARK`` (``NULLIF`` in the
    statement: no Python ``None`` per value); ``same`` are constant columns written as
    literals (an integer or a plain word, as ``bulk_insert_columns``' ``same``). The
    rows go as one grid of int64, each statement's values one row of it, converted to
    Python integers by a single ``tolist``.
    """
    names = list(data)
    marks = [f"NULLIF(?, {NULL_MARK})" if name in nullable else "?" for name in names]
    fixed = {name: _literal(value) for name, value in dict(same or {}).items()}
    row = f"({', '.join([*marks, *fixed.values()])})"
    head = f"INSERT INTO {table} ({', '.join([*names, *fixed])}) VALUES "
    grid = np.column_stack([np.asarray(data[name], dtype=np.int64) for name in names])
    return _statements(conn, head, row, grid, ROWS_PER_STATEMENT)


MAX_VALUES = 32_766
"""SQLite's limit on the values one statement binds (since 3.32)."""


def insert_columns(
    conn: Connection,
    table: str,
    data: Mapping[str, Sequence[Any]],
    *,
    same: Mapping[str, int | str] | None = None,
) -> int:
    """Insert equal-length columns of any values SQLite binds (texts, numbers, ``None``)
    into ``table``, in order, ``ROWS_PER_STATEMENT`` rows a statement (fewer for wide
    rows); returns the count.

    The columns are laid side by side in one grid of Python objects, whose rows are
    then cut into statements by a reshape and turned into lists by a single ``tolist``:
    no tuple per row, and a tenth less time than a statement per row for the plan's
    millions of pegging rows (4.6 M: 5.98-6.24 -> 5.45-5.57 s CPU). ``same`` as in
    ``insert_integers``.
    """
    names = list(data)
    if not names:
        return 0
    n = len(data[names[0]])
    grid = np.empty((n, len(names)), dtype=object)
    for k, name in enumerate(names):
        grid[:, k] = data[name]
    fixed = {name: _literal(value) for name, value in dict(same or {}).items()}
    row = f"({', '.join(['?'] * len(names) + list(fixed.values()))})"
    head = f"INSERT INTO {table} ({', '.join([*names, *fixed])}) VALUES "
    null_adapter()
    return _statements(
        conn, head, row, grid, max(1, min(ROWS_PER_STATEMENT, MAX_VALUES // len(names)))
    )


def _statements(conn: Connection, head: str, row: str, grid: np.ndarray, per: int) -> int:
    """Insert ``grid``'s rows (``head`` then ``row``'s marks per row), ``per`` rows a
    statement and the rest one a statement, each statement's values one row of the
    reshaped grid; errors are raised as SQLAlchemy's. Returns the rows written."""
    n = len(grid)
    whole = n // per * per
    raw = cast(sqlite3.Connection, conn.connection.dbapi_connection)
    cursor = raw.cursor()
    sql = head + ", ".join([row] * per)
    try:
        if whole:
            cursor.executemany(sql, grid[:whole].reshape(whole // per, -1).tolist())
        if whole < n:
            sql = head + row
            cursor.executemany(sql, grid[whole:].tolist())
    except sqlite3.Error as e:
        raise DBAPIError.instance(sql, None, e, sqlite3.Error) from e
    finally:
        cursor.close()
    return n

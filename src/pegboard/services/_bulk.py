"""Bulk writes: COPY on PostgreSQL, one executemany on SQLite.

A planning bundle or a plan has millions of rows; building one ORM object (or
even one dict) per row would cost more than the database work itself. Callers
hand over columns (``bulk_insert_columns``) when they have them, so that
conversions happen once per column rather than once per value.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, delete
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    import psycopg

    from pegboard.model import Base  # annotations only: importing it declares every table


def _sqlite_value(value: Any) -> Any:
    """Dates as ISO text; exact decimals as their text, which a NUMERIC column stores as
    the number it spells (sqlite3 binds no ``Decimal``)."""
    if isinstance(value, date):
        return value.isoformat()
    return str(value) if isinstance(value, Decimal) else value


def _iso_column(values: Sequence[Any]) -> Sequence[Any]:
    """SQLite stores dates as ISO text; convert a date column once per distinct day."""
    first = next((v for v in values if v is not None), None)
    if isinstance(first, Decimal):
        return [None if v is None else str(v) for v in values]
    if not isinstance(first, date):
        return values
    texts = {d: d.isoformat() for d in set(values) if d is not None}
    texts_get = texts.get
    return [texts_get(v) for v in values]


_BINDS_AS_IS = frozenset({int, float, str, bytes, bool, type(None)})
"""The types sqlite3 binds without an adapter (None through ``_null_adapter``'s)."""


def _bindable(values: Sequence[Any]) -> Sequence[Any]:
    """A column of a row-wise insert as sqlite3 binds it: converted only when it holds a
    date or a Decimal (what ``_sqlite_value`` converts), and then through one pass over
    the column, not one function call per value of every column (a BOM's million rows
    spent more in that call than in the insert)."""
    kinds = set(map(type, values))
    if kinds <= _BINDS_AS_IS:
        return values
    if kinds <= {date, type(None)}:
        return _iso_column(values)
    return [_sqlite_value(v) for v in values]


def _copy(conn: Connection, table: str, names: str, rows: Iterable[Sequence[Any]]) -> int:
    """COPY ``rows``, sent by psycopg's queued writer: its thread sends what is written
    while this one formats the next rows, so the server works at the same time."""
    from psycopg.copy import QueuedLibpqWriter

    raw = cast("psycopg.Connection[Any]", conn.connection.dbapi_connection)
    count = 0
    sql = f"COPY {table} ({names}) FROM STDIN"
    with raw.cursor() as cur, cur.copy(sql, writer=QueuedLibpqWriter(cur)) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def bulk_insert(
    conn: Connection, model: type[Base], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert ``rows`` (tuples in ``columns`` order) into ``model``'s table; returns the count."""
    names = ", ".join(columns)
    table = model.__tablename__
    if conn.dialect.name == "postgresql":
        return _copy(conn, table, names, rows)
    materialised = list(rows)
    if not materialised:
        return 0
    bound = [_bindable(column) for column in zip(*materialised, strict=True)]
    return _sqlite_executemany(conn, table, columns, zip(*bound, strict=True))


def bulk_insert_columns(
    conn: Connection,
    model: type[Base],
    data: Mapping[str, Sequence[Any]],
    *,
    same: Mapping[str, int | str] | None = None,
) -> int:
    """Insert equal-length columns ``{name: values}`` into ``model``'s table.

    ``same`` are columns holding one value in every row (a plan's run id, a kind):
    SQLite takes them as literals of the statement instead of binding them per row
    (a fifth less time for the plan's narrow shortage rows); COPY repeats them
    (psycopg's compiled ``write_row`` beat text blocks joined in Python). They are
    ours, never a user's text (refused if not an integer or a plain word).
    """
    fixed = dict(same or {})
    literals = {name: _literal(value) for name, value in fixed.items()}
    names = list(data)
    table = model.__tablename__
    if conn.dialect.name == "postgresql":
        n = len(next(iter(data.values()))) if data else 0
        every = {**data, **{name: [value] * n for name, value in fixed.items()}}
        return _copy(conn, table, ", ".join(every), zip(*every.values(), strict=True))
    columns = [_iso_column(data[n]) for n in names]
    return _sqlite_executemany(conn, table, names, zip(*columns, strict=True), literals)


def _literal(value: int | str) -> str:
    """A constant column's value as an SQL literal: an integer, or a word of letters,
    digits and underscores (nothing to quote or escape)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"constant column value {value!r}: an integer or a word")
    if isinstance(value, int):
        return str(value)
    if not value.replace("_", "").isalnum() or not value.isascii():
        raise ValueError(f"constant column value {value!r}: not a plain word")
    return f"'{value}'"


def _sqlite_executemany(
    conn: Connection,
    table: str,
    columns: Sequence[str],
    rows: Iterable[tuple[Any, ...]],
    constants: Mapping[str, str] | None = None,
) -> int:
    """One executemany fed by an iterator (no list of millions of tuples); errors are
    raised as SQLAlchemy's, like any other statement's. ``constants`` are literals
    written into the statement after the bound columns."""
    fixed = dict(constants or {})
    marks = ", ".join(["?"] * len(columns) + list(fixed.values()))
    sql = f"INSERT INTO {table} ({', '.join([*columns, *fixed])}) VALUES ({marks})"
    raw = cast(sqlite3.Connection, conn.connection.dbapi_connection)
    cursor = raw.cursor()
    _null_adapter()
    try:
        cursor.executemany(sql, rows)
        count: int = cursor.rowcount
    except sqlite3.Error as e:
        raise DBAPIError.instance(sql, None, e, sqlite3.Error) from e
    finally:
        cursor.close()
    return max(count, 0)


def _null_adapter() -> None:
    """Bind ``None`` through an adapter that hands it back (``{}.get`` returns None).

    The sqlite3 module looks for ``__adapt__`` and ``__conform__`` on every value
    that is not an int, float, str or bytes, raising and clearing two AttributeErrors
    per NULL: a million NULLs cost a second. An adapter registered for ``None`` is
    found in one dict look-up and still binds NULL, for every connection alike.
    """
    key = (type(None), sqlite3.PrepareProtocol)
    if key not in sqlite3.adapters:
        null: dict[None, None] = {}
        sqlite3.register_adapter(type(None), null.get)


def delete_all(conn: Connection, models: Iterable[type[Base]]) -> None:
    """Empty the tables of ``models`` (children first), inside the caller's transaction."""
    for model in models:
        conn.execute(delete(model))

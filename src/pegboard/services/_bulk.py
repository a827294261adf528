"""Bulk writes: COPY on PostgreSQL, executemany of tuples on SQLite.

A planning bundle or a plan has millions of rows; building one ORM object (or
even one dict) per row would cost more than the database work itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, delete

from pegboard.model import Base

if TYPE_CHECKING:
    import psycopg

_CHUNK = 50_000


def _sqlite_value(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    return value


def bulk_insert(
    conn: Connection, model: type[Base], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert ``rows`` (tuples in ``columns`` order) into ``model``'s table; returns the count."""
    names = ", ".join(columns)
    if conn.dialect.name == "postgresql":
        raw = cast("psycopg.Connection[Any]", conn.connection.dbapi_connection)
        count = 0
        with (
            raw.cursor() as cur,
            cur.copy(f"COPY {model.__tablename__} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    sql = f"INSERT INTO {model.__tablename__} ({names}) VALUES ({', '.join('?' * len(columns))})"
    count = 0
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(tuple(_sqlite_value(v) for v in row))
        if len(chunk) >= _CHUNK:
            conn.exec_driver_sql(sql, chunk)
            count += len(chunk)
            chunk = []
    if chunk:
        conn.exec_driver_sql(sql, chunk)
        count += len(chunk)
    return count


def delete_all(conn: Connection, models: Iterable[type[Base]]) -> None:
    """Empty the tables of ``models`` (children first), inside the caller's transaction."""
    for model in models:
        conn.execute(delete(model))

"""Large results read as plain tuples and NumPy columns, not as SQLAlchemy rows.

The load and the finite schedule read hundreds of thousands of routing operations,
orders and pegging rows of a full-size plan. Wrapping each in a ``Row`` and
running each value through a result processor cost more than the query; the DBAPI
cursor's own tuples, transposed in C and turned into arrays a column at a time, do
not. Dates come back as ISO text on SQLite and as ``date`` on PostgreSQL:
``ordinals`` reads both.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, Double, LargeBinary, func, literal, select
from sqlalchemy.engine.interfaces import DBAPICursor
from sqlalchemy.sql import ColumnElement, Select

from pegboard.db import BINARY_RESULTS

IntArray = npt.NDArray[np.int64]
_N = TypeVar("_N", bound=np.generic)
_EPOCH = date(1970, 1, 1).toordinal()
CHUNK = 8192
"""Rows read at a time by the streaming readers."""


def tuples(conn: Connection, stmt: Select[*tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The rows of ``stmt`` as the driver's plain tuples."""
    result = conn.execute(stmt)
    try:
        cursor = result.cursor
        return list(cursor.fetchall()) if cursor is not None else []
    finally:
        result.close()


def matrix(conn: Connection, stmt: Select[*tuple[Any, ...]], dtype: type[_N]) -> npt.NDArray[_N]:
    """The rows of ``stmt``, every value a number (no NULLs), as one (rows, columns)
    array of ``dtype``, in ``stmt``'s order.

    SQLite's rows are filled by NumPy from the cursor ``CHUNK`` rows at a time: no list
    of all the rows is held, so each chunk's tuples are freed (and their memory reused)
    before the next is read, a sixth less time than ``tuples`` and a conversion for a
    full-size company's 600,000 routing operations. (Not row by row: psycopg's iterator
    makes each row in Python, slower than its ``fetchall``; its ``fetchmany`` is not.)
    PostgreSQL sends each column whole instead (``_sent_columns``)."""
    width = len(stmt.selected_columns)
    if conn.dialect.name == "postgresql":
        return _sent_columns(conn, stmt).astype(dtype, copy=False)
    result = conn.execute(stmt)
    try:
        cursor = result.cursor
        if cursor is None:
            return np.empty((0, width), dtype=dtype)
        rows = itertools.chain.from_iterable(_chunks(cursor))
        flat = np.fromiter(itertools.chain.from_iterable(rows), dtype)
        return flat.reshape(len(flat) // width, width)
    finally:
        result.close()


def _sent_columns(conn: Connection, stmt: Select[*tuple[Any, ...]]) -> npt.NDArray[np.float64]:
    """PostgreSQL: ``stmt``'s rows as a float64 matrix, each column read as one value, the
    big-endian doubles of all its rows (``string_agg`` of ``float8send``) that NumPy reads
    as they are: no Python value per row. A full-size company's 1.8 M BOM lines (four
    columns): 1.75-2.1 -> 0.6-0.7 s wall, a tenth of the client's CPU (#18).

    The aggregates of one query take the same rows in the same order, so the columns
    line up (in a parallel plan too: each worker's partial results go on together); an
    ordered ``stmt`` numbers its rows in its order and each aggregate takes them by that
    number. Every value is a number exact as a double (ids and days below 2**53); a
    NULL, which ``string_agg`` would skip, is refused. A column's bytes are one value,
    at most 1 GB: 134 M rows."""
    width = len(stmt.selected_columns)
    order = list(stmt._order_by_clauses)
    if order:
        place = func.row_number().over(order_by=order).label("place")
        stmt = stmt.add_columns(place).order_by(None)
    rows = stmt.subquery("rows")
    values = list(rows.c)[:width]
    nothing = literal(b"", LargeBinary)
    sent: list[ColumnElement[Any]] = []
    for value in values:
        agg = func.string_agg(func.float8send(func.cast(value, Double)), nothing)
        sent.append(agg.aggregate_order_by(rows.c.place) if order else agg)
    count, *columns = _binary_row(conn, select(func.count(), *sent).select_from(rows))
    arrays = [np.frombuffer(b or b"", dtype=">f8") for b in columns]
    if any(len(a) != count for a in arrays):
        raise ValueError("a NULL in a query read as a matrix of numbers")
    if not count:
        return np.empty((0, width), dtype=np.float64)
    return np.column_stack(arrays).astype(np.float64)  # native byte order


def _binary_row(conn: Connection, query: Select[*tuple[Any, ...]]) -> tuple[Any, ...]:
    """The one row of ``query``, in PostgreSQL's binary format (``db.BINARY_RESULTS``).
    In text a bytea comes as hex, twice its bytes, and libpq keeps its input buffer as
    big as the largest row it took for as long as the connection lives: the snapshot's
    BOM row, 116 MB in hex, stayed in the plan's peak memory (58 MB in binary)."""
    return tuple(conn.execute(query, execution_options={BINARY_RESULTS: True}).one())


def _chunks(cursor: DBAPICursor) -> Iterator[Sequence[Any]]:
    """The cursor's rows, ``CHUNK`` at a time, until none is left."""
    while rows := cursor.fetchmany(CHUNK):
        yield rows


def column_lists(
    conn: Connection, stmt: Select[*tuple[Any, ...]], chunk: int = CHUNK
) -> list[list[Any]]:
    """The rows of ``stmt`` as one list per selected column, read ``chunk`` rows at a
    time and transposed in C: the tuples of a chunk are freed (and reused) before the
    next is read, where ``columns`` held every row's at once (a fifth less time for a
    full-size plan's 300,000 planned orders)."""
    out: list[list[Any]] = [[] for _ in stmt.selected_columns]
    result = conn.execute(stmt)
    try:
        cursor = result.cursor
        while cursor is not None and (rows := cursor.fetchmany(chunk)):
            for column, values in zip(out, zip(*rows, strict=True), strict=True):
                column.extend(values)
    finally:
        result.close()
    return out


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

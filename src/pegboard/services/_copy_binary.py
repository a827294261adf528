"""PostgreSQL binary COPY fed from NumPy arrays: no Python value per row (#18).

A plan's narrow rows are all numbers (ids, positions, millionths, day ordinals). Text
COPY makes a Python int per value (``tolist``), psycopg formats each one as text, and
the server parses the text back. Here each column becomes big-endian bytes in one NumPy
step, and the rows of a block are laid out by offsets: a row is its field count then
each field's length (-1: NULL) and bytes. The server reads them as they are. Only
fixed-width fields: integers, floats, days, and a constant word such as a kind.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from sqlalchemy import Connection

if TYPE_CHECKING:
    import psycopg

HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
TRAILER = b"\xff\xff"
PG_EPOCH = date(2000, 1, 1).toordinal()
"""PostgreSQL's binary ``date`` counts days from 2000-01-01."""
BLOCK_ROWS = 250_000
"""Rows laid out at a time: the byte-offset arrays of a block stay a few MB."""


@dataclass(frozen=True)
class Field:
    """One column: ``data`` holds each row's bytes, ``(rows, width)`` uint8; ``nulls``
    marks the rows that are NULL (their bytes are not written)."""

    data: np.ndarray
    nulls: np.ndarray | None = None

    @property
    def width(self) -> int:
        return int(self.data.shape[1])


def _fixed(values: np.ndarray, kind: str, nulls: np.ndarray | None) -> Field:
    big = np.ascontiguousarray(values, dtype=kind)
    has_null = nulls is not None and bool(nulls.any())
    return Field(
        big.view(np.uint8).reshape(big.size, big.dtype.itemsize), nulls if has_null else None
    )


def int4(values: np.ndarray, nulls: np.ndarray | None = None) -> Field:
    """An ``integer`` column (values at NULL rows are ignored)."""
    return _fixed(values, ">i4", nulls)


def int8(values: np.ndarray, nulls: np.ndarray | None = None) -> Field:
    """A ``bigint`` column."""
    return _fixed(values, ">i8", nulls)


def float8(values: np.ndarray) -> Field:
    """A ``double precision`` column."""
    return _fixed(values, ">f8", None)


def day(ordinals: np.ndarray) -> Field:
    """A ``date`` column from day ordinals (``date.toordinal``)."""
    return _fixed(np.subtract(ordinals, PG_EPOCH, dtype=np.int64), ">i4", None)


def word(text: str, rows: int) -> Field:
    """A text column holding ``text`` in every row (its UTF-8 bytes)."""
    raw = np.frombuffer(text.encode(), dtype=np.uint8)
    return Field(np.broadcast_to(raw, (rows, raw.size)))


def _put(buf: np.ndarray, at: np.ndarray, data: np.ndarray) -> None:
    """Write row ``k``'s bytes ``data[k]`` at ``buf[at[k]:]``, every row at once."""
    if data.shape[1]:
        buf[at[:, None] + np.arange(data.shape[1])] = data


def _lengths(field: Field, rows: int) -> np.ndarray:
    out = np.full(rows, field.width, dtype=">i4")
    if field.nulls is not None:
        out[field.nulls] = -1
    return out.view(np.uint8).reshape(rows, 4)


def rows_block(fields: Sequence[Field], lo: int, hi: int) -> bytes:
    """Rows ``lo:hi`` of ``fields`` in COPY's binary row layout (no header)."""
    n = hi - lo
    sizes = np.full(n, 2 + 4 * len(fields), dtype=np.int64)
    for f in fields:
        sizes += f.width if f.nulls is None else np.where(f.nulls[lo:hi], 0, f.width)
    starts = np.cumsum(sizes) - sizes
    buf = np.empty(int(sizes.sum()), dtype=np.uint8)
    count = np.full(n, len(fields), dtype=">i2").view(np.uint8).reshape(n, 2)
    _put(buf, starts, count)
    at = starts + 2
    for f in fields:
        part = Field(f.data[lo:hi], None if f.nulls is None else f.nulls[lo:hi])
        _put(buf, at, _lengths(part, n))
        at = at + 4
        if part.nulls is None:
            _put(buf, at, part.data)
            at = at + part.width
        else:
            kept = ~part.nulls
            _put(buf, at[kept], part.data[kept])
            at = at + np.where(kept, part.width, 0)
    return buf.tobytes()


def copy_fields(
    conn: Connection,
    table: str,
    names: Sequence[str],
    fields: Sequence[Field],
    *,
    block_rows: int = BLOCK_ROWS,
) -> int:
    """``COPY table (names) FROM STDIN (FORMAT BINARY)`` of equal-length ``fields``, laid
    out ``block_rows`` at a time; returns the rows written. ``table`` and ``names`` are
    ours, never a user's text."""
    rows = fields[0].data.shape[0] if fields else 0
    raw = cast("psycopg.Connection[Any]", conn.connection.dbapi_connection)
    sql = f"COPY {table} ({', '.join(names)}) FROM STDIN (FORMAT BINARY)"
    with raw.cursor() as cur, cur.copy(sql) as copy:
        copy.write(HEADER)
        for lo in range(0, rows, block_rows):
            copy.write(rows_block(fields, lo, min(rows, lo + block_rows)))
        copy.write(TRAILER)
    return rows

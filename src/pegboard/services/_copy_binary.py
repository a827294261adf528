"""PostgreSQL binary COPY fed from NumPy arrays: no Python value per row (#18).

A plan's narrow rows are all numbers (ids, positions, millionths, day ordinals). Text
COPY makes a Python int per value (``tolist``), psycopg formats each one as text, and
the server parses the text back. Here each column becomes big-endian bytes in one NumPy
step, and the rows of a block are laid out by offsets: a row is its field count then
each field's length (-1: NULL) and bytes. The server reads them as they are. Fields
are fixed-width (integers, floats, days, booleans, a constant word such as a kind) or
texts picked from a table of distinct texts (``TextField``: a pegging row's reference,
one of the plan's 1.6 M planned-order numbers), whose bytes are gathered by offsets.
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


def boolean(values: np.ndarray) -> Field:
    """A ``boolean`` column (one byte, 0 or 1)."""
    return Field(np.asarray(values, dtype=bool).astype(np.uint8).reshape(-1, 1))


@dataclass(frozen=True)
class Texts:
    """Distinct texts as their UTF-8 bytes end to end (``flat``), each at ``starts[k]``
    for ``sizes[k]`` bytes: what a text column's rows pick from, encoded once."""

    flat: np.ndarray
    starts: np.ndarray
    sizes: np.ndarray


def texts(values: Sequence[str]) -> Texts:
    """``values`` encoded once, in one join when they are all ASCII (a character a
    byte, so the sizes are the lengths)."""
    joined = "".join(values)
    if joined.isascii():
        raw = joined.encode("ascii")
        sizes = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    else:
        encoded = [v.encode() for v in values]
        raw = b"".join(encoded)
        sizes = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    starts = np.cumsum(sizes) - sizes
    return Texts(np.frombuffer(raw, dtype=np.uint8), starts, sizes)


def joined(tables: Sequence[Texts]) -> tuple[Texts, np.ndarray]:
    """Several tables as one, and where each begins in it (add it to a pick)."""
    counts = np.array([t.sizes.size for t in tables], dtype=np.int64)
    bases = np.cumsum(counts) - counts
    shift = np.cumsum([t.flat.size for t in tables]) - [t.flat.size for t in tables]
    one = Texts(
        np.concatenate([t.flat for t in tables]),
        np.concatenate([t.starts + s for t, s in zip(tables, shift.tolist(), strict=True)]),
        np.concatenate([t.sizes for t in tables]),
    )
    return one, bases


@dataclass(frozen=True)
class TextField:
    """A text column: row ``k`` holds ``table``'s text ``picks[k]`` (never NULL)."""

    table: Texts
    picks: np.ndarray

    def part(self, lo: int, hi: int) -> TextField:
        return TextField(self.table, self.picks[lo:hi])

    def sizes(self) -> np.ndarray:
        return np.asarray(self.table.sizes[self.picks], dtype=np.int64)


AnyField = Field | TextField


def _rows(field: AnyField) -> int:
    return int(field.picks.size if isinstance(field, TextField) else field.data.shape[0])


def _put_texts(buf: np.ndarray, at: np.ndarray, field: TextField) -> np.ndarray:
    """Write each row's text at ``buf[at[k]:]``, all rows in one gather; returns the
    sizes written."""
    sizes = field.sizes()
    before = np.cumsum(sizes) - sizes
    step = np.arange(int(sizes.sum()), dtype=np.int64)
    source = np.repeat(field.table.starts[field.picks] - before, sizes) + step
    buf[np.repeat(at - before, sizes) + step] = field.table.flat[source]
    return sizes


def _put(buf: np.ndarray, at: np.ndarray, data: np.ndarray) -> None:
    """Write row ``k``'s bytes ``data[k]`` at ``buf[at[k]:]``, every row at once."""
    if data.shape[1]:
        buf[at[:, None] + np.arange(data.shape[1])] = data


def _lengths(field: Field, rows: int) -> np.ndarray:
    out = np.full(rows, field.width, dtype=">i4")
    if field.nulls is not None:
        out[field.nulls] = -1
    return out.view(np.uint8).reshape(rows, 4)


def _field_sizes(f: AnyField, lo: int, hi: int) -> np.ndarray | int:
    if isinstance(f, TextField):
        return f.part(lo, hi).sizes()
    return f.width if f.nulls is None else np.where(f.nulls[lo:hi], 0, f.width)


def _put_field(buf: np.ndarray, at: np.ndarray, f: AnyField, lo: int, hi: int) -> np.ndarray | int:
    """Write rows ``lo:hi`` of one field (its length, then its bytes) at ``buf[at[k]:]``;
    returns the bytes written after each row's length."""
    n = hi - lo
    if isinstance(f, TextField):
        text = f.part(lo, hi)
        _put(buf, at, text.sizes().astype(">i4").view(np.uint8).reshape(n, 4))
        return _put_texts(buf, at + 4, text)
    part = Field(f.data[lo:hi], None if f.nulls is None else f.nulls[lo:hi])
    _put(buf, at, _lengths(part, n))
    if part.nulls is None:
        _put(buf, at + 4, part.data)
        return part.width
    kept = ~part.nulls
    _put(buf, at[kept] + 4, part.data[kept])
    return np.where(kept, part.width, 0)


def rows_block(fields: Sequence[AnyField], lo: int, hi: int) -> bytes:
    """Rows ``lo:hi`` of ``fields`` in COPY's binary row layout (no header)."""
    n = hi - lo
    sizes = np.full(n, 2 + 4 * len(fields), dtype=np.int64)
    for f in fields:
        sizes += _field_sizes(f, lo, hi)
    starts = np.cumsum(sizes) - sizes
    buf = np.empty(int(sizes.sum()), dtype=np.uint8)
    count = np.full(n, len(fields), dtype=">i2").view(np.uint8).reshape(n, 2)
    _put(buf, starts, count)
    at = starts + 2
    for f in fields:
        at = at + 4 + _put_field(buf, at, f, lo, hi)
    return buf.tobytes()


def copy_fields(
    conn: Connection,
    table: str,
    names: Sequence[str],
    fields: Sequence[AnyField],
    *,
    block_rows: int = BLOCK_ROWS,
) -> int:
    """``COPY table (names) FROM STDIN (FORMAT BINARY)`` of equal-length ``fields``, laid
    out ``block_rows`` at a time; returns the rows written. ``table`` and ``names`` are
    ours, never a user's text."""
    rows = _rows(fields[0]) if fields else 0
    raw = cast("psycopg.Connection[Any]", conn.connection.dbapi_connection)
    sql = f"COPY {table} ({', '.join(names)}) FROM STDIN (FORMAT BINARY)"
    with raw.cursor() as cur, cur.copy(sql) as copy:
        copy.write(HEADER)
        for lo in range(0, rows, block_rows):
            copy.write(rows_block(fields, lo, min(rows, lo + block_rows)))
        copy.write(TRAILER)
    return rows

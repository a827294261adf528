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

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from sqlalchemy import Connection

if TYPE_CHECKING:
    import psycopg

HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
TRAILER = b"\xff\xff"
UTF8_NAMES = frozenset({"UTF8", "UTF-8", "UNICODE"})
"""How PostgreSQL may spell the encoding the texts here are written in."""
PG_EPOCH = date(2000, 1, 1).toordinal()
"""PostgreSQL's binary ``date`` counts days from 2000-01-01."""
PADDED_SPARE = 4
"""A table of texts is padded to its widest (``Texts.padded``) while that takes at most
this many times its own bytes (or 1 MB): 1.7 M planned-order numbers of 9-10 characters
pad to 17 MB; one 200-character text among them would make it 340 MB."""
BLOCK_ROWS = 250_000
"""Rows laid out at a time at most: the byte-offset arrays of a block stay a few MB."""
BLOCK_BYTES = 2**24
"""A block's rows at their widest (``row_width``) take at most this many bytes: each of
its matrices (the rows, which bytes are written, a text's bytes) is then bounded, also
when one long text (a 100-character customer reference) widens a column of short
planned-order numbers, which at 250,000 rows a block took 0.8 GB."""


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
    _padded: list[np.ndarray] = field(default_factory=list, repr=False, compare=False)

    def padded(self) -> np.ndarray:
        """The texts as rows of the longest one's width, zero-padded (made once): a
        block's texts are then one gather of whole rows, not of single bytes."""
        if not self._padded:
            width = int(self.sizes.max()) if self.sizes.size else 0
            out = np.zeros((self.sizes.size, width), dtype=np.uint8)
            out[np.arange(width) < self.sizes[:, None]] = self.flat
            self._padded.append(out)
        return self._padded[0]


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


AnyField = Field | TextField


def _rows(field: AnyField) -> int:
    return int(field.picks.size if isinstance(field, TextField) else field.data.shape[0])


def _width(field: AnyField) -> int:
    """The bytes a field's value takes in a block's matrix: a text column's widest."""
    if isinstance(field, TextField):
        return int(field.table.sizes.max()) if field.table.sizes.size else 0
    return field.width


def row_width(fields: Sequence[AnyField]) -> int:
    """The bytes of a row of ``fields`` padded to their widest: the field count, then
    each field's length and value."""
    return 2 + sum(4 + _width(f) for f in fields)


def block_size(fields: Sequence[AnyField], block_rows: int = BLOCK_ROWS) -> int:
    """Rows laid out at a time: ``block_rows``, fewer when the rows are so wide that a
    block's matrices would pass ``BLOCK_BYTES``."""
    return max(1, min(block_rows, BLOCK_BYTES // row_width(fields)))


def _lengths(sizes: np.ndarray) -> np.ndarray:
    """Each row's field length (-1: NULL) as COPY's 4 big-endian bytes, ``(rows, 4)``."""
    return np.asarray(sizes, dtype=">i4").view(np.uint8).reshape(-1, 4)


Part = tuple[np.ndarray, np.ndarray | None]
"""A field's rows of a block as ``(rows, 4 + width)`` bytes (the length, then the value
padded to the widest), and which of those bytes are written (None: all of them)."""


def _gathered(table: Texts, picks: np.ndarray, sizes: np.ndarray, used: np.ndarray) -> np.ndarray:
    """The picked texts as rows of the table's widest, their bytes gathered one by one
    (only the bytes the texts have: an index per byte, int32 where the table's bytes
    allow), the rest zero."""
    kind = np.int32 if table.flat.size < 2**31 else np.int64
    total = int(sizes.sum())
    ends = np.cumsum(sizes, dtype=kind)
    at = np.repeat(table.starts[picks].astype(kind) - (ends - sizes.astype(kind)), sizes)
    np.add(at, np.arange(total, dtype=kind), out=at)  # each text's bytes from its start
    data = np.zeros(used.shape, dtype=np.uint8)
    data[used] = table.flat[at]
    return data


def _text_part(f: TextField, lo: int, hi: int) -> Part:
    """The block's texts, each gathered whole as a row of the table padded to its widest
    text (``Texts.padded``; byte by byte when that table would be too big); the bytes
    past a text's end are not written."""
    picks = f.picks[lo:hi]
    sizes = f.table.sizes[picks]
    width = _width(f)
    used = np.arange(width) < sizes[:, None]
    if f.table.sizes.size * width <= max(PADDED_SPARE * f.table.flat.size, 2**20):
        data = f.table.padded()[picks]
    else:
        data = _gathered(f.table, picks, sizes, used)
    keep = np.ones((picks.size, 4 + width), dtype=bool)
    keep[:, 4:] = used
    return np.concatenate([_lengths(sizes), data], axis=1), keep


def _part(f: AnyField, lo: int, hi: int) -> Part:
    if isinstance(f, TextField):
        return _text_part(f, lo, hi)
    data = f.data[lo:hi]
    if f.nulls is None:
        return np.concatenate([_lengths(np.full(hi - lo, f.width)), data], axis=1), None
    nulls = f.nulls[lo:hi]
    keep = np.ones((hi - lo, 4 + f.width), dtype=bool)
    keep[:, 4:] = ~nulls[:, None]
    return np.concatenate([_lengths(np.where(nulls, -1, f.width)), data], axis=1), keep


def rows_block(fields: Sequence[AnyField], lo: int, hi: int) -> bytes:
    """Rows ``lo:hi`` of ``fields`` in COPY's binary row layout (no header): every
    field's bytes side by side in one matrix, a row each, then the bytes that are not
    written (a NULL's, a short text's padding) dropped in one step."""
    n = hi - lo
    parts: list[Part] = [(np.full(n, len(fields), dtype=">i2").view(np.uint8).reshape(n, 2), None)]
    parts += [_part(f, lo, hi) for f in fields]
    rows = np.concatenate([data for data, _ in parts], axis=1)
    if all(keep is None for _, keep in parts):
        return rows.tobytes()
    keep = np.ones(rows.shape, dtype=bool)
    at = 0
    for data, part in parts:
        if part is not None:
            keep[:, at : at + data.shape[1]] = part
        at += data.shape[1]
    return rows[keep].tobytes()


def copy_fields(
    conn: Connection,
    table: str,
    names: Sequence[str],
    fields: Sequence[AnyField],
    *,
    block_rows: int = BLOCK_ROWS,
    created_here: bool = False,
) -> int:
    """``COPY table (names) FROM STDIN (FORMAT BINARY)`` of equal-length ``fields``, laid
    out ``block_rows`` at a time at most (``block_size``); returns the rows written.
    ``table`` and ``names`` are ours, never a user's text.

    The server reads a binary text field in the connection's ``client_encoding`` and the
    texts here are UTF-8, so a connection set to another encoding is set to UTF-8 for
    the COPY and set back after it (on a failure, the rollback sets it back).

    The blocks go through psycopg's queued writer: a thread of its own sends one block
    while this one lays out the next, so the server takes rows in while they are built
    instead of after (4 M pegging-like rows: 5.0-5.5 -> 3.5-4.2 s wall); a server error
    comes out of the next write or the end of the COPY, as before.

    ``created_here``: ``table`` was created in this transaction (the plan's tables are
    made anew each run), so its rows are written already frozen (``COPY ... FREEZE``):
    no transaction sees the table before the commit, and none has to set each row's
    visibility hints or freeze it later (a vacuum's pass over millions of rows)."""
    from psycopg.copy import QueuedLibpqWriter  # PostgreSQL's only: SQLite never loads it

    rows = _rows(fields[0]) if fields else 0
    step = block_size(fields, block_rows)
    raw = cast("psycopg.Connection[Any]", conn.connection.dbapi_connection)
    freeze = ", FREEZE" if created_here else ""
    sql = f"COPY {table} ({', '.join(names)}) FROM STDIN (FORMAT BINARY{freeze})"
    with raw.cursor() as cur, _in_utf8(cur), cur.copy(sql, writer=QueuedLibpqWriter(cur)) as copy:
        copy.write(HEADER)
        for lo in range(0, rows, step):
            copy.write(rows_block(fields, lo, min(rows, lo + step)))
        copy.write(TRAILER)
    return rows


@contextmanager
def _in_utf8(cur: psycopg.Cursor[Any]) -> Iterator[None]:
    """The connection's ``client_encoding`` UTF-8 while the block runs, then back to what
    it was; a failure leaves it to the rollback, which undoes the change (a statement
    after a failed COPY would be refused)."""
    encoding = cur.connection.info.parameter_status("client_encoding")
    if encoding is None or encoding.upper() in UTF8_NAMES:
        yield
        return
    cur.execute("SELECT set_config('client_encoding', 'UTF8', false)")
    yield
    cur.execute("SELECT set_config('client_encoding', %s, false)", (encoding,))

"""Plan result columns as the values the store writes: dates as ISO text, engine
positions as database ids, chunks of rows, gathers from several tables.

Shared by the plan store's modules (``planning``, ``pegging_store``,
``exception_store``): every conversion is one vectorised step over a column, never a
Python call per row, and never more than ``CHUNK_ROWS`` rows as Python objects at once.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date

import numpy as np

from pegboard.engine import types as et

CHUNK_ROWS = 250_000
"""Rows converted to Python values and written at a time: a plan of millions of rows
never holds more than one chunk of them as Python objects (peak memory, #18)."""


def chunks(n: int) -> Iterator[slice]:
    """Consecutive slices of at most ``CHUNK_ROWS`` covering ``range(n)``."""
    for lo in range(0, n, CHUNK_ROWS):
        yield slice(lo, min(n, lo + CHUNK_ROWS))


def day_texts(ordinals: et.IntArray) -> list[str]:
    """Day ordinals as ISO dates, each distinct day spelt once: the text SQLite stores
    and COPY reads, so neither database path converts a date value by value."""
    days, inverse = np.unique(ordinals, return_inverse=True)
    distinct = np.asarray([date.fromordinal(d).isoformat() for d in days.tolist()], dtype=object)
    return list(distinct[inverse])


def optional_ids(ids: et.IntArray, positions: et.IntArray) -> list[int | None]:
    """Engine positions to database ids, ``None`` where the position is NO_ORDER."""
    if positions.size and int(positions.min()) >= 0:
        return list(ids[positions].tolist())
    out = np.full(len(positions), None, dtype=object)
    has = positions >= 0
    out[has] = ids[positions[has]]
    return list(out)


def objects(values: Sequence[object]) -> np.ndarray:
    """A column of Python objects as an array, to be gathered from many times."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def pick(tables: Sequence[np.ndarray], which: et.IntArray, index: et.IntArray) -> list[object]:
    """``tables[which[k]][index[k]]`` for every k, one vectorised gather per table
    (``tables`` are object arrays, see ``objects``)."""
    out = np.empty(len(which), dtype=object)
    for t, table in enumerate(tables):
        mask = which == t
        if mask.any():
            out[mask] = table[index[mask]]
    return list(out)


def stable_argsort(values: et.IntArray) -> et.IntArray:
    """``np.argsort(values, kind="stable")`` of integers, as one sort of
    ``value << bits | position`` words when they fit in 63 bits (several times
    faster on millions of rows than NumPy's stable argsort)."""
    n = values.size
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    low = int(values.min())
    bits = max(n - 1, 1).bit_length()
    if (int(values.max()) - low).bit_length() + bits > 62:
        return np.argsort(values, kind="stable").astype(np.int64)
    words = np.subtract(values, low, dtype=np.int64)
    words <<= bits
    words |= np.arange(n, dtype=np.int64)
    words.sort()
    words &= (1 << bits) - 1
    return words

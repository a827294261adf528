"""Stable ordering by small dense integer keys in linear time (compiled by Numba).

The pegging table is millions of rows ordered by (supply, demand). Both keys
are dense positions (below a couple of million), so two counting-sort passes,
least significant key first, order the rows in O(rows + keys): several times
less than comparison sorting the rows, which is what a plan of 4.6 million
pegging rows spent most of its pegging time on. The passes are stable, so
rows with equal keys keep their input order, exactly as ``lex_order`` would
(``tests/engine/test_engine_arrays.py`` checks them against ``np.lexsort``).

``sorted_ints`` sorts a column of non-negative integers by least-significant-digit
radix passes (digits of up to 11 bits, a pass skipped where every value has the same
digit): the packed words of ``_arrays.lex_order`` are sorted that way in a plan, about
twice as fast as ``np.sort`` on millions of values. A sorted column of integers is
one column whatever sorted it, so the order is ``np.sort``'s to the last value.

Like ``netting_kernel``, this module imports Numba, so it is imported only
when a plan is made, and its compiled code is cached on disk (``warm``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np

from pegboard.engine.types import IntArray

_F = TypeVar("_F", bound=Callable[..., Any])


def _compiled(function: _F) -> _F:
    """``numba.njit`` with an on-disk cache, typed as the function it compiles."""
    return cast(_F, numba.njit(cache=True, nogil=True)(function))


@_compiled
def _counting_pass(key: IntArray, n_keys: int, order: IntArray) -> IntArray:
    """``order`` stably reordered by ``key[order]`` (values in ``[0, n_keys)``)."""
    start = np.zeros(n_keys + 1, dtype=np.int64)
    for k in range(order.size):
        start[key[order[k]] + 1] += 1
    for v in range(n_keys):
        start[v + 1] += start[v]
    out = np.empty(order.size, dtype=np.int64)
    for k in range(order.size):
        row = order[k]
        v = key[row]
        out[start[v]] = row
        start[v] += 1
    return out


@_compiled
def _radix_sorted(values: IntArray, bits: int, digit: int) -> IntArray:
    """``values`` (non-negative, below ``2**bits``) sorted, ``digit`` bits a pass;
    ``values`` is used as one of the two buffers."""
    n = values.size
    src = values
    dst = np.empty(n, dtype=np.int64)
    mask = (1 << digit) - 1
    shift = 0
    while shift < bits:
        count = np.zeros(mask + 2, dtype=np.int64)
        for k in range(n):
            count[((src[k] >> shift) & mask) + 1] += 1
        if count.max() < n:  # else every value has this digit: the pass moves nothing
            for d in range(mask + 1):
                count[d + 1] += count[d]
            for k in range(n):
                v = src[k]
                d = (v >> shift) & mask
                dst[count[d]] = v
                count[d] += 1
            src, dst = dst, src
        shift += digit
    return src


MAX_DIGIT = 11
"""Bits per radix pass: 2,048 counters, which stay in the first-level cache."""


def sorted_ints(values: IntArray) -> IntArray:
    """``np.sort(values)`` for a column of non-negative int64 (see the module doc);
    may sort ``values`` in place or reuse it as a buffer: the caller gives it up."""
    column = np.ascontiguousarray(values, dtype=np.int64)
    if column.size == 0:
        return column
    if int(column.min()) < 0:
        raise ValueError("sorted_ints takes non-negative values")
    bits = int(column.max()).bit_length()
    passes = max(1, -(-bits // MAX_DIGIT))
    return _radix_sorted(column, bits, -(-bits // passes) if bits else 1)


def dense_order(*keys: IntArray) -> IntArray:
    """Stable order of the rows by ``keys`` (the first most significant), each key
    a column of non-negative integers of modest range (dense positions)."""
    n = keys[0].size if keys else 0
    order = np.arange(n, dtype=np.int64)
    for key in reversed(keys):
        if n == 0:
            break
        column = np.ascontiguousarray(key, dtype=np.int64)
        if int(column.min()) < 0:
            raise ValueError("dense_order takes non-negative keys")
        order = _counting_pass(column, int(column.max()) + 1, order)
    return order


def warm() -> None:
    """Compile (or load from Numba's cache) the passes, for ``scripts/install``."""
    dense_order(np.array([1, 0], dtype=np.int64), np.array([0, 1], dtype=np.int64))
    sorted_ints(np.array([3, 1, 2], dtype=np.int64))

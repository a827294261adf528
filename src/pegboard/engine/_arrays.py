"""Small NumPy helpers shared by the planning passes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise

import numpy as np

from pegboard.engine.types import FloatArray, IntArray


def ints(values: object) -> IntArray:
    return np.asarray(values, dtype=np.int64)


NARROW_TYPES = (np.int8, np.int32, np.int64)


def span_type(*columns: np.ndarray) -> type[np.signedinteger]:
    """The narrowest of int8, int32 and int64 that holds every value of the columns."""
    filled = [c for c in columns if c.size]
    if not filled:
        return np.int64
    low = min(int(c.min()) for c in filled)
    high = max(int(c.max()) for c in filled)
    for dtype in NARROW_TYPES:
        bounds = np.iinfo(dtype)
        if bounds.min <= low and high <= bounds.max:
            return dtype
    return np.int64


def narrowest(column: IntArray) -> IntArray:
    """An integer column in the narrowest type that holds its values (``span_type``).

    The plan's result columns (types 0-4, positions, day ordinals) are millions of
    rows that a big plan keeps while it is stored: held as int64 they took about
    210 MB more (issue #18). The values are the same, so every reader that indexes,
    compares or casts them reads the same plan; ``IntArray`` there means any signed
    integer type, not only int64."""
    if column.dtype.kind != "i":
        return column
    dtype = span_type(column)
    if column.dtype.itemsize <= np.dtype(dtype).itemsize:
        return column
    narrow: IntArray = column.astype(dtype)
    return narrow


def floats(values: object) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


def ranges(starts: IntArray, counts: IntArray) -> IntArray:
    """Concatenate ``arange(s, s + c)`` for every pair, without a Python loop."""
    total = int(counts.sum()) if counts.size else 0
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(counts)
    shift: IntArray = np.repeat(starts - (ends - counts), counts)
    out: IntArray = np.arange(total, dtype=np.int64) + shift
    return out


def string_rank(values: Sequence[str]) -> IntArray:
    """Dense rank of each string in code-point order; equal strings share a rank.

    Ordering by rank instead of by string keeps the hot paths on integers while
    giving exactly the order the spec defines (string order of ids and refs).
    """
    n = len(values)
    rank = np.zeros(n, dtype=np.int64)
    if n == 0:
        return rank
    order = sorted(range(n), key=values.__getitem__)
    ordered = [values[k] for k in order]
    new = np.ones(n, dtype=np.int64)
    new[0] = 0
    new[1:] = [a != b for a, b in pairwise(ordered)]
    rank[np.asarray(order, dtype=np.int64)] = np.cumsum(new)
    return rank


def sorted_positions(values: Sequence[str]) -> IntArray:
    """Each value's position when sorted as strings, input position breaking ties."""
    n = len(values)
    rank = np.empty(n, dtype=np.int64)
    # ``sorted`` is stable: equal strings keep their input order
    rank[np.asarray(sorted(range(n), key=values.__getitem__), dtype=np.int64)] = np.arange(n)
    return rank


def group_starts(*keys: IntArray) -> IntArray:
    """Start positions of runs of equal key tuples in already sorted columns."""
    n = len(keys[0])
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    change = np.zeros(n, dtype=np.bool_)
    change[0] = True
    for key in keys:
        change[1:] |= key[1:] != key[:-1]
    return np.flatnonzero(change).astype(np.int64)


def unique_inverse(
    values: np.ndarray, sort: Callable[[IntArray], IntArray] | None = None
) -> tuple[np.ndarray, IntArray]:
    """Sorted distinct values and each value's position among them.

    A sort, not ``np.unique``: NumPy 2's hash-based unique is many times slower
    than a sort on wide-ranged int64 keys like the ones the engine builds (and
    integers take ``lex_order``'s packed sort, with ``sort`` as there).
    """
    order = lex_order(values, sort=sort) if values.dtype.kind in "iub" else np.argsort(values)
    ordered = values[order]
    first = np.ones(ordered.size, dtype=np.bool_)
    if ordered.size:
        first[1:] = ordered[1:] != ordered[:-1]
    inverse = np.empty(values.size, dtype=np.int64)
    inverse[order] = np.cumsum(first) - 1
    return ordered[first], inverse


def unique_values(
    values: np.ndarray, sort: Callable[[IntArray], IntArray] | None = None
) -> np.ndarray:
    """Sorted distinct values (see ``unique_inverse`` for why not ``np.unique``);
    ``sort``, if given, sorts the non-negative integers ``values`` instead of ``np.sort``."""
    ordered = np.sort(values) if sort is None else sort(values.copy())
    if ordered.size < 2:
        return ordered
    keep = np.ones(ordered.size, dtype=np.bool_)
    keep[1:] = ordered[1:] != ordered[:-1]
    return ordered[keep]


def segment_scan(values: FloatArray, segment: IntArray, op: np.ufunc) -> FloatArray:
    """Inclusive running ``op`` (add, minimum) within runs of equal ``segment``.

    Doubling (Hillis-Steele): one pass per power of two up to the longest run,
    so a whole level of items is scanned in a few array operations.
    """
    out = values.copy()
    step = 1
    while step < out.size:
        same = segment[step:] == segment[:-step]
        if not same.any():
            break
        out[step:] = np.where(same, op(out[step:], out[:-step]), out[step:])
        step *= 2
    return out


def lex_order(*keys: np.ndarray, sort: Callable[[IntArray], IntArray] | None = None) -> IntArray:
    """Stable order by several keys, the first one most significant.

    Integer keys are packed, by their value ranges, into as few int64 words as
    fit beside the row position; each word is then one ``np.sort`` of
    ``word << bits | position`` (a radix pass from the least significant word),
    which is several times faster than ``argsort`` or ``lexsort``, and stable,
    since the position breaks ties. Float keys fall back to ``np.lexsort``.
    ``sort`` sorts a word instead of ``np.sort`` (a plan passes the compiled
    ``sort_kernel.sorted_ints``; a sorted column is the same whoever sorts it).
    """
    n = keys[0].size if keys else 0
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if any(key.dtype.kind not in "iub" for key in keys):
        return np.lexsort(tuple(reversed(keys))).astype(np.int64)
    index_bits = max(n - 1, 1).bit_length()
    room = 63 - index_bits
    words: list[IntArray] = []  # least significant first
    word: IntArray | None = None
    bits = 0
    for key in reversed(keys):
        low = int(key.min())
        need = (int(key.max()) - low).bit_length()
        if need == 0:
            continue  # constant: orders nothing
        shifted = np.subtract(key, low, dtype=np.int64)
        if word is None or bits + need > room:
            if word is not None:
                words.append(word)
            word, bits = shifted, need
        else:
            shifted <<= bits
            word |= shifted
            bits += need
    if word is not None:
        words.append(word)
    order: IntArray | None = None
    position = np.arange(n, dtype=np.int64)
    mask = (1 << index_bits) - 1
    while words:
        word = words.pop(0)  # each word is ours and used once: shift it in place
        current = word if order is None else word[order]
        del word
        if int(current.max()) >> room:
            step = np.argsort(current, kind="stable").astype(np.int64)  # one key too wide
        else:
            current <<= index_bits
            current |= position
            if sort is None:
                current.sort()
            else:
                current = sort(current)
            current &= mask
            step = current
        order = step if order is None else order[step]
    return position if order is None else order

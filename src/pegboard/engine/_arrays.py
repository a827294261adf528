"""Small NumPy helpers shared by the planning passes."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pegboard.engine.types import FloatArray, IntArray


def ints(values: object) -> IntArray:
    return np.asarray(values, dtype=np.int64)


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
    current = 0
    previous = values[order[0]]
    for position in order:
        value = values[position]
        if value != previous:
            current += 1
            previous = value
        rank[position] = current
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


def unique_inverse(values: np.ndarray) -> tuple[np.ndarray, IntArray]:
    """Sorted distinct values and each value's position among them.

    A sort, not ``np.unique``: NumPy 2's hash-based unique is many times slower
    than a sort on wide-ranged int64 keys like the ones the engine builds.
    """
    order = np.argsort(values)
    ordered = values[order]
    first = np.ones(ordered.size, dtype=np.bool_)
    if ordered.size:
        first[1:] = ordered[1:] != ordered[:-1]
    inverse = np.empty(values.size, dtype=np.int64)
    inverse[order] = np.cumsum(first) - 1
    return ordered[first], inverse


def unique_values(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (see ``unique_inverse`` for why not ``np.unique``)."""
    ordered = np.sort(values)
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


def lex_order(*keys: np.ndarray) -> IntArray:
    """Stable order by several keys, the first one most significant.

    Integer keys are packed, by their value ranges, into as few int64 words as
    fit, so ``np.lexsort`` compares one or two words instead of many columns;
    float keys are passed through as they are.
    """
    words: list[np.ndarray] = []  # least significant first, as np.lexsort wants
    word: IntArray | None = None
    bits = 0
    for key in reversed(keys):
        if key.dtype.kind not in "iub" or key.size == 0:
            if word is not None:
                words.append(word)
            words.append(key)
            word, bits = None, 0
            continue
        low = int(key.min())
        width = int(key.max()) - low + 1
        need = max(width - 1, 1).bit_length()
        shifted = key.astype(np.int64) - low
        if word is None or bits + need > 62:
            if word is not None:
                words.append(word)
            word, bits = shifted, need
        else:
            word = word + (shifted << bits)
            bits += need
    if word is not None:
        words.append(word)
    if not words:
        return np.zeros(0, dtype=np.int64)
    if len(words) == 1:
        return np.argsort(words[0], kind="stable").astype(np.int64)
    return np.lexsort(words).astype(np.int64)

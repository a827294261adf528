"""String order of planned-order refs as integers, for plans of any size.

Refs ``PL-000001``, ``PL-000002``, ... sort as strings in the order of their
numbers only while they have six digits: past 999,999 planned orders
``PL-1000000`` sorts between ``PL-100000`` and ``PL-100001``, not after
``PL-999999``. The netting order (rule 6: parent order ref) and the exception
rows (ordered by order ref) need that string order, and a big plan has
millions of refs, so building and sorting strings per row is what a plan would
spend its time on. Instead each ref's digits are read as a base-11 number,
digit ``d`` as ``d + 1`` and a missing digit as 0, right-padded to
``KEY_DIGITS`` places: comparing keys is then comparing the digit strings
(a prefix sorts first), computed for a whole column at once.

A production-order ref (any string) is placed among those keys once: its
``key`` is the largest key of a digit string that sorts at or before it, so a
planned ref sorts before it exactly when its key is at most that (and equal
refs are told apart by the demand type, planned first).
"""

from __future__ import annotations

import numpy as np

from pegboard.engine.types import IntArray

KEY_DIGITS = 12
"""Digits a planned ref may have: a plan of up to 10^12 - 1 planned orders."""
PREFIX = "PL-"
_POW11: list[int] = [11**k for k in range(KEY_DIGITS + 1)]
BELOW = -1
"""The key of a ref sorting before every planned ref."""
ABOVE = _POW11[KEY_DIGITS]
"""The key of a ref sorting after every planned ref."""
_DIGITS = frozenset("0123456789")


def planned_keys(numbers: IntArray) -> IntArray:
    """The key of ``planned_ref(n)`` (``PL-%06d`` of ``n + 1``) for each number,
    in the string order of the refs; distinct numbers get distinct keys."""
    value = np.asarray(numbers, dtype=np.int64) + 1
    if value.size and int(value.max()) >= 10**KEY_DIGITS:
        raise ValueError(f"more than {10**KEY_DIGITS - 1} planned orders")
    width = np.full(value.size, 6, dtype=np.int64)  # digits of the ref, zero-padded to 6
    for k in range(6, KEY_DIGITS):
        width += value >= 10**k
    # the digits read in base 11 (right-aligned), then shifted to the left edge; every
    # digit of the ref, padding zeros included, also adds 1 at its place: ``padding``
    digits = np.zeros(value.size, dtype=np.int64)
    rest = value.copy()
    for j in range(int(width.max()) if value.size else 0):
        digits += (rest % 10) * _POW11[j]
        rest //= 10
    pow11 = np.asarray(_POW11, dtype=np.int64)
    padding = np.cumsum(pow11[::-1][1:])  # padding[w - 1]: 1 at each of the first w places
    key: IntArray = digits * pow11[KEY_DIGITS - width] + padding[width - 1]
    return key


def _digits_key(digits: str) -> int:
    """The key of a digit string of at most ``KEY_DIGITS`` digits."""
    key = 0
    for place, d in enumerate(digits):
        key += (ord(d) - 47) * _POW11[KEY_DIGITS - 1 - place]
    return key


def ref_key(ref: str) -> int:
    """The largest key of a planned-ref shaped string sorting at or before ``ref``
    (``BELOW`` if none, ``ABOVE`` if every one sorts before it)."""
    if not ref.startswith(PREFIX):
        return BELOW if ref < PREFIX else ABOVE
    rest = ref[len(PREFIX) :]
    n = 0
    while n < len(rest) and rest[n] in _DIGITS:
        n += 1
    head = rest[: min(n, KEY_DIGITS)]
    key = _digits_key(head)
    if n > KEY_DIGITS or n == len(rest) or rest[n] < "0":
        # every digit string up to ``head`` (its prefixes included) sorts at or before
        return key
    # a character after the digits above "9": so do all digit strings starting with them
    return key + _POW11[KEY_DIGITS - len(head)] - 1


def ref_keys(refs: list[str]) -> IntArray:
    """``ref_key`` of each ref."""
    return np.asarray([ref_key(r) for r in refs], dtype=np.int64)

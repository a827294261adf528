"""The narrowest integer type of the plan's result columns keeps every value."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from pegboard.engine._arrays import narrowest, span_type

INT64 = st.integers(np.iinfo(np.int64).min, np.iinfo(np.int64).max)


@given(st.lists(INT64 | st.integers(-200, 200) | st.integers(-(2**33), 2**33), max_size=40))
def test_narrowest_keeps_the_values_in_the_smallest_type(values: list[int]) -> None:
    column = np.array(values, dtype=np.int64)
    narrow = narrowest(column)
    assert narrow.tolist() == values
    fits = [
        t
        for t in (np.int8, np.int32, np.int64)
        if all(np.iinfo(t).min <= v <= np.iinfo(t).max for v in values)
    ]
    assert narrow.dtype == (fits[0] if values else np.int64)


def test_bounds_of_each_type() -> None:
    for low, high, dtype in [
        (-128, 127, np.int8),
        (-129, 0, np.int32),
        (0, 128, np.int32),
        (-(2**31), 2**31 - 1, np.int32),
        (0, 2**31, np.int64),
    ]:
        assert span_type(np.array([low, high], dtype=np.int64)) is dtype


def test_a_column_is_never_widened_and_floats_are_kept() -> None:
    small = np.array([1, 2], dtype=np.int8)
    assert narrowest(small) is small
    qty = np.array([1.5, 2**40])
    assert narrowest(qty) is qty  # type: ignore[arg-type]
    assert span_type(np.zeros(0, dtype=np.int64), np.array([-1, 5], dtype=np.int8)) is np.int8


def test_a_plan_day_ordinal_and_a_position_fit_int32() -> None:
    # day ordinals up to 9999-12-31 and positions of millions of rows, with NO_ORDER
    column = np.array([-1, 3_652_059, 4_600_000], dtype=np.int64)
    assert narrowest(column).dtype == np.int32

"""``sort_kernel.runs`` against the whole-column statement it replaced in the
pegging table: reorder both columns, then ``group_starts``."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from pegboard.engine._arrays import group_starts
from pegboard.engine.sort_kernel import dense_order, runs


@settings(deadline=None)  # the first example loads the compiled pass
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 3)), max_size=60))
def test_runs_are_the_groups_of_equal_pairs(rows: list[tuple[int, int]]) -> None:
    first = np.asarray([r[0] for r in rows], dtype=np.int64)
    second = np.asarray([r[1] for r in rows], dtype=np.int64)
    for order in (dense_order(first, second), np.arange(len(rows), dtype=np.int64)):
        starts, a, b = runs(first, second, order)
        expected = group_starts(first[order], second[order])
        assert starts.tolist() == expected.tolist()
        assert a.tolist() == first[order][expected].tolist()
        assert b.tolist() == second[order][expected].tolist()

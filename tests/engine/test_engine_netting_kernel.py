"""The compiled netting loop (``netting_kernel.py``) against the plain one (``netting.py``).

The kernel is the plain loop statement for statement, so the two must give the
same plan to the last bit, not merely within a tolerance: every column of the
result is compared exactly, on generated companies that send every item through
the loop (``fast_path=False``) and on the usual mix of paths.
"""

from __future__ import annotations

import dataclasses
import sys
from typing import Any

import numpy as np
from _build import Case
from hypothesis import given
from test_engine_properties import CHECK, cases

from pegboard.engine.run import execute
from pegboard.engine.types import PlanInput


def _columns(value: Any, prefix: str = "") -> dict[str, Any]:
    """Every column of a result, by dotted name."""
    found: dict[str, Any] = {}
    for f in dataclasses.fields(value):
        column = getattr(value, f.name)
        if dataclasses.is_dataclass(column) and not isinstance(column, type):
            found.update(_columns(column, f"{prefix}{f.name}."))
        else:
            found[prefix + f.name] = column
    return found


def _assert_same_plan(inp: PlanInput, fast_path: bool) -> None:
    compiled = _columns(execute(inp, fast_path=fast_path))
    assert "pegboard.engine.netting_kernel" in sys.modules  # a plan runs the kernel
    plain = _columns(execute(inp, fast_path=fast_path, compiled=False))
    assert compiled.keys() == plain.keys()
    for name, column in plain.items():
        if isinstance(column, np.ndarray):
            assert column.dtype == compiled[name].dtype, name
            assert np.array_equal(column, compiled[name]), name
        else:
            assert list(column) == list(compiled[name]), name


@CHECK
@given(cases())
def test_kernel_agrees_with_the_plain_loop(case: Case) -> None:
    inp = case.build()
    _assert_same_plan(inp, fast_path=False)
    _assert_same_plan(inp, fast_path=True)


@CHECK
@given(cases(max_items=2, max_demands=40))
def test_kernel_agrees_with_the_plain_loop_on_busy_items(case: Case) -> None:
    """Long runs one supply covers, several demands a day, POQ periods, pools
    of several sales orders: the loop's shortcuts and its simulation."""
    _assert_same_plan(case.build(), fast_path=False)


@CHECK
@given(cases(max_items=8, max_demands=30))
def test_kernel_agrees_with_the_plain_loop_on_bigger_companies(case: Case) -> None:
    _assert_same_plan(case.build(), fast_path=False)

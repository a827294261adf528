"""Exception rows held as codes (issue #18): the columns read like lists of
strings, and the rows the array-built blocks give are in the full report order
a sort of their strings gives (kind, order ref, sales-order id, date, message,
item), which is what the per-row Python build they replaced produced."""

from __future__ import annotations

import numpy as np
import pytest
from _build import Case
from hypothesis import given
from test_engine_properties import CHECK, cases

from pegboard.engine import plan
from pegboard.engine.types import CodedColumn


def test_a_coded_column_reads_like_the_list_it_stands_for() -> None:
    names = np.asarray(["late", "shortage", "cancel"], dtype=object)
    column = CodedColumn(np.asarray([2, 0, 0, 1], dtype=np.uint8), names)
    plain = ["cancel", "late", "late", "shortage"]
    assert len(column) == 4
    assert column.tolist() == plain == list(column)
    assert column == plain and column != plain[:3] and column != "cancel"
    assert [column[k] for k in range(-4, 4)] == plain + plain
    assert column[1:3] == ["late", "late"] and column[::-1] == plain[::-1]
    assert column.count("late") == 2 and column.count("defer") == 0
    assert column.index("shortage") == 3 and "cancel" in column
    assert column.take(np.asarray([3, 0])).tolist() == ["shortage", "cancel"]
    with pytest.raises(IndexError):
        column[4]
    empty = CodedColumn(np.zeros(0, dtype=np.int64), names)
    assert empty == [] and empty.tolist() == [] and empty.count("late") == 0


@CHECK
@given(cases())
def test_exception_rows_come_in_the_full_report_order(case: Case) -> None:
    inp = case.build()
    e = plan(inp).exceptions
    ids = inp.sales_orders
    rows = [
        (
            e.kind[k],
            e.order[k],
            ids[int(e.sales_order[k])] if e.sales_order[k] >= 0 else "",
            int(e.date[k]),
            e.message[k],
            int(e.item[k]),
        )
        for k in range(len(e))
    ]
    assert rows == sorted(rows)
    assert e.kind.tolist() == [r[0] for r in rows] and e.order.tolist() == [r[1] for r in rows]
    head = len(e.listed)
    assert e.listed.tolist() == e.message[:head]
    assert set(e.kind[head:]) <= {"shortage"} and "shortage" not in e.kind[:head]

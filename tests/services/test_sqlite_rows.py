"""Many rows a statement (``services._sqlite_rows``): the same rows, in the same order,
as one statement per row would write, NULLs where marked, constants, errors in words."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import IntegrityError

from pegboard.services._sqlite_rows import NULL_MARK, ROWS_PER_STATEMENT, insert_integers


@pytest.mark.parametrize(
    "n", [0, 1, ROWS_PER_STATEMENT - 1, ROWS_PER_STATEMENT, 2 * ROWS_PER_STATEMENT + 37]
)
def test_rows_arrive_in_order_with_nulls_and_constants(n: int) -> None:
    engine = create_engine("sqlite://")
    rng = np.random.default_rng(n)
    a = rng.integers(1, 10**12, n)
    b = np.where(np.arange(n) % 3 == 0, NULL_MARK, rng.integers(1, 10**6, n))
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a BIGINT, b INTEGER, run INTEGER, kind TEXT)"
        )
        count = insert_integers(
            conn, "t", {"a": a, "b": b}, nullable=("b",), same={"run": 7, "kind": "shortage"}
        )
        rows = conn.exec_driver_sql(
            "SELECT id, a, b, run, kind, typeof(b) FROM t ORDER BY id"
        ).all()
    assert count == n
    assert [tuple(r) for r in rows] == [
        (
            k + 1,
            int(a[k]),
            None if b[k] == NULL_MARK else int(b[k]),
            7,
            "shortage",
            "null" if b[k] == NULL_MARK else "integer",
        )
        for k in range(n)
    ]


def test_a_refused_row_is_sqlalchemys_error_and_writes_nothing_of_its_statement() -> None:
    engine = create_engine("sqlite://")
    with engine.connect() as conn:
        conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER)")
        ids = np.arange(1, ROWS_PER_STATEMENT + 1)
        ids[-1] = 1  # the statement's last row repeats its first id
        with pytest.raises(IntegrityError, match="UNIQUE"):
            insert_integers(conn, "t", {"id": ids, "a": ids})
        assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar() == 0

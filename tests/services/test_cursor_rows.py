"""services.cursor_rows: the streaming readers give what the rows are, whatever the
chunk, empty results included (both databases)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine, LargeBinary, event, literal, null, select, union_all
from sqlalchemy.orm import Session

from pegboard.model import WorkCenter
from pegboard.services import capacity
from pegboard.services.cursor_rows import CHUNK, column_lists, matrix, tuples


def _centers(session: Session, n: int) -> None:
    for i in range(n):
        capacity.save_work_center(
            session, code=f"WC{i:02d}", hours_per_day=7.5 + i, units=1 + i % 3, author="ann"
        )


def test_column_lists_are_the_rows_transposed_whatever_the_chunk(session: Session) -> None:
    _centers(session, 7)
    stmt = select(WorkCenter.code, WorkCenter.units, WorkCenter.hours_per_day).order_by(
        WorkCenter.code
    )
    rows = tuples(session.connection(), stmt)
    assert len(rows) == 7
    for chunk in (1, 2, 3, 7, 8, 8192):
        got = column_lists(session.connection(), stmt, chunk)
        assert got == [list(c) for c in zip(*rows, strict=True)], chunk
    none = column_lists(session.connection(), stmt.where(WorkCenter.units > 99))
    assert none == [[], [], []]


def test_matrix_is_the_rows_as_numbers(session: Session) -> None:
    _centers(session, 5)
    stmt = select(WorkCenter.units, WorkCenter.hours_per_day, literal(-1)).order_by(WorkCenter.code)
    got = matrix(session.connection(), stmt, np.float64)
    want = [[float(v) for v in row] for row in tuples(session.connection(), stmt)]
    assert got.shape == (5, 3) and got.tolist() == want
    empty = matrix(session.connection(), stmt.where(WorkCenter.units > 99), np.int64)
    assert empty.shape == (0, 3) and empty.dtype == np.int64


def test_many_chunks_make_every_row_once(session: Session) -> None:
    # 20,000 rows, two and a half chunks of CHUNK: none lost or repeated at their seams
    assert 2 * CHUNK < 20_000 < 3 * CHUNK
    n = select(literal(1).label("x")).cte("n", recursive=True)
    n = n.union_all(select(n.c.x + 1).where(n.c.x < 20_000))
    stmt = select(n.c.x, n.c.x * 2).order_by(n.c.x)
    got = matrix(session.connection(), stmt, np.int64)
    want = np.arange(1, 20_001, dtype=np.int64)
    assert got.shape == (20_000, 2)
    assert got[:, 0].tolist() == want.tolist() and got[:, 1].tolist() == (2 * want).tolist()
    first, second = column_lists(session.connection(), stmt)
    assert first == want.tolist() and second == (2 * want).tolist()


def test_matrix_keeps_every_double_and_big_id_exactly(session: Session) -> None:
    # PostgreSQL sends each column as its rows' doubles (``_sent_columns``): values that
    # text would round, ids far past 32 bits and negative numbers come back bit for bit
    values = [1 / 3, 0.1, 2.0**52 + 1, -7.25, 1e-300, 123456.789012345]
    parts = [select(literal(k).label("k"), literal(v).label("v")) for k, v in enumerate(values)]
    rows = union_all(*parts).subquery("rows")
    stmt = select(rows.c.k, rows.c.v).order_by(rows.c.k.desc())
    got = matrix(session.connection(), stmt, np.float64)
    assert got[:, 0].tolist() == list(range(len(values)))[::-1]
    assert got[:, 1].tolist() == values[::-1]
    ids = matrix(session.connection(), select(literal(2**40 + 3), literal(-1)), np.int64)
    assert ids.tolist() == [[2**40 + 3, -1]] and ids.dtype == np.int64


def test_matrix_refuses_a_null(session: Session) -> None:
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite's rows are read one by one: a NULL fails in NumPy's conversion")
    stmt = select(literal(1), null())
    with pytest.raises(ValueError, match="NULL"):
        matrix(session.connection(), stmt, np.float64)


def test_a_matrix_comes_from_postgresql_in_binary(engine: Engine, session: Session) -> None:
    # ``db.BINARY_RESULTS``: the sent columns arrive as their bytes, not hex text twice as
    # long (which libpq's buffer then keeps); other statements keep the text format
    if engine.dialect.name != "postgresql":
        pytest.skip("result formats are PostgreSQL's")
    formats: list[int] = []

    def note(_conn: Any, cursor: Any, *_rest: Any) -> None:
        formats.append(int(cursor.pgresult.fformat(0)))

    event.listen(engine, "after_cursor_execute", note)
    try:
        got = matrix(session.connection(), select(literal(2), literal(0.5)), np.float64)
        session.execute(select(literal(b"\\x01", LargeBinary)))
    finally:
        event.remove(engine, "after_cursor_execute", note)
    assert got.tolist() == [[2.0, 0.5]]
    assert formats == [1, 0]  # binary, then text

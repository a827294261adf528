"""Binary COPY from arrays (``services._copy_binary``) on PostgreSQL: what is read back
is what was written, NULLs, 64-bit values, days and a constant word included, across
more than one block of rows."""

from __future__ import annotations

from datetime import date

import numpy as np
import psycopg
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from pegboard.db import WRITE
from pegboard.model import PlanException, PlanProduction
from pegboard.services import _copy_binary as binary


@pytest.fixture
def pg_session(engine: Engine, session: Session) -> Session:
    if engine.dialect.name != "postgresql":
        pytest.skip("binary COPY is PostgreSQL's")
    return session


def test_numbers_nulls_and_a_word_read_back(pg_session: Session) -> None:
    n = 8
    items = np.arange(10, 10 + n, dtype=np.int64)
    orders = np.array([5, -1, 7, -1, -1, 9, 2**31 - 1, 1])
    units = np.array([1, -2, 3 * 10**15, 0, -(2**62), 6, 7, 8], dtype=np.int64)
    with pg_session.begin():
        conn = pg_session.connection(execution_options={WRITE: True})
        written = binary.copy_fields(
            conn,
            PlanException.__tablename__,
            ["item_id", "sales_order_id", "qty_millionths", "plan_run_id", "kind"],
            [
                binary.int4(items),
                binary.int4(orders, orders < 0),
                binary.int8(units),
                binary.int4(np.full(n, 3)),
                binary.word("shortage", n),
            ],
            block_rows=3,  # three blocks
        )
        rows = pg_session.execute(
            select(
                PlanException.item_id,
                PlanException.sales_order_id,
                PlanException.qty_millionths,
                PlanException.plan_run_id,
                PlanException.kind,
            ).order_by(PlanException.id)
        ).all()
    assert written == n
    assert [tuple(r) for r in rows] == [
        (i, None if o < 0 else o, u, 3, "shortage")
        for i, o, u in zip(items.tolist(), orders.tolist(), units.tolist(), strict=True)
    ]


def test_days(pg_session: Session) -> None:
    days = [date(1999, 12, 31), date(2000, 1, 1), date(2027, 2, 28), date(9999, 12, 31)]
    ordinals = np.array([d.toordinal() for d in days])
    with pg_session.begin():
        conn = pg_session.connection(execution_options={WRITE: True})
        binary.copy_fields(
            conn,
            PlanProduction.__tablename__,
            [
                "plan_run_id",
                "production_order_id",
                "earliest_completion",
                "available_date",
                "is_late",
            ],
            [
                binary.int4(np.ones(4)),
                binary.int4(np.arange(4)),
                binary.day(ordinals),
                binary.day(ordinals[::-1]),
                binary.Field(np.ones((4, 1), dtype=np.uint8)),
            ],
        )
        rows = pg_session.execute(
            select(
                PlanProduction.earliest_completion,
                PlanProduction.available_date,
                PlanProduction.is_late,
            ).order_by(PlanProduction.production_order_id)
        ).all()
    assert [tuple(r) for r in rows] == [(d, e, True) for d, e in zip(days, days[::-1], strict=True)]


def test_a_row_the_server_refuses_fails_the_copy_and_keeps_nothing(pg_session: Session) -> None:
    """The blocks go through a writer thread; the server's refusal of a row in a later
    block still comes out of ``copy_fields`` and the transaction keeps none of them."""
    n = 40
    items = np.arange(1, n + 1, dtype=np.int64)
    no_run = np.arange(n) == n - 2  # the second last row names no plan run
    with pytest.raises(psycopg.errors.NotNullViolation, match="plan_run_id"), pg_session.begin():
        binary.copy_fields(
            pg_session.connection(execution_options={WRITE: True}),
            PlanException.__tablename__,
            ["item_id", "plan_run_id", "kind"],
            [binary.int4(items), binary.int4(np.full(n, 3), no_run), binary.word("shortage", n)],
            block_rows=3,  # many blocks: the refused row is in one of the last
        )
    with pg_session.begin():
        assert pg_session.scalar(select(func.count()).select_from(PlanException)) == 0

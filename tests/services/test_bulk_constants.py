"""Constant columns of a bulk insert (``bulk_insert_columns(same=...)``): written in
every row on both databases, and never anything but an integer or a plain word (they
go into SQLite's statement as literals)."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pegboard.db import WRITE
from pegboard.model import PlanException
from pegboard.services._bulk import bulk_insert_columns


def test_constant_columns_are_in_every_row(session: Session) -> None:
    with session.begin():
        conn = session.connection(execution_options={WRITE: True})
        written = bulk_insert_columns(
            conn,
            PlanException,
            {"item_id": [7, 8, 9], "sales_order_id": [None, 2, 3], "qty_millionths": [1, -2, 3]},
            same={"plan_run_id": 41, "kind": "shortage"},
        )
    assert written == 3
    with session.begin():
        rows = session.execute(
            select(
                PlanException.plan_run_id,
                PlanException.kind,
                PlanException.item_id,
                PlanException.sales_order_id,
                PlanException.qty_millionths,
            ).order_by(PlanException.id)
        ).all()
    assert [tuple(r) for r in rows] == [
        (41, "shortage", 7, None, 1),
        (41, "shortage", 8, 2, -2),
        (41, "shortage", 9, 3, 3),
    ]


@pytest.mark.parametrize("value", ["it's", "a b", "x;--", "é", True, 1.5])
def test_a_constant_is_an_integer_or_a_plain_word(session: Session, value: object) -> None:
    with session.begin():
        conn = session.connection(execution_options={WRITE: True})
        with pytest.raises((TypeError, ValueError)):
            bulk_insert_columns(
                conn,
                PlanException,
                {"item_id": [1]},
                same={"kind": value},  # type: ignore[dict-item]
            )
        assert session.scalars(select(PlanException.id)).all() == []


def test_a_row_the_database_refuses_fails_the_insert_and_keeps_nothing(
    session: Session,
) -> None:
    """Many rows, one of the last refused (no item): the whole insert fails on both
    databases (on PostgreSQL through the COPY's writer thread) and nothing is kept."""
    n = 30_000
    items: list[int | None] = list(range(1, n + 1))
    items[-3] = None
    refusals = (IntegrityError, psycopg.errors.NotNullViolation)  # SQLite's, PostgreSQL's COPY
    with pytest.raises(refusals, match="item_id"), session.begin():
        bulk_insert_columns(
            session.connection(execution_options={WRITE: True}),
            PlanException,
            {"item_id": items},
            same={"plan_run_id": 1, "kind": "shortage"},
        )
    with session.begin():
        assert session.scalar(select(func.count()).select_from(PlanException)) == 0

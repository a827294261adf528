"""SQLite's many-rows-a-statement insert of mixed columns (``_sqlite_rows.insert_columns``,
#18): every value back as written, NULLs and constants included, whatever the count of
rows against the rows a statement takes, and a refused row failing the whole insert."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pegboard.db import WRITE
from pegboard.model import Pegging, PlannedOrder
from pegboard.services import _sqlite_rows as sqlite_rows


@pytest.fixture
def sqlite_session(engine: Engine, session: Session) -> Session:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's statement; PostgreSQL takes the rows by COPY")
    return session


def _rows(n: int) -> dict[str, list[object]]:
    return {
        "supply_type": ["stock" if k % 3 else "planned_order" for k in range(n)],
        "supply_ref": [f"PL-{k:06d}" if k % 5 else "Hall é/1" for k in range(n)],
        "item_id": list(range(1, n + 1)),
        "qty": (np.arange(n) * 0.25 + 1e-9).tolist(),
        "demand_type": ["sales_order"] * n,
        "demand_ref": [f"SO-{k}/1" for k in range(n)],
    }


@pytest.mark.parametrize("n", [0, 1, 199, 200, 201, 1000, 1234])
def test_every_value_reads_back_in_order(sqlite_session: Session, n: int) -> None:
    data = _rows(n)
    with sqlite_session.begin():
        conn = sqlite_session.connection(execution_options={WRITE: True})
        assert sqlite_rows.insert_columns(conn, "pegging", data, same={"plan_run_id": 7}) == n
        got = sqlite_session.execute(
            select(
                Pegging.supply_type,
                Pegging.supply_ref,
                Pegging.item_id,
                Pegging.qty,
                Pegging.demand_type,
                Pegging.demand_ref,
                Pegging.plan_run_id,
                Pegging.id,
            ).order_by(Pegging.id)
        ).all()
    assert [tuple(r[:6]) for r in got] == list(zip(*data.values(), strict=True))
    assert {r[6] for r in got} <= {7}
    assert [r[7] for r in got] == list(range(1, n + 1))


def test_nulls_are_written_as_nulls(sqlite_session: Session) -> None:

    n = 450
    orders = [None if k % 2 else k for k in range(n)]
    with sqlite_session.begin():
        conn = sqlite_session.connection(execution_options={WRITE: True})
        sqlite_rows.insert_columns(
            conn,
            "planned_order",
            {
                "number": [f"PL-{k}" for k in range(n)],
                "item_id": [1] * n,
                "type": ["buy"] * n,
                "qty": [1.0] * n,
                "release_date": ["2026-12-07"] * n,
                "due_date": ["2026-12-08"] * n,
                "earliest_completion": ["2026-12-08"] * n,
                "is_late": [k % 3 == 0 for k in range(n)],
                "sales_order_id": orders,
            },
            same={"plan_run_id": 1},
        )
        got = sqlite_session.scalars(
            select(PlannedOrder.sales_order_id).order_by(PlannedOrder.id)
        ).all()
    assert list(got) == orders


def test_a_refused_row_fails_the_whole_insert(sqlite_session: Session) -> None:
    data = _rows(1000)
    data["item_id"][-5] = None  # NOT NULL
    with pytest.raises(IntegrityError, match="item_id"), sqlite_session.begin():
        conn = sqlite_session.connection(execution_options={WRITE: True})
        sqlite_rows.insert_columns(conn, "pegging", data, same={"plan_run_id": 1})
    with sqlite_session.begin():
        assert sqlite_session.scalars(select(Pegging.id)).first() is None

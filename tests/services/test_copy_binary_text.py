"""Binary COPY of text columns picked from tables of texts (``_copy_binary.TextField``)
on PostgreSQL: every row reads back as the text it picked, non-ASCII and empty texts
and several joined tables included, across blocks of rows; booleans too."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from pegboard.db import WRITE
from pegboard.model import Pegging, PlanProduction
from pegboard.services import _copy_binary as binary


@pytest.fixture
def pg_session(engine: Engine, session: Session) -> Session:
    if engine.dialect.name != "postgresql":
        pytest.skip("binary COPY is PostgreSQL's")
    return session


def test_texts_from_joined_tables_read_back(pg_session: Session) -> None:
    stock = ["main", "Lager Süd", ""]
    orders = ["PL-000001", "PL-1000000", "Überhang/2", "x" * 200]
    one, bases = binary.joined([binary.texts(stock), binary.texts(orders)])
    kinds = np.array([0, 1, 1, 0, 1, 0, 1], dtype=np.int64)
    picks = np.array([2, 3, 0, 1, 2, 0, 1], dtype=np.int64)
    tables = (stock, orders)
    expected = [tables[k][p] for k, p in zip(kinds.tolist(), picks.tolist(), strict=True)]
    n = len(kinds)
    names = binary.texts(["stock", "planned_order"])
    with pg_session.begin():
        conn = pg_session.connection(execution_options={WRITE: True})
        written = binary.copy_fields(
            conn,
            Pegging.__tablename__,
            [
                "supply_type",
                "supply_ref",
                "item_id",
                "qty",
                "demand_type",
                "demand_ref",
                "plan_run_id",
            ],
            [
                binary.TextField(names, kinds),
                binary.TextField(one, bases[kinds] + picks),
                binary.int4(np.arange(n)),
                binary.float8(np.linspace(0.1, 1e15, n)),
                binary.TextField(names, kinds[::-1].copy()),
                binary.TextField(one, (bases[kinds] + picks)[::-1].copy()),
                binary.int4(np.ones(n)),
            ],
            block_rows=3,  # three blocks
        )
        rows = pg_session.execute(
            select(
                Pegging.supply_type,
                Pegging.supply_ref,
                Pegging.qty,
                Pegging.demand_type,
                Pegging.demand_ref,
            ).order_by(Pegging.id)
        ).all()
    kind_names = ["stock" if k == 0 else "planned_order" for k in kinds.tolist()]
    assert written == n
    assert [tuple(r) for r in rows] == list(
        zip(
            kind_names,
            expected,
            np.linspace(0.1, 1e15, n).tolist(),
            kind_names[::-1],
            expected[::-1],
            strict=True,
        )
    )


def test_booleans(pg_session: Session) -> None:
    late = np.array([True, False, False, True])
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
                binary.day(np.full(4, 738000)),
                binary.day(np.full(4, 738001)),
                binary.boolean(late),
            ],
        )
        rows = pg_session.scalars(
            select(PlanProduction.is_late).order_by(PlanProduction.production_order_id)
        ).all()
    assert rows == late.tolist()


def test_a_long_text_among_many_short_ones(pg_session: Session) -> None:
    """A table too wide to pad (one text of 200 among 10,000 of one character) is
    gathered byte by byte: the same texts read back."""
    values = ["a", "b", "é"] * 3_333 + ["z" * 200]
    table = binary.texts(values)
    picks = np.array([9_999, 0, 2, 9_999, 5, 1], dtype=np.int64)
    n = len(picks)
    with pg_session.begin():
        conn = pg_session.connection(execution_options={WRITE: True})
        binary.copy_fields(
            conn,
            Pegging.__tablename__,
            [
                "supply_type",
                "supply_ref",
                "item_id",
                "qty",
                "demand_type",
                "demand_ref",
                "plan_run_id",
            ],
            [
                binary.word("stock", n),
                binary.TextField(table, picks[::-1].copy()),
                binary.int4(np.arange(n)),
                binary.float8(np.ones(n)),
                binary.word("planned_order", n),
                binary.TextField(table, picks),
                binary.int4(np.ones(n)),
            ],
            block_rows=4,
        )
        rows = pg_session.execute(
            select(Pegging.supply_type, Pegging.supply_ref, Pegging.demand_ref).order_by(Pegging.id)
        ).all()
    expected = [values[p] for p in picks.tolist()]
    assert [tuple(r) for r in rows] == [
        ("stock", e, d) for e, d in zip(expected[::-1], expected, strict=True)
    ]


PEGGING_COLUMNS = [
    "supply_type",
    "supply_ref",
    "item_id",
    "qty",
    "demand_type",
    "demand_ref",
    "plan_run_id",
]


def _pegging(supply: binary.TextField, demand: binary.TextField) -> list[binary.AnyField]:
    n = supply.picks.size
    return [
        binary.word("stock", n),
        supply,
        binary.int4(np.arange(n)),
        binary.float8(np.ones(n)),
        binary.word("planned_order", n),
        demand,
        binary.int4(np.ones(n)),
    ]


def test_one_long_text_keeps_every_block_small(pg_session: Session) -> None:
    """One 300-byte reference (100 three-byte characters) among 200,000 short planned-
    order numbers, in 250,000 rows: every row reads back as written, and laying them out
    stays under a fixed memory bound (each block's matrices were rows x widest x 8
    bytes: 0.8 GB a block)."""
    long = "受注" * 50
    values = [f"PO-{i:07d}" for i in range(200_000)] + [long]
    table = binary.texts(values)
    n = 250_000
    picks = np.arange(n, dtype=np.int64) % len(values)
    picks[::997] = len(values) - 1
    demands = picks[::-1].copy()
    with pg_session.begin():
        conn = pg_session.connection(execution_options={WRITE: True})
        tracemalloc.start()
        try:
            written = binary.copy_fields(
                conn,
                Pegging.__tablename__,
                PEGGING_COLUMNS,
                _pegging(binary.TextField(table, picks), binary.TextField(table, demands)),
            )
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        rows = pg_session.execute(
            select(Pegging.supply_ref, Pegging.demand_ref).order_by(Pegging.id)
        ).all()
    assert written == n
    assert peak < 150 * 2**20, f"{peak / 2**20:.0f} MB"
    assert [tuple(r) for r in rows] == list(
        zip(
            [values[p] for p in picks.tolist()],
            [values[p] for p in demands.tolist()],
            strict=True,
        )
    )


def test_a_connection_in_another_encoding_writes_the_same_text(pg_session: Session) -> None:
    """Binary COPY's texts are read in the connection's ``client_encoding``: a LATIN1
    connection gets "Zürich", not its UTF-8 bytes read as LATIN1, and keeps LATIN1."""
    refs = binary.texts(["Zürich", "Genève"])
    picks = np.array([0, 1, 0], dtype=np.int64)
    conn = pg_session.connection(execution_options={WRITE: True})
    try:
        conn.exec_driver_sql("SET client_encoding TO 'LATIN1'")
        binary.copy_fields(
            conn,
            Pegging.__tablename__,
            PEGGING_COLUMNS,
            _pegging(binary.TextField(refs, picks), binary.TextField(refs, picks[::-1].copy())),
        )
        encoding = conn.exec_driver_sql("SHOW client_encoding").scalar()
        rows = pg_session.execute(
            select(Pegging.supply_ref, Pegging.demand_ref).order_by(Pegging.id)
        ).all()
    finally:
        pg_session.rollback()  # also sets the pooled connection's encoding back
    assert encoding == "LATIN1"
    assert [tuple(r) for r in rows] == [
        ("Zürich", "Zürich"),
        ("Genève", "Genève"),
        ("Zürich", "Zürich"),
    ]

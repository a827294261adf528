"""A sales order's exceptions are read through ``plan_exception_by_sales_order`` (#18):
one row per sales order, its exception ids packed, which the plan writes from its sorted
arrays instead of indexing ``plan_exception.sales_order_id``: on
both databases every read by sales order gives exactly the rows of the whole list that
name it, after the master schedule's flags renumber the shortages (and after a company
whose plan was stored before the table is upgraded
(tests/cli/test_exception_sales_orders_upgrade.py))."""

from __future__ import annotations

import json
from itertools import pairwise

import numpy as np
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from _clock import pin_today
from _mps_flagged_plan import TODAY, plan_with_mps_flags, reads_by_sales_order
from pegboard.db import WRITE
from pegboard.model import PlanException, PlanExceptionSalesOrder
from pegboard.services import reports
from pegboard.services.exception_store import _digits, _packed, _spelt, store_exception_orders
from pegboard.services.plan_columns import CHUNK_ROWS


@pin_today(TODAY)
def test_each_sales_order_reads_its_own_rows_after_the_flags_renumber(
    engine: Engine, session: Session
) -> None:
    plan_with_mps_flags(session)
    with session.begin():
        kinds = dict(session.execute(select(PlanException.id, PlanException.kind)).all())
        named = session.execute(
            select(PlanException.sales_order_id, PlanException.id).where(
                PlanException.sales_order_id.is_not(None)
            )
        ).all()
        pairs = _pairs(session)
    # the flags took ids the shortages had: some shortages naming a sales order moved
    first_flag = min(i for i, k in kinds.items() if k == "mps_short")
    assert any(kinds[i] == "shortage" and i > first_flag for _, i in named)
    assert pairs == sorted(map(tuple, named))

    every = reports.all_exceptions(session)
    shortages = reports.shortages(session)
    reads = reads_by_sales_order(session)
    assert sum(n for _, n, *_ in reads.values()) == len(shortages)
    for number, (theirs, count, page, by_item, report_page) in reads.items():
        mine = [r for r in shortages if r.sales_order == number]
        assert theirs == mine
        assert count == len(mine)
        rows, total = page
        assert [tuple(r) for r in rows] == [
            (r.kind, r.item, r.order, r.date, r.sales_order, r.message)
            for r in every
            if r.sales_order == number
        ]  # every kind naming the order, in report order
        assert total == len(rows)
        rows_by_item, _ = by_item
        assert sorted(map(tuple, rows_by_item)) == sorted(map(tuple, rows))
        items = [r[1] for r in rows_by_item]
        assert items == sorted(items, reverse=True)
        assert [tuple(r[:6]) for r in report_page[0]] == [tuple(r) for r in rows]
    assert any(reads[n][1] for n in reads)  # the company has sales orders with shortages
    assert reports.shortages(session, sales_order="NO-SUCH-ORDER") == []
    assert reports.count_exceptions(session, reports.SHORTAGE, sales_order="NO-SUCH-ORDER") == 0


def test_pairs_are_written_by_sales_order_id_then_exception_id(
    engine: Engine, session: Session
) -> None:
    # engine positions of sales orders 30, 10, 20 (ids not in position order); rows in
    # report order name positions 2, none, 0, 1, 0, 2, so their exception ids are 1..6
    with session.begin():
        conn = session.connection(execution_options={WRITE: True})
        store_exception_orders(
            conn, np.array([30, 10, 20], dtype=np.int64), np.array([2, -1, 0, 1, 0, 2])
        )
        packed = session.execute(
            select(PlanExceptionSalesOrder.sales_order_id, PlanExceptionSalesOrder.exception_ids)
        ).all()
        session.rollback()
    assert sorted(map(tuple, packed)) == [(10, "[4]"), (20, "[1,6]"), (30, "[3,5]")]


def test_packed_ids_spell_every_width_and_keep_each_order_ascending(
    engine: Engine, session: Session
) -> None:
    # ids 1..12,345 (one to five digits) over orders 7, 3, 5 in a repeating pattern, some
    # rows naming none; then more ids than one batch (CHUNK_ROWS) over 2 and over 7 orders,
    # orders cut across batches and a batch boundary past the last order's start
    big = CHUNK_ROWS * 2 + 100_000
    layouts = [
        # no exception names a sales order (a plan of stock orders only), or none at all
        (np.array([7, 3, 5]), np.full(4, -1)),
        (np.array([], dtype=np.int64), np.full(3, -1)),
        (np.array([], dtype=np.int64), np.array([], dtype=np.int64)),
        (np.array([7, 3, 5]), np.where(np.arange(12_345) % 7 == 0, -1, np.arange(12_345) % 3)),
        (np.array([2, 1]), np.arange(big) * 2 // big),
        (np.arange(70, 0, -10), np.arange(big) // 50_000 % 7),
    ]
    for order_ids, positions in layouts:
        with session.begin():
            conn = session.connection(execution_options={WRITE: True})
            store_exception_orders(conn, order_ids, positions)
            pairs = _pairs(session)
            session.rollback()
        expected = [(int(order_ids[p]), k + 1) for k, p in enumerate(positions.tolist()) if p >= 0]
        assert pairs == sorted(expected)


def _pairs(session: Session) -> list[tuple[int, int]]:
    """(sales order id, exception id) of every packed id, checking each row ascending."""
    out = []
    rows = session.execute(
        select(PlanExceptionSalesOrder.sales_order_id, PlanExceptionSalesOrder.exception_ids)
    )
    for order_id, packed in rows:
        ids = json.loads(packed)
        assert ids == sorted(ids) and ids
        out += [(order_id, i) for i in ids]
    return sorted(out)


def test_ids_are_spelt_as_python_spells_them_at_every_width() -> None:
    # the packing writes digits into a byte grid instead of calling str() per id: each
    # power of ten and the number before it, up to 18 digits, a lone id, and an empty batch
    edges = [1, 9, 10, 11, 99, 100, *(10**k + d for k in range(3, 19) for d in (-1, 0, 1))]
    rng = np.random.default_rng(18)
    for ids in (
        np.array(edges, dtype=np.int64),
        np.array([7], dtype=np.int64),
        np.sort(rng.integers(1, 10**9, 5_000)),
        np.array([], dtype=np.int64),
    ):
        assert _spelt(ids, _digits(ids)) == ",".join(map(str, ids.tolist()))
        if ids.size:
            starts = np.unique(np.concatenate([[0], rng.integers(0, ids.size, 3)]))
            cuts = [*starts.tolist(), ids.size]
            packed = _packed(ids, starts)
            assert [json.loads(text) for text in packed] == [
                ids[lo:hi].tolist() for lo, hi in pairwise(cuts)
            ]

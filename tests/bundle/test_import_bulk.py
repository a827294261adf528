"""The import's bulk writes (#18): BOM lines by column, indexes built after the rows on
SQLite, component lists frozen order by order, the cycle collector held off."""

from __future__ import annotations

import gc
import threading
from datetime import date
from decimal import Decimal

import numpy as np
import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, inspect, select
from sqlalchemy.exc import IntegrityError

from pegboard import db
from pegboard.bundle.parse import _PLAIN_CODE, check_text
from pegboard.model import Bom, BomLine, Item, ProductionComponent, ProductionOrder
from pegboard.services._gc import collector_paused
from pegboard.services.bom_lines_write import positions
from pegboard.services.codes import code_problem
from pegboard.services.company_data import replace_company
from pegboard.services.dataset import BomRow, Dataset, ItemRow, ProductionRow, SalesRow
from pegboard.services.outstanding import freeze_component_lists


def _item(code: str, type_: str = "buy") -> ItemRow:
    return ItemRow(
        code, "", type_, "mts", "ea", 0, "lfl", None, None, 0.0, 0.0, 0.0, Decimal(0), ""
    )


def company(bom: list[BomRow]) -> Dataset:
    """Three made items whose BOM lines come interleaved, an order BOM among them, and
    two orders on the shop floor that need component lists."""
    return Dataset(
        items=[
            _item("A", "make"),
            _item("B", "make"),
            _item("C", "make"),
            *(_item(f"P{n}") for n in range(6)),
        ],
        bom=bom,
        sales=[SalesRow("SO-1", 1, "ACME", "", "A", 2.0, 0.0, date(2026, 2, 1), 10)],
        productions=[
            ProductionRow("MO-1", "A", 3.0, date(2026, 1, 15), None, "released", False, ""),
            ProductionRow("MO-2", "A", 1.0, date(2026, 1, 20), None, "in_progress", True, "SO-1"),
            ProductionRow("MO-3", "B", 2.0, date(2026, 1, 22), None, "planned", False, ""),
        ],
    )


INTERLEAVED = [
    BomRow("A", "P0", 1.0, 0.0, ""),
    BomRow("B", "P1", 2.0, 5.0, ""),
    BomRow("A", "P2", 3.0, 0.0, ""),
    BomRow("A", "P3", 1.5, 0.0, "SO-1"),
    BomRow("B", "P4", 4.0, 0.0, ""),
    BomRow("A", "P5", 0.25, 10.0, ""),
    BomRow("A", "P0", 2.0, 0.0, "SO-1"),
    BomRow("C", "B", 1.0, 0.0, ""),
]


def _index_names(engine: Engine, table: str) -> set[str]:
    return {str(ix["name"]) for ix in inspect(engine).get_indexes(table)}


def test_positions_count_each_bom_in_the_order_its_lines_come() -> None:
    bom_ids = np.array([5, 3, 5, 3, 5, 7, 3])
    assert positions(bom_ids).tolist() == [1, 1, 2, 2, 3, 1, 3]
    assert positions(np.array([], dtype=np.int64)).tolist() == []


def test_bom_lines_are_written_in_file_order_per_bom(engine: Engine) -> None:
    indexes = {t: _index_names(engine, t) for t in ("bom_line", "bom", "item")}
    with db.session_scope(engine) as session:
        replace_company(session, company(INTERLEAVED), author="test")
    with db.session_scope(engine) as session:
        got = session.execute(
            select(Bom.number, BomLine.position, Item.code, BomLine.qty_per, BomLine.scrap_pct)
            .join(Bom, Bom.id == BomLine.bom_id)
            .join(Item, Item.id == BomLine.component_id)
            .order_by(Bom.number, BomLine.position)
        ).all()
    assert [tuple(r) for r in got] == [
        ("BOM-A", 1, "P0", 1.0, 0.0),
        ("BOM-A", 2, "P2", 3.0, 0.0),
        ("BOM-A", 3, "P5", 0.25, 10.0),
        ("BOM-B", 1, "P1", 2.0, 5.0),
        ("BOM-B", 2, "P4", 4.0, 0.0),
        ("BOM-C", 1, "B", 1.0, 0.0),
        ("BOM-SO-1-A", 1, "P3", 1.5, 0.0),
        ("BOM-SO-1-A", 2, "P0", 2.0, 0.0),
    ]
    # the indexes dropped for the load (SQLite) are all there again
    assert {t: _index_names(engine, t) for t in indexes} == indexes


def test_a_failed_load_keeps_the_company_and_its_indexes(engine: Engine) -> None:
    with db.session_scope(engine) as session:
        replace_company(session, company(INTERLEAVED), author="test")
    indexes = _index_names(engine, "bom_line")
    bad = [*INTERLEAVED, BomRow("B", "P5", -1.0, 0.0, "")]  # qty_per must be above 0
    # SQLite's insert raises SQLAlchemy's error, PostgreSQL's COPY psycopg's own
    refused = (IntegrityError, psycopg.errors.IntegrityError)
    with db.session_scope(engine) as session, pytest.raises(refused):
        replace_company(session, company(bad), author="test")
    with db.session_scope(engine) as session:
        assert session.scalar(select(BomLine.id).where(BomLine.qty_per < 0)) is None
        assert len(session.scalars(select(BomLine.id)).all()) == len(INTERLEAVED)
    assert _index_names(engine, "bom_line") == indexes


def test_imported_orders_get_the_component_lists_of_a_whole_freeze(engine: Engine) -> None:
    """The import freezes the started orders by their ids; the lists are those the
    freeze of every started order without one gives."""
    with db.session_scope(engine) as session:
        replace_company(session, company(INTERLEAVED), author="test")

    order = ProductionOrder

    def lists() -> list[tuple[str, str, float, float]]:
        with db.session_scope(engine) as session:
            rows = session.execute(
                select(
                    ProductionOrder.number,
                    Item.code,
                    ProductionComponent.qty_per,
                    ProductionComponent.issued_qty,
                )
                .join(order, order.id == ProductionComponent.production_order_id)
                .join(Item, Item.id == ProductionComponent.item_id)
                .order_by(ProductionOrder.number, Item.code)
            ).all()
        return [tuple(r) for r in rows]  # type: ignore[misc]

    imported = lists()
    assert {number for number, *_ in imported} == {"MO-1", "MO-2"}
    # MO-2 is SO-1's: its order BOM's rows, issued in full; MO-1 the master's
    assert [r for r in imported if r[0] == "MO-2"] == [
        ("MO-2", "P0", 2.0, 2.0),
        ("MO-2", "P3", 1.5, 1.5),
    ]
    with db.session_scope(engine) as session, session.begin():
        session.execute(delete(ProductionComponent))
        freeze_component_lists(session)
    assert lists() == imported


def test_the_collector_is_held_off_until_the_last_block_ends() -> None:
    assert gc.isenabled()
    entered, leave = threading.Event(), threading.Event()

    def other_import() -> None:
        with collector_paused():
            entered.set()
            leave.wait(5)

    thread = threading.Thread(target=other_import)
    try:
        with collector_paused():
            thread.start()
            assert entered.wait(5)
            assert not gc.isenabled()
        assert not gc.isenabled()  # the other block still runs
    finally:
        leave.set()
        thread.join(5)
    assert gc.isenabled()


def test_a_collector_switched_off_before_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


@given(st.text(max_size=12) | st.text(alphabet=" -./%?#\\Ab9\t\x7f\u2028é", max_size=6))
@settings(max_examples=2000, deadline=None)
def test_a_code_the_quick_match_takes_is_one_code_problem_takes(text: str) -> None:
    """The reader's one-match test of a plain code never lets through what the code
    rule (``code_problem``, ``check_text``) refuses."""
    if _PLAIN_CODE.fullmatch(text):
        assert code_problem(text) is None
        check_text(text)

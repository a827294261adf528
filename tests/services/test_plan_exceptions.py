"""Shortage exceptions are stored narrow and read back exactly as the engine wrote them.

A ``shortage`` row stores its planned order and its quantity in millionths; its
order, date and message are derived in SQL when read. These tests hold the rows
read back (export, reports, pages) to the engine's own rows, on both databases.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from pegboard import clock
from pegboard.bundle.importer import read_bundle
from pegboard.engine import plan as run_engine
from pegboard.engine.exceptions import _millionths_text
from pegboard.model import (
    Item,
    ItemType,
    LotRule,
    PlanException,
    PlannedOrder,
    SalesOrderStatus,
    Strategy,
)
from pegboard.services import items, plan_results, reports, sales
from pegboard.services.company_data import replace_company
from pegboard.services.planning import run_plan
from pegboard.services.quantities import rounded_up, shown
from pegboard.services.snapshot import load_snapshot

DEMO = Path(__file__).parents[2] / "src" / "pegboard" / "demo" / "lighting"


def test_exceptions_read_back_as_the_engine_wrote_them(session: Session) -> None:
    replace_company(session, read_bundle(DEMO), author="test")
    run_plan(session, author="test")
    with session.begin():
        stored = plan_results.exception_rows(session)
        snap = load_snapshot(session.connection(), today=clock.today())
        narrow = session.scalar(
            select(func.count())
            .select_from(PlanException)
            .where(PlanException.message.is_(None), PlanException.order_ref.is_(None))
        )
        shortages = reports.shortages(session)
    result = run_engine(snap.input)
    exc = result.exceptions
    codes = snap.input.items.code
    sos = snap.input.sales_orders
    expected = sorted(
        (
            exc.kind[k],
            codes[int(exc.item[k])],
            exc.order[k],
            date.fromordinal(int(exc.date[k])),
            sos[int(exc.sales_order[k])] if exc.sales_order[k] >= 0 else "",
            exc.message[k],
        )
        for k in range(len(exc))
    )
    assert exc.kind.count("shortage") > 0
    assert narrow == exc.kind.count("shortage")
    assert sorted(stored) == expected
    # report order: kind, then date
    assert [(r[0], r[3]) for r in stored] == sorted((r[0], r[3]) for r in stored)
    # the report tells the same rows, each quantity rounded up to its item's decimals
    with session.begin():
        places = {code: int(d) for code, d in session.execute(select(Item.code, Item.decimals))}
    told = [
        (kind, item, order, day, so, _told(message, places[item]))
        for kind, item, order, day, so, message in stored
        if kind == "shortage"
    ]
    assert [(r.kind, r.item, r.order, r.date, r.sales_order, r.message) for r in shortages] == told


def _told(message: str, decimals: int) -> str:
    """The engine's "Q to buy" as a person is told it: Q rounded up to ``decimals``."""
    qty, rest = message.split(" ", 1)
    return f"{shown(rounded_up(float(qty), decimals), decimals)} {rest}"


@pytest.mark.parametrize("kind", [ItemType.MAKE, ItemType.BUY])
def test_shortage_message_in_sql_matches_the_engine_text(session: Session, kind: ItemType) -> None:
    millionths = [
        0,
        1,
        10,
        100_000,
        999_999,
        1_000_000,
        1_500_000,
        2_000_001,
        123_456_789_012,
        99_999_999_999_999,
        -1,
        -2_500_000,
    ]
    with session.begin():
        item_id = session.execute(
            insert(Item)
            .values(
                code="X",
                description="x",
                type=kind,
                strategy=Strategy.MTS,
                lot_rule=LotRule.LFL,
                uom="pc",
            )
            .returning(Item.id)
        ).scalar_one()
        session.execute(
            insert(PlannedOrder).values(
                id=7,
                plan_run_id=1,
                number="PL-000007",
                item_id=item_id,
                type=kind,
                qty=1.0,
                release_date=date(2026, 12, 1),
                due_date=date(2026, 12, 3),
                earliest_completion=date(2026, 12, 3),
            )
        )
        for units in millionths:
            session.execute(
                insert(PlanException).values(
                    plan_run_id=1,
                    kind="shortage",
                    item_id=item_id,
                    planned_order_id=7,
                    qty_millionths=units,
                )
            )
        rows = plan_results.exception_rows(session)
    assert rows == [
        ("shortage", "X", "PL-000007", date(2026, 12, 1), "", f"{_millionths_text(u)} to {kind}")
        for u in millionths
    ]


@pytest.mark.parametrize(
    ("decimals", "told"),
    [
        (0, ["0", "1", "1", "1", "1", "2", "3", "124", "-1", "-3"]),
        (2, ["0", "0.01", "0.01", "0.1", "1", "1.5", "2.01", "123.46", "-0.01", "-2.5"]),
        (6, ["0", "0.000001", "0.00001", "0.1", "0.999999", "1.5", "2.000001", "123.456789",
             "-0.000001", "-2.5"]),
    ],
)  # fmt: skip
def test_a_shortage_is_told_rounded_up_to_the_items_decimals(
    session: Session, decimals: int, told: list[str]
) -> None:
    """What reports, pages and the API say to buy (rule 7): 2.2 pieces short is 3 to buy;
    the export keeps the engine's exact text."""
    millionths = [0, 1, 10, 100_000, 999_999, 1_500_000, 2_000_001, 123_456_789, -1, -2_500_000]
    with session.begin():
        item_id = session.execute(
            insert(Item)
            .values(
                code="X", description="x", type=ItemType.BUY, strategy=Strategy.MTS,
                lot_rule=LotRule.LFL, uom="pc", decimals=decimals,
            )
            .returning(Item.id)
        ).scalar_one()  # fmt: skip
        session.execute(
            insert(PlannedOrder).values(
                id=7, plan_run_id=1, number="PL-000007", item_id=item_id, type=ItemType.BUY,
                qty=1.0, release_date=date(2026, 12, 1), due_date=date(2026, 12, 3),
                earliest_completion=date(2026, 12, 3),
            )
        )  # fmt: skip
        for units in millionths:
            session.execute(
                insert(PlanException).values(
                    plan_run_id=1, kind="shortage", item_id=item_id, planned_order_id=7,
                    qty_millionths=units,
                )
            )  # fmt: skip
        shown_rows = [m for *_, m in session.execute(plan_results.exception_query())]
        exported = [r[5] for r in plan_results.exception_rows(session)]
    assert shown_rows == [f"{t} to buy" for t in told]
    assert exported == [f"{_millionths_text(u)} to buy" for u in millionths]


def test_a_quantity_beyond_millionths_keeps_its_message_and_the_report_order(
    session: Session,
) -> None:
    """A shortage of 10^8 or more is stored with its text, between narrow rows: every
    row then carries its id, and the report order holds. The demo gets one more order
    line of 123,456,789.5 kg of a bought item, due among the demo's own shortages."""
    data = read_bundle(DEMO)
    replace_company(session, data, author="test")
    items.create_item(session, "BULK", {"type": "buy", "uom": "kg"}, author="test")
    sales.create_customer(session, code="Bulk buyer", author="test")
    number = sales.create_order(session, customer="Bulk buyer", author="test")
    # the sample plans as of its own planning date, whatever today is
    due = date.fromisoformat(str(data.settings["planning_date"])) + timedelta(days=30)
    sales.add_line(session, number, item="BULK", qty=123_456_789.5, due=due, author="test")
    sales.set_status(session, number, SalesOrderStatus.CONFIRMED, author="test")
    run_plan(session, author="test")
    with session.begin():
        stored = plan_results.exception_rows(session)
        wide = session.scalar(
            select(func.count())
            .select_from(PlanException)
            .where(PlanException.kind == "shortage", PlanException.message.is_not(None))
        )
        snap = load_snapshot(session.connection(), today=clock.today())
    result = run_engine(snap.input)
    assert wide == 1
    assert sum(r[5] == "123456789.5 to buy" for r in stored) == 1
    shortages = [r for r in stored if r[0] == "shortage"]
    huge = next(k for k, r in enumerate(shortages) if r[5] == "123456789.5 to buy")
    assert 0 < huge < len(shortages) - 1  # between narrow rows
    assert [(r[0], r[3]) for r in stored] == sorted((r[0], r[3]) for r in stored)
    assert len(stored) == len(result.exceptions)

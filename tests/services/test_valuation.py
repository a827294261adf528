"""Inventory value (#16 item 2): the moving average across receipts at different prices,
values that follow the stock out of every bucket, and old ledger rows valued by the
migration at the item's unit cost. Both databases."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from alembic import command
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from _costing import build_shop
from pegboard import db
from pegboard.errors import ValidationError
from pegboard.services import purchasing, stock, valuation, variance

D = Decimal


def receive(session: Session, item: str, qty: float, price: str) -> None:
    line = purchasing.NewLine(item, qty, date(2026, 10, 1), unit_price=price)
    number = purchasing.create_purchase(session, supplier="Lumen", lines=[line], author="buyer")
    purchasing.confirm_purchase(session, number, author="buyer")
    purchasing.receive_purchase(session, number, author="buyer")


def led(session: Session) -> variance.ItemCost:
    with session.begin():
        return variance.item_cost(session, "LED")


@pytest.fixture
def shop(session: Session) -> Session:
    return build_shop(session)


def test_the_moving_average_across_three_receipts(shop: Session) -> None:
    receive(shop, "LED", 10, "1.40")
    assert led(shop).moving_average == D("1.4")
    receive(shop, "LED", 10, "1.60")
    assert led(shop).moving_average == D("1.5")
    # 14.00 + 16.00 + 9.50 = 39.50 for 25: 1.58 (the unit cost, 1.50, plays no part)
    receive(shop, "LED", 5, "1.90")
    found = led(shop)
    assert (found.on_hand, found.value, found.moving_average) == (25, D("39.5"), D("1.58"))
    # five leave at the average and the average stays
    stock.adjust_stock(shop, item="LED", qty=-5, reason="broken", author="stores")
    found = led(shop)
    assert (found.value, found.moving_average) == (D("31.6"), D("1.58"))
    # a count correction in comes in at the average
    stock.adjust_stock(shop, item="LED", qty=3, reason="found", author="stores")
    assert led(shop).value == D("36.34")
    # the last ones take all the value left: an empty bucket is worth exactly 0
    stock.adjust_stock(shop, item="LED", qty=-23, reason="scrapped", author="stores")
    found = led(shop)
    assert (found.on_hand, found.value, found.moving_average) == (0, D("0"), None)
    with shop.begin():
        assert stock.check_stock(shop).ok
        moves = [m.value for m in stock.moves(shop, "LED", limit=10)]
    assert moves == [D(x) for x in ("-36.34", "4.74", "-7.9", "9.5", "16", "14")]


def test_a_third_of_a_price_keeps_six_decimals_and_leaves_no_residue(shop: Session) -> None:
    receive(shop, "LED", 3, "1")
    receive(shop, "LED", 3, "1.0001")  # 6.0003 for 6
    for _ in range(5):
        stock.adjust_stock(shop, item="LED", qty=-1, reason="used", author="stores")
    assert led(shop).value == D("1.00005")
    stock.adjust_stock(shop, item="LED", qty=-1, reason="used", author="stores")
    assert led(shop).value == 0
    with shop.begin():
        assert stock.check_stock(shop).ok


def test_the_valuation_by_item_and_location(shop: Session) -> None:
    receive(shop, "LED", 10, "1.40")
    receive(shop, "PROFILE", 4, "6.25")
    with shop.begin():
        report = stock.valuation_report(shop)
        one = stock.valuation_report(shop, item="LED")
    assert [(r.item, r.location, r.qty, r.value) for r in report.rows] == [
        ("LED", "main", 10, D("14")),
        ("PROFILE", "main", 4, D("25")),
    ]
    assert (report.total, report.currency) == (D("39"), "EUR")
    assert [r.item for r in one.rows] == ["LED"]


@pytest.mark.parametrize(
    ("price", "words"),
    [
        ("-1", "must not be negative"),
        ("1.0000000001", "at most 4 decimals"),
        ("1e400", "at most"),
        ("twelve", "is not a unit cost"),
    ],
)
def test_bad_purchase_prices_are_refused_by_line_and_field(
    shop: Session, price: str, words: str
) -> None:
    with pytest.raises(ValidationError, match=f"line 1 unit_price .*{words}"):
        receive(shop, "LED", 1, price)


def test_old_ledger_rows_are_valued_at_the_unit_cost(engine: Engine) -> None:
    """Rows from before migration 0017 get qty × unit cost, and each balance their sum."""
    config = db.alembic_config(engine)
    command.downgrade(config, "0016")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO item (code, description, type, strategy, uom, decimals,"
                " lead_time_days, lot_rule, min_qty, multiple, safety_stock, unit_cost,"
                " supplier, mps, created_at) VALUES ('NUT', '', 'buy', 'mts', 'ea', 0, 0,"
                " 'lfl', 0, 0, 0, 0.35, '', false, CURRENT_TIMESTAMP)"
            )
        )
        item_id = conn.execute(text("SELECT id FROM item WHERE code = 'NUT'")).scalar_one()
        for qty, kind in ((10, "receipt"), (-4, "issue")):
            conn.execute(
                text(
                    "INSERT INTO stock_move (item_id, location, qty, kind, reference, reason,"
                    " author, created_at) VALUES (:i, 'main', :q, :k, '', '', 'old',"
                    " CURRENT_TIMESTAMP)"
                ),
                {"i": item_id, "q": qty, "k": kind},
            )
        conn.execute(
            text("INSERT INTO stock_balance (item_id, location, qty) VALUES (:i, 'main', 6)"),
            {"i": item_id},
        )
    command.upgrade(config, "head")
    with db.session_scope(engine) as session, session.begin():
        values = sorted(session.execute(text("SELECT value FROM stock_move ORDER BY id")).scalars())
        assert [D(str(v)).quantize(D("0.01")) for v in values] == [D("-1.40"), D("3.50")]
        found = valuation.stock_value(session, item="NUT")
        assert [(r.qty, r.value) for r in found] == [(6, D("2.1"))]
        assert stock.check_stock(session).ok

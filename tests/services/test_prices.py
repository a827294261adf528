"""Quoted prices on sales-order lines and the company currency (#16 item 1).

Money is exact: a price is read from text into a ``Decimal``, stored as numeric and
given back as the same ``Decimal``; a float, a negative price, a price with more
decimals than cents or a discount over 100 % is refused with the field named, and
nothing is written.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pegboard.errors import ValidationError
from pegboard.model import AuditEntry, SalesOrderLine
from pegboard.services import audit, money, order_changes, sales
from pegboard.services.company_data import replace_company
from pegboard.services.dataset import Dataset, ItemRow

DUE = date(2027, 1, 11)
TODAY = date(2026, 11, 23)


def item(code: str) -> ItemRow:
    return ItemRow(code, "", "buy", "mts", "ea", 5, "lfl", None, None, 0.0, 0.0, 0.0, 4.2, "")


@pytest.fixture
def shop(session: Session) -> Session:
    replace_company(session, Dataset(items=[item("LAMP")]), author="import")
    sales.create_customer(session, code="ACME", author="sales")
    sales.create_order(session, customer="ACME", number="SO-1", author="sales")
    return session


def line(session: Session, n: int = 1) -> sales.LineView:
    with session.begin():
        return sales.order_view(session, "SO-1").lines[n - 1]


def test_a_line_is_quoted_exactly(shop: Session) -> None:
    sales.add_line(
        shop,
        "SO-1",
        item="LAMP",
        qty=3,
        due=DUE,
        unit_price="19.99",
        discount_pct="10",
        author="sales",
    )
    sales.add_line(shop, "SO-1", item="LAMP", qty=1, due=DUE, author="sales")
    quoted, plain = line(shop, 1), line(shop, 2)
    assert quoted.unit_price == Decimal("19.99") and type(quoted.unit_price) is Decimal
    assert quoted.discount_pct == Decimal("10")
    assert quoted.amount == Decimal("53.973")  # 3 × 19.99 × 0.9, not rounded
    assert (plain.unit_price, plain.discount_pct, plain.amount) == (None, 0, None)
    with shop.begin():
        view = sales.order_view(shop, "SO-1")
        assert view.currency == "EUR"
        assert view.amount == Decimal("53.973")
        (entry,) = [e for e in audit.history(shop, sales_order="SO-1") if e.entity_ref == "SO-1/1"]
        assert entry.after is not None
        assert entry.after["unit_price"] == "19.99"


def test_changing_the_price_moves_nothing_else(shop: Session) -> None:
    sales.add_line(shop, "SO-1", item="LAMP", qty=2, due=DUE, unit_price=50, author="sales")
    flagged = order_changes.change_line(
        shop, "SO-1", 1, unit_price="47.50", discount_pct="2.5", author="sales", today=TODAY
    )
    assert flagged == []
    changed = line(shop)
    assert (changed.unit_price, changed.discount_pct) == (Decimal("47.50"), Decimal("2.5"))
    assert (changed.qty, changed.due) == (2, DUE)
    assert changed.amount == Decimal("92.625")
    order_changes.change_line(shop, "SO-1", 1, qty=4, author="sales", today=TODAY)
    assert line(shop).unit_price == Decimal("47.50")
    assert line(shop).amount == Decimal("185.25")
    with shop.begin():
        change = [e for e in audit.history(shop, sales_order="SO-1") if e.action == "change"]
        assert change[-1].before is not None and change[-1].after is not None
        assert change[-1].before["unit_price"] == "50.00"
        assert change[-1].after["unit_price"] == "47.50"


def count(session: Session) -> tuple[int, int]:
    with session.begin():
        return (
            int(session.scalar(select(func.count()).select_from(SalesOrderLine)) or 0),
            int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0),
        )


@pytest.mark.parametrize(
    ("price", "discount", "field", "words"),
    [
        ("-0.01", None, "unit_price", "must not be negative"),
        ("12.3456789012", None, "unit_price", "at most two decimals"),
        ("twelve", None, "unit_price", "is not an amount"),
        ("NaN", None, "unit_price", "is not an amount"),
        ("Infinity", None, "unit_price", "is not an amount"),
        ("1e30", None, "unit_price", "at most"),
        (12.5, None, "unit_price", "not a float"),
        ("10", "100.01", "discount_pct", "at most 100"),
        ("10", "-5", "discount_pct", "must not be negative"),
    ],
)
def test_bad_prices_are_refused_and_nothing_is_written(
    shop: Session, price: object, discount: str | None, field: str, words: str
) -> None:
    before = count(shop)
    with pytest.raises(ValidationError) as info:
        sales.add_line(
            shop,
            "SO-1",
            item="LAMP",
            qty=1,
            due=DUE,
            unit_price=price,  # type: ignore[arg-type]
            discount_pct=discount,
            author="sales",
        )
    assert words in info.value.message
    assert field in info.value.message
    assert count(shop) == before


def test_a_bad_price_change_writes_nothing(shop: Session) -> None:
    sales.add_line(shop, "SO-1", item="LAMP", qty=1, due=DUE, unit_price="5", author="sales")
    before = count(shop)
    with pytest.raises(ValidationError):
        order_changes.change_line(
            shop, "SO-1", 1, qty=3, unit_price="-1", author="sales", today=TODAY
        )
    assert count(shop) == before
    assert (line(shop).qty, line(shop).unit_price) == (1, Decimal("5"))


def test_the_costing_settings(shop: Session) -> None:
    with shop.begin():
        assert money.costing_settings(shop) == money.CostingSettings("EUR", 0, 0)  # type: ignore[arg-type]
    settings = money.set_costing_settings(
        shop,
        currency="chf",
        overhead_per_labour_hour="12.5",
        overhead_pct_of_material="8",
        author="admin",
    )
    assert settings == money.CostingSettings("CHF", Decimal("12.5"), Decimal("8"))
    with pytest.raises(ValidationError, match="ISO 4217"):
        money.set_costing_settings(shop, currency="EURO", author="admin")
    with pytest.raises(ValidationError, match="negative"):
        money.set_costing_settings(shop, overhead_per_labour_hour="-1", author="admin")
    with shop.begin():
        assert money.currency(shop) == "CHF"

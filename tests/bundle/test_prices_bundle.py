"""Quoted prices in sales_orders.csv and the money settings (#16 item 1): read exactly,
written back exactly, bad values refused with their location."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from _bundles import GOOD, good_bundle, next_line, only_problem, read_files
from sqlalchemy import Engine

from pegboard import db
from pegboard.bundle.importer import read_bundle
from pegboard.bundle.writer import write_dataset
from pegboard.services import sales
from pegboard.services.company_data import read_company, replace_company

PRICED = """\
sales_order,line,customer,project,item,qty,shipped_qty,due_date,priority,unit_price,discount_pct
SO-1,1,ACME,P-1,BIKE,5,1,2026-02-01,10,1249.9,12.5
SO-1,2,ACME,P-1,WHEEL,4,,2026-02-03,,0.10,
SO-2,1,Bolt Co,,BIKE,2,,2026-03-01,,,
"""
SETTINGS = GOOD["settings"] + (
    "currency,chf\noverhead_per_labour_hour,18.5\noverhead_pct_of_material,7.5\n"
)


def test_prices_and_settings_are_read_exactly(tmp_path: Path) -> None:
    data = read_bundle(good_bundle(tmp_path, sales_orders=PRICED, settings=SETTINGS))
    prices = {(s.sales_order, s.line): (s.unit_price, s.discount_pct) for s in data.sales}
    assert prices == {
        ("SO-1", 1): (Decimal("1249.90"), Decimal("12.50")),
        ("SO-1", 2): (Decimal("0.10"), Decimal("0")),
        ("SO-2", 1): (None, Decimal("0")),
    }
    assert all(type(p) is Decimal for p, _ in prices.values() if p is not None)
    assert data.settings["currency"] == "CHF"
    assert data.settings["overhead_per_labour_hour"] == "18.50"
    assert data.settings["overhead_pct_of_material"] == "7.5"


def test_an_import_keeps_the_prices_and_exports_them_again(engine: Engine, tmp_path: Path) -> None:
    data = read_bundle(good_bundle(tmp_path / "in", sales_orders=PRICED, settings=SETTINGS))
    with db.session_scope(engine) as session:
        replace_company(session, data, author="import")
        with session.begin():
            view = sales.order_view(session, "SO-1")
            back = read_company(session)
    assert view.currency == "CHF"
    first = view.lines[0]
    assert (first.unit_price, first.discount_pct) == (Decimal("1249.90"), Decimal("12.50"))
    # 5 × 1249.90 less 12.5 % = 5468.3125: exact, not rounded
    assert first.amount == Decimal("5468.3125")
    assert view.amount == Decimal("5468.3125") + Decimal("0.40")
    assert back.canonical() == data.canonical()
    write_dataset(back, tmp_path / "out")
    text = (tmp_path / "out" / "sales_orders.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0].endswith(",unit_price,discount_pct")
    assert "SO-1,1,ACME,P-1,BIKE,5,1,2026-02-01,10,1249.90,12.50" in text
    assert "SO-2,1,Bolt Co,,BIKE,2,0,2026-03-01,100,,0.00" in text
    again = read_bundle(tmp_path / "out")
    assert again.canonical() == data.canonical()
    write_dataset(again, tmp_path / "again")
    assert read_files(tmp_path / "again") == read_files(tmp_path / "out")


ROW = "SO-3,1,ACME,,WHEEL,1,,2026-02-01,"


@pytest.mark.parametrize(
    ("price", "discount", "column", "reason"),
    [
        ("-5", "", "unit_price", "must not be negative"),
        ("12.3456789012", "", "unit_price", "at most two decimals (cents)"),
        ("12;50", "", "unit_price", "not an amount"),
        ("€12", "", "unit_price", "not an amount"),
        ("1e3", "", "unit_price", "not an amount"),
        ("NaN", "", "unit_price", "not an amount"),
        ("10000000000", "", "unit_price", "at most 1000000000"),
        ("10", "100.5", "discount_pct", "at most 100"),
        ("10", "-1", "discount_pct", "must not be negative"),
    ],
)
def test_a_bad_price_is_refused_where_it_is(
    tmp_path: Path, price: str, discount: str, column: str, reason: str
) -> None:
    rows = PRICED + f"{ROW},{price},{discount}\n"
    problem = only_problem(good_bundle(tmp_path, sales_orders=rows))
    assert (problem.file, problem.line, problem.column) == ("sales_orders.csv", 5, column)
    assert reason in problem.reason


def test_an_unknown_currency_is_refused(tmp_path: Path) -> None:
    settings = GOOD["settings"] + "currency,EURO\n"
    problem = only_problem(good_bundle(tmp_path, settings=settings))
    assert (problem.file, problem.line, problem.column) == (
        "settings.csv",
        next_line("settings"),
        "value",
    )
    assert "ISO 4217" in problem.reason


def test_a_negative_overhead_is_refused(tmp_path: Path) -> None:
    settings = GOOD["settings"] + "overhead_per_labour_hour,-3\n"
    problem = only_problem(good_bundle(tmp_path, settings=settings))
    assert problem.column == "value"
    assert "negative" in problem.reason

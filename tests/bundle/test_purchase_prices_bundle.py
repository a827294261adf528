"""Purchase prices and exact unit costs in a bundle (#16): read exactly, kept by an import,
written back exactly (an empty price is the item's unit cost, and stays empty), bad
values refused with their file, line and column."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from _bundles import GOOD, good_bundle, next_line, only_problem
from sqlalchemy import Engine, select

from pegboard import db
from pegboard.bundle.importer import read_bundle
from pegboard.bundle.writer import write_dataset
from pegboard.model import PurchaseOrder, PurchaseOrderLine
from pegboard.services import stock
from pegboard.services.company_data import read_company, replace_company


def _priced() -> str:
    """GOOD's purchase orders with a unit_price column: PO-1/1 priced, the others empty."""
    header, *rows = GOOD["purchase_orders"].splitlines()
    cells = [r + (",13.0125" if r.startswith("PO-1,1,") else ",") for r in rows]
    return "\n".join([header + ",unit_price", *cells]) + "\n"


PRICED = _priced()


def test_prices_are_read_exactly_and_kept_by_an_import(engine: Engine, tmp_path: Path) -> None:
    data = read_bundle(good_bundle(tmp_path / "in", purchase_orders=PRICED))
    prices = {(p.purchase_order, p.line): p.unit_price for p in data.purchases}
    assert prices[("PO-1", 1)] == Decimal("13.0125")
    assert prices[("PO-1", 2)] is None
    with db.session_scope(engine) as session:
        replace_company(session, data, author="import")
        with session.begin():
            stored = dict(
                session.execute(
                    select(PurchaseOrderLine.line, PurchaseOrderLine.unit_price)
                    .join(PurchaseOrder)
                    .where(PurchaseOrder.number == "PO-1")
                ).all()
            )
            back = read_company(session)
    # the line without a price takes the bolt's unit cost, 0.05
    assert stored == {1: Decimal("13.0125"), 2: Decimal("0.05")}
    assert back.canonical() == data.canonical()
    write_dataset(back, tmp_path / "out")
    text = (tmp_path / "out" / "purchase_orders.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0].endswith(",supplier,unit_price")
    assert "PO-1,1,WHEEL,10,2026-01-20,open,,Acme,13.0125" in text
    assert "PO-1,2,BOLT,500,2026-01-22,in_transit,,Acme,\n" in text


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("-1", "must not be negative"),
        ("1.0000000001", "at most 4 decimals"),
        ("12,5", "not an amount"),
        ("nan", "not a finite number"),
        ("2000000000", "at most"),
    ],
)
def test_bad_purchase_prices_are_located(tmp_path: Path, text: str, words: str) -> None:
    rows = PRICED + f'PO-2,1,WHEEL,1,2026-01-20,open,,Acme,"{text}"\n'
    problem = only_problem(good_bundle(tmp_path, purchase_orders=rows))
    where = (problem.file, problem.line, problem.column, problem.value)
    assert where == ("purchase_orders.csv", next_line("purchase_orders"), "unit_price", text)
    assert words in problem.reason


@pytest.mark.parametrize(
    ("text", "words"), [("0.00001", "at most 4 decimals"), ("-0.5", "must not be negative")]
)
def test_bad_unit_costs_are_located(tmp_path: Path, text: str, words: str) -> None:
    items = GOOD["items"] + f"NUT,Nut,buy,mts,ea,2,lfl,,,,,,{text},\n"
    problem = only_problem(good_bundle(tmp_path, items=items))
    where = (problem.file, problem.line, problem.column, problem.value)
    assert where == ("items.csv", next_line("items"), "unit_cost", text)
    assert words in problem.reason


def test_opening_stock_is_valued_at_the_unit_cost(engine: Engine, tmp_path: Path) -> None:
    """An imported stock row is an opening balance worth qty × the item's unit cost, so the
    valuation and the ledger agree from the first day."""
    data = read_bundle(good_bundle(tmp_path))
    with db.session_scope(engine) as session:
        replace_company(session, data, author="import")
        with session.begin():
            report = stock.valuation_report(session)
            assert stock.check_stock(session).ok
    costs = {i.item: i.unit_cost for i in data.items}
    expected: dict[tuple[str, str], Decimal] = {}
    for s in data.stock:  # reserved and free stock of one place are valued together
        if s.qty > 0:
            key = (s.item, s.location or "main")
            expected[key] = expected.get(key, Decimal(0)) + Decimal(repr(s.qty)) * costs[s.item]
    got = {(r.item, r.location): r.value for r in report.rows}
    assert got == expected
    assert report.total > 0

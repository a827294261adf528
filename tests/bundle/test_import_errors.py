"""Every bundle rule reports the file, line, column and value, and nothing is written.

Each test breaks one rule of bundle-format.md in an otherwise good bundle
(``_bundles.GOOD``) and checks the one problem ``read_bundle`` reports.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import psycopg
import pytest
from _bundles import GOOD, good_bundle, next_line, only_problem, problems, with_rows, write_bundle
from sqlalchemy import Engine, func, select
from sqlalchemy import exc as sa_exc

from pegboard import db
from pegboard.bundle.importer import read_bundle
from pegboard.bundle.parse import MAX_PROBLEMS_PER_FILE
from pegboard.errors import BundleError, BundleProblem
from pegboard.model import StockMove
from pegboard.services.company_data import read_company, replace_company
from pegboard.services.dataset import Dataset, ProductionRow, StockRow


def assert_problem(
    problem: BundleProblem,
    *,
    file: str,
    line: int | None,
    column: str | None,
    value: str | None,
    word: str,
) -> None:
    assert (problem.file, problem.line, problem.column, problem.value) == (
        file,
        line,
        column,
        value,
    ), str(problem)
    assert word.lower() in problem.reason.lower(), str(problem)


def test_the_good_bundle_reads(tmp_path: Path) -> None:
    data = read_bundle(good_bundle(tmp_path))
    assert data.counts() == {
        "settings": 2,
        "items": 4,
        "bom": 6,
        "stock": 3,
        "purchase_orders": 3,
        "production_orders": 2,
        "sales_orders": 3,
    }


# --- header rules -------------------------------------------------------------------------


def test_unknown_column_is_named_on_line_1(tmp_path: Path) -> None:
    stock = "item,qty,colour\nWHEEL,1,red\n"
    p = only_problem(good_bundle(tmp_path, stock=stock))
    assert_problem(p, file="stock.csv", line=1, column="colour", value=None, word="unknown column")
    assert "location" in p.reason  # it says which columns the file takes


def test_missing_required_column(tmp_path: Path) -> None:
    stock = "item,location\nWHEEL,main\n"
    p = only_problem(good_bundle(tmp_path, stock=stock))
    assert_problem(p, file="stock.csv", line=1, column="qty", value=None, word="missing")


def test_duplicate_column(tmp_path: Path) -> None:
    stock = "item,qty,qty\nWHEEL,1,2\n"
    p = only_problem(good_bundle(tmp_path, stock=stock))
    assert_problem(p, file="stock.csv", line=1, column="qty", value=None, word="duplicate")


def test_columns_may_come_in_any_order_and_optional_ones_may_be_absent(tmp_path: Path) -> None:
    stock = "location,qty,item\nbin 4,3,BOLT\n"
    data = read_bundle(good_bundle(tmp_path, stock=stock))
    assert [(s.item, s.qty, s.location, s.sales_order) for s in data.stock] == [
        ("BOLT", 3.0, "bin 4", "")
    ]


def test_more_cells_than_header(tmp_path: Path) -> None:
    stock = "item,qty\nWHEEL,1,oops\n"
    p = only_problem(good_bundle(tmp_path, stock=stock))
    assert_problem(p, file="stock.csv", line=2, column=None, value=None, word="more cells")


# --- cell rules ---------------------------------------------------------------------------


def test_missing_required_value(tmp_path: Path) -> None:
    sales = with_rows("sales_orders", "SO-3,1,,,BIKE,1,,2026-02-01,")
    p = only_problem(good_bundle(tmp_path, sales_orders=sales))
    line = next_line("sales_orders")
    assert_problem(
        p, file="sales_orders.csv", line=line, column="customer", value="", word="required"
    )


def test_a_blank_cell_counts_as_missing(tmp_path: Path) -> None:
    stock = with_rows("stock", "BOLT,   ,bin,")
    p = only_problem(good_bundle(tmp_path, stock=stock))
    assert_problem(
        p, file="stock.csv", line=next_line("stock"), column="qty", value="", word="required"
    )


@pytest.mark.parametrize("text", ["abc", "1.2.3", "12,5", "1_000", "0x10", "½"])
def test_bad_number(tmp_path: Path, text: str) -> None:
    stock = with_rows("stock", f'BOLT,"{text}",bin,')
    p = only_problem(good_bundle(tmp_path, stock=stock))
    assert_problem(
        p, file="stock.csv", line=next_line("stock"), column="qty", value=text, word="decimal"
    )


@pytest.mark.parametrize("text", ["nan", "NaN", "inf", "-inf", "Infinity"])
def test_nan_and_infinity_are_rejected(tmp_path: Path, text: str) -> None:
    items = with_rows("items", f"NUT,,buy,,,,,,,,,,{text},")
    p = only_problem(good_bundle(tmp_path, items=items))
    assert_problem(
        p, file="items.csv", line=next_line("items"), column="unit_cost", value=text, word="finite"
    )


def test_bad_whole_number(tmp_path: Path) -> None:
    items = with_rows("items", "NUT,,buy,,,2.5,,,,,,,,")
    p = only_problem(good_bundle(tmp_path, items=items))
    assert_problem(
        p,
        file="items.csv",
        line=next_line("items"),
        column="lead_time_days",
        value="2.5",
        word="whole number",
    )


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("2026-13-01", "valid date"),
        ("2026-02-30", "valid date"),
        ("26/01/2026", "YYYY-MM-DD"),
        ("2026-1-5", "YYYY-MM-DD"),
        ("20260105", "YYYY-MM-DD"),
    ],
)
def test_bad_date(tmp_path: Path, text: str, word: str) -> None:
    pos = with_rows("purchase_orders", f"PO-3,1,BOLT,5,{text},,,")
    p = only_problem(good_bundle(tmp_path, purchase_orders=pos))
    line = next_line("purchase_orders")
    assert_problem(
        p, file="purchase_orders.csv", line=line, column="due_date", value=text, word=word
    )


def test_negative_qty(tmp_path: Path) -> None:
    stock = with_rows("stock", "BOLT,-2,bin,")
    p = only_problem(good_bundle(tmp_path, stock=stock))
    assert_problem(
        p, file="stock.csv", line=next_line("stock"), column="qty", value="-2", word="negative"
    )


def test_zero_stock_is_allowed(tmp_path: Path) -> None:
    data = read_bundle(good_bundle(tmp_path, stock=with_rows("stock", "BOLT,0,bin,")))
    assert StockRow("BOLT", 0.0, "bin", "") in data.stock


@pytest.mark.parametrize(
    ("stem", "row", "column"),
    [
        ("purchase_orders", "PO-3,1,BOLT,0,2026-02-01,,,", "qty"),
        ("production_orders", "MO-3,FRAME,0.0,2026-02-01,,,,", "qty"),
        ("sales_orders", "SO-3,1,ACME,,BIKE,0,,2026-02-01,", "qty"),
        ("bom", "FRAME,WHEEL,0,,", "qty_per"),
        ("purchase_orders", "PO-3,0,BOLT,1,2026-02-01,,,", "line"),
        ("items", "NUT,,buy,,,,foq,0,,,,,,", "lot_qty"),
    ],
)
def test_zero_where_greater_than_zero_is_required(
    tmp_path: Path, stem: str, row: str, column: str
) -> None:
    p = only_problem(good_bundle(tmp_path, **{stem: with_rows(stem, row)}))
    value = row.split(",")[GOOD[stem].splitlines()[0].split(",").index(column)]
    assert_problem(
        p, file=f"{stem}.csv", line=next_line(stem), column=column, value=value, word="greater"
    )


def test_bad_choice(tmp_path: Path) -> None:
    items = with_rows("items", "NUT,,maybe,,,,,,,,,,,")
    p = only_problem(good_bundle(tmp_path, items=items))
    assert_problem(
        p, file="items.csv", line=next_line("items"), column="type", value="maybe", word="one of"
    )
    assert "make" in p.reason and "buy" in p.reason


def test_choices_ignore_case(tmp_path: Path) -> None:
    data = read_bundle(good_bundle(tmp_path, items=with_rows("items", "NUT,,MAKE,MTO,,,,,,,,,,")))
    nut = next(i for i in data.items if i.item == "NUT")
    assert (nut.type, nut.strategy) == ("make", "mto")


def test_bad_boolean(tmp_path: Path) -> None:
    mos = with_rows("production_orders", "MO-3,FRAME,1,2026-02-01,,,perhaps,")
    p = only_problem(good_bundle(tmp_path, production_orders=mos))
    line = next_line("production_orders")
    assert_problem(
        p,
        file="production_orders.csv",
        line=line,
        column="components_issued",
        value="perhaps",
        word="true or false",
    )


# --- row and cross-file rules --------------------------------------------------------------


def test_duplicate_item_id(tmp_path: Path) -> None:
    items = with_rows("items", "WHEEL,Another wheel,buy,,,,,,,,,,,")
    p = only_problem(good_bundle(tmp_path, items=items))
    assert_problem(
        p, file="items.csv", line=next_line("items"), column="item", value="WHEEL", word="duplicate"
    )


def test_duplicate_sales_order_line(tmp_path: Path) -> None:
    sales = with_rows("sales_orders", "SO-1,2,ACME,P-1,BOLT,1,,2026-02-01,")
    p = only_problem(good_bundle(tmp_path, sales_orders=sales))
    line = next_line("sales_orders")
    assert_problem(
        p, file="sales_orders.csv", line=line, column="line", value="2", word="duplicate"
    )
    assert "SO-1" in p.reason


def test_duplicate_sales_order_line_by_default_line_number(tmp_path: Path) -> None:
    sales = with_rows("sales_orders", "SO-2,,Bolt Co,,BOLT,1,,2026-02-01,")
    p = only_problem(good_bundle(tmp_path, sales_orders=sales))
    line = next_line("sales_orders")
    assert_problem(
        p, file="sales_orders.csv", line=line, column="line", value="1", word="duplicate"
    )


def test_duplicate_purchase_order_line(tmp_path: Path) -> None:
    pos = with_rows("purchase_orders", "PO-1,2,WHEEL,1,2026-02-01,,,")
    p = only_problem(good_bundle(tmp_path, purchase_orders=pos))
    line = next_line("purchase_orders")
    assert_problem(
        p, file="purchase_orders.csv", line=line, column="line", value="2", word="duplicate"
    )
    assert "PO-1" in p.reason


def test_duplicate_production_order(tmp_path: Path) -> None:
    mos = with_rows("production_orders", "MO-1,BIKE,1,2026-02-01,,,,")
    p = only_problem(good_bundle(tmp_path, production_orders=mos))
    line = next_line("production_orders")
    assert_problem(
        p,
        file="production_orders.csv",
        line=line,
        column="production_order",
        value="MO-1",
        word="duplicate",
    )


def test_duplicate_stock_row(tmp_path: Path) -> None:
    p = only_problem(good_bundle(tmp_path, stock=with_rows("stock", "WHEEL,1,,SO-1")))
    assert_problem(
        p, file="stock.csv", line=next_line("stock"), column="item", value="WHEEL", word="duplicate"
    )


@pytest.mark.parametrize(
    ("stem", "row", "column"),
    [
        ("bom", "GHOST,BOLT,1,,", "parent"),
        ("bom", "FRAME,GHOST,1,,", "component"),
        ("stock", "GHOST,1,main,", "item"),
        ("purchase_orders", "PO-3,1,GHOST,1,2026-02-01,,,", "item"),
        ("production_orders", "MO-3,GHOST,1,2026-02-01,,,,", "item"),
        ("sales_orders", "SO-3,1,ACME,,GHOST,1,,2026-02-01,", "item"),
    ],
)
def test_unknown_item(tmp_path: Path, stem: str, row: str, column: str) -> None:
    p = only_problem(good_bundle(tmp_path, **{stem: with_rows(stem, row)}))
    assert_problem(
        p, file=f"{stem}.csv", line=next_line(stem), column=column, value="GHOST", word="unknown"
    )
    assert "items.csv" in p.reason


@pytest.mark.parametrize(
    ("stem", "row"),
    [
        ("bom", "FRAME,WHEEL,1,,SO-9"),
        ("stock", "BOLT,1,main,SO-9"),
        ("purchase_orders", "PO-3,1,BOLT,1,2026-02-01,,SO-9,"),
        ("production_orders", "MO-3,FRAME,1,2026-02-01,,,,SO-9"),
    ],
)
def test_unknown_sales_order(tmp_path: Path, stem: str, row: str) -> None:
    p = only_problem(good_bundle(tmp_path, **{stem: with_rows(stem, row)}))
    assert_problem(
        p,
        file=f"{stem}.csv",
        line=next_line(stem),
        column="sales_order",
        value="SO-9",
        word="unknown",
    )
    assert "sales_orders.csv" in p.reason


def test_bom_parent_must_be_made(tmp_path: Path) -> None:
    p = only_problem(good_bundle(tmp_path, bom=with_rows("bom", "WHEEL,BOLT,4,,")))
    assert_problem(
        p, file="bom.csv", line=next_line("bom"), column="parent", value="WHEEL", word="make"
    )


def test_production_order_item_must_be_made(tmp_path: Path) -> None:
    mos = with_rows("production_orders", "MO-3,BOLT,1,2026-02-01,,,,")
    p = only_problem(good_bundle(tmp_path, production_orders=mos))
    line = next_line("production_orders")
    assert_problem(
        p, file="production_orders.csv", line=line, column="item", value="BOLT", word="make"
    )


def test_production_start_after_due(tmp_path: Path) -> None:
    mos = with_rows("production_orders", "MO-3,FRAME,1,2026-02-01,2026-02-02,,,")
    p = only_problem(good_bundle(tmp_path, production_orders=mos))
    line = next_line("production_orders")
    assert_problem(
        p,
        file="production_orders.csv",
        line=line,
        column="start_date",
        value="2026-02-02",
        word="after",
    )


def test_bom_cycle_prints_the_cycle(tmp_path: Path) -> None:
    p = only_problem(good_bundle(tmp_path, bom=with_rows("bom", "FRAME,BIKE,1,,")))
    assert p.file == "bom.csv"
    assert "BIKE -> FRAME -> BIKE" in p.reason
    # the row that closes the cycle (the appended FRAME,BIKE), naming the rows it closes
    assert p.line == next_line("bom")
    assert "with line 2, 5" in p.reason
    assert "cycle" in p.reason.lower()


def test_longer_bom_cycle_and_self_loop(tmp_path: Path) -> None:
    items = "item,type\nA,make\nB,make\nC,make\nD,make\nE,buy\n"
    bom = "parent,component,qty_per\nA,B,1\nB,C,1\nC,E,1\nC,A,2\n"
    p = only_problem(write_bundle(tmp_path / "three", {"items": items, "bom": bom}))
    assert "A -> B -> C -> A" in p.reason
    assert (p.file, p.line) == ("bom.csv", 5)  # C,A closes it

    bom = "parent,component,qty_per\nA,B,1\nD,D,1\n"
    p = only_problem(write_bundle(tmp_path / "self", {"items": items, "bom": bom}))
    assert "D -> D" in p.reason
    assert (p.file, p.line) == ("bom.csv", 3)


def test_cycle_through_an_order_specific_bom(tmp_path: Path) -> None:
    p = only_problem(good_bundle(tmp_path, bom=with_rows("bom", "FRAME,BIKE,1,,SO-1")))
    assert "BIKE -> FRAME -> BIKE" in p.reason


@pytest.mark.parametrize(("qty", "shipped"), [("5", "5.5"), ("10", "1234567"), ("1", "1.0000001")])
def test_shipped_more_than_ordered(tmp_path: Path, qty: str, shipped: str) -> None:
    sales = with_rows("sales_orders", f"SO-3,1,ACME,,BOLT,{qty},{shipped},2026-02-01,")
    p = only_problem(good_bundle(tmp_path, sales_orders=sales))
    line = next_line("sales_orders")
    assert_problem(
        p, file="sales_orders.csv", line=line, column="shipped_qty", value=shipped, word="more"
    )


def test_shipped_equal_to_ordered_is_fine(tmp_path: Path) -> None:
    sales = with_rows("sales_orders", "SO-3,1,ACME,,BOLT,5,5,2026-02-01,")
    data = read_bundle(good_bundle(tmp_path, sales_orders=sales))
    assert len(data.sales) == 4


def test_sales_order_with_two_customers(tmp_path: Path) -> None:
    sales = with_rows("sales_orders", "SO-2,2,ACME,,BOLT,1,,2026-03-01,")
    p = only_problem(good_bundle(tmp_path, sales_orders=sales))
    line = next_line("sales_orders")
    assert_problem(
        p, file="sales_orders.csv", line=line, column="customer", value="ACME", word="customer"
    )


def test_foq_needs_lot_qty(tmp_path: Path) -> None:
    items = with_rows("items", "NUT,,buy,,,,foq,,,,,,,")
    p = only_problem(good_bundle(tmp_path, items=items))
    assert_problem(
        p, file="items.csv", line=next_line("items"), column="lot_qty", value="", word="lot_qty"
    )


def test_poq_needs_period_days(tmp_path: Path) -> None:
    items = with_rows("items", "NUT,,buy,,,,poq,,,,,,,")
    p = only_problem(good_bundle(tmp_path, items=items))
    line = next_line("items")
    assert_problem(
        p, file="items.csv", line=line, column="period_days", value="", word="period_days"
    )


def test_unknown_setting_key(tmp_path: Path) -> None:
    settings = with_rows("settings", "horizon,30")
    p = only_problem(good_bundle(tmp_path, settings=settings))
    line = next_line("settings")
    assert_problem(p, file="settings.csv", line=line, column="key", value="horizon", word="unknown")
    assert "horizon_days" in p.reason


@pytest.mark.parametrize(
    ("row", "value", "word"),
    [
        ("planning_date,05.01.2026", "05.01.2026", "YYYY-MM-DD"),
        ("defer_days,-1", "-1", "negative"),
        ("reschedule_in_days,a week", "a week", "whole number"),
    ],
)
def test_bad_setting_value(tmp_path: Path, row: str, value: str, word: str) -> None:
    settings = "key,value\n" + row + "\n"
    p = only_problem(good_bundle(tmp_path, settings=settings))
    assert_problem(p, file="settings.csv", line=2, column="value", value=value, word=word)


def test_setting_given_twice(tmp_path: Path) -> None:
    p = only_problem(good_bundle(tmp_path, settings=with_rows("settings", "horizon_days,90")))
    line = next_line("settings")
    assert_problem(
        p, file="settings.csv", line=line, column="key", value="horizon_days", word="twice"
    )


def test_missing_items_file(tmp_path: Path) -> None:
    p = only_problem(write_bundle(tmp_path, {"settings": GOOD["settings"]}))
    assert_problem(p, file="items.csv", line=None, column=None, value=None, word="missing")


def test_other_files_may_be_absent(tmp_path: Path) -> None:
    data = read_bundle(write_bundle(tmp_path, {"items": "item\nBOLT\n"}))
    assert data.counts() == {
        "settings": 0,
        "items": 1,
        "bom": 0,
        "stock": 0,
        "purchase_orders": 0,
        "production_orders": 0,
        "sales_orders": 0,
    }
    bolt = data.items[0]
    assert (bolt.type, bolt.strategy, bolt.uom, bolt.lot_rule, bolt.lead_time_days) == (
        "buy",
        "mts",
        "ea",
        "lfl",
        0,
    )


def test_blank_lines_are_skipped_and_lines_still_counted(tmp_path: Path) -> None:
    stock = "item,qty\n\nWHEEL,1\n,\nBOLT,x\n"
    p = only_problem(good_bundle(tmp_path, stock=stock))
    assert_problem(p, file="stock.csv", line=5, column="qty", value="x", word="decimal")


def test_quoted_newline_keeps_physical_line_numbers(tmp_path: Path) -> None:
    items = with_rows("items", '"NUT","two\nlines",buy,,,,,,,,,,,', "WASHER,,buy,,,,,,,,,,-1,")
    p = only_problem(good_bundle(tmp_path, items=items))
    assert (p.line, p.column, p.value) == (next_line("items") + 2, "unit_cost", "-1")


def test_a_bom_row_needs_a_parent_and_component(tmp_path: Path) -> None:
    found = problems(good_bundle(tmp_path, bom=with_rows("bom", ",,1,,")))
    line = next_line("bom")
    assert {(p.line, p.column) for p in found} == {(line, "parent"), (line, "component")}


def test_not_utf8(tmp_path: Path) -> None:
    good_bundle(tmp_path)
    (tmp_path / "stock.csv").write_bytes("item,qty\nRÄD,1\n".encode("latin-1"))
    p = only_problem(tmp_path)
    assert p.file == "stock.csv"
    assert "UTF-8" in p.reason


# --- all problems at once, and the cap ----------------------------------------------------


def test_problems_in_several_files_are_all_reported_at_once(tmp_path: Path) -> None:
    bundle = good_bundle(
        tmp_path,
        settings=with_rows("settings", "colour,blue"),
        items=with_rows("items", "NUT,,maybe,,,,,,,,,,,"),
        stock=with_rows("stock", "BOLT,-1,bin,", "GHOST,1,bin,"),
        sales_orders=with_rows("sales_orders", "SO-3,1,ACME,,BOLT,1,,2026-13-01,"),
        bom=with_rows("bom", "FRAME,BIKE,1,,"),
        purchase_orders=with_rows("purchase_orders", "PO-1,1,BOLT,1,2026-02-01,,,"),
        production_orders=with_rows("production_orders", "MO-3,FRAME,1,2026-02-01,,,,SO-9"),
    )
    with pytest.raises(BundleError) as info:
        read_bundle(bundle)
    error = info.value
    found = {(p.file, p.line, p.column) for p in error.problems}
    assert found == {
        ("settings.csv", next_line("settings"), "key"),
        ("items.csv", next_line("items"), "type"),
        ("stock.csv", next_line("stock"), "qty"),
        ("stock.csv", next_line("stock") + 1, "item"),
        ("sales_orders.csv", next_line("sales_orders"), "due_date"),
        ("bom.csv", next_line("bom"), "component"),
        ("purchase_orders.csv", next_line("purchase_orders"), "line"),
        ("production_orders.csv", next_line("production_orders"), "sales_order"),
    }
    assert not error.truncated
    message = str(error)
    assert "8 problems" in message and "nothing was imported" in message
    assert "stock.csv, line 6, column 'item', value 'GHOST'" in message


def test_problems_are_capped_per_file(tmp_path: Path) -> None:
    n = MAX_PROBLEMS_PER_FILE + 10
    stock = "item,qty\n" + "".join(f"BOLT,-{i + 1}\n" for i in range(n))
    items = with_rows("items", "NUT,,maybe,,,,,,,,,,,")
    with pytest.raises(BundleError) as info:
        read_bundle(good_bundle(tmp_path, stock=stock, items=items))
    error = info.value
    in_stock = [p for p in error.problems if p.file == "stock.csv"]
    assert len(in_stock) == MAX_PROBLEMS_PER_FILE
    assert [p.line for p in in_stock] == list(range(2, 2 + MAX_PROBLEMS_PER_FILE))
    assert any(p.file == "items.csv" for p in error.problems)  # other files still checked
    assert error.truncated
    assert "more problems not shown" in str(error)


def test_cap_reached_by_the_last_row_is_not_truncated(tmp_path: Path) -> None:
    stock = "item,qty\n" + "".join(f"BOLT,-{i + 1}\n" for i in range(MAX_PROBLEMS_PER_FILE))
    with pytest.raises(BundleError) as info:
        read_bundle(good_bundle(tmp_path, stock=stock))
    assert len(info.value.problems) == MAX_PROBLEMS_PER_FILE
    assert not info.value.truncated


def test_cross_file_problems_count_towards_the_cap(tmp_path: Path) -> None:
    n = MAX_PROBLEMS_PER_FILE + 1
    stock = "item,qty,location\n" + "".join(f"GHOST-{i},1,main\n" for i in range(n))
    with pytest.raises(BundleError) as info:
        read_bundle(good_bundle(tmp_path, stock=stock))
    assert len(info.value.problems) == MAX_PROBLEMS_PER_FILE
    assert info.value.truncated


# --- nothing is written -------------------------------------------------------------------


def _import(engine: Engine, data: Dataset) -> None:
    with db.session_scope(engine) as session:
        replace_company(session, data, author="tester")


def _content(engine: Engine) -> tuple[Dataset, int]:
    with db.session_scope(engine) as session, session.begin():
        data = read_company(session).canonical()
        moves = session.scalar(select(func.count()).select_from(StockMove))
    return data, int(moves or 0)


def test_a_bad_bundle_writes_nothing(engine: Engine, tmp_path: Path) -> None:
    first = read_bundle(good_bundle(tmp_path / "good"))
    _import(engine, first)
    before = _content(engine)
    assert before[0] == first.canonical()

    bad = good_bundle(
        tmp_path / "bad",
        items=with_rows("items", "NUT,,buy,,,,,,,,,,,"),  # a good change...
        stock=with_rows("stock", "NUT,-5,main,"),  # ...and a bad one
    )
    with pytest.raises(BundleError):
        _import(engine, read_bundle(bad))
    assert _content(engine) == before


def _dataset(tmp_path: Path) -> Dataset:
    return read_bundle(good_bundle(tmp_path))


def test_a_failure_late_in_replace_company_keeps_the_previous_data(
    engine: Engine, tmp_path: Path
) -> None:
    first = _dataset(tmp_path / "first")
    _import(engine, first)
    before = _content(engine)

    # An unchecked dataset whose stock names an item that does not exist: settings,
    # items, sales orders and BOMs are already written when the stock fails.
    broken = _dataset(tmp_path / "second")
    broken.settings = {"planning_date": "2030-01-01"}
    broken.items.append(broken.items[0]._replace(item="NEW"))
    broken.stock.append(StockRow("GHOST", 1.0, "main", ""))
    with pytest.raises(KeyError):
        _import(engine, broken)
    assert _content(engine) == before


def test_a_database_check_failing_last_keeps_the_previous_data(
    engine: Engine, tmp_path: Path
) -> None:
    first = _dataset(tmp_path / "first")
    _import(engine, first)
    before = _content(engine)

    # Production orders are written last; qty 0 breaks their CHECK (qty > 0).
    broken = _dataset(tmp_path / "second")
    broken.settings = {"planning_date": "2030-01-01"}
    broken.stock = [StockRow("BOLT", 1.0, "elsewhere", "")]
    broken.productions.append(
        ProductionRow("MO-9", "FRAME", 0.0, date(2026, 3, 1), None, "released", False, "")
    )
    with pytest.raises((sa_exc.IntegrityError, psycopg.errors.IntegrityError)):
        _import(engine, broken)
    assert _content(engine) == before

    # The database is still usable: the good dataset imports again.
    _import(engine, first)
    assert _content(engine) == before

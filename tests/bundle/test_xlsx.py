"""A bundle may be one workbook, one sheet per file; it reads like the CSV folder."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from _bundles import GOOD, good_bundle, next_line, only_problem, problems, with_rows, write_bundle
from openpyxl import Workbook

from pegboard.bundle.importer import read_bundle


def _typed(text: str) -> object:
    """The cell a spreadsheet would hold for CSV ``text``: dates, numbers and booleans typed."""
    if not text:
        return None
    if text in ("true", "false"):
        return text == "true"
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def write_workbook(path: Path, files: Mapping[str, str], *, typed: bool = True) -> Path:
    """One sheet per CSV text, named like the file stem."""
    book = Workbook()
    assert book.active is not None
    book.remove(book.active)
    for stem, text in files.items():
        sheet = book.create_sheet(stem)
        for n, row in enumerate(csv.reader(io.StringIO(text))):
            sheet.append(row if n == 0 or not typed else [_typed(c) for c in row])
    book.save(path)
    return path


def test_workbook_reads_like_the_csv_folder(tmp_path: Path) -> None:
    book = write_workbook(tmp_path / "book.xlsx", GOOD)
    from_csv = read_bundle(good_bundle(tmp_path / "csv"))
    assert read_bundle(book).canonical() == from_csv.canonical()


def test_typed_cells(tmp_path: Path) -> None:
    """Real dates and datetimes, ints and floats, int ids and an untyped text date."""
    book = Workbook()
    assert book.active is not None
    items = book.active
    items.title = "items"
    items.append(["item", "type", "lead_time_days", "unit_cost", "lot_rule", "lot_qty"])
    items.append([1001, "make", 5, 12.5, "foq", 2.0])
    items.append(["BOLT", "buy", 0.0, 0.1, None, None])
    items.append([None, None, None, None, None, None])  # an empty row is skipped
    items.append([4711.0, "buy", None, 0.0001, "lfl", None])
    bom = book.create_sheet("bom")
    bom.append(["parent", "component", "qty_per"])
    bom.append([1001, "BOLT", 4])
    bom.append([1001, 4711, 0.25])
    sales = book.create_sheet("sales_orders")
    sales.append(["sales_order", "line", "customer", "item", "qty", "due_date", "priority"])
    sales.append(["SO-1", 1, "ACME", 1001, 3, date(2026, 2, 1), 5])
    sales.append(["SO-1", 2.0, "ACME", "BOLT", 2.5, datetime(2026, 2, 3, 0, 0), None])
    sales.append(["SO-2", 1, "ACME", "BOLT", 1, "2026-02-04", None])
    mos = book.create_sheet("production_orders")
    mos.append(["production_order", "item", "qty", "due_date", "components_issued"])
    mos.append(["MO-1", 1001, 1, date(2026, 1, 20), True])
    settings = book.create_sheet("settings")
    settings.append(["key", "value"])
    settings.append(["planning_date", date(2026, 1, 5)])
    settings.append(["horizon_days", 90])
    book.save(tmp_path / "book.xlsx")

    csv_files = {
        "items": "item,type,lead_time_days,unit_cost,lot_rule,lot_qty\n"
        "1001,make,5,12.5,foq,2\nBOLT,buy,0,0.1,,\n,,,,,\n4711,buy,,0.0001,lfl,\n",
        "bom": "parent,component,qty_per\n1001,BOLT,4\n1001,4711,0.25\n",
        "sales_orders": "sales_order,line,customer,item,qty,due_date,priority\n"
        "SO-1,1,ACME,1001,3,2026-02-01,5\nSO-1,2,ACME,BOLT,2.5,2026-02-03,\n"
        "SO-2,1,ACME,BOLT,1,2026-02-04,\n",
        "production_orders": "production_order,item,qty,due_date,components_issued\n"
        "MO-1,1001,1,2026-01-20,true\n",
        "settings": "key,value\nplanning_date,2026-01-05\nhorizon_days,90\n",
    }
    from_book = read_bundle(tmp_path / "book.xlsx")
    assert (
        from_book.canonical() == read_bundle(write_bundle(tmp_path / "csv", csv_files)).canonical()
    )
    assert [i.item for i in from_book.items] == ["1001", "BOLT", "4711"]
    assert from_book.items[0].lot_qty == 2.0 and from_book.items[2].unit_cost == Decimal("0.0001")
    assert [s.due_date for s in from_book.sales] == [
        date(2026, 2, 1),
        date(2026, 2, 3),
        date(2026, 2, 4),
    ]
    assert from_book.settings == {"planning_date": "2026-01-05", "horizon_days": "90"}
    assert from_book.productions[0].components_issued is True


def test_an_error_names_the_sheet_and_line(tmp_path: Path) -> None:
    files = {**GOOD, "items": with_rows("items", "NUT,,maybe,,,,,,,,,,,")}
    p = only_problem(write_workbook(tmp_path / "book.xlsx", files))
    assert (p.file, p.line, p.column, p.value) == ("book.xlsx[items]", 6, "type", "maybe")


def test_cross_sheet_errors_name_the_sheet(tmp_path: Path) -> None:
    files = {
        **GOOD,
        "stock": with_rows("stock", "GHOST,1,main,"),
        "bom": with_rows("bom", "FRAME,BIKE,1,,"),
    }
    found = {
        (p.file, p.line, p.column) for p in problems(write_workbook(tmp_path / "b.xlsx", files))
    }
    assert found == {("b.xlsx[stock]", 5, "item"), ("b.xlsx[bom]", next_line("bom"), "component")}


def test_unknown_column_in_a_sheet(tmp_path: Path) -> None:
    files = {**GOOD, "stock": "item,qty,bin\nBOLT,1,4\n"}
    p = only_problem(write_workbook(tmp_path / "book.xlsx", files))
    assert (p.file, p.line, p.column) == ("book.xlsx[stock]", 1, "bin")


def test_a_typed_bad_cell_reports_its_text(tmp_path: Path) -> None:
    """A date typed into a quantity cell is reported as the date it shows."""
    book = Workbook()
    assert book.active is not None
    items = book.active
    items.title = "items"
    items.append(["item"])
    items.append(["BOLT"])
    stock = book.create_sheet("stock")
    stock.append(["item", "qty"])
    stock.append(["BOLT", date(2026, 1, 1)])
    book.save(tmp_path / "book.xlsx")
    p = only_problem(tmp_path / "book.xlsx")
    assert (p.file, p.line, p.column, p.value) == ("book.xlsx[stock]", 2, "qty", "2026-01-01")


def test_workbook_without_items_sheet(tmp_path: Path) -> None:
    files = {k: v for k, v in GOOD.items() if k not in ("items",)}
    found = problems(write_workbook(tmp_path / "book.xlsx", files))
    assert any(p.line is None and "missing" in p.reason for p in found)


@pytest.mark.parametrize("name", ["book.xlsx", "notes.txt"])
def test_not_a_workbook(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("item\nBOLT\n", encoding="utf-8")
    p = only_problem(path)
    assert p.line is None


def test_rows_and_columns_past_a_sheets_declared_dimension_are_read(tmp_path: Path) -> None:
    """A sheet's ``<dimension>`` tag is a hint some writers get wrong; openpyxl read-only
    stopped at it, so rows below it were dropped without a word (issue #20)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "items"
    sheet.append(["item", "type", "lead_time_days"])
    for n in range(1, 6):
        sheet.append([f"W-{n}", "buy", n])
    path = tmp_path / "bundle.xlsx"
    book.save(path)
    # the same file claiming one row and two columns
    raw = tmp_path / "raw.zip"
    path.rename(raw)
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(path, "w") as out:
        for entry in src.infolist():
            data = src.read(entry.filename)
            if entry.filename == "xl/worksheets/sheet1.xml":
                assert b'<dimension ref="A1:C6" />' in data
                data = data.replace(b'<dimension ref="A1:C6" />', b'<dimension ref="A1:B2" />')
            out.writestr(entry, data)
    data = read_bundle(path)
    assert [(i.item, i.lead_time_days) for i in data.items] == [(f"W-{n}", n) for n in range(1, 6)]

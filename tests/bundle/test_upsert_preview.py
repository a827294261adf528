"""Import in upsert mode, its dry run (#19 item 5): per file the rows it would add, change
and leave as they are, the first changes' fields, and nothing written (every table's
checksum the same before and after), on both databases."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, select

from pegboard import db
from pegboard.bundle.importer import read_bundle
from pegboard.bundle.upload import export_workbook, upsert_preview
from pegboard.bundle.upsert import FieldChange, describe
from pegboard.demo import demo_path
from pegboard.errors import BundleError
from pegboard.model import Base
from pegboard.services.company_data import replace_company


def checksums(engine: Engine) -> dict[str, str]:
    """Every table's rows, hashed in a fixed order."""
    sums = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = sorted(repr(tuple(r)) for r in conn.execute(select(table)))
            sums[table.name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return sums


@pytest.fixture
def exported(engine: Engine, tmp_path: Path) -> Path:
    """The lighting sample in the database, exported as a workbook."""
    with db.session_scope(engine) as session:
        replace_company(session, read_bundle(demo_path("lighting")), author="sample")
    with db.session_scope(engine) as session:
        book = export_workbook(session, tmp_path / "company.xlsx")
    book.remove()
    return book.path


def _edit(path: Path) -> tuple[str, str]:
    """By hand: one item's unit cost and description changed, one item added, one sales
    line's quantity changed. Returns the changed item and sales order."""
    book = load_workbook(path)
    items = book["items"]
    header = [c.value for c in items[1]]
    row = 2
    code = str(items.cell(row=row, column=1).value)
    items.cell(row=row, column=header.index("unit_cost") + 1).value = 987.65
    text = items.cell(row=row, column=header.index("description") + 1)
    text.value = "=renamed"
    text.data_type = "s"  # typed as text (a spreadsheet's '=renamed), not a formula
    new = [None] * len(header)
    new[header.index("item")] = "NEW-ITEM-1"
    new[header.index("type")] = "buy"
    items.append(new)
    sales = book["sales_orders"]
    s_header = [c.value for c in sales[1]]
    order = str(sales.cell(row=2, column=1).value)
    sales.cell(row=2, column=s_header.index("qty") + 1).value = 777
    book.save(path)
    return code, order


def test_a_dry_run_lists_exactly_the_changes_and_writes_nothing(
    engine: Engine, exported: Path
) -> None:
    with db.session_scope(engine) as session:
        unchanged = upsert_preview(session, exported)
    assert all(p.added == 0 and p.changed == 0 for p in unchanged), unchanged

    code, order = _edit(exported)
    before = checksums(engine)
    with db.session_scope(engine) as session:
        previews = {p.file: p for p in upsert_preview(session, exported)}
    assert checksums(engine) == before

    items = previews["items"]
    assert (items.added, items.changed) == (1, 1)
    assert items.first_added == [("NEW-ITEM-1",)]
    [change] = items.first_changes
    assert change.key == (code,)
    fields = {f.field: f for f in change.fields}
    assert set(fields) == {"unit_cost", "description"}
    assert fields["description"].after == "=renamed"
    assert fields["unit_cost"].after == Decimal("987.65")
    sales = previews["sales_orders"]
    assert (sales.added, sales.changed) == (0, 1)
    assert sales.first_changes[0].key[0] == order
    assert [f.field for f in sales.first_changes[0].fields] == ["qty"]
    assert sales.first_changes[0].fields[0] == FieldChange(
        "qty", sales.first_changes[0].fields[0].before, 777.0
    )
    for name, p in previews.items():
        if name not in ("items", "sales_orders"):
            assert (p.added, p.changed) == (0, 0), name
    lines = describe(list(previews.values()))
    assert f"items {code}: " in lines[0] and "-> =renamed" in lines[0]
    assert "items NEW-ITEM-1: added" in lines


def test_a_bad_row_is_refused_with_its_place_and_nothing_is_written(
    engine: Engine, exported: Path
) -> None:
    book = load_workbook(exported)
    items = book["items"]
    header = [c.value for c in items[1]]
    items.cell(row=3, column=header.index("type") + 1).value = "maybe"
    book.save(exported)
    before = checksums(engine)
    with db.session_scope(engine) as session, pytest.raises(BundleError) as caught:
        upsert_preview(session, exported)
    assert checksums(engine) == before
    located = [
        (p.file, p.line, p.column, p.value) for p in caught.value.problems if p.column == "type"
    ]
    assert located == [("company.xlsx[items]", 3, "type", "maybe")]

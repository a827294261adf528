"""Applying an import in upsert mode (#19 item 5): rows added and changed in place by
their key, nothing else touched (every other table's checksum the same), all or nothing,
checked against the rows the database already holds; on both databases."""

from __future__ import annotations

import csv
import hashlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, select

from _clock import TEST_TODAY
from pegboard import db
from pegboard.bundle.importer import read_bundle
from pegboard.bundle.upload import export_workbook, upsert_preview
from pegboard.demo import demo_path
from pegboard.errors import BundleError, ValidationError
from pegboard.model import AuditEntry, Base, Item, StockMove
from pegboard.services import jobs
from pegboard.services.company_data import replace_company

BOOKKEEPING = {"audit_entry", "job"}
"""Tables an upsert writes besides the rows it changes: its audit and its job record."""


def checksums(engine: Engine) -> dict[str, str]:
    """Every table's rows, hashed in a fixed order."""
    sums = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = sorted(repr(tuple(r)) for r in conn.execute(select(table)))
            sums[table.name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return sums


def changed_tables(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {name for name in before if before[name] != after[name]} - BOOKKEEPING


def upsert(engine: Engine, path: Path) -> dict[str, object]:
    """An upsert of ``path`` run as the CLI runs it: an import job, here and now."""
    import pegboard.bundle.upload  # noqa: F401  (it registers the import job kind)

    return jobs.run_here(engine, "import", author="ann", source=path, upsert=True)


@pytest.fixture
def company(engine: Engine) -> Engine:
    with db.session_scope(engine) as session:
        replace_company(session, read_bundle(demo_path("lighting")), author="sample")
    return engine


@pytest.fixture
def exported(company: Engine, tmp_path: Path) -> Path:
    """The lighting sample in the database, exported as a workbook."""
    with db.session_scope(company) as session:
        book = export_workbook(session, tmp_path / "company.xlsx")
    book.remove()
    return book.path


def _items(engine: Engine) -> dict[str, tuple[object, ...]]:
    with engine.connect() as conn:
        return {r.code: tuple(r) for r in conn.execute(select(Item.__table__))}


def _edit_items(path: Path) -> str:
    """One item's unit cost changed and one item added; returns the changed item."""
    book = load_workbook(path)
    items = book["items"]
    header = [c.value for c in items[1]]
    code = str(items.cell(row=2, column=1).value)
    items.cell(row=2, column=header.index("unit_cost") + 1).value = 987.65
    new: list[object] = [None] * len(header)
    new[header.index("item")] = "NEW-ITEM-1"
    new[header.index("type")] = "buy"
    new[header.index("unit_cost")] = 1.25
    items.append(new)
    book.save(path)
    return code


def test_one_changed_and_one_new_item_are_all_that_changes(company: Engine, exported: Path) -> None:
    code = _edit_items(exported)
    items_before = _items(company)
    before = checksums(company)
    with db.session_scope(company) as session:
        preview = {p.file: p for p in upsert_preview(session, exported)}
    result = upsert(company, exported)
    after = checksums(company)

    # cost_revision: the counter a change of unit cost bumps (cached costs go stale)
    assert changed_tables(before, after) == {"item", "cost_revision"}
    items_after = _items(company)
    assert set(items_after) - set(items_before) == {"NEW-ITEM-1"}
    different = {c for c in items_before if items_before[c] != items_after[c]}
    assert different == {code}
    with db.session_scope(company) as session:
        item = session.scalars(select(Item).where(Item.code == code)).one()
        assert item.unit_cost == Decimal("987.65")
        new = session.scalars(select(Item).where(Item.code == "NEW-ITEM-1")).one()
        assert (new.type.value, new.unit_cost) == ("buy", Decimal("1.25"))
        entries = session.scalars(select(AuditEntry).where(AuditEntry.author == "ann")).all()
    # what was applied is what the preview said
    files = {f["file"]: f for f in result["upsert"]}  # type: ignore[attr-defined]
    for name, p in preview.items():
        assert (files[name]["added"], files[name]["changed"]) == (p.added, p.changed), name
    assert (files["items"]["added"], files["items"]["changed"]) == (1, 1)
    audited = {(e.entity, e.entity_ref, e.action) for e in entries}
    assert {
        ("item", code, "upsert change"),
        ("item", "NEW-ITEM-1", "upsert add"),
        ("bundle", "items", "upsert"),
    } == audited
    change = next(e for e in entries if e.action == "upsert change")
    assert set(change.before or {}) == set(change.after or {}) == {"unit_cost"}
    # applied again, it changes nothing more
    with db.session_scope(company) as session:
        again = upsert_preview(session, exported)
    assert all(p.added == 0 and p.changed == 0 for p in again), again


def _write_csv(folder: Path, name: str, rows: list[list[str]]) -> None:
    folder.mkdir(exist_ok=True)
    with (folder / f"{name}.csv").open("w", newline="") as f:
        csv.writer(f).writerows(rows)


BOM_HEADER = ["parent", "component", "qty_per", "scrap_pct", "sales_order"]


def test_a_partial_bundle_names_rows_the_database_holds(company: Engine, tmp_path: Path) -> None:
    """A bom.csv alone, naming items only the database holds: a new line and a changed
    quantity, in place; the other BOM lines stay."""
    data = read_bundle(demo_path("lighting"))
    first = data.bom[0]
    buy = next(i.item for i in data.items if i.type == "buy" and i.item != first.component)
    folder = tmp_path / "partial"
    _write_csv(
        folder,
        "bom",
        [
            BOM_HEADER,
            [first.parent, first.component, "3", "", ""],
            [first.parent, buy, "2", "", ""],
        ],
    )
    before = checksums(company)
    result = upsert(company, folder)
    assert changed_tables(before, checksums(company)) == {"bom_line", "cost_revision"}
    [bom] = [f for f in result["upsert"] if f["file"] == "bom"]  # type: ignore[attr-defined]
    assert (bom["added"], bom["changed"]) == (1, 1)
    with db.session_scope(company) as session:
        from pegboard.services.company_data import read_company

        lines = {(r.parent, r.component): r.qty_per for r in read_company(session).bom}
    assert lines[(first.parent, first.component)] == 3
    assert lines[(first.parent, buy)] == 2
    assert len(lines) == len({(r.parent, r.component) for r in data.bom}) + 1


def test_a_bad_line_writes_nothing_and_is_located(company: Engine, tmp_path: Path) -> None:
    data = read_bundle(demo_path("lighting"))
    first = data.bom[0]
    folder = tmp_path / "bad"
    _write_csv(
        folder,
        "bom",
        [
            BOM_HEADER,
            [first.parent, first.component, "5", "", ""],
            [first.parent, "NO-SUCH-ITEM", "1", "", ""],
        ],
    )
    _write_csv(folder, "items", [["item", "type", "unit_cost"], ["ANOTHER-NEW", "buy", "1"]])
    before = checksums(company)
    with pytest.raises(BundleError) as caught:
        upsert(company, folder)
    assert changed_tables(before, checksums(company)) == set()
    located = [(p.file, p.line, p.column, p.value) for p in caught.value.problems]
    assert ("bom.csv", 3, "component", "NO-SUCH-ITEM") in located
    assert "unknown item" in str(caught.value)


def test_a_bom_cycle_is_refused(company: Engine, tmp_path: Path) -> None:
    """A line putting an assembly into one of its own components closes a cycle with
    the database's lines: refused, located, nothing written."""
    data = read_bundle(demo_path("lighting"))
    makes = {i.item for i in data.items if i.type == "make"}
    row = next(r for r in data.bom if not r.sales_order and r.component in makes)
    folder = tmp_path / "cycle"
    _write_csv(folder, "bom", [BOM_HEADER, [row.component, row.parent, "1", "", ""]])
    before = checksums(company)
    with pytest.raises(BundleError) as caught:
        upsert(company, folder)
    assert changed_tables(before, checksums(company)) == set()
    [problem] = caught.value.problems
    assert (problem.file, problem.line) == ("bom.csv", 2)
    assert "BOM cycle" in problem.reason and row.parent in problem.reason


def test_stock_counts_are_posted_as_adjustments(
    company: Engine, exported: Path, tmp_path: Path
) -> None:
    """A balance in the stock sheet is a count: the difference goes to the ledger as an
    adjustment whose reason names the sheet and line; the export then shows the counts;
    nothing but the ledger, the balances and the plan's inputs revision changes."""
    book = load_workbook(exported)
    stock = book["stock"]
    counted = _cell(stock, 2, "qty")
    counted.value = float(counted.value or 0) + 5
    _cell(stock, 3, "qty").value = 0
    book.save(exported)
    with db.session_scope(company) as session:
        [p] = [p for p in upsert_preview(session, exported) if p.file == "stock"]
    assert p.changed == 2
    before = checksums(company)
    upsert(company, exported)
    # cost_revision: the plan's inputs revision (the plan is older than the counts)
    changed = changed_tables(before, checksums(company))
    assert changed <= {"stock_move", "stock_balance", "cost_revision"}
    with db.session_scope(company) as session:
        moves = session.scalars(select(StockMove).where(StockMove.author == "ann")).all()
        again = export_workbook(session, tmp_path / "again.xlsx")
    assert sorted(m.reason for m in moves) == [
        "counted: company.xlsx[stock], line 2",
        "counted: company.xlsx[stock], line 3",
    ]
    assert {m.kind.value for m in moves} == {"adjustment"}
    assert _sheet_rows(again.path, "stock") == _sheet_rows(exported, "stock")


def test_a_kept_preview_is_applied_only_as_it_was_previewed(
    company: Engine, exported: Path
) -> None:
    """The web's Apply: the previewed file kept under a token, applied as previewed; once
    the company changed so that it would write other rows, refused with nothing written;
    another person's token refused."""
    from pegboard.bundle.upload import stage_upsert_preview, staged_preview
    from pegboard.errors import ConflictError
    from pegboard.services.items import update_item

    code = _edit_items(exported)
    with db.session_scope(company) as session, exported.open("rb") as f:
        staged = stage_upsert_preview(session, "company.xlsx", f, author="ann")
    with pytest.raises(ValidationError, match="another person's"):
        staged_preview(staged.token, "bob")
    with db.session_scope(company) as session:
        update_item(session, code, {"unit_cost": Decimal("987.65")}, author="bob")
    before = checksums(company)
    with pytest.raises(ConflictError, match="changed since the preview"):
        jobs.run_here(company, "import", author="ann", upsert=True, preview_token=staged.token)
    assert changed_tables(before, checksums(company)) == set()

    with db.session_scope(company) as session, exported.open("rb") as f:
        staged = stage_upsert_preview(session, "company.xlsx", f, author="ann")
    [items] = [p for p in staged.previews if p.file == "items"]
    assert (items.added, items.changed) == (1, 0)
    jobs.run_here(company, "import", author="ann", upsert=True, preview_token=staged.token)
    assert "NEW-ITEM-1" in _items(company)
    with pytest.raises(ValidationError, match="preview the file again"):
        staged_preview(staged.token, "ann")


def _cell(sheet: Any, row: int, column: str) -> Any:
    header = [c.value for c in sheet[1]]
    return sheet.cell(row=row, column=header.index(column) + 1)


def _sheet_rows(path: Path, name: str) -> set[tuple[object, ...]]:
    book = load_workbook(path)
    return {tuple(r) for r in book[name].iter_rows(min_row=2, values_only=True)}


ORDER_SHEETS = ("purchase_orders", "production_orders", "routings", "mps")


def test_a_kept_preview_expires_after_an_hour(company: Engine, exported: Path) -> None:
    """A preview is kept an hour: later, Apply asks to preview again (its folder goes)."""
    import time_machine

    from pegboard.bundle.upload import stage_upsert_preview, staged_preview

    with db.session_scope(company) as session, exported.open("rb") as f:
        staged = stage_upsert_preview(session, "company.xlsx", f, author="ann")
    assert staged_preview(staged.token, "ann").is_dir()
    later = datetime(TEST_TODAY.year, TEST_TODAY.month, TEST_TODAY.day, 11, tzinfo=UTC)
    with time_machine.travel(later), pytest.raises(ValidationError, match="preview the file"):
        staged_preview(staged.token, "ann")


def test_orders_routings_and_the_schedule_change_in_place(
    company: Engine, exported: Path, tmp_path: Path
) -> None:
    """A purchase line's open qty, a production order's due date, a routing's run hours
    and a schedule line's qty changed, a purchase line added: the export afterwards holds
    exactly the edited rows; received and completed quantities, the ledger and the shop
    floor's records untouched."""
    book = load_workbook(exported)
    po, mo, rt, mps = (book[name] for name in ORDER_SHEETS)
    _cell(po, 2, "qty").value = float(_cell(po, 2, "qty").value) + 5
    due = _cell(mo, 2, "due_date")
    due.value = due.value + timedelta(days=7)
    _cell(rt, 2, "run_hours").value = 0.45
    _cell(mps, 2, "qty").value = 45
    added = [c.value for c in po[2]]
    added[0], added[1] = "PO-NEW-1", 1
    po.append(added)
    book.save(exported)
    before = checksums(company)
    result = upsert(company, exported)
    files = {f["file"]: (f["added"], f["changed"]) for f in result["upsert"]}  # type: ignore[attr-defined]
    assert files["purchase_orders"] == (1, 1)
    assert files["production_orders"] == files["routings"] == files["mps"] == (0, 1)
    assert changed_tables(before, checksums(company)) <= {
        "purchase_order",
        "purchase_order_line",
        "production_order",
        "routing_operation",
        "cost_revision",
    }
    with db.session_scope(company) as session:
        again = export_workbook(session, tmp_path / "again.xlsx")
    for name in ORDER_SHEETS:
        assert _sheet_rows(again.path, name) == _sheet_rows(exported, name), name


def test_a_production_status_is_the_shop_floors(company: Engine, exported: Path) -> None:
    book = load_workbook(exported)
    status = _cell(book["production_orders"], 2, "status")
    assert status.value in ("released", "in_progress")
    status.value = "planned"
    book.save(exported)
    before = checksums(company)
    with pytest.raises(ValidationError, match=r"\[production_orders\], line 2: .*shop floor"):
        upsert(company, exported)
    assert changed_tables(before, checksums(company)) == set()


def test_a_changed_template_is_defined_again(company: Engine, exported: Path) -> None:
    """A template's definition changed in its sheet (an operation's setup): defined again
    in place, as the template editor saves it; a second preview, comparing with what the
    database now holds, sees nothing left to change."""
    import json

    book = load_workbook(exported)
    sheet = book["templates"]
    header = [c.value for c in sheet[1]]
    column = next(i for i, name in enumerate(header) if name not in ("item",)) + 1
    cell = sheet.cell(row=2, column=column)
    definition = json.loads(str(cell.value))
    definition["operations"][0]["setup"] = 0.75
    cell.value = json.dumps(definition)
    book.save(exported)
    result = upsert(company, exported)
    files = {f["file"]: (f["added"], f["changed"]) for f in result["upsert"]}  # type: ignore[attr-defined]
    assert files["templates"] == (0, 1)
    with db.session_scope(company) as session:
        again = upsert_preview(session, exported)  # the database now holds what it says
    assert all(p.added == 0 and p.changed == 0 for p in again), again


def test_a_template_item_stays_made(company: Engine, exported: Path) -> None:
    """An item whose BOM is a template's (not in bom.csv) made ``buy`` by the bundle:
    refused as the item editor refuses it, nothing written."""
    book = load_workbook(exported)
    template_item = book["templates"].cell(row=2, column=1).value
    items = book["items"]
    row = next(
        r for r in range(2, items.max_row + 1) if _cell(items, r, "item").value == template_item
    )
    _cell(items, row, "type").value = "buy"
    book.save(exported)
    before = checksums(company)
    with pytest.raises((ValidationError, BundleError), match="make"):
        upsert(company, exported)
    assert changed_tables(before, checksums(company)) == set()


SALES_HEADER = ["sales_order", "line", "customer", "project", "item", "qty", "shipped_qty"]


def test_a_new_order_of_a_new_customer(company: Engine, tmp_path: Path) -> None:
    """A sales_orders.csv alone: a new order of a new customer and project (created),
    and a changed line of an order the database holds; the other lines stay."""
    data = read_bundle(demo_path("lighting"))
    held = data.sales[0]
    item = data.sales[0].item
    folder = tmp_path / "sales"
    header = [*SALES_HEADER, "due_date", "priority"]
    _write_csv(
        folder,
        "sales_orders",
        [
            header,
            ["SO-NEW-1", "1", "NEWCO", "HALL-A", item, "3", "0", "2027-03-01", "100"],
            [
                held.sales_order,
                str(held.line),
                held.customer,
                held.project,
                held.item,
                str(held.qty + 1),
                str(held.shipped_qty),
                held.due_date.isoformat(),
                str(held.priority),
            ],
        ],
    )
    result = upsert(company, folder)
    [sales] = [f for f in result["upsert"] if f["file"] == "sales_orders"]  # type: ignore[attr-defined]
    assert (sales["added"], sales["changed"]) == (1, 1)
    with db.session_scope(company) as session:
        from pegboard.services.company_data import read_company

        now = {(s.sales_order, s.line): s for s in read_company(session).sales}
    assert len(now) == len(data.sales) + 1
    new = now[("SO-NEW-1", 1)]
    assert (new.customer, new.project, new.qty) == ("NEWCO", "HALL-A", 3)
    assert now[(held.sales_order, held.line)].qty == held.qty + 1


def test_columns_left_out_keep_the_companys_values(company: Engine, tmp_path: Path) -> None:
    """An items.csv of two columns, item and unit_cost: the held item's cost changes and
    nothing else of it (its description, type, policy stay); a new item takes the
    columns' defaults, as an import gives them."""
    data = read_bundle(demo_path("lighting"))
    held = data.items[0]
    folder = tmp_path / "costs"
    _write_csv(folder, "items", [["item", "unit_cost"], [held.item, "123.45"], ["COST-NEW", "2"]])
    with db.session_scope(company) as session:
        [preview] = [p for p in upsert_preview(session, folder) if p.file == "items"]
    assert (preview.added, preview.changed) == (1, 1)
    assert [f.field for f in preview.first_changes[0].fields] == ["unit_cost"]
    before = _items(company)
    upsert(company, folder)
    after = _items(company)
    with db.session_scope(company) as session:
        item = session.scalars(select(Item).where(Item.code == held.item)).one()
        assert (item.unit_cost, item.description) == (Decimal("123.45"), held.description)
    changed = {c for c in before if before[c] != after[c]}
    assert changed == {held.item} and set(after) - set(before) == {"COST-NEW"}

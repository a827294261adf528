"""XLSX exports of the cost reports and the late-orders report (#16 item 7, #19 item 5),
read back with openpyxl on both databases: typed cells (money in cents as numbers, dates as
dates), a frozen titled header, and never a formula, even for a customer named ``=…``.

The shop is tests/_costing.py's, whose figures by hand are in tests/services/test_costing.py
and test_actual_cost_story.py; here the workbook must carry the service's own figures."""

from __future__ import annotations

import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from _costing import TODAY, build_shop, execute
from pegboard.errors import NotFoundError
from pegboard.model import SalesOrderStatus
from pegboard.services import money, sales, variance, xlsx_reports
from pegboard.services.planning import run_plan

HOSTILE = '=HYPERLINK("http://evil.example","click")'


def sheet_of(data: bytes) -> Worksheet:
    sheet = openpyxl.load_workbook(BytesIO(data)).active
    assert isinstance(sheet, Worksheet)
    return sheet


def no_formulas(data: bytes) -> None:
    """Neither a formula cell nor an ``<f>`` element anywhere in the sheets' XML."""
    for row in sheet_of(data).iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
    with zipfile.ZipFile(BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)


def records(sheet: Worksheet) -> list[dict[str, object]]:
    header = [c.value for c in sheet[1]]
    return [
        dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)
    ]


def cents(value: object) -> Decimal:
    """A money cell read back: a number, exactly the cents written."""
    assert isinstance(value, int | float), value
    return Decimal(repr(value)).quantize(money.CENT)


@pytest.fixture
def shop(session: Session) -> Session:
    build_shop(session)
    execute(session)
    sales.create_customer(session, code="EVIL", name=HOSTILE, author="sales")
    sales.create_project(session, customer="EVIL", code="P1", author="sales")
    sales.create_order(session, customer="EVIL", project="P1", number="SO-2", author="sales")
    sales.add_line(
        session,
        "SO-2",
        item="DRIVER",
        qty=3,
        due=TODAY + timedelta(days=1),
        unit_price="0.10",
        author="sales",
    )
    sales.set_status(session, "SO-2", SalesOrderStatus.CONFIRMED, author="sales")
    return session


def test_the_order_cost_report_is_the_services_figures_in_typed_cells(shop: Session) -> None:
    data = xlsx_reports.order_cost_xlsx(shop, "SO-1")
    sheet = sheet_of(data)
    assert sheet.title == "Cost SO-1"
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header[:6] == ["order", "line", "item", "customer", "project", "status"]
    assert "margin (EUR)" in header and all(c.font.bold for c in sheet[1])
    found = variance.order_variance(shop, "SO-1")
    rows = records(sheet)
    assert len(rows) == len(found.lines) + 1
    line, total = rows[0], rows[-1]
    x = found.lines[0]
    assert (line["order"], line["line"], line["item"]) == ("SO-1", x.ref, x.item)
    assert line["customer"] == "ACME" and line["project"] == "HQ"
    assert cents(line["estimated (EUR)"]) == money.cents(x.estimated.total)
    assert cents(line["actual (EUR)"]) == money.cents(x.actual.total)
    assert cents(line["usage variance (EUR)"]) == money.cents(x.variance.usage)
    assert x.revenue is not None and x.margin is not None
    assert cents(line["revenue (EUR)"]) == money.cents(x.revenue) == Decimal("450.00")
    assert cents(line["margin (EUR)"]) == money.cents(x.margin)
    assert total["line"] is None and total["status"] == found.status
    assert cents(total["variance (EUR)"]) == money.cents(found.variance.total)
    money_cells = [c for c in sheet[2] if str(c.value).replace(".", "").isdigit()]
    assert money_cells and all(c.data_type == "n" for c in money_cells)
    assert sheet["G2"].number_format == "#,##0.00"
    assert sheet.column_dimensions["A"].width >= len("order")
    no_formulas(data)


def test_a_customer_named_like_a_formula_stays_text(shop: Session) -> None:
    data = xlsx_reports.order_cost_xlsx(shop, "SO-2")
    sheet = sheet_of(data)
    cell = sheet["D2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (HOSTILE, "s", True)
    row = records(sheet)[0]
    # 3 × 0.10 is 0.30 exactly (in floats 0.30000000000000004)
    assert cents(row["revenue (EUR)"]) == Decimal("0.30")
    assert sheet["O2"].value == 0.3
    no_formulas(data)


def test_the_project_report_has_each_order_then_the_project(shop: Session) -> None:
    data = xlsx_reports.project_cost_xlsx(shop, "ACME", "HQ")
    sheet = sheet_of(data)
    assert sheet.title == "Cost HQ"
    rows = records(sheet)
    found = variance.project_variance(shop, "ACME", "HQ")
    assert rows[-1]["order"] == "project total"
    assert cents(rows[-1]["actual (EUR)"]) == money.cents(found.actual.total)
    assert found.margin is not None
    assert cents(rows[-1]["margin (EUR)"]) == money.cents(found.margin)
    assert [r["order"] for r in rows[:-1]] == ["SO-1"] * (len(found.orders[0].lines) + 1)
    evil = sheet_of(xlsx_reports.project_cost_xlsx(shop, "EVIL", "P1"))
    assert {c.value for c in evil["D"][1:]} == {HOSTILE}
    no_formulas(data)


def test_an_unknown_order_or_project_is_not_found(shop: Session) -> None:
    with pytest.raises(NotFoundError):
        xlsx_reports.order_cost_xlsx(shop, "SO-404")
    with pytest.raises(NotFoundError):
        xlsx_reports.project_cost_xlsx(shop, "ACME", "NOPE")


def test_the_late_report_has_dates_as_dates_and_the_customer(shop: Session) -> None:
    run_plan(shop, author="planner", today=TODAY)
    data = xlsx_reports.late_xlsx(shop)
    sheet = sheet_of(data)
    assert sheet.title == "Late orders" and sheet.freeze_panes == "A2"
    late = {r["order line"]: r for r in records(sheet)}
    row = late["SO-2/1"]
    assert row["customer"] == HOSTILE and sheet["B2"].data_type == "s"
    assert row["item"] == "DRIVER" and row["qty"] == 3
    assert row["due"] == datetime.combine(TODAY + timedelta(days=1), datetime.min.time())
    assert isinstance(row["projected"], datetime) and row["projected"].date() > TODAY
    assert row["days late"] == (row["projected"].date() - date(2026, 11, 24)).days
    assert "PCB" in str(row["chain"])
    due = sheet["E2"]
    assert due.is_date and due.number_format == "yyyy-mm-dd"
    no_formulas(data)


def test_the_file_name_keeps_safe_characters_only() -> None:
    assert xlsx_reports.filename("cost", "SO-1") == "cost-SO-1.xlsx"
    assert xlsx_reports.filename("cost", 'A"B\r\nC/é') == "cost-A_B__C__.xlsx"
    assert xlsx_reports.sheet_title("Cost [a]/b:c*d?e\\f" + "x" * 40) == (
        "Cost -a--b-c-d-e-f" + "x" * 13
    )

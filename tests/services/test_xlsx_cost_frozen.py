"""The cost workbooks say which figures are frozen (#16), as ``pegboard cost`` (figures),
the API (frozen, frozen_at) and the cost tabs do, read back with openpyxl on both
databases: SO-1 of tests/_costing.py is shipped complete (its final cost frozen then),
SO-3 is the same lamp configured and not made (live); both are in project ACME/HQ."""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlalchemy.orm import Session

from _costing import add_open_lamp, build_shop, execute
from pegboard.model import LineFinalCost
from pegboard.services import xlsx_reports


def _rows(data: bytes) -> tuple[Worksheet, list[dict[str, object]]]:
    sheet = openpyxl.load_workbook(BytesIO(data)).active
    assert isinstance(sheet, Worksheet)
    header = [c.value for c in sheet[1]]
    rows = [
        dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)
    ]
    return sheet, rows


def _frozen_at(session: Session) -> datetime:
    """SO-1's freezing moment, as a cell holds it: UTC, no zone, to the second."""
    with session.begin():
        (row,) = session.scalars(select(LineFinalCost)).all()
    moment = row.frozen_at.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    assert moment.year > 2000  # a real moment, not an empty cell read as a date
    return moment


def test_a_shipped_orders_line_is_frozen_with_a_date_time_cell(session: Session) -> None:
    shop = execute(build_shop(session))
    add_open_lamp(shop)
    when = _frozen_at(shop)

    sheet, rows = _rows(xlsx_reports.order_cost_xlsx(shop, "SO-1"))
    header = [c.value for c in sheet[1]]
    assert header[-2:] == ["figures", "frozen at (UTC)"]
    (line, total) = rows
    assert (line["figures"], line["frozen at (UTC)"]) == ("frozen", when)
    cell = sheet.cell(row=2, column=len(header))
    assert cell.is_date and cell.number_format == "yyyy-mm-dd hh:mm"
    assert (total["line"], total["figures"], total["frozen at (UTC)"]) == (None, "frozen", None)

    _, open_rows = _rows(xlsx_reports.order_cost_xlsx(shop, "SO-3"))
    assert [(r["figures"], r["frozen at (UTC)"]) for r in open_rows] == [("live", None)] * 2


def test_a_project_half_shipped_says_how_many_lines_are_frozen(session: Session) -> None:
    shop = execute(build_shop(session))
    add_open_lamp(shop)
    when = _frozen_at(shop)

    _, rows = _rows(xlsx_reports.project_cost_xlsx(shop, "ACME", "HQ"))
    figures = [(r["order"], r["line"], r["figures"], r["frozen at (UTC)"]) for r in rows]
    assert figures == [
        ("SO-1", "SO-1/1", "frozen", when),
        ("SO-1", None, "frozen", None),
        ("SO-3", "SO-3/1", "live", None),
        ("SO-3", None, "live", None),
        ("project total", None, "1 of 2 lines frozen", None),
    ]

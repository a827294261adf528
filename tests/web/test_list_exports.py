"""Every list page exports what it shows (issue #19 item 5): its filters and sort applied,
every page of it, as XLSX and as CSV; the cells typed (quantities numbers, dates dates),
never a formula. Each workbook is opened with openpyxl and compared with the page, on
both databases, over the planned sample company."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable
from datetime import date, datetime
from io import BytesIO

import openpyxl
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from pegboard import db
from pegboard.services.policy import runs as policy_runs
from pegboard.services.xlsx_reports import MEDIA_TYPE

EXPORT = re.compile(
    r'href="([^"]+export=xlsx)" download[^>]*>XLSX</a> · <a href="([^"]+export=csv)"'
)


def _sheet(body: bytes) -> list[list[object]]:
    book = openpyxl.load_workbook(BytesIO(body))
    sheet = book.active
    assert sheet is not None
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", f"{cell.coordinate} is a formula"
    return [[c.value for c in row] for row in sheet.iter_rows()]


def _csv(body: bytes) -> list[list[str]]:
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _downloads(web: TestClient, path: str) -> tuple[str, list[list[object]], list[list[str]]]:
    """The page, then its XLSX and CSV as the page's own links fetch them."""
    page = web.get(path)
    assert page.status_code == 200, page.text
    found = EXPORT.search(page.text)
    assert found, f"{path} links its downloads"
    xlsx_url, csv_url = (html.unescape(u) for u in found.groups())
    got = web.get(xlsx_url)
    assert got.status_code == 200 and got.headers["content-type"] == MEDIA_TYPE
    assert got.headers["content-disposition"].startswith("attachment; filename=")
    plain = web.get(csv_url)
    assert plain.status_code == 200 and plain.headers["content-type"].startswith("text/csv")
    return page.text, _sheet(got.content), _csv(plain.content)


def _row_refs(text: str, pattern: str) -> list[str]:
    body = text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [html.unescape(m) for m in re.findall(pattern, body)]


def _same_cells(sheet: list[list[object]], plain: list[list[str]]) -> None:
    """The CSV holds the workbook's cells, as text."""
    assert len(sheet) == len(plain)
    for a, b in zip(sheet, plain, strict=True):
        shown = [
            "" if v is None else v.date().isoformat() if isinstance(v, datetime) else str(v)
            for v in a
        ]
        as_numbers = [x.removesuffix(".0") for x in shown]
        assert as_numbers == [x.removesuffix(".0") for x in b]


def test_planned_orders_export_with_their_filter(
    web: TestClient, log_in: Callable[[str], str], sample: None
) -> None:
    log_in("petra")
    text, sheet, plain = _downloads(web, "/plan/planned-orders?type=buy")
    shown = _row_refs(text, r'<th scope="row">([^<]+)</th>')
    total = int(re.search(r"Rows \d+–\d+ of (\d+)", text).group(1))  # type: ignore[union-attr]
    header, rows = sheet[0], sheet[1:]
    assert header[:3] == ["planned order", "type", "item"]
    assert len(rows) == total and total > 0
    assert [r[0] for r in rows[: len(shown)]] == shown
    assert {r[1] for r in rows} == {"buy"}  # the filter applied
    qty, release = header.index("qty"), header.index("release")
    assert all(isinstance(r[qty], int | float) for r in rows)
    assert all(isinstance(r[release], datetime) for r in rows)
    _same_cells(sheet, plain)
    everything = _downloads(web, "/plan/planned-orders")[1]
    assert len(everything) > len(sheet)  # without the filter, the makes too


def test_sales_orders_export_every_page_in_the_pages_order(
    web: TestClient, log_in: Callable[[str], str], sample: None
) -> None:
    log_in("petra")
    text, sheet, plain = _downloads(web, "/orders?sort=-number")
    shown = _row_refs(text, r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>')
    assert sheet[0] == ["number", "customer", "project", "status", "lines", "first due"]
    assert [r[0] for r in sheet[1 : len(shown) + 1]] == shown
    assert shown == sorted(shown, reverse=True)
    assert all(isinstance(r[4], int) for r in sheet[1:])
    _same_cells(sheet, plain)
    one = _downloads(web, "/orders?q=SO-1001")[1]
    assert [r[0] for r in one[1:]] == ["SO-1001"] and len(sheet) > 2


def test_production_purchasing_and_exceptions_export_their_rows(
    web: TestClient, log_in: Callable[[str], str], sample: None
) -> None:
    log_in("petra")
    text, sheet, plain = _downloads(web, "/production")
    shown = _row_refs(text, r'<a href="/production/[^"]+">([^<]+)</a>')
    assert [r[1] for r in sheet[1:]] == shown
    assert all(isinstance(r[8], datetime) for r in sheet[1:])  # due
    _same_cells(sheet, plain)

    text, sheet, plain = _downloads(web, "/purchasing")
    listed = text.split('id="all-h"', 1)[1]
    shown = _row_refs(listed, r'<th scope="row"><a href="/purchasing/[^"]+">([^<]+)</a></th>')
    assert [r[0] for r in sheet[1:]][: len(shown)] == shown
    assert sheet[0][-1] == "overdue" and {r[-1] for r in sheet[1:]} <= {"yes", "no"}
    _same_cells(sheet, plain)

    text, sheet, plain = _downloads(web, "/plan/exceptions?kind=late")
    shown = _row_refs(text, r'<th scope="row">([^<]+)</th>')
    assert [r[1] for r in sheet[1:]][: len(shown)] == shown and shown
    assert {r[0] for r in sheet[1:]} == {"late"}
    assert all(isinstance(r[3], datetime) or r[3] is None for r in sheet[1:])
    _same_cells(sheet, plain)


def test_an_unknown_format_is_refused(
    web: TestClient, log_in: Callable[[str], str], sample: None
) -> None:
    log_in("petra")
    assert web.get("/orders?export=pdf").status_code in (400, 422)
    assert date  # (the dates above are datetime cells of a date)


def test_items_export_with_their_search_and_exact_unit_costs(
    web: TestClient, log_in: Callable[[str], str], sample: None
) -> None:
    log_in("petra")
    text, sheet, plain = _downloads(web, "/items?q=led&type=buy")
    shown = _row_refs(text, r'<th scope="row"><a href="[^"]+"[^>]*>([^<]+)</a></th>')
    assert [r[0] for r in sheet[1:]][: len(shown)] == shown and shown
    assert {r[2] for r in sheet[1:]} == {"buy"}
    cost = sheet[0].index("unit cost")
    assert all(isinstance(r[cost], int | float) for r in sheet[1:])
    board = next(r for r in plain[1:] if r[0] == "LED-BRD-24V-560")
    assert board[cost] == "9.8000" or board[cost].rstrip("0").rstrip(".") == "9.8"
    # an htmx request of the table (the search as typed) carries the links, filters kept
    partial = web.get("/items?q=led", headers={"HX-Request": "true"}).text
    assert "export=xlsx" in partial and "q=led" in partial and 'hx-boost="false"' in partial


def test_work_centers_and_stock_policy_export_what_they_show(
    web: TestClient, log_in: Callable[[str], str], sample: None, engine: Engine
) -> None:
    log_in("petra")
    text, sheet, plain = _downloads(web, "/work-centers")
    shown = _row_refs(text, r'<th scope="row"><a href="/work-centers/[^"]+">([^<]+)</a></th>')
    assert [r[0] for r in sheet[1:]] == shown and shown
    assert sheet[0][-2:] == ["cost rate per hour", "closed days"]
    assert all(isinstance(r[3], int) for r in sheet[1:])  # units
    rate = 5  # money: a number in the workbook, cents in the CSV
    assert [float(r[rate]) for r in sheet[1:]] == [float(r[rate]) for r in plain[1:]]
    assert all(r[rate].endswith(".00") or r[rate][-3] == "." for r in plain[1:])
    _same_cells(
        [r[:rate] + r[rate + 1 :] for r in sheet], [r[:rate] + r[rate + 1 :] for r in plain]
    )

    with db.session_factory(engine)() as s:
        policy_runs.run_policy(s, author="test")
    text, sheet, plain = _downloads(web, "/policy?below=1&sort=item")
    shown = _row_refs(text, r'<th scope="row"><a href="/items/[^"]+">([^<]+)</a>')
    assert [r[0] for r in sheet[1:]][: len(shown)] == shown and shown
    below = sheet[0].index("below reorder point")
    assert {r[below] for r in sheet[1:]} == {"yes"}
    assert all(isinstance(r[3], int | float) for r in sheet[1:])  # ADU
    _same_cells(sheet, plain)


def test_an_orders_supply_tree_exports_row_per_supply(
    web: TestClient, log_in: Callable[[str], str], sample: None
) -> None:
    log_in("petra")
    text, sheet, plain = _downloads(web, "/pegging/orders/SO-1008")
    assert sheet[0][:5] == ["line", "due", "projected", "level", "item"]
    lines = {r[0] for r in sheet[1:]}
    assert lines == set(re.findall(r'<h2 id="peg-\d+">(SO-1008/\d+):', text))
    # every supply the page draws, in its order (depth first): its item and reference
    drawn = re.findall(r'</span>, ready <time datetime="([0-9-]+)">', text)
    assert drawn == [r[8].date().isoformat() for r in sheet[1:]] and drawn
    assert {r[3] for r in sheet[1:]} >= {1, 2}  # the levels below the line
    critical = sheet[0].index("critical chain")
    assert "yes" in {r[critical] for r in sheet[1:]}  # the chain that sets the date
    assert all(isinstance(r[8], datetime) for r in sheet[1:])  # ready
    _same_cells(sheet, plain)

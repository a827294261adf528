"""The "Download … (XLSX)" links of the order and project cost pages and of the
dashboard's late lines (#16 item 7, #19 item 5), on both databases."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from io import BytesIO

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from _costing import TODAY, build_shop
from pegboard import db
from pegboard.model import SalesOrderStatus
from pegboard.services import sales
from pegboard.services.planning import run_plan
from pegboard.services.xlsx_reports import MEDIA_TYPE


@pytest.fixture
def shop(engine: Engine) -> Engine:
    with db.session_factory(engine)() as session:
        build_shop(session)
        sales.create_customer(session, code="EVIL", name="=cmd|' /C calc'!A0", author="s")
        sales.create_order(session, customer="EVIL", number="SO-2", author="s")
        due = TODAY + timedelta(days=1)
        sales.add_line(session, "SO-2", item="DRIVER", qty=3, due=due, author="s")
        sales.set_status(session, "SO-2", SalesOrderStatus.CONFIRMED, author="s")
        run_plan(session, author="planner", today=TODAY)
    return engine


def first_column(body: bytes) -> list[object]:
    sheet = openpyxl.load_workbook(BytesIO(body)).active
    assert sheet is not None
    return [row[0].value for row in sheet.iter_rows()]


def test_the_cost_pages_link_their_workbook(
    shop: Engine, web: TestClient, log_in: Callable[[str], str]
) -> None:
    log_in("ana")
    page = web.get("/orders/SO-1/cost")
    assert 'href="/orders/SO-1/cost.xlsx" download' in page.text
    got = web.get("/orders/SO-1/cost.xlsx")
    assert got.status_code == 200 and got.headers["content-type"] == MEDIA_TYPE
    assert got.headers["content-disposition"] == 'attachment; filename="cost-SO-1.xlsx"'
    assert first_column(got.content)[-1] == "SO-1"
    page = web.get("/customers/ACME/projects/HQ/cost")
    assert 'href="/customers/ACME/projects/HQ/cost.xlsx" download' in page.text
    got = web.get("/customers/ACME/projects/HQ/cost.xlsx")
    assert got.status_code == 200
    assert first_column(got.content)[-1] == "project total"
    assert web.get("/orders/SO-404/cost.xlsx").status_code == 404


def test_the_dashboard_links_every_late_line(
    shop: Engine, web: TestClient, log_in: Callable[[str], str]
) -> None:
    log_in("ana")
    assert 'href="/reports/late.xlsx" download' in web.get("/").text
    got = web.get("/reports/late.xlsx")
    assert got.status_code == 200, got.text
    sheet = openpyxl.load_workbook(BytesIO(got.content)).active
    assert sheet is not None
    late = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    customer = late["SO-2/1"][1]
    assert (customer.value, customer.data_type) == ("=cmd|' /C calc'!A0", "s")


def test_a_visitor_must_log_in(shop: Engine, web: TestClient) -> None:
    got = web.get("/reports/late.xlsx", follow_redirects=False)
    assert got.status_code in (302, 303, 401)
    assert "xlsx" not in got.headers.get("content-type", "")


def test_the_late_lines_as_csv_hold_the_workbooks_cells(
    shop: Engine, web: TestClient, log_in: Callable[[str], str]
) -> None:
    log_in("ana")
    assert 'href="/reports/late.csv" download' in web.get("/").text
    got = web.get("/reports/late.csv")
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    assert got.headers["content-disposition"] == 'attachment; filename="late-orders.csv"'
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8").removeprefix("\ufeff"))))
    assert rows[0][:3] == ["order line", "customer", "item"]
    assert [r[0] for r in rows[1:]] == first_column(web.get("/reports/late.xlsx").content)[1:]
    line = next(r for r in rows if r[0] == "SO-2/1")
    assert line[1] == "'=cmd|' /C calc'!A0"  # text that would start a formula, quoted

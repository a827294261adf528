"""``GET /api/cost/orders/{n}.xlsx``, ``/api/cost/projects/{c}/{p}.xlsx`` and
``/api/reports/late.xlsx`` (#16 item 7, #19 item 5), on both databases: the service's
workbook as a download (its cells: tests/services/test_xlsx_reports.py)."""

from __future__ import annotations

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

Headers = dict[str, str]


@pytest.fixture
def shop(engine: Engine) -> Engine:
    with db.session_factory(engine)() as session:
        build_shop(session)
        sales.create_customer(session, code="EVIL", name="@SUM(1+1)", author="sales")
        sales.create_order(session, customer="EVIL", number="SO-2", author="sales")
        due = TODAY + timedelta(days=1)
        sales.add_line(session, "SO-2", item="DRIVER", qty=3, due=due, author="sales")
        sales.set_status(session, "SO-2", SalesOrderStatus.CONFIRMED, author="sales")
    return engine


def cells(body: bytes) -> list[list[object]]:
    sheet = openpyxl.load_workbook(BytesIO(body)).active
    assert sheet is not None
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_the_cost_reports_download(
    shop: Engine, api: TestClient, as_role: Callable[[str], Headers]
) -> None:
    got = api.get("/api/cost/orders/SO-1.xlsx", headers=as_role("viewer"))
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == MEDIA_TYPE
    assert got.headers["content-disposition"] == 'attachment; filename="cost-SO-1.xlsx"'
    rows = cells(got.content)
    assert rows[0][0] == "order" and rows[-1][0] == "SO-1"
    assert api.get("/api/cost/orders/SO-1", headers=as_role("viewer")).json()["number"] == "SO-1"
    project = api.get("/api/cost/projects/ACME/HQ.xlsx", headers=as_role("viewer"))
    assert project.status_code == 200, project.text
    assert project.headers["content-disposition"] == 'attachment; filename="cost-ACME-HQ.xlsx"'
    assert cells(project.content)[-1][0] == "project total"


def test_unknown_and_unauthenticated_are_refused(
    shop: Engine, api: TestClient, as_role: Callable[[str], Headers]
) -> None:
    missing = api.get("/api/cost/orders/SO-404.xlsx", headers=as_role("viewer"))
    assert missing.status_code == 404 and "SO-404" in missing.text
    assert api.get("/api/cost/orders/SO-1.xlsx").status_code == 401
    no_plan = api.get("/api/reports/late.xlsx", headers=as_role("viewer"))
    assert no_plan.status_code == 404


def test_the_late_report_downloads_every_late_line(
    shop: Engine, api: TestClient, as_role: Callable[[str], Headers]
) -> None:
    with db.session_factory(shop)() as session:
        run_plan(session, author="planner", today=TODAY)
    got = api.get("/api/reports/late.xlsx", headers=as_role("viewer"))
    assert got.status_code == 200, got.text
    assert got.headers["content-disposition"] == 'attachment; filename="late-orders.xlsx"'
    late = {r[0]: r for r in cells(got.content)[1:]}
    assert late["SO-2/1"][1] == "@SUM(1+1)"

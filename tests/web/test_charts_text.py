"""User text in a chart is drawn as typed, never read as matplotlib math text (issue #20,
item 5): an item ``MK$\\foo$`` made the production Gantt and its projection chart answer
500 for every user, and ``$x$`` was drawn as an italic x."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import date, timedelta
from urllib.parse import quote

import matplotlib
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from pegboard import db
from pegboard.services import company_data, planning
from pegboard.services.dataset import BomRow, Dataset, ItemRow, ProductionRow, StockRow
from pegboard.services.projection import Projection, ProjectionRow
from pegboard.web import charts

PD = date(2026, 11, 23)
CODES = ["MK$\\foo$", "$x$", "A<B&C", "x$^{2}$ & <b>"]


def _texts(svg: bytes | str) -> str:
    """Every text of the SVG, joined (the SVG must be well-formed XML)."""
    root = ET.fromstring(svg)
    return "\n".join(
        "".join(node.itertext()) for node in root.iter("{http://www.w3.org/2000/svg}text")
    )


def _projection(code: str) -> Projection:
    row = ProjectionRow(PD + timedelta(days=3), 5.0, 2.0, 8.0)
    return Projection(code, None, PD, 5.0, 1.0, [row])


def _gantt(code: str) -> bytes:
    bar = charts.Bar(f"stock MO-1 {code}", "", PD, PD + timedelta(days=4), True, False)
    return charts.gantt_svg([bar], PD + timedelta(days=1))


@pytest.mark.parametrize("code", CODES)
def test_both_charts_draw_a_code_as_typed(code: str) -> None:
    assert code in _texts(charts.projection_svg(_projection(code)))
    assert code in _texts(_gantt(code))


@pytest.mark.parametrize("code", CODES[:2])
def test_math_text_stays_off_whatever_the_global_setting(code: str) -> None:
    """Another module turning math text back on for the process does not reach the charts."""
    with matplotlib.rc_context({"text.parse_math": True}):
        assert code in _texts(charts.projection_svg(_projection(code)))
        assert code in _texts(_gantt(code))


def _item(code: str, type_: str) -> ItemRow:
    return ItemRow(
        item=code,
        description=f"the {code}",
        type=type_,
        strategy="mts",
        uom="ea",
        lead_time_days=3,
        lot_rule="lfl",
        lot_qty=None,
        period_days=None,
        min_qty=0,
        multiple=0,
        safety_stock=0,
        unit_cost=1,
        supplier="",
    )


MADE = ["MK$\\foo$", "A<B&C"]


@pytest.fixture
def odd_codes(engine: Engine) -> Engine:
    data = Dataset(
        settings={"planning_date": PD.isoformat()},
        items=[_item(MADE[0], "make"), _item(MADE[1], "make"), _item("RAW", "buy")],
        bom=[BomRow(MADE[0], "RAW", 1.0, 0.0, ""), BomRow(MADE[1], "RAW", 2.0, 0.0, "")],
        stock=[StockRow("RAW", 50.0, "main", "")],
        productions=[
            ProductionRow(
                "MO-1", MADE[0], 4.0, PD + timedelta(days=5), None, "released", False, ""
            ),
            ProductionRow(
                "MO-2", MADE[1], 2.0, PD - timedelta(days=2), None, "released", False, ""
            ),
        ],
    )
    with db.session_factory(engine)() as s:
        company_data.replace_company(s, data, author="test")
        planning.run_plan(s, author="test", today=PD)
    return engine


def test_the_gantt_draws_odd_codes(
    web: TestClient, odd_codes: Engine, log_in: Callable[[str], str]
) -> None:
    log_in("ann")
    chart = web.get("/production/gantt.svg")
    assert chart.status_code == 200, chart.text
    texts = _texts(chart.content)
    assert f"MO-1 {MADE[0]}" in texts and f"MO-2 {MADE[1]}" in texts


@pytest.mark.parametrize("code", MADE)
def test_the_projection_chart_draws_odd_codes(
    web: TestClient, odd_codes: Engine, log_in: Callable[[str], str], code: str
) -> None:
    log_in("ann")
    chart = web.get(f"/items/{quote(code, safe='')}/projection.svg")
    assert chart.status_code == 200, chart.text
    assert f"Projected stock: {code}" in _texts(chart.content)

"""User text in a chart is drawn as typed, never read as markup or math (issue #20 item
5, issue #19 item 3): the charts are inline SVG from templates, so an item code is
escaped by Jinja's autoescape like any text of the page; ``<script>`` stays text and
``$x$`` is not math (matplotlib, which drew them before, read it as an italic x)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from urllib.parse import quote

import pytest
from _inline_svg import SVG_NS, inline_svg, texts
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from pegboard import db
from pegboard.services import company_data, planning
from pegboard.services.dataset import BomRow, Dataset, ItemRow, ProductionRow, StockRow

PD = date(2026, 11, 23)
MADE = ["MK$\\foo$", "A<B&C", "<script>$x$"]


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


@pytest.fixture
def odd_codes(engine: Engine) -> Engine:
    """Three made items with odd codes, each with a released production order MO-i."""
    data = Dataset(
        settings={"planning_date": PD.isoformat()},
        items=[*(_item(code, "make") for code in MADE), _item("RAW", "buy")],
        bom=[BomRow(code, "RAW", 1.0, 0.0, "") for code in MADE],
        stock=[StockRow("RAW", 50.0, "main", "")],
        productions=[
            ProductionRow(
                f"MO-{i}", code, 4.0, PD + timedelta(days=5 - 3 * i), None, "released", False, ""
            )
            for i, code in enumerate(MADE, start=1)
        ],
    )
    with db.session_factory(engine)() as s:
        company_data.replace_company(s, data, author="test")
        planning.run_plan(s, author="test", today=PD)
    return engine


def test_the_gantt_draws_odd_codes_as_text(
    web: TestClient, odd_codes: Engine, log_in: Callable[[str], str]
) -> None:
    log_in("ann")
    page = web.get("/production")
    assert page.status_code == 200, page.text
    assert "<script>$x$" not in page.text and "&lt;script&gt;$x$" in page.text
    drawn = texts(inline_svg(page.text, "gantt"))
    for i, code in enumerate(MADE, start=1):
        assert f"MO-{i} {code}" in drawn


@pytest.mark.parametrize("code", MADE)
def test_the_projection_chart_draws_odd_codes_as_text(
    web: TestClient, odd_codes: Engine, log_in: Callable[[str], str], code: str
) -> None:
    log_in("ann")
    page = web.get(f"/items/{quote(code, safe='')}")
    assert page.status_code == 200, page.text
    assert "<script>" not in page.text.split('<main id="main"')[-1].replace('<script src="', ""), (
        "user text reached the page as markup"
    )
    svg = inline_svg(page.text, "projection")
    assert f"Projected stock of {code} from" in texts(svg)
    number = f"MO-{MADE.index(code) + 1}"
    links = [a.get("href") for a in svg.iter(f"{SVG_NS}a")]
    assert f"/production/{number}" in links  # the order's receipt is a mark linking to it

"""Estimated against actual on the cost tab of an order and a project (#16 items 5-7), on
the story of tests/services/test_actual_cost_story.py (its figures by hand)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from _costing import build_shop, execute
from pegboard import db


def test_the_order_and_project_show_actual_cost_variance_and_margin(
    engine: Engine, web: TestClient, log_in: Callable[[str], str]
) -> None:
    with db.session_factory(engine)() as session:
        execute(build_shop(session))
    log_in("ana")
    page = web.get("/orders/SO-1/cost")
    assert page.status_code == 200, page.text
    text = page.text
    assert "Estimated against actual" in text
    assert "Actual cost 130.85 EUR (scrap in it 18.65): variance -80.60, margin 319.16." in text
    # two stacked bars on one scale, estimated above actual, and the revenue marker
    assert text.count("<title>Estimated material</title>") == 1
    assert text.count("<title>Actual overhead</title>") == 1
    assert 'aria-label="Estimated against actual cost of SO-1: estimated 211.44' in text
    for figure in ("-19.25", "5.40", "16.80", "-67.00", "-16.55"):
        assert f'<td class="num">{figure}</td>' in text
    project = web.get("/customers/ACME/projects/HQ/cost")
    assert project.status_code == 200
    assert "variance -80.60, <strong>margin 319.16</strong>" in project.text


def test_the_cost_waterfall_steps_from_estimate_to_actual(
    engine: Engine, web: TestClient, log_in: Callable[[str], str]
) -> None:
    """#19 item 3: the variance as a waterfall people can read and click."""
    with db.session_factory(engine)() as session:
        execute(build_shop(session))
    log_in("ana")
    for url in ("/orders/SO-1/cost", "/customers/ACME/projects/HQ/cost"):
        text = web.get(url).text
        chart = text.split('<svg class="cost-waterfall"', 1)[1].split("</svg>", 1)[0]
        tips = [html.unescape(t) for t in re.findall(r"<title>([^<]+)</title></rect>", chart)]
        assert tips[0] == "Estimated cost 211.44 EUR" and tips[-1] == "Actual cost 130.85 EUR"
        assert tips[1:6] == [
            "Price variance −19.25 EUR: what components really cost against their standard",
            "Usage variance +5.40 EUR: more or fewer components used than the order BOM says",
            "Scrap variance +16.80 EUR: scrap against the allowance",
            "Labour variance −67.00 EUR: hours confirmed × rate against the routing's hours",
            "Overhead variance −16.55 EUR: overhead on the actual against on the estimate",
        ]
        kinds = re.findall(r'<rect class="wf-(\w+)"', chart)
        assert kinds[:6] == ["total", "down", "up", "up", "down", "down"]
        assert chart.count('<a href="#variance-table">') == len(tips)
        assert 'id="variance-table"' in text

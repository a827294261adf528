"""The cost tab of an order and a project, and prices on the order page (#16).

The shop and its figures by hand are those of tests/services/test_costing.py.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from _costing import build_shop
from pegboard import db


@pytest.fixture
def shop(engine: Engine) -> Engine:
    with db.session_factory(engine)() as session:
        build_shop(session)
    return engine


def test_the_order_page_shows_prices_and_links_its_cost(
    shop: Engine, web: TestClient, log_in: Callable[[str], str]
) -> None:
    log_in("ana")
    page = web.get("/orders/SO-1")
    assert page.status_code == 200
    assert "450.00 EUR" in page.text
    assert '<td class="num">250.00 <span class="meta">−10 %</span></td>' in page.text
    assert 'href="/orders/SO-1/cost"' in page.text


def test_the_cost_tab_of_an_order(
    shop: Engine, web: TestClient, log_in: Callable[[str], str]
) -> None:
    log_in("ana")
    page = web.get("/orders/SO-1/cost")
    assert page.status_code == 200, page.text
    text = page.text
    assert "<dt>Estimated cost</dt><dd>207.04 EUR</dd>" in text
    assert "<dt>Margin</dt><dd>242.96 (53.99 %)</dd>" in text
    assert "<strong>Premium of customization: 66.40 EUR</strong>" in text
    assert 'finish = black <span class="meta">(default white)</span>: 4.40' in text
    assert "hand edits, order routings, options acting together: 18.00" in text
    assert "operation 10 at PAINT: 0.9 h × 30.00 = 27.00" in text
    assert "4.4 × <strong>PROFILE</strong>" in text
    assert 'class="cost-bar"' in text and "<title>Material</title>" in text
    assert web.get("/orders/SO-404/cost").status_code == 404


def test_the_cost_tab_of_a_project(
    shop: Engine, web: TestClient, log_in: Callable[[str], str]
) -> None:
    log_in("ana")
    page = web.get("/customers/ACME/projects/HQ/cost")
    assert page.status_code == 200, page.text
    assert "<dt>Margin</dt><dd>242.96 (53.99 %)</dd>" in page.text
    assert "<dt>Premium of customization</dt><dd>66.40</dd>" in page.text
    assert 'href="/orders/SO-1/cost"' in page.text


def test_a_line_is_added_with_its_price(
    shop: Engine, web: TestClient, log_in: Callable[[str], str]
) -> None:
    token = log_in("ana")
    form = {
        "csrf_token": token,
        "item": "PROFILE",
        "qty": "3",
        "due": "2027-01-11",
        "priority": "100",
        "price": "7",
        "discount": "",
    }
    added = web.post("/orders/SO-1/lines", data=form, follow_redirects=False)
    assert added.status_code == 303, added.text
    page = web.get("/orders/SO-1")
    assert '<td class="num">21.00</td>' in page.text
    bad = web.post("/orders/SO-1/lines", data=form | {"price": "7.123"})
    assert bad.status_code == 422
    assert "unit_price 7.123: at most two decimals (cents)" in bad.text
    assert 'value="7.123"' in bad.text


def test_the_promise_page_quotes_the_cost_and_the_margin(
    shop: Engine, web: TestClient, log_in: Callable[[str], str]
) -> None:
    from pegboard.services.planning import run_plan

    with db.session_factory(shop)() as session:
        run_plan(session, author="planner")
    log_in("ana")
    query = "item=LAMP&qty=2&p.length_m=2&p.finish=black&p.sensor=yes&unit_price=120"
    page = web.get(f"/promise?{query}")
    assert page.status_code == 200, page.text
    assert "<strong>Estimated cost 189.04 EUR</strong>" in page.text
    assert "<strong>margin 50.96</strong> (21.23 %)" in page.text
    bad = web.get("/promise?" + query.replace("unit_price=120", "unit_price=12.345"))
    assert bad.status_code == 422
    assert "at most two decimals" in bad.text

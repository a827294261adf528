"""The pegging explorer: a sales order down to purchased parts, an item up to its orders."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

LogIn = Callable[[str], str]


def test_the_explorer_form_leads_to_the_trees(web: TestClient, sample: None, log_in: LogIn) -> None:
    log_in("ann")
    page = web.get("/pegging")
    assert (
        page.status_code == 200 and 'name="order"' in page.text and "No plan yet" not in page.text
    )
    down = web.get("/pegging", params={"order": "SO-1008"}, follow_redirects=False)
    assert down.status_code == 303 and down.headers["location"] == "/pegging/orders/SO-1008"
    up = web.get("/pegging", params={"item": "A/B <c>"}, follow_redirects=False)
    assert up.headers["location"] == "/pegging/items/A%2FB%20%3Cc%3E"


def test_a_sales_order_shows_its_supply_tree_and_critical_chain(
    web: TestClient, sample: None, log_in: LogIn
) -> None:
    log_in("ann")
    page = web.get("/pegging/orders/SO-1008")
    assert page.status_code == 200
    text = page.text
    assert "SO-1008/1" in text and "11 d late" in text  # complete 2026-12-01, due 11-20
    chain = text.split('class="chain"', 1)[1].split("</p>", 1)[0]
    assert "Critical chain:" in chain
    assert chain.index("FX-SO-1008-1") < chain.index("BODY-SO-1008-1")
    assert "<details open>" in text and "<summary>" in text
    assert '<a href="/items/SA-LEDMOD-2240">SA-LEDMOD-2240</a>' in text
    assert "planned order" in text and "from stock" in text and "critical chain</strong>" in text
    assert web.get("/pegging/orders/SO-9999").status_code == 404


def test_an_item_is_traced_up_to_the_sales_orders_it_feeds(
    web: TestClient, sample: None, log_in: LogIn
) -> None:
    log_in("ann")
    page = web.get("/pegging/items/SA-LEDMOD-2240")
    assert page.status_code == 200
    assert "from stock" in page.text
    assert '<a href="/pegging/orders/SO-1008">SO-1008/1</a>' in page.text
    missing = web.get("/pegging/items/%3Cb%3Ex")
    assert missing.status_code == 404 and "<b>x" not in missing.text


def test_without_a_plan_the_pages_say_so(web: TestClient, log_in: LogIn) -> None:
    log_in("ann")
    for url in ("/pegging", "/pegging/orders/SO-1008", "/pegging/items/X"):
        page = web.get(url)
        assert page.status_code == 200 and "No plan yet" in page.text, url


def test_a_purchase_order_is_traced_up_to_the_sales_orders_it_feeds(
    web: TestClient, sample: None, log_in: LogIn
) -> None:
    log_in("ann")
    form = web.get("/pegging").text
    assert 'name="po"' in form
    up = web.get("/pegging", params={"po": "PO-31012"}, follow_redirects=False)
    assert up.status_code == 303 and up.headers["location"] == "/pegging/purchase-orders/PO-31012"
    page = web.get("/pegging/purchase-orders/PO-31012")
    assert page.status_code == 200
    text = page.text
    assert "PO-31012/1" in text and "PO-31012/2" in text
    line2 = text.split("PO-31012/2:", 1)[1]
    assert "DRV-DALI-75W" in line2
    assert '<a href="/pegging/orders/SO-1005">SO-1005/1</a>' in line2
    assert '<a href="/purchasing/PO-31012">PO-31012</a>' in text
    missing = web.get("/pegging/purchase-orders/%3Cb%3Ex")
    assert missing.status_code == 404 and "<b>x" not in missing.text

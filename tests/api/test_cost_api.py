"""Prices and estimated costs through the API (#16), on both databases.

The shop and its figures by hand are those of tests/services/test_costing.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from _costing import build_shop
from pegboard import db

Headers = dict[str, str]


@pytest.fixture
def shop(engine: Engine) -> Engine:
    with db.session_factory(engine)() as session:
        build_shop(session)
    return engine


def test_the_cost_of_a_line(
    shop: Engine, api: TestClient, as_role: Callable[[str], Headers]
) -> None:
    got = api.get("/api/sales-orders/SO-1/lines/1/cost", headers=as_role("viewer"))
    assert got.status_code == 200, got.text
    body: dict[str, Any] = got.json()
    assert (body["revenue"], body["cost"], body["margin"], body["margin_pct"]) == (
        "450.00",
        "207.04",
        "242.96",
        "53.99",
    )
    assert body["currency"] == "EUR"
    assert (body["unit_price"], body["discount_pct"]) == ("250.00", "10.00")
    tree = body["tree"]
    assert tree["total"] == {
        "material": "106.40",
        "labour": "71.00",
        "overhead": "29.64",
        "total": "207.04",
    }
    body_part = next(p for p in tree["parts"] if p["component"] == "BODY-SO-1-1.1")
    made = body_part["made"]
    assert (made["source"], made["routing"], made["hours"]) == (
        "BOM-SO-1-1.1",
        "RT-BOM-SO-1-1.1",
        "0.9",
    )
    profile = next(p for p in made["parts"] if p["component"] == "PROFILE")
    assert (profile["qty"], profile["unit_cost"], profile["amount"]) == ("4.4", "6.00", "26.40")
    premium = body["premium"]
    assert (premium["amount"], premium["default_cost"], premium["rest"]) == (
        "66.40",
        "140.64",
        "18.00",
    )
    assert {o["parameter"]: o["premium"] for o in premium["options"]} == {
        "finish": "4.40",
        "sensor": "44.00",
    }


def test_a_line_is_priced_and_the_order_costed(
    shop: Engine, api: TestClient, as_role: Callable[[str], Headers]
) -> None:
    sales = as_role("planner")
    line = {"item": "PROFILE", "qty": 3, "due": "2027-01-11", "unit_price": "7"}
    made = api.post("/api/sales-orders/SO-1/lines", json=line, headers=sales)
    assert made.status_code == 201, made.text
    assert (made.json()["unit_price"], made.json()["amount"]) == ("7.00", "21.00")
    changed = api.patch("/api/sales-orders/SO-1/lines/2", json={"discount_pct": 50}, headers=sales)
    assert changed.status_code == 200, changed.text
    assert changed.json()["line"]["amount"] == "10.50"
    order = api.get("/api/sales-orders/SO-1", headers=sales).json()
    assert (order["currency"], order["amount"]) == ("EUR", "460.50")
    cost = api.get("/api/sales-orders/SO-1/cost", headers=sales).json()
    assert (cost["revenue"], cost["cost"], cost["margin"]) == ("460.50", "226.84", "233.66")
    project = api.get("/api/customers/ACME/projects/HQ/cost", headers=sales).json()
    assert (project["revenue"], project["cost"], project["premium"]) == (
        "460.50",
        "226.84",
        "66.40",
    )


@pytest.mark.parametrize(
    ("price", "words"),
    [
        ("-1", "must not be negative"),
        ("1.2345678901", "at most two decimals"),
        ("ten", "is not an amount"),
    ],
)
def test_bad_prices_are_refused(
    shop: Engine,
    api: TestClient,
    as_role: Callable[[str], Headers],
    price: str,
    words: str,
) -> None:
    line = {"item": "PROFILE", "qty": 3, "due": "2027-01-11", "unit_price": price}
    got = api.post("/api/sales-orders/SO-1/lines", json=line, headers=as_role("planner"))
    assert got.status_code in (400, 422), got.text
    assert words in got.text


def test_unknown_lines_are_404(
    shop: Engine, api: TestClient, as_role: Callable[[str], Headers]
) -> None:
    got = api.get("/api/sales-orders/SO-1/lines/7/cost", headers=as_role("viewer"))
    assert got.status_code == 404


def test_a_promise_quotes_the_cost_and_the_margin(
    shop: Engine, api: TestClient, as_role: Callable[[str], Headers]
) -> None:
    from pegboard.services.planning import run_plan

    with db.session_factory(shop)() as session:
        run_plan(session, author="planner")
    body = {
        "item": "LAMP",
        "qty": 2,
        "params": {"length_m": 2, "finish": "black", "sensor": True},
        "unit_price": "120",
    }
    got = api.post("/api/promise", json=body, headers=as_role("viewer"))
    assert got.status_code == 200, got.text
    quote = got.json()["quote"]
    assert (quote["cost"], quote["unit_cost"], quote["revenue"], quote["margin"]) == (
        "189.04",
        "94.52",
        "240.00",
        "50.96",
    )
    reserved = api.post(
        "/api/promise/reserve", json=body | {"customer": "ACME"}, headers=as_role("planner")
    )
    assert reserved.status_code == 201, reserved.text
    number = reserved.json()["sales_order"]
    line = api.get(f"/api/sales-orders/{number}", headers=as_role("viewer")).json()["lines"][0]
    assert line["unit_price"] == "120.00"

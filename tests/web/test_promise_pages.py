"""The promise page ("when can we deliver?") on the planned sample company, both databases."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from _login import post_login
from pegboard import db
from pegboard.model import Customer, Role, SalesOrder, SalesOrderLine, SalesOrderStatus
from pegboard.services import promise

PASSWORD = "correct horse battery"
LENGTH = {"p.length_m": "14.56"}


def _expected(engine: Engine, item: str, qty: float, **params: str) -> promise.Promise:
    with db.session_factory(engine)() as s, s.begin():
        return promise.promise(s, item, qty, params=params)


def test_the_form_alone(web: TestClient, log_in: Callable[[str], str], sample: None) -> None:
    log_in("petra")
    page = web.get("/promise")
    assert page.status_code == 200
    assert "When can we deliver?" in page.text
    assert 'name="item"' in page.text and 'name="qty"' in page.text


def test_a_configured_fixture_is_promised_as_the_service_says(
    web: TestClient, log_in: Callable[[str], str], sample: None, engine: Engine
) -> None:
    log_in("petra")
    page = web.get("/promise", params={"item": "LR-7040", "qty": "2"} | LENGTH)
    assert page.status_code == 200, page.text
    expected = _expected(engine, "LR-7040", 2, length_m="14.56")
    # the template's parameters are on the form, the length as asked
    assert 'name="p.length_m" value="14.56"' in page.text
    assert 'name="p.finish"' in page.text
    assert f'datetime="{expected.promised.isoformat()}"' in page.text
    # the chain that sets the date, and the purchases to place today
    for step in expected.critical_path:
        assert f'href="/items/{step.item}"' in page.text
    today = [o for o in expected.orders if o.today]
    assert today and "order today" in page.text
    assert "sets the date" in page.text
    assert "Enter the order, due" in page.text
    assert expected.note in page.text  # where the plan may say otherwise
    # every quantity to order is whole for items counted in pieces
    for o in expected.orders:
        assert o.qty >= o.requirement


def test_a_wanted_date_that_cannot_be_met(
    web: TestClient, log_in: Callable[[str], str], sample: None, engine: Engine
) -> None:
    log_in("petra")
    expected = _expected(engine, "LR-7040", 2, length_m="14.56")
    wanted = expected.planning_date.isoformat()
    page = web.get("/promise", params={"item": "LR-7040", "qty": "2", "wanted": wanted} | LENGTH)
    assert page.status_code == 200
    late = (expected.promised - expected.planning_date).days
    assert f"{late} d after the wanted" in page.text


def test_bad_input_is_shown_next_to_its_field(
    web: TestClient, log_in: Callable[[str], str], sample: None
) -> None:
    log_in("petra")
    page = web.get("/promise", params={"item": "LR-7040", "qty": "-1"} | LENGTH)
    assert page.status_code == 422
    assert 'id="q-qty-error"' in page.text and 'aria-invalid="true"' in page.text
    page = web.get("/promise", params={"item": "NO-SUCH", "qty": "1"})
    assert page.status_code == 422
    assert 'id="q-item-error"' in page.text and "NO-SUCH" in page.text
    page = web.get("/promise", params={"item": "LR-7040", "qty": "1", "p.length_m": "-3"})
    assert page.status_code == 422
    error = re.search(r'id="(p-\d+)-error"', page.text)
    assert error, "the bad length is marked at its field"


def test_entering_the_promise_as_an_order(
    web: TestClient, log_in: Callable[[str], str], sample: None, engine: Engine
) -> None:
    token = log_in("petra")
    expected = _expected(engine, "LR-7040", 2, length_m="14.56")
    form = {"csrf_token": token, "item": "LR-7040", "qty": "2", "wanted": "", "customer": ""}
    refused = web.post("/promise/reserve", data=form | LENGTH)
    assert refused.status_code == 422
    assert 'id="reserve-error"' in refused.text
    with db.session_factory(engine)() as s:
        customer_code = s.scalars(select(Customer.code).order_by(Customer.code)).first()
    done = web.post(
        "/promise/reserve",
        data=form | LENGTH | {"customer": str(customer_code)},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    number = done.headers["location"].rsplit("/", 1)[1]
    with db.session_factory(engine)() as s:
        order = s.scalars(select(SalesOrder).where(SalesOrder.number == number)).one()
        line = s.scalars(
            select(SalesOrderLine).where(SalesOrderLine.sales_order_id == order.id)
        ).one()
        assert order.status == SalesOrderStatus.CONFIRMED
        assert (line.qty, line.due_date) == (2, expected.promised)


def test_a_viewer_sees_the_answer_but_may_not_enter_it(
    web: TestClient, make_user: Callable[..., None], sample: None
) -> None:
    make_user("vera", Role.VIEWER)
    page = post_login(web, {"name": "vera", "password": PASSWORD})
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    page = web.get("/promise", params={"item": "LR-7040", "qty": "2"} | LENGTH)
    assert page.status_code == 200
    assert "can be complete on" in page.text
    assert "Enter the order" not in page.text
    form = {"csrf_token": token.group(1), "item": "LR-7040", "qty": "2", "customer": "X"}
    assert web.post("/promise/reserve", data=form | LENGTH).status_code == 403


def test_the_order_page_asks_for_each_open_line(
    web: TestClient, log_in: Callable[[str], str], sample: None, engine: Engine
) -> None:
    log_in("petra")
    with db.session_factory(engine)() as s:
        number = s.scalar(
            select(SalesOrder.number)
            .where(SalesOrder.status == SalesOrderStatus.CONFIRMED)
            .order_by(SalesOrder.number.desc())
        )
    page = web.get(f"/orders/{number}")
    links = re.findall(r'href="(/promise\?[^"]+)"', page.text)
    assert links, "every open line links to the promise page"
    query = parse_qs(urlsplit(links[0].replace("&amp;", "&")).query)
    assert query["item"] and float(query["qty"][0]) > 0
    answer = web.get(links[0].replace("&amp;", "&"))
    assert answer.status_code in (200, 422)
    assert "When can we deliver?" in answer.text

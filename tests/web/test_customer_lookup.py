"""The new sales order's customer and project are typed, with type-aheads (#19): a
full-size company has ten thousand customers, too many for a drop-down. ``/lookup/
customers`` offers the customers matching what was typed (codes starting with it first,
then a word of the name), ``/lookup/projects`` the chosen customer's projects; without a
script the fields are plain text, resolved by code, and a code that names nothing is
refused naming the field and the value, with nothing created. On both databases over the
sample company; in Chromium with and without JavaScript."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from _browser_support import CHROMIUM, PASSWORD, log_in, need_chromium, watched_page
from _live import live_server
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from pegboard import db
from pegboard.model import Role, SalesOrder
from pegboard.services import sales, users

if TYPE_CHECKING:
    from playwright.sync_api import Response

OPTION = re.compile(r'<option value="([^"]+)">')
LogIn = Callable[[str], str]


def _orders(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(SalesOrder)).scalar_one())


def test_the_customer_lookup_offers_matching_customers_starting_ones_first(
    web: TestClient, engine: Engine, log_in: LogIn, sample: None
) -> None:
    assert web.get("/lookup/customers?customer=h", follow_redirects=False).status_code in (
        303,
        401,
    )
    log_in("ann")
    with db.session_factory(engine)() as s:
        sales.create_customer(s, code="ZZ-HART", name="Hartley Lighting", author="test")
    codes = OPTION.findall(web.get("/lookup/customers?customer=hart").text)
    # the code starting with it first, then one whose name holds it
    assert codes == ["Hartwell Construction", "ZZ-HART"]
    named = web.get("/lookup/customers?customer=lighting").text
    assert "ZZ-HART" in OPTION.findall(named) and "Hartley Lighting" in named
    assert OPTION.findall(web.get("/lookup/customers?customer=%20").text) == []
    assert OPTION.findall(web.get("/lookup/customers?customer=%25").text) == []  # % is text
    assert "<script>" not in web.get("/lookup/customers?customer=<script>").text


def test_the_project_lookup_offers_the_chosen_customers_projects(
    web: TestClient, log_in: LogIn, sample: None
) -> None:
    log_in("ann")
    mine = web.get(
        "/lookup/projects", params={"customer": "Hartwell Construction", "project": ""}
    ).text
    assert "Riverside Tower lobby" in OPTION.findall(mine)
    typed = web.get(
        "/lookup/projects", params={"customer": "Hartwell Construction", "project": "tower"}
    ).text
    assert OPTION.findall(typed) == ["Riverside Tower lobby", "Riverside Tower parking garage"]
    other = web.get(
        "/lookup/projects", params={"customer": "Calder Hotels", "project": "riverside"}
    ).text
    assert OPTION.findall(other) == []
    nobody = web.get("/lookup/projects", params={"customer": "Nope", "project": ""}).text
    assert OPTION.findall(nobody) == []


def test_the_form_offers_no_list_of_every_customer_and_names_an_unknown_code(
    web: TestClient, engine: Engine, log_in: LogIn, sample: None
) -> None:
    token = log_in("ann")
    form = web.get("/orders/new").text
    assert "<select" not in form.split('action="/orders/new"', 1)[1].split("</form>", 1)[0]
    assert re.search(r'<input type="text" id="customer" name="customer"[^>]*required', form)
    assert 'hx-get="/lookup/customers"' in form and 'hx-include="#customer"' in form
    assert '<datalist id="customer-list"></datalist>' in form
    before = _orders(engine)
    wrong = web.post(
        "/orders/new", data={"csrf_token": token, "customer": "Hartwel", "project": ""}
    )
    assert wrong.status_code == 422
    # the service's own words, as the CLI and the API say them, after the field
    assert "Customer: No customer 'Hartwel'. Type a few letters" in unescape(wrong.text)
    assert 'value="Hartwel"' in wrong.text  # what was typed is kept to correct it
    no_project = web.post(
        "/orders/new",
        data={"csrf_token": token, "customer": "Calder Hotels", "project": "Riverside Tower lobby"},
    )
    assert no_project.status_code == 422
    said = "Project: Calder Hotels has no project 'Riverside Tower lobby'. Pick one"
    assert said in unescape(no_project.text)
    assert _orders(engine) == before
    made = web.post(
        "/orders/new",
        data={"csrf_token": token, "customer": "Hartwell Construction", "project": ""},
        follow_redirects=False,
    )
    assert made.status_code == 303 and _orders(engine) == before + 1


@pytest.fixture
def server(tmp_path: Path, sample_loader: Callable[[Engine], None]) -> Iterator[tuple[str, Engine]]:
    need_chromium()
    engine = db.make_engine(f"sqlite:///{tmp_path / 'pegboard.db'}")
    db.upgrade(engine)
    sample_loader(engine)
    with db.session_factory(engine)() as s:
        users.create_user(s, name="petra", password=PASSWORD, role=Role.PLANNER, author="test")
    with live_server(engine) as url:
        yield url, engine
    engine.dispose()


def _refused(r: Response) -> bool:
    return r.request.method == "POST" and r.url.endswith("/orders/new") and r.status == 422


def test_in_chromium_the_customer_is_picked_as_typed_with_and_without_javascript(
    server: tuple[str, Engine],
) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, engine = server
    before = _orders(engine)
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = watched_page(
                browser, problems, provoked=_refused, console_ignored=re.compile("422")
            )
            log_in(page, base)
            page.goto(base + "/orders/new")
            page.get_by_label("Customer").press_sequentially("hartw", delay=30)
            expect(page.locator("#customer-list option")).to_have_count(1)
            expect(page.locator("#customer-list option")).to_have_attribute(
                "value", "Hartwell Construction"
            )
            page.get_by_label("Customer").fill("Hartwell Construction")
            page.get_by_label("Project code (optional)").focus()
            expect(page.locator("#project-list option").first).to_have_attribute(
                "value", "Riverside Tower lobby"
            )
            page.get_by_label("Project code (optional)").fill("Riverside Tower lobby")
            page.get_by_role("button", name="Create draft order").click()
            expect(page.get_by_role("heading", level=1)).to_contain_text("SO-")
            expect(page.locator("main")).to_contain_text("Riverside Tower lobby")

            plain = browser.new_context(java_script_enabled=False)
            bare = plain.new_page()
            log_in(bare, base)
            bare.goto(base + "/orders/new")
            bare.get_by_label("Customer").fill("Nobody Ltd")
            bare.get_by_role("button", name="Create draft order").click()
            expect(bare.get_by_role("alert")).to_contain_text("Customer: No customer 'Nobody Ltd'.")
            bare.get_by_label("Customer").fill("Calder Hotels")
            bare.get_by_role("button", name="Create draft order").click()
            expect(bare.get_by_role("heading", level=1)).to_contain_text("SO-")
            plain.close()
        finally:
            browser.close()
    assert problems == []
    assert _orders(engine) == before + 2

"""A new product in a real browser (#19): a planner sets up an item from scratch, gives
it a BOM (a cycle refused with its items named), finds it with the list's live filter
(htmx, under the strict policy), takes an order for it, plans it and sees its planned
orders; the new item, BOM and customer forms used by keyboard alone; the new pages never
scroll sideways at 390 px. Debian's Chromium through Playwright, a real uvicorn over
SQLite. Any console error, page error or unexpected error response fails the test."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from _browser_support import (
    CHROMIUM,
    DESKTOP,
    PASSWORD,
    PHONE,
    log_in,
    need_chromium,
    tab_to,
    watched_page,
)
from _live import live_server
from sqlalchemy import Engine

from pegboard import clock, db
from pegboard.bundle.importer import read_bundle
from pegboard.demo import demo_path
from pegboard.model import Role
from pegboard.services import company_data, items, planning, users

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Response

EXPECTED_REFUSALS = (409, 422)
"""Answers the story provokes on purpose (a cycle, a bad field): a form shown again."""
REFUSED_LOAD = re.compile(r"status of (409|422) ")
"""The browser's console line for such an answer (its only report of one)."""


def _load_sample_near_today(engine: Engine) -> None:
    """The lighting sample moved by whole weeks to just before today (pinned, see
    tests/_clock.py), planned: a new order due in weeks is within its plan's horizon at
    either test date."""
    data = read_bundle(demo_path("lighting"))
    planned = date.fromisoformat(data.settings["planning_date"])
    data = data.shifted((clock.today() - planned).days // 7 * 7)
    with db.session_factory(engine)() as s:
        company_data.replace_company(s, data, author="test")
        planning.run_plan(s, author="test")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    need_chromium()
    engine = db.make_engine(f"sqlite:///{tmp_path / 'pegboard.db'}")
    db.upgrade(engine)
    _load_sample_near_today(engine)
    with db.session_factory(engine)() as s:
        users.create_user(s, name="petra", password=PASSWORD, role=Role.PLANNER, author="test")
    with live_server(engine) as url:
        yield url, engine
    engine.dispose()


def _provoked(r: Response) -> bool:
    return r.status in EXPECTED_REFUSALS


def _page(browser: Browser, problems: list[str], viewport: dict[str, int] = DESKTOP) -> Page:
    return watched_page(
        browser,
        problems,
        viewport,
        timeout_ms=15_000,
        provoked=_provoked,
        console_ignored=REFUSED_LOAD,
    )


def _fits(page: Page) -> str | None:
    """``None`` when the page does not scroll sideways, else how wide it is."""
    ok = page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    return None if ok else str(page.evaluate("document.documentElement.scrollWidth"))


def _a_buy_item(engine: Engine) -> str:
    with db.session_factory(engine)() as s:
        rows, _total = items.item_page(s, type=items.ItemType.BUY, limit=1, offset=0)
    return rows[0].code


def test_a_new_product_from_item_to_plan(server: tuple[str, Engine]) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, engine = server
    part = _a_buy_item(engine)
    today = clock.today()
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = _page(browser, problems)
            log_in(page, base)

            # the item, through the list's "New item"
            page.get_by_role("navigation", name="Main").get_by_role("link", name="Items").click()
            page.get_by_role("link", name="New item").click()
            page.get_by_label("Code").fill("DESK-LAMP")
            page.get_by_label("Description").fill("Desk lamp, made to order")
            page.get_by_label("Make or buy").select_option("make")
            page.get_by_label(re.compile("^Strategy")).select_option("mto")
            page.get_by_label("Lead time (days)").fill("two")
            page.get_by_role("button", name="Create item").click()
            expect(page.locator("#lead_time_days-error")).to_contain_text("must be a number")
            page.get_by_label("Lead time (days)").fill("2")
            page.get_by_role("button", name="Create item").click()
            expect(page).to_have_url(base + "/items/DESK-LAMP?saved=created")
            expect(page.get_by_text("Item created.")).to_be_visible()

            # its BOM: one bought part, then a line that would make a cycle
            page.get_by_label("Component (item code)").fill(part)
            page.get_by_label("Quantity per parent unit").fill("2")
            page.get_by_role("button", name="Add line").click()
            expect(page.locator("#bom .bom-item")).to_contain_text(f"{part} × 2")
            page.get_by_label("Component (item code)").fill("DESK-LAMP")
            page.get_by_role("button", name="Add line").click()
            expect(page.locator("#bom-component-error")).to_contain_text(
                "cycle: DESK-LAMP -> DESK-LAMP"
            )
            page.get_by_label(f"Quantity per DESK-LAMP of {part}").fill("3")
            page.get_by_role("button", name=f"Save {part} in DESK-LAMP").click()
            expect(page.locator("#bom .bom-item")).to_contain_text(f"{part} × 3")

            # the list finds it as the search is typed: htmx swaps the table in place
            page.goto(base + "/items")
            page.get_by_label("Code or description contains").press_sequentially("DESK-L")
            expect(page.locator("#item-table tbody tr")).to_have_count(1)
            expect(page.locator("#item-table")).to_contain_text("Desk lamp, made to order")
            expect(page).to_have_url(re.compile(r"/items\?q=DESK-L"))

            # an order for three, confirmed
            page.goto(base + "/orders/new")
            page.get_by_label("Customer").fill("Hartwell Construction")
            page.get_by_role("button", name="Create draft order").click()
            expect(page.get_by_role("heading", level=1)).to_contain_text("SO-")
            page.get_by_label("Item code").fill("DESK-LAMP")
            page.get_by_label("Quantity").fill("3")
            page.get_by_label("Due date").fill((today + timedelta(days=40)).isoformat())
            page.get_by_role("button", name="Add line").click()
            expect(page.locator("body")).to_contain_text("DESK-LAMP")
            page.get_by_role("button", name="Confirm order").click()
            expect(page.get_by_role("button", name="Confirm order")).to_have_count(0)

            # planned: a make order of three lamps; the part is used by the lamp
            page.goto(base + "/plan")
            page.get_by_role("button", name="Run the plan").click()
            expect(page.locator(".status")).to_have_text("done", timeout=60_000)
            page.goto(base + "/plan/planned-orders?item=DESK-LAMP")
            row = page.locator("tbody tr", has_text="DESK-LAMP")
            expect(row.first).to_contain_text("make")
            expect(row.first).to_contain_text("3 ea")
            page.goto(f"{base}/items/{part}")
            expect(page.locator("section", has=page.locator("#used-h"))).to_contain_text(
                "DESK-LAMP"
            )
        finally:
            browser.close()
    assert problems == []


def test_new_forms_by_keyboard_alone_and_phone_width(server: tuple[str, Engine]) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, engine = server
    part = _a_buy_item(engine)
    with db.session_factory(engine)() as s:
        items.create_item(s, "KB-ASSY", {"type": "make"}, author="test")
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = _page(browser, problems)
            log_in(page, base)

            # a customer and a project, typed and sent with keys only
            page.goto(base + "/customer/new")
            tab_to(page, "code")
            page.keyboard.type("KEYS")
            page.keyboard.press("Tab")
            page.keyboard.type("Keyboard Ltd")
            page.keyboard.press("Enter")
            expect(page).to_have_url(base + "/customers/KEYS?saved=created")
            tab_to(page, "project-code")
            page.keyboard.type("P1")
            page.keyboard.press("Enter")
            expect(page.locator("#projects")).to_contain_text("P1")

            # an item's BOM line, and its quantity changed, by keys
            page.goto(base + "/items/KB-ASSY")
            tab_to(page, "bom-component")
            page.keyboard.type(part)
            page.keyboard.press("Tab")
            page.keyboard.press("Control+A")
            page.keyboard.type("5")
            page.keyboard.press("Enter")
            expect(page.locator("#bom .bom-item")).to_contain_text(f"{part} × 5")
            tab_to(page, "qty-KB-ASSY-1")
            page.keyboard.press("Control+A")
            page.keyboard.type("7")
            page.keyboard.press("Enter")
            expect(page.locator("#bom .bom-item")).to_contain_text(f"{part} × 7")

            # the item form: Tab reaches its fields, Enter saves
            page.goto(base + "/items/KB-ASSY/edit")
            tab_to(page, "description")
            page.keyboard.type("Assembled by keyboard")
            page.keyboard.press("Enter")
            expect(page).to_have_url(base + "/items/KB-ASSY?saved=changed")
            expect(page.locator(".desc").first).to_have_text("Assembled by keyboard")

            phone = _page(browser, problems, PHONE)
            log_in(phone, base)
            wide = {}
            for path in (
                "/items",
                "/items?type=make",
                "/item/new",
                "/items/KB-ASSY",
                "/items/KB-ASSY/edit",
                "/customers",
                "/customer/new",
                "/customers/KEYS",
            ):
                phone.goto(base + path)
                if (width := _fits(phone)) is not None:
                    wide[path] = width
            assert wide == {}, f"pages wider than 390 px: {wide}"
        finally:
            browser.close()
    assert problems == []

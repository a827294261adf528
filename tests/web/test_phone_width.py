"""Every width (issue #19 item 7): at 390 px, a phone, the dashboard, the shop-floor pages
and the main lists and orders never scroll sideways (``scrollWidth <= clientWidth``), and
the main menu folds behind a "Menu" button that opens it without a script; at tablet and
desktop width the menu shows as before.

One real Chromium (``PLAYWRIGHT_CHROMIUM``) against a uvicorn server over a SQLite file
holding the planned sample company; any console error or failed request fails the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import pytest
from _browser_support import (
    CHROMIUM,
    DESKTOP,
    PASSWORD,
    PHONE,
    TABLET,
    log_in,
    need_chromium,
    watched_page,
)
from _live import live_server
from sqlalchemy import Engine, select

from pegboard import db
from pegboard.model import Item, ProductionOrder, PurchaseOrder, Role, SalesOrder, WorkCenter
from pegboard.services import users

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page


@pytest.fixture
def server(tmp_path: Path, sample_loader: Callable[[Engine], None]) -> Iterator[tuple[str, Engine]]:
    need_chromium()
    engine = db.make_engine(f"sqlite:///{tmp_path / 'pegboard.db'}")
    db.upgrade(engine)
    sample_loader(engine)
    with db.session_factory(engine)() as s:
        users.create_user(s, name="petra", password=PASSWORD, role=Role.PLANNER, author="test")
        users.create_user(s, name="sam", password=PASSWORD, role=Role.SHOPFLOOR, author="test")
    with live_server(engine) as url:
        yield url, engine
    engine.dispose()


def _first(engine: Engine, column: object) -> str:
    with db.session_factory(engine)() as s:
        found = s.scalars(select(column).order_by(column).limit(1)).first()  # type: ignore[call-overload]
    assert found, f"the sample has a {column}"
    return str(found)


def _pages(engine: Engine) -> list[str]:
    """The dashboard, the main lists, one order of each kind, the shop floor."""
    so = quote(_first(engine, SalesOrder.number), safe="")
    mo = quote(_first(engine, ProductionOrder.number), safe="")
    po = quote(_first(engine, PurchaseOrder.number), safe="")
    wc = quote(_first(engine, WorkCenter.code), safe="")
    return [
        "/",
        "/orders",
        f"/orders/{so}",
        "/promise",
        "/plan",
        "/plan/planned-orders",
        "/plan/exceptions",
        "/production",
        f"/production/{mo}",
        "/purchasing",
        f"/purchasing/{po}",
        "/pegging",
        f"/pegging/orders/{so}",
        "/capacity",
        f"/capacity/{wc}",
        f"/items/{quote(_first(engine, Item.code), safe='')}",
    ]


def _overflow(page: Page) -> str | None:
    """``None`` when the page fits its window, else what sticks out (widths, elements)."""
    fits = page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    if fits:
        return None
    return str(
        page.evaluate(
            """() => {
              const w = document.documentElement.clientWidth;
              const out = [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > w + 1)
                .filter(e => {
                  for (let a = e.parentElement; a; a = a.parentElement) {
                    if (getComputedStyle(a).overflowX !== 'visible') return false;
                  }
                  return true;
                })
                .slice(0, 5).map(e => e.tagName + '.' + e.className);
              return document.documentElement.scrollWidth + ' > ' + w + ': ' + out.join(', ');
            }"""
        )
    )


def _new_page(browser: Browser, viewport: dict[str, int], problems: list[str]) -> Page:
    return watched_page(browser, problems, viewport, timeout_ms=15_000)


def test_phone_width_pages_never_scroll_sideways(server: tuple[str, Engine]) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, engine = server
    problems: list[str] = []
    wide: dict[str, str] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = _new_page(browser, PHONE, problems)
            log_in(page, base, "petra")
            for path in _pages(engine):
                page.goto(base + path)
                expect(page.locator("h1").first).to_be_visible()
                found = _overflow(page)
                if found:
                    wide[path] = found

            # the shop floor's own user sees the same pages at the same width
            floor = _new_page(browser, PHONE, problems)
            log_in(floor, base, "sam")
            for path in ("/", "/production", f"/capacity/{quote(_first(engine, WorkCenter.code))}"):
                floor.goto(base + path)
                found = _overflow(floor)
                if found:
                    wide["sam " + path] = found
        finally:
            browser.close()
    assert wide == {}, "pages wider than a 390 px phone"
    assert problems == []


def test_menu_folds_on_a_phone_and_shows_on_wider_screens(server: tuple[str, Engine]) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, _engine = server
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = _new_page(browser, PHONE, problems)
            log_in(page, base, "petra")
            nav = page.get_by_role("navigation", name="Main")
            menu = page.locator("label.menu-button")
            expect(menu).to_be_visible()
            expect(nav).to_be_hidden()
            menu.click()
            expect(nav.get_by_role("link", name="Promise")).to_be_visible()
            nav.get_by_role("link", name="Purchasing").click()
            expect(page).to_have_url(base + "/purchasing")
            expect(nav).to_be_hidden()  # a new page starts with the menu folded

            # by keyboard: the box takes the focus and Space opens the menu
            page.locator("#menu-toggle").focus()
            page.keyboard.press("Space")
            expect(nav.get_by_role("link", name="Orders")).to_be_visible()
            page.keyboard.press("Space")
            expect(nav).to_be_hidden()

            for viewport in (TABLET, DESKTOP):
                wider = _new_page(browser, viewport, problems)
                log_in(wider, base, "petra")
                expect(wider.locator("label.menu-button")).to_be_hidden()
                expect(wider.locator("#menu-toggle")).to_be_hidden()  # not in the Tab order
                shown = wider.get_by_role("navigation", name="Main")
                expect(shown.get_by_role("link", name="Promise")).to_be_visible()
                expect(shown.get_by_role("link", name="Admin")).to_be_visible()
        finally:
            browser.close()
    assert problems == []


def test_item_type_ahead_fills_the_fields_list(server: tuple[str, Engine]) -> None:
    """htmx asks /lookup/items as one types an item code (here on a phone) and the
    browser's list under the field holds the matching items."""
    from playwright.sync_api import expect, sync_playwright

    base, _engine = server
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = _new_page(browser, PHONE, problems)
            log_in(page, base, "petra")
            page.goto(base + "/pegging")
            page.locator("#item").press_sequentially("led-brd", delay=30)
            options = page.locator("#item-list option")
            expect(options.first).to_be_attached()
            codes = options.evaluate_all("os => os.map(o => o.value)")
            assert codes and all(c.startswith("LED-BRD") for c in codes)
        finally:
            browser.close()
    assert problems == []

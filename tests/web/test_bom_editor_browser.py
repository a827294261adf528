"""The BOM tree editor in a real browser (#19 item 2), both ways it works:

* with scripts, every action is an htmx partial update: adding a line (by keyboard,
  the focus kept in the field typed into), a cycle refused beside the component, a
  quantity saved with Enter, a line moved up, removing asked in place ("no" puts the
  tree back, "yes" removes it), each with its message, and the page never loaded
  again (a mark set on the window survives); the strict content-security policy holds
  (any violation is a console error, which fails the test);
* without scripts, the same forms post whole pages: a line added, and removed after
  the question page.

Debian's Chromium through Playwright, a real uvicorn over SQLite."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from _browser_support import (
    CHROMIUM,
    PASSWORD,
    log_in,
    log_in_by_keyboard,
    need_chromium,
    tab_to,
    watched_page,
)
from _live import live_server
from sqlalchemy import Engine

from pegboard import db
from pegboard.model import Role
from pegboard.services import bom_edit, items, users

if TYPE_CHECKING:
    from playwright.sync_api import Page, Response


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    need_chromium()
    engine = db.make_engine(f"sqlite:///{tmp_path / 'pegboard.db'}")
    db.upgrade(engine)
    with db.session_factory(engine)() as s:
        for code, kind in (("BIKE", "make"), ("FRAME", "make"), ("TUBE", "buy"), ("BOLT", "buy")):
            items.create_item(s, code, {"type": kind}, author="test")
        users.create_user(s, name="petra", password=PASSWORD, role=Role.PLANNER, author="test")
    with live_server(engine) as url:
        yield url, engine
    engine.dispose()


def _cycle(r: Response) -> bool:
    """The one refusal provoked: FRAME's BOM given BIKE, a cycle (409)."""
    return r.status == 409 and r.url.endswith("/items/BIKE/bom/add")


def _type(page: Page, element_id: str, text: str) -> None:
    tab_to(page, element_id)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def _status(page: Page) -> str:
    return page.locator("#bom [role=status]").inner_text()


def test_the_editor_updates_in_place_with_scripts(server: tuple[str, Engine]) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, engine = server
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = watched_page(
                browser,
                problems,
                provoked=_cycle,
                console_ignored=re.compile(r"status of 409 "),
            )
            log_in_by_keyboard(page, base)
            page.goto(base + "/items/BIKE")
            page.evaluate("window.pegboardMark = 'kept'")

            _type(page, "bom-component", "FRAME")
            page.keyboard.press("Enter")
            expect(page.locator("#bom [role=status]")).to_have_text("FRAME × 1 added to BIKE.")
            assert page.evaluate("document.activeElement.id") == "bom-component"
            _type(page, "bom-component", "BOLT")
            _type(page, "bom-qty", "4")
            page.keyboard.press("Enter")
            expect(page.locator("#bom [role=status]")).to_have_text("BOLT × 4 added to BIKE.")
            expect(page.locator("#bom .bom-item")).to_have_text(["FRAME × 1 ea", "BOLT × 4 ea"])

            # a cycle: refused beside the component, what was typed kept
            _type(page, "bom-parent", "FRAME")
            _type(page, "bom-component", "BIKE")
            page.keyboard.press("Enter")
            expect(page.locator("#bom-component-error")).to_contain_text(
                "cycle: FRAME -> BIKE -> FRAME"
            )
            expect(page.locator("#bom-parent")).to_have_value("FRAME")
            expect(page.locator("#bom-component")).to_have_attribute("aria-invalid", "true")

            # a quantity saved with Enter, a line moved up by its button
            _type(page, "qty-BIKE-2", "6")
            page.keyboard.press("Enter")
            expect(page.locator("#bom [role=status]")).to_have_text(
                "BOLT in BIKE saved: 6 per unit, 0 % scrap."
            )
            page.get_by_role("button", name="Move BOLT up in BIKE").click()
            expect(page.locator("#bom [role=status]")).to_have_text("BOLT moved up in BIKE.")
            expect(page.locator("#bom .bom-item")).to_have_text(["BOLT × 6 ea", "FRAME × 1 ea"])

            # removing asks in place; "no" keeps the line, "yes" removes it
            page.get_by_role("button", name="Remove BOLT from BIKE").click()
            expect(page.locator("#bom h2")).to_have_text("Remove BOLT from BIKE?")
            page.get_by_role("link", name="No, keep the line").click()
            expect(page.locator("#bom .bom-item")).to_have_text(["BOLT × 6 ea", "FRAME × 1 ea"])
            page.get_by_role("button", name="Remove BOLT from BIKE").click()
            page.get_by_role("button", name="Yes, remove BOLT").click()
            expect(page.locator("#bom [role=status]")).to_have_text("BOLT removed from BIKE.")
            expect(page.locator("#bom .bom-item")).to_have_text(["FRAME × 1 ea"])

            # all in place: the same page, never loaded again
            assert page.evaluate("window.pegboardMark") == "kept"
            assert page.url == base + "/items/BIKE"
        finally:
            browser.close()
    assert problems == []
    with db.session_factory(engine)() as s:
        tree = bom_edit.bom_tree(s, "BIKE")
    assert [(ln.component, ln.qty_per) for ln in tree.lines] == [("FRAME", 1.0)]


def test_the_editor_posts_whole_pages_without_scripts(server: tuple[str, Engine]) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, engine = server
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            context = browser.new_context(java_script_enabled=False)
            context.set_default_timeout(10_000)
            page = context.new_page()
            page.on("response", lambda r: problems.append(r.url) if r.status >= 400 else None)
            log_in(page, base)
            page.goto(base + "/items/FRAME")
            page.get_by_label("Component (item code)").fill("TUBE")
            page.get_by_label("Quantity per parent unit").fill("2")
            page.get_by_role("button", name="Add line").click()
            expect(page).to_have_url(base + "/items/FRAME?saved=bom#bom")
            expect(page.get_by_text("BOM saved.")).to_be_visible()
            expect(page.locator("#bom .bom-item")).to_have_text(["TUBE × 2 ea"])

            page.get_by_role("button", name="Remove TUBE from FRAME").click()
            expect(page).to_have_url(base + "/items/FRAME/bom/1")
            expect(page.get_by_role("heading", level=1)).to_have_text("Remove TUBE from FRAME?")
            page.get_by_role("button", name="Yes, remove TUBE").click()
            expect(page).to_have_url(base + "/items/FRAME?saved=bom#bom")
            expect(page.locator("#bom")).to_contain_text("No BOM")
        finally:
            browser.close()
    assert problems == []
    with db.session_factory(engine)() as s:
        assert bom_edit.bom_tree(s, "FRAME").lines == []

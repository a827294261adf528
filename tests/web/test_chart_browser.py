"""Charts people can click (issue #19 item 3), in a real Chromium: a bar of the
production Gantt and a mark of an item's projected stock are links that open their
order; the zoom links redraw the chart in place of the page's; the item page with its
chart fits a 390 px phone (``scrollWidth <= clientWidth``), the Gantt scrolling inside
its own box. Any console error or failed request fails the test.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from _browser_support import CHROMIUM, PASSWORD, PHONE, log_in, need_chromium, watched_page
from _live import live_server
from sqlalchemy import Engine

from pegboard import db
from pegboard.model import Role
from pegboard.services import users

ITEM = "LED-BRD-24V-560"
"""A bought board of the sample: purchase receipts and production orders' needs."""


@pytest.fixture
def server(tmp_path: Path, sample_loader: Callable[[Engine], None]) -> Iterator[str]:
    need_chromium()
    engine = db.make_engine(f"sqlite:///{tmp_path / 'pegboard.db'}")
    db.upgrade(engine)
    sample_loader(engine)
    with db.session_factory(engine)() as s:
        users.create_user(s, name="petra", password=PASSWORD, role=Role.PLANNER, author="test")
    with live_server(engine) as url:
        yield url
    engine.dispose()


def _fits(page: object) -> bool:
    return bool(
        page.evaluate(  # type: ignore[attr-defined]
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


def test_clicking_a_bar_or_a_mark_opens_its_order(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    base = server
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = watched_page(browser, problems, timeout_ms=15_000)
            log_in(page, base, "petra")

            page.goto(base + "/production")
            bar = page.locator("svg.gantt a").first
            href = bar.get_attribute("href") or ""
            assert re.fullmatch(r"/production/[^/]+", href), href
            tip = bar.locator("title").text_content() or ""
            assert re.search(r"start \d{4}-\d\d-\d\d, due \d{4}-\d\d-\d\d", tip), tip
            bar.locator("rect").click()
            expect(page).to_have_url(base + href)
            expect(page.get_by_role("heading", level=1)).to_contain_text(href.split("/")[-1])

            page.goto(base + "/production")
            page.get_by_role("link", name="days", exact=True).click()
            expect(page).to_have_url(re.compile(r"/production\?zoom=days#gantt$"))
            expect(page.locator('strong[aria-current="true"]')).to_have_text("days")

            page.goto(f"{base}/items/{ITEM}")
            mark = page.locator("svg.projection a").first
            href = mark.get_attribute("href") or ""
            tip = mark.locator("title").text_content() or ""
            assert re.match(r"\d{4}-\d\d-\d\d", tip), tip  # the date with its year
            mark.locator("polygon").click()
            expect(page).to_have_url(base + href)

            phone = watched_page(browser, problems, PHONE, timeout_ms=15_000)
            log_in(phone, base, "petra")
            phone.goto(f"{base}/items/{ITEM}")
            expect(phone.locator("svg.projection")).to_be_visible()
            assert _fits(phone), "the item page scrolls sideways on a phone"
            phone.goto(base + "/production?zoom=days")
            expect(phone.locator("svg.gantt")).to_be_visible()
            assert _fits(phone), "/production scrolls sideways on a phone"
        finally:
            browser.close()
    assert problems == []

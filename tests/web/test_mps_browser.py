"""The master schedule grid in a real browser (Debian's headless Chromium by Playwright,
against uvicorn over a SQLite file holding the planned lighting sample): a planner opens
it from the navigation, types a week, sees a refused cell marked, saves, and accepts one
week of the proposal. No console error, no CSP violation, no failed request other than
the refused save (422)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from _browser_support import CHROMIUM, PASSWORD, log_in, need_chromium, watched_page
from _live import live_server
from sqlalchemy import Engine

from _clock import DEMO_DAY, pin_today
from pegboard import db
from pegboard.model import Role
from pegboard.services import users

ITEM = "SA-DRVTRAY-60V"


@pytest.fixture
def server(tmp_path: Path, sample_loader: Callable[[Engine], None]) -> Iterator[str]:
    need_chromium()
    engine = db.make_engine(f"sqlite:///{tmp_path / 'pegboard.db'}")
    db.upgrade(engine)
    with pin_today(DEMO_DAY):
        sample_loader(engine)
        with db.session_factory(engine)() as s:
            users.create_user(s, name="petra", password=PASSWORD, role=Role.PLANNER, author="t")
        with live_server(engine) as url:
            yield url
    engine.dispose()


def test_a_planner_edits_the_weekly_grid_in_the_browser(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = watched_page(browser, problems)
            log_in(page, server)

            page.get_by_role("navigation", name="Main").get_by_role(
                "link", name="Master schedule"
            ).click()
            page.get_by_role("link", name=ITEM, exact=True).click()
            expect(page.get_by_role("heading", level=1)).to_have_text(f"Master schedule of {ITEM}")
            page.goto(server + f"/mps/{ITEM}?weeks=10")
            expect(page.locator("#w-2027-01-04")).to_have_value("30")

            # a refused cell: the grid comes back with it marked, nothing saved
            page.locator("#w-2027-01-25").fill("40")
            page.locator("#w-2027-01-11").fill("lots")
            page.get_by_role("button", name="Save schedule").click()
            expect(page.get_by_role("alert")).to_contain_text("nothing was saved")
            expect(page.locator("#w-2027-01-11")).to_have_attribute("aria-invalid", "true")
            expect(page.locator("#e-2027-01-11")).to_contain_text("not a number")
            expect(page.locator("#w-2027-01-25")).to_have_value("40")  # what was typed
            # the refused save's own status, and the browser's console line about it
            assert f"422 POST {server}/mps/{ITEM}" in problems
            assert all("422" in problem for problem in problems), problems
            problems.clear()

            page.locator("#w-2027-01-11").fill("30")
            page.get_by_role("button", name="Save schedule").click()
            expect(page.get_by_role("status").filter(has_text="Saved")).to_have_count(1)
            expect(page.locator("#w-2027-01-25")).to_have_value("40")
            row = page.get_by_role("row", name="Projected available")
            # on hand 6 + 30 + 30 − 48 + 30 − 20 + 40 = 68 at the end of W04
            expect(row.get_by_role("cell").last).to_have_text("68")

            # accept only the week of 2026-12-14 of the proposal (9 a week)
            for box in page.locator('input[name="accept"]').all():
                if box.get_attribute("value") != "2026-12-14":
                    box.uncheck()
            page.get_by_role("button", name="Accept proposal").click()
            expect(page.locator("#w-2026-12-14")).to_have_value("9")
            expect(page.locator("#w-2026-12-21")).to_have_value("")
            page.screenshot(path=str(tmp_path / "mps.png"), full_page=True)
        finally:
            browser.close()
    assert problems == []

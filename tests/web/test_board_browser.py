"""The planning board's drag in a real browser (Debian's headless Chromium by Playwright,
against uvicorn over a SQLite file holding tests/_board_company.py's firm orders): a
planner drags SUB's bar three days later, sees the move accepted and SO-A/1 made 3 days
late, confirms it; then drags FA's bar six days earlier and sees it refused for want of
C1. No console error, no CSP violation, no failed request."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from _browser_support import drag_days
from _live import live_server

from _board_company import FA_MO, SUB_MO, build_firm
from _clock import DEMO_DAY, pin_today
from pegboard import db
from pegboard.model import Role
from pegboard.services import users

CHROMIUM = Path(os.environ.get("PLAYWRIGHT_CHROMIUM", "/usr/bin/chromium"))
PASSWORD = "correct horse battery"
PX = 16  # web.board.PX: pixels a day


def _need_chromium() -> None:
    """As tests/web/test_browser.py: skipped without Chromium, but never under CI=true."""
    if not CHROMIUM.exists():
        message = f"no Chromium at {CHROMIUM} (scripts/test installs Debian's chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " — refusing to skip under CI=true")
        pytest.skip(message)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    _need_chromium()
    engine = db.make_engine(f"sqlite:///{tmp_path / 'pegboard.db'}")
    db.upgrade(engine)
    with pin_today(DEMO_DAY):
        with db.session_factory(engine)() as s:
            build_firm(s)
            users.create_user(s, name="petra", password=PASSWORD, role=Role.PLANNER, author="t")
        with live_server(engine) as url:
            yield url
    engine.dispose()


def test_a_drag_accepted_and_one_refused(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            context.set_default_timeout(10_000)
            page = context.new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on(
                "response",
                lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
            )
            page.goto(server + "/login")
            page.get_by_label("User name").fill("petra")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            expect(page).to_have_url(server + "/")

            page.goto(server + "/production")
            page.get_by_role("link", name=f"Move {SUB_MO}").click()
            expect(page.get_by_role("heading", level=1)).to_have_text(f"Move {SUB_MO}")
            drag_days(page, "#board-bar", 3, PX)
            answer = page.locator("#board-answer")
            expect(answer).to_contain_text("The move can be made")
            expect(answer).to_contain_text("3 days late")
            expect(page.locator("#move-finish")).to_have_value("2026-12-21")
            page.get_by_role("button", name="Move it to finish on 2026-12-21").click()
            expect(page.get_by_role("heading", level=1)).to_have_text(f"Production order {SUB_MO}")
            expect(page.locator(".message.done")).to_contain_text("moved to finish on")

            page.goto(server + f"/board/move/{FA_MO}")
            drag_days(page, "#board-bar", -6, PX)
            expect(answer).to_contain_text("The move is refused")
            # C1: 5 in stock, the 3 bought arrive later (SUB, moved to 12-21 above, was
            # already late for FA's start: a move that is no worse for it is not refused)
            expect(answer).to_contain_text("C1: needs 8 by 2026-12-12, only 5 available")
            expect(page.get_by_role("button", name="Move it to finish on")).to_have_count(0)
            page.screenshot(path=str(tmp_path / "board.png"), full_page=True)
        finally:
            browser.close()
    assert problems == []

"""The planning board's operation drag in a real browser (Debian's headless Chromium by
Playwright, against uvicorn over a SQLite file holding tests/_board_company.py's firm
orders, their routings and the finite schedule): a planner drags FA's operation 20 two
days later along PNT's row, sees it accepted, confirms it and finds it there, pinned
(marked on the bar, listed with an unpin button); then drags it four days earlier, before
operation 10 ends, and sees it refused with the reason and no confirm; then unpins it.
No console error, no CSP violation, no failed request."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from _browser_support import (
    CHROMIUM,
    PASSWORD,
    drag_days,
    log_in,
    need_chromium,
    watched_page,
)
from _live import live_server

from _board_company import FA_MO, add_routings, build_firm
from _clock import DEMO_DAY, pin_today
from pegboard import db
from pegboard.model import Role
from pegboard.services import users

PX = 16  # web.board.PX: pixels a day


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    need_chromium()
    engine = db.make_engine(f"sqlite:///{tmp_path / 'pegboard.db'}")
    db.upgrade(engine)
    with pin_today(DEMO_DAY):
        with db.session_factory(engine)() as s:
            build_firm(s)
            add_routings(s)  # FA's 10 at ASM on 12-18..12-19, its 20 at PNT on 12-20
            users.create_user(s, name="petra", password=PASSWORD, role=Role.PLANNER, author="t")
        with live_server(engine) as url:
            yield url
    engine.dispose()


def test_an_operation_drag_accepted_and_one_refused(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = watched_page(browser, problems, timeout_ms=30_000)  # a loaded machine
            log_in(page, server)
            page.goto(server + f"/board/move/{FA_MO}")
            expect(page.locator("#op-20")).to_have_attribute("data-start", "2026-12-20")
            drag_days(page, "#op-20", 2, PX)
            answer = page.locator("#op-answer")
            expect(answer).to_contain_text("The operation's move can be made")
            expect(page.locator("#op-start")).to_have_value("2026-12-22")
            expect(page.locator("#op-sequence")).to_have_value("20")
            expect(page.locator("#pin-mark-20")).to_have_count(0)
            page.get_by_role(
                "button", name="Move and pin operation 20 to PNT on 2026-12-22"
            ).click()
            expect(
                page.get_by_role("status").filter(
                    has_text="operation 20 moved to PNT, 2026-12-22 to 2026-12-22, and pinned there"
                )
            ).to_have_count(1)
            expect(page.locator("#op-20")).to_have_attribute("data-start", "2026-12-22")
            expect(page.locator("#op-20")).to_have_class("op waiting board-op pinned")
            expect(page.locator("#pin-mark-20")).to_have_text("pinned")
            expect(page.locator("#pin-20")).to_contain_text("PNT")

            drag_days(page, "#op-20", -4, PX)  # to 12-18: operation 10 runs until 12-19
            expect(answer).to_contain_text("The operation's move is refused")
            expect(answer).to_contain_text(
                "operation 20 would start on 2026-12-18, before operation 10 (ASM) ends on "
                "2026-12-19"
            )
            expect(page.get_by_role("button", name="Move and pin operation 20")).to_have_count(0)
            page.screenshot(path=str(tmp_path / "board-operations.png"), full_page=True)

            page.get_by_role("button", name="Unpin operation 20").click()
            expect(
                page.get_by_role("status").filter(
                    has_text="operation 20 unpinned (was PNT, 2026-12-22 to 2026-12-22)"
                )
            ).to_have_count(1)
            expect(page.locator("#pin-mark-20")).to_have_count(0)
            expect(page.locator("#pins")).to_contain_text("None: the finite schedule places")
        finally:
            browser.close()
    assert problems == []

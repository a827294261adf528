"""A planned make order dragged on the planning board in a real browser (Debian's
headless Chromium by Playwright, against uvicorn over a SQLite file holding
tests/_board_company.py planned but not firmed): a planner opens FA's planned order from
the planned-orders page, drags its operation 10 two days earlier, reads that it would
become production order MO-000001, confirms, and lands on MO-000001's board with the
message and the operation pinned; then drags SUB's whole planned order three days later
(refused: FA's new pin fills ASM), three more, and firms it with those dates. No
console error, no CSP violation, no failed request."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from _browser_support import drag_days
from _live import live_server
from sqlalchemy import select

from _board_company import add_routings
from _board_company import dataset as board_dataset
from _clock import DEMO_DAY, pin_today
from pegboard import db
from pegboard.model import Item, PlannedOrder, Role
from pegboard.services import users
from pegboard.services.company_data import replace_company
from pegboard.services.planning import run_plan

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
def server(tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    _need_chromium()
    engine = db.make_engine(f"sqlite:///{tmp_path / 'pegboard.db'}")
    db.upgrade(engine)
    with pin_today(DEMO_DAY):
        with db.session_factory(engine)() as s:
            replace_company(s, board_dataset(), author="import")
            add_routings(s, schedule=False)
            run_plan(s, author="planner")
            users.create_user(s, name="petra", password=PASSWORD, role=Role.PLANNER, author="t")
            with s.begin():
                fa, sub = (
                    s.scalars(
                        select(PlannedOrder.number)
                        .join(Item, Item.id == PlannedOrder.item_id)
                        .where(Item.code == code)
                    ).one()
                    for code in ("FA", "SUB")
                )
        with live_server(engine) as url:
            yield url, fa, sub
    engine.dispose()


def test_a_planned_operation_dragged_is_firmed_and_pinned(
    server: tuple[str, str, str], tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, fa, sub = server
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
            page.goto(url + "/login")
            page.get_by_label("User name").fill("petra")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            expect(page).to_have_url(url + "/")

            page.goto(url + "/plan/planned-orders?type=make")
            page.get_by_role("link", name=f"Move {fa} on the board").click()
            expect(page.get_by_role("heading", level=1)).to_have_text(f"Move planned order {fa}")
            drag_days(page, "#op-10", -2, PX)
            answer = page.locator("#op-answer")
            expect(answer).to_contain_text("The move can be made")
            expect(answer).to_contain_text(
                f"Planned order {fa} can be firmed as production order MO-000001"
            )
            expect(page.locator("#op-start")).to_have_value("2026-12-19")
            page.get_by_role(
                "button", name=f"Firm {fa} and pin operation 10 to ASM on 2026-12-19"
            ).click()
            expect(page.get_by_role("heading", level=1)).to_have_text("Move MO-000001")
            expect(
                page.get_by_text(f"Planned order {fa} became production order MO-000001")
            ).to_be_visible()
            expect(page.locator("#pin-mark-10")).to_have_text("pinned")

            # the whole of SUB's planned order dragged three days later, then firmed
            page.goto(url + f"/board/planned/{sub}")
            for attempt in range(2):
                drag_days(page, "#board-bar", 3, PX)
                if attempt == 0:  # 12-18..12-21: FA's operation just pinned fills ASM 12-19..12-20
                    expect(page.locator("#board-answer")).to_contain_text("The move is refused")
                    expect(page.locator("#board-answer")).to_contain_text("only 16 h free")
            expect(page.locator("#board-answer")).to_contain_text("The move can be made")
            expect(page.locator("#move-finish")).to_have_value("2026-12-24")
            page.get_by_role("button", name=f"Firm {sub} to finish on 2026-12-24").click()
            expect(page.get_by_role("heading", level=1)).to_have_text("Production order MO-000002")
            page.screenshot(path=str(tmp_path / "board-planned.png"), full_page=True)
        finally:
            browser.close()
    assert problems == []

"""One real browser: Debian's headless Chromium, driven by Playwright, against a real
uvicorn server over a SQLite file holding the planned sample company.

Log in, see the late order on the dashboard, save the screenshot the README shows
(``docs/screenshots/dashboard.png``), log out. Playwright never downloads a browser
here: it launches ``PLAYWRIGHT_CHROMIUM`` (default ``/usr/bin/chromium``, which
``scripts/test`` installs). Without it the test is skipped, and fails under ``CI=true``.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import Engine

from pegboard import db
from pegboard.api import create_app
from pegboard.model import Role
from pegboard.services import users

CHROMIUM = Path(os.environ.get("PLAYWRIGHT_CHROMIUM", "/usr/bin/chromium"))
IN_CI = os.environ.get("CI", "").lower() == "true"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "correct horse battery"


def _need_chromium() -> None:
    if not CHROMIUM.exists():
        message = f"no Chromium at {CHROMIUM} (scripts/test installs Debian's chromium)"
        if IN_CI:
            pytest.fail(message + " — refusing to skip under CI=true")
        pytest.skip(message)


@pytest.fixture
def server(tmp_path: Path, sample_loader: Callable[[Engine], None]) -> Iterator[str]:
    """The app under uvicorn on a free loopback port; yields its base URL."""
    _need_chromium()
    engine = db.make_engine(f"sqlite:///{tmp_path / 'pegboard.db'}")
    db.upgrade(engine)
    sample_loader(engine)
    with db.session_factory(engine)() as s:
        users.create_user(s, name="petra", password=PASSWORD, role=Role.PLANNER, author="test")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(engine), log_level="warning", lifespan="off", ws="none", access_log=False
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)
    sock.close()
    engine.dispose()


def test_log_in_see_the_late_order_and_log_out(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))

            page.goto(server + "/")
            expect(page).to_have_url(server + "/login")
            page.get_by_label("User name").fill("petra")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()

            expect(page).to_have_url(server + "/")
            expect(page.get_by_role("heading", name="Late sales-order lines")).to_be_visible()
            late = page.locator("section", has=page.locator("#late-h"))
            expect(late.get_by_role("row", name="SO-1008/1")).to_contain_text("9 d late")
            expect(page.locator("header")).to_contain_text("petra")
            assert page.evaluate("getComputedStyle(document.body).margin") == "0px"  # CSS loaded

            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)

            page.get_by_role("button", name="Log out").click()
            expect(page).to_have_url(server + "/login")
            page.goto(server + "/")
            expect(page).to_have_url(server + "/login")
            assert problems == [], problems
        finally:
            browser.close()

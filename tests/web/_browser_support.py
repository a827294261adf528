"""What the browser tests share: Chromium found (or the test skipped, never under CI),
a page that records what went wrong on it, signing in and reaching a field by Tab.

Each test file had its own copy of these; one copy keeps them alike (the same skip
message, the same problems recorded) and lets a test say only what it provokes on purpose.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Response

CHROMIUM = Path(os.environ.get("PLAYWRIGHT_CHROMIUM", "/usr/bin/chromium"))
PASSWORD = "correct horse battery"
PHONE = {"width": 390, "height": 844}
TABLET = {"width": 768, "height": 1024}
DESKTOP = {"width": 1280, "height": 800}


def need_chromium() -> None:
    """Skip without Chromium, but fail under ``CI=true``: a CI run must not pass by skipping."""
    if not CHROMIUM.exists():
        message = f"no Chromium at {CHROMIUM} (scripts/test installs Debian's chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " — refusing to skip under CI=true")
        pytest.skip(message)


def _never(_response: Response) -> bool:
    return False


def watched_page(
    browser: Browser,
    problems: list[str],
    viewport: dict[str, int] = DESKTOP,
    *,
    timeout_ms: int = 10_000,
    provoked: Callable[[Response], bool] = _never,
    console_ignored: re.Pattern[str] | None = None,
) -> Page:
    """A page in a context of its own (its own cookies, so its own user) that appends to
    ``problems`` every console error, script error and answer >= 400, except the answers
    ``provoked`` says the test asked for and the console lines ``console_ignored`` matches
    (the browser's own report of such an answer)."""
    context = browser.new_context(viewport=viewport)  # type: ignore[arg-type]
    context.set_default_timeout(timeout_ms)
    page = context.new_page()

    def console(m: object) -> None:
        from playwright.sync_api import ConsoleMessage

        assert isinstance(m, ConsoleMessage)
        if m.type == "error" and not (console_ignored and console_ignored.search(m.text)):
            problems.append(m.text)

    def answered(r: Response) -> None:
        if r.status >= 400 and not provoked(r):
            problems.append(f"{r.status} {r.request.method} {r.url}")

    page.on("console", console)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("response", answered)
    return page


def log_in(page: Page, base: str, name: str = "petra") -> None:
    """Sign in through the form, by its labels, and land on the dashboard."""
    from playwright.sync_api import expect

    page.goto(base + "/login")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(base + "/")


def log_in_by_keyboard(page: Page, base: str, name: str = "petra") -> None:
    """Sign in with keys only: the name field has the focus, Tab to the password, Enter."""
    from playwright.sync_api import expect

    page.goto(base + "/login")
    # the browser applies autofocus after the load event, so wait for it, not read it once
    expect(page.locator("#name")).to_be_focused()
    page.keyboard.type(name)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(base + "/")


def tab_to(page: Page, element_id: str, limit: int = 150) -> None:
    """Press Tab until the element has the focus (as a keyboard user gets there)."""
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}")


def drag_days(page: Page, selector: str, days: int, px: float) -> None:
    """Drag the board's bar ``selector`` by ``days`` whole days of ``px`` pixels, as a
    mouse does (down, two moves, up).

    The board's script is deferred: a drag made before the page's ``load`` (the script
    run) would move nothing and fetch no check, so it waits for it first (a loaded CI
    machine was slow enough to lose that race)."""
    page.wait_for_load_state("load")
    bar = page.locator(selector)
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + days * px / 2, y, steps=4)
    page.mouse.move(x + days * px, y, steps=4)
    page.mouse.up()

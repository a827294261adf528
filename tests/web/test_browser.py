"""One real browser: Debian's headless Chromium, driven by Playwright, against a real
uvicorn server over a SQLite file holding the planned sample company.

The planner's day, end to end: log in; the orders list and an order; configure the
line of a draft order (entered beforehand through the services) and confirm the order;
run the plan and wait for its job to finish; the late order and the chain of supplies
that makes it late on the dashboard; firm planned buy orders into a purchase order,
confirm and receive it; an item and its projection chart; the production Gantt chart;
then, as the shop floor (a second browser context), release and complete a production
order due this week; the dashboard changed; the late order, given stock, shipped and
delivered; log out.

Screenshots (1280 wide, full page) go to the test's temporary folder, so a test run
never changes a tracked file. To refresh the ones the README shows, ask for them:
``PEGBOARD_SCREENSHOTS=docs/screenshots .venv/bin/pytest tests/web/test_browser.py``
(a relative folder is taken from the repository root). Any console error or page error
fails the test. Playwright never downloads a browser here: it launches
``PLAYWRIGHT_CHROMIUM`` (default ``/usr/bin/chromium``, which ``scripts/test`` installs).
Without it the test is skipped, and fails under ``CI=true``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from _browser_support import CHROMIUM, PASSWORD, TABLET, need_chromium
from _live import live_server
from sqlalchemy import Engine

from pegboard import clock, db
from pegboard.demo import demo_path
from pegboard.model import Role
from pegboard.services import sales, stock, users
from pegboard.services.company_data import configured_planning_date

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

ROOT = Path(__file__).resolve().parents[2]
VIEWPORT = {"width": 1280, "height": 800}


def _draft_order(engine: Engine) -> str:
    """The sample's example order (LR-7040, to configure), entered as a draft."""
    example = json.loads((demo_path("lighting") / "example_order.json").read_text("utf-8"))
    with db.session_factory(engine)() as s:
        with s.begin():
            today = configured_planning_date(s) or clock.today()
        number = sales.create_order(
            s, customer=example["customer"], project=example.get("project"), author="test"
        )
        for line in example["lines"]:
            sales.add_line(
                s,
                number,
                item=line["item"],
                qty=float(line["qty"]),
                due=today + timedelta(days=int(line["due_in_days"])),
                author="test",
            )
    return number


@pytest.fixture
def server(
    tmp_path: Path, sample_loader: Callable[[Engine], None]
) -> Iterator[tuple[str, str, Engine]]:
    """The app under uvicorn on a free loopback port; yields its base URL, the number
    of the draft order and the engine (for what the story does through the services)."""
    need_chromium()
    engine = db.make_engine(f"sqlite:///{tmp_path / 'pegboard.db'}")
    db.upgrade(engine)
    sample_loader(engine)
    draft = _draft_order(engine)
    with db.session_factory(engine)() as s:
        users.create_user(s, name="petra", password=PASSWORD, role=Role.PLANNER, author="test")
        users.create_user(s, name="sam", password=PASSWORD, role=Role.SHOPFLOOR, author="test")
    with live_server(engine) as url:
        yield url, draft, engine
    engine.dispose()


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """Where the screenshots go: ``PEGBOARD_SCREENSHOTS`` when asked for (the README's
    are refreshed that way), else a temporary folder, so a plain run changes no tracked
    file."""
    asked = os.environ.get("PEGBOARD_SCREENSHOTS", "").strip()
    folder = ROOT / asked if asked else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _shot(page: Page, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / name), full_page=True)


def _context(
    browser: Browser, problems: list[str], viewport: dict[str, int] = VIEWPORT
) -> BrowserContext:
    """A browser context of its own (cookies, so a user of its own) that records errors."""
    context = browser.new_context(viewport=viewport)  # type: ignore[arg-type]
    context.set_default_timeout(10_000)

    def watch(page: Page) -> None:
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on(
            "response",
            lambda r: (
                problems.append(f"{r.status} {r.request.method} {r.url}")
                if r.status >= 400
                else None
            ),
        )

    context.on("page", watch)
    return context


def _log_in(page: Page, server: str, name: str) -> None:
    from playwright.sync_api import expect

    page.goto(server + "/")
    expect(page).to_have_url(server + "/login")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(server + "/")
    expect(page.locator("header")).to_contain_text(name)


def _log_in_by_keyboard(page: Page, server: str, name: str) -> None:
    """Only keys: the name field has the focus, the form is typed and sent; then the
    first Tab of a page reaches the link that skips to its content."""
    from playwright.sync_api import expect

    page.goto(server + "/login")
    # the browser applies autofocus after the load event, so wait for it, not read it once
    expect(page.locator("#name")).to_be_focused()
    page.keyboard.type(name)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(server + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    expect(page).to_have_url(server + "/#main")


def _fits(page: Page) -> bool:
    """No sideways scrolling: the page is as wide as the window at most."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def _count(page: Page, heading: str) -> int:
    """The number in a dashboard section's heading: "(3 orders)" → 3."""
    text = page.locator(f"#{heading}").inner_text()
    found = re.search(r"\((\d+) ", text)
    assert found, text
    return int(found.group(1))


def test_the_planners_day_in_the_browser(
    server: tuple[str, str, Engine], screenshots: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, draft, engine = server
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = _context(browser, problems).new_page()
            _log_in(page, base, "petra")
            assert page.evaluate("getComputedStyle(document.body).margin") == "0px"  # CSS

            # the orders list, and a new draft order through the form when there is one
            page.goto(base + "/orders")
            expect(page.get_by_role("link", name="SO-1008", exact=True)).to_be_visible()
            _shot(page, screenshots, "orders.png")
            new_order = page.get_by_role("link", name="New order")
            if new_order.count():
                new_order.click()
                page.get_by_label("Customer").fill("Hartwell Construction")
                page.get_by_role("button", name="Create draft order").click()
                expect(page.get_by_role("heading", level=1)).to_contain_text("SO-")
                expect(page.locator("body")).to_contain_text("draft")

            # the draft order: configure its lighting run, then confirm the order
            page.goto(base + "/orders")
            page.get_by_role("link", name=draft, exact=True).click()
            expect(page).to_have_url(f"{base}/orders/{draft}")
            page.get_by_role("link", name="Configure line 1").click()
            expect(page.get_by_role("heading", level=1)).to_contain_text("LR-7040")
            page.locator('[name="length_m"]').fill("14.56")
            page.locator('[name="finish"]').select_option("black")
            page.locator('[name="control"]').select_option("dali")
            page.locator('[name="emergency"]').select_option("yes")
            _shot(page, screenshots, "configure.png")
            page.get_by_role("button", name="Save configuration").click()
            expect(page).to_have_url(f"{base}/orders/{draft}")
            expect(page.get_by_role("link", name="Re-configure line 1")).to_be_visible()
            page.get_by_role("button", name="Confirm order").click()
            expect(page.get_by_role("button", name="Confirm order")).to_have_count(0)
            _shot(page, screenshots, "order.png")

            # when can it be delivered? the promise page from the order's line
            page.get_by_role("link", name=re.compile("When can line 1 be delivered")).click()
            expect(page.get_by_role("heading", level=1)).to_have_text("When can we deliver?")
            expect(page.locator(".promise-date")).to_contain_text("can be complete on")
            expect(page.locator("ol.chain li").first).to_be_visible()
            _shot(page, screenshots, "promise.png")

            # run the plan and wait for its job
            page.goto(base + "/plan")
            page.get_by_role("button", name="Run the plan").click()
            expect(page).to_have_url(re.compile(re.escape(base) + r"/plan/jobs/\d+$"))
            expect(page.locator(".status")).to_have_text("done", timeout=20_000)
            page.goto(base + "/plan")
            expect(page.locator("#sum-h")).to_be_visible()
            _shot(page, screenshots, "plan.png")

            # the late order and its chain on the dashboard, every row a link
            page.goto(base + "/")
            late = page.locator("section", has=page.locator("#late-h"))
            row = late.locator("tr", has=page.get_by_role("link", name="SO-1008/1", exact=True))
            expect(row).to_contain_text("d late")
            expect(row.get_by_role("link", name="SO-1008/1")).to_have_attribute(
                "href", "/orders/SO-1008"
            )
            expect(row.locator("ol.chain li").first).to_be_visible()
            expect(row.locator("ol.chain a").first).to_have_attribute("href", re.compile("^/"))
            produce = page.locator("section", has=page.locator("#mo-h"))
            due_soon = _count(page, "mo-h")
            assert due_soon > 0, "the sample has production orders due this week"
            released = produce.locator("tbody tr").filter(
                has=page.get_by_role("cell", name="released", exact=True)
            )
            mo = released.locator("th a").first.inner_text()
            _shot(page, screenshots, "dashboard.png")

            # firm the first open planned buy orders into purchase orders
            page.goto(base + "/plan/planned-orders?type=buy&open=1")
            boxes = page.get_by_role("checkbox", name=re.compile(r"^Firm "))
            expect(boxes.first).to_be_visible()
            boxes.nth(0).check()
            _shot(page, screenshots, "planned-orders.png")
            page.get_by_role("button", name="Firm selected").click()
            expect(page).to_have_url(re.compile(re.escape(base) + r"/plan/firmed\?"))
            created = page.locator("section", has=page.locator("#po-h")).get_by_role("link")
            po = created.first.inner_text()
            created.first.click()

            # confirm it and receive everything
            expect(page).to_have_url(f"{base}/purchasing/{po}")
            expect(page.locator(".facts .status")).to_have_text("draft")
            page.get_by_role("button", name="Confirm the order").click()
            expect(page.locator(".facts .status")).to_have_text("confirmed")
            page.get_by_role("button", name="Receive").click()
            expect(page.locator(".facts .status")).to_have_text(re.compile("received|closed"))
            _shot(page, screenshots, "purchase-order.png")

            # an item with its projection chart; the production Gantt chart (inline SVG)
            item = page.locator("tbody td").first.inner_text().strip()
            page.goto(f"{base}/items/{item}")
            chart = page.locator("svg.projection")
            expect(chart).to_be_visible()
            assert chart.evaluate("s => s.getBoundingClientRect().width > 0")
            _shot(page, screenshots, "item.png")
            page.goto(base + "/production")
            gantt = page.locator("svg.gantt")
            expect(gantt).to_be_visible()
            expect(gantt.locator("a rect").first).to_be_visible()
            _shot(page, screenshots, "production.png")

            # the stock policy of common parts, computed as a job, and one item's formulas
            page.goto(base + "/policy")
            page.get_by_role("button", name=re.compile("Compute the policy|Recompute")).click()
            expect(page.locator(".status")).to_have_text("done", timeout=20_000)
            page.goto(base + "/policy?below=1")
            why = page.get_by_role("link", name="why?").first
            expect(why).to_be_visible()
            _shot(page, screenshots, "policy.png")
            why.click()
            expect(
                page.get_by_role("heading", name="Reorder point and order quantity")
            ).to_be_visible()
            expect(page.locator("main")).to_contain_text("ROP")

            # the shop floor, on a tablet and with the keyboard, releases a production
            # order of the configured order, and completes one due this week
            floor = _context(browser, problems, TABLET).new_page()
            _log_in_by_keyboard(floor, base, "sam")
            assert _fits(floor), "the dashboard scrolls sideways on a tablet"
            floor.goto(f"{base}/production?sales_order={draft}&status=planned")
            floor.locator("tbody th a").first.click()
            expect(floor.get_by_role("heading", level=1)).to_contain_text("MO-")
            floor.get_by_role("button", name="Release").click()
            expect(floor.locator(".facts")).to_contain_text("released")
            floor.goto(f"{base}/production/{mo}")
            expect(floor.get_by_role("heading", level=1)).to_contain_text(mo)
            assert _fits(floor), "the production order scrolls sideways on a tablet"
            _shot(floor, screenshots, "production-order-tablet.png")
            qty = floor.locator(".facts dd").nth(2).inner_text()
            floor.get_by_label("Quantity").first.fill(qty.split()[0].replace(",", ""))
            floor.get_by_role("button", name="Complete").click()
            expect(floor.locator(".facts")).to_contain_text("done")
            floor.context.close()

            # the dashboard changed: the completed order is no longer due this week
            page.goto(base + "/")
            assert _count(page, "mo-h") == due_soon - 1
            produce = page.locator("section", has=page.locator("#mo-h"))
            expect(produce.get_by_role("link", name=mo, exact=True)).to_have_count(0)

            # the late order, made meanwhile (its two fixtures counted into stock for it),
            # from its dashboard link: ship the line, then confirm the delivery
            with db.session_factory(engine)() as s:
                stock.adjust_stock(
                    s,
                    item="FX-SO-1008-1",
                    qty=2,
                    reason="made",
                    sales_order="SO-1008",
                    author="test",
                )
            page.get_by_role("link", name="SO-1008/1", exact=True).click()
            expect(page).to_have_url(f"{base}/orders/SO-1008")
            status = page.locator("dl.header .status")
            expect(status).to_have_text("confirmed")
            page.get_by_role("button", name="Ship line 1").click()
            expect(page).to_have_url(f"{base}/orders/SO-1008")
            expect(page.locator("caption", has_text="Shipments of")).to_be_visible()
            expect(status).to_have_text("shipped")
            page.get_by_role("button", name=re.compile(r"^Delivered")).click()
            expect(status).to_have_text("closed")
            page.get_by_role("button", name="Log out").click()
            expect(page).to_have_url(base + "/login")
            page.goto(base + "/")
            expect(page).to_have_url(base + "/login")
        finally:
            browser.close()
    assert problems == [], problems

"""Issue #19's "done when" as one story in a real browser, offline: a planner sets up a
new product from scratch (a bought arm and a made lamp on the item pages, the lamp's
engineering BOM in the tree editor, the BOM made a configurable template with a
parameter and a formula line, the formula checked as it is typed), a customer and a
project, takes an order for four lamps of three arms each (the line configured, which
makes its production order), plans (the plan page's action, its job followed), moves the
production order two days later on the board (accepted, saved), plans again from the
banner saying the move made the plan out of date, and downloads the week's purchases
(the planned buys to release by the end of this week) as XLSX, which openpyxl opens and
which holds what the page shows, the twelve arms among them.

The forms are used by keyboard alone (Tab to a field, type, Enter). Every request to
anywhere but the test server is aborted (and recorded: the test fails on one), so the
story runs as on a machine with no internet. Debian's Chromium through Playwright, a
real uvicorn over SQLite holding the lighting sample moved to just before today; any
console error, page error or unexpected error answer fails the test, and the audit
trail holds every change under the planner's name."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from _browser_support import (
    CHROMIUM,
    PASSWORD,
    drag_days,
    log_in_by_keyboard,
    need_chromium,
    tab_to,
    watched_page,
)
from _live import live_server
from openpyxl import load_workbook
from sqlalchemy import Engine

from pegboard import clock, db
from pegboard.bundle.importer import read_bundle
from pegboard.demo import demo_path
from pegboard.model import Role
from pegboard.services import audit, company_data, planning, production, templates, users
from pegboard.web.plan import PAGE_SIZE, PLANNED_HEADER
from pegboard.web.render import number as render_number

if TYPE_CHECKING:
    from playwright.sync_api import Page, Response, Route

REFUSED = {("POST", "/templates")}
"""The one refusal the story provokes on purpose: saving a template whose formula is wrong."""
REFUSED_LOGGED = re.compile(r"status of 422 ")
"""The browser's console line for that answer."""
ARMS = 3
LAMPS = 4


def _load_sample_near_today(engine: Engine) -> None:
    """The lighting sample moved by whole weeks to just before today (pinned, see
    tests/_clock.py) and planned, as a company in use is."""
    data = read_bundle(demo_path("lighting"))
    planned = date.fromisoformat(data.settings["planning_date"])
    data = data.shifted((clock.today() - planned).days // 7 * 7)
    with db.session_factory(engine)() as s:
        company_data.replace_company(s, data, author="test")
        planning.run_plan(s, author="test")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    need_chromium()
    engine = db.make_engine(f"sqlite:///{tmp_path / 'pegboard.db'}")
    db.upgrade(engine)
    _load_sample_near_today(engine)
    with db.session_factory(engine)() as s:
        users.create_user(s, name="petra", password=PASSWORD, role=Role.PLANNER, author="test")
    with live_server(engine) as url:
        yield url, engine
    engine.dispose()


def _offline(page: Page, base: str, outside: list[str]) -> None:
    """Every request not to the test server aborted and recorded."""

    def only_here(route: Route) -> None:
        if route.request.url.startswith(base + "/"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.context.route("**/*", only_here)


def _type(page: Page, element_id: str, text: str) -> None:
    """Tab to the field, replace what it holds by ``text``, typed."""
    tab_to(page, element_id)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def _new_item(page: Page, base: str, fields: dict[str, str]) -> None:
    """The item form from the list's "New item", filled by keys, sent by Enter."""
    from playwright.sync_api import expect

    page.goto(base + "/items")
    page.get_by_role("link", name="New item").click()
    expect(page).to_have_url(base + "/item/new")
    for element_id, text in fields.items():
        _type(page, element_id, text)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}/items/{fields['code']}?saved=created")
    expect(page.get_by_text("Item created.")).to_be_visible()


def _monday_on_or_after(day: date) -> date:
    return day + timedelta(days=-day.weekday() % 7)


def _end_of_week(day: date) -> date:
    return day + timedelta(days=6 - day.weekday())


def _table(page: Page, selector: str) -> list[list[str]]:
    """The table's body cells as the page shows them, a list per row."""
    rows: list[list[str]] = page.locator(selector).evaluate(
        "t => [...t.tBodies[0].rows].map(r => [...r.cells].map(c => c.innerText.trim()))"
    )
    return rows


def test_a_new_product_set_up_ordered_planned_moved_and_its_buys_exported(
    server: tuple[str, Engine], tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, engine = server
    today = clock.today()
    due = _monday_on_or_after(today + timedelta(days=21))  # moved 2 days: a Wednesday
    problems: list[str] = []
    outside: list[str] = []

    def provoked(r: Response) -> bool:
        return (r.request.method, r.url.removeprefix(base).split("?")[0]) in REFUSED

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = watched_page(
                browser,
                problems,
                {"width": 1280, "height": 900},
                timeout_ms=15_000,
                provoked=provoked,
                console_ignored=REFUSED_LOGGED,
            )
            _offline(page, base, outside)
            log_in_by_keyboard(page, base)

            # the two items: a bought arm (ordered 25 days ahead) and the lamp, made to order
            _new_item(
                page,
                base,
                {
                    "code": "DL-ARM",
                    "description": "Swing arm",
                    "type": "buy",
                    "lead_time_days": "25",
                    "unit_cost": "4.50",
                },
            )
            _new_item(
                page,
                base,
                {
                    "code": "DL-LAMP",
                    "description": "Desk lamp, arms to order",
                    "type": "make",
                    "strategy": "mto",
                    "lead_time_days": "2",
                },
            )

            # its engineering BOM in the tree editor: two arms a lamp, then three
            _type(page, "bom-component", "DL-ARM")
            _type(page, "bom-qty", "2")
            page.keyboard.press("Enter")
            expect(page.locator("#bom .bom-item")).to_contain_text("DL-ARM × 2")
            expect(page.locator("#bom [role=status]")).to_have_text("DL-ARM × 2 added to DL-LAMP.")
            _type(page, "qty-DL-LAMP-1", "3")
            page.keyboard.press("Enter")
            expect(page.locator("#bom .bom-item")).to_contain_text("DL-ARM × 3")

            # the BOM made configurable: a parameter, the arms' quantity its formula
            page.get_by_role("link", name="Make DL-LAMP configurable").click()
            expect(page).to_have_url(base + "/templates/DL-LAMP")
            expect(page.locator("#l-0-component")).to_have_value("DL-ARM")
            for field, text in (
                ("name", "arms"),
                ("label", "Arms"),
                ("min", "1"),
                ("max", "6"),
                ("default", "2"),
            ):
                _type(page, f"p-0-{field}", text)
            _type(page, "l-0-qty", "arm")
            expect(page.locator("#err-l-0-qty")).to_have_text("Unknown parameter(s): arm.")
            page.keyboard.press("Enter")
            expect(page.locator(".message.error")).to_contain_text("A formula cannot be saved")
            _type(page, "l-0-qty", "arms")
            expect(page.locator("#err-l-0-qty")).to_have_text("")
            page.keyboard.press("Enter")
            expect(page).to_have_url(base + "/templates/DL-LAMP?saved=1")
            expect(page.locator(".message.notice")).to_have_text("Template of DL-LAMP saved.")

            # a customer and its project
            page.goto(base + "/customer/new")
            _type(page, "code", "DESKCO")
            _type(page, "name", "Desk & Co")
            page.keyboard.press("Enter")
            expect(page).to_have_url(base + "/customers/DESKCO?saved=created")
            _type(page, "project-code", "OFFICE-1")
            page.keyboard.press("Enter")
            expect(page.locator("#projects")).to_contain_text("OFFICE-1")

            # the order: the customer chosen by typing, a line of four lamps, configured
            page.goto(base + "/orders/new")
            tab_to(page, "customer")
            page.keyboard.type("DESKCO")
            _type(page, "project", "OFFICE-1")
            page.keyboard.press("Enter")
            expect(page.get_by_role("heading", level=1)).to_contain_text("SO-")
            order = page.get_by_role("heading", level=1).inner_text().split()[-1]
            _type(page, "line-item", "DL-LAMP")
            _type(page, "line-qty", str(LAMPS))
            tab_to(page, "line-due")
            page.keyboard.type(due.strftime("%m%d%Y"))
            page.keyboard.press("Enter")
            expect(page.get_by_role("link", name="Configure line 1")).to_be_visible()
            page.get_by_role("link", name="Configure line 1").click()
            _type(page, "p-1", str(ARMS))
            page.keyboard.press("Enter")
            expect(page.get_by_role("link", name="Re-configure line 1")).to_be_visible()
            page.get_by_role("button", name="Confirm order").click()
            expect(page.get_by_role("button", name="Confirm order")).to_have_count(0)

            # planned (the page's action, its job followed to the end)
            _run_plan(page, base)
            # its production order (made when the line was configured), found by its order
            page.goto(base + "/production")
            _type(page, "f-so", order)
            page.keyboard.press("Enter")
            row = page.locator("tbody tr", has_text="DL-LAMP")
            expect(row).to_have_count(1)
            expect(row).to_contain_text(f"{LAMPS}")
            mo = row.locator("th a").inner_text()
            assert mo.startswith("MO-")

            # on the board: the order dragged two days later, accepted, saved
            row.get_by_role("link", name=f"Move {mo}").click()
            expect(page.get_by_role("heading", level=1)).to_have_text(f"Move {mo}")
            finish_before = date.fromisoformat(
                page.locator("#board-bar").get_attribute("data-due") or ""
            )
            px = float(page.locator("#board-bar").get_attribute("data-px") or "16")
            drag_days(page, "#board-bar", 2, px)
            answer = page.locator("#board-answer")
            expect(answer).to_contain_text("The move can be made")
            moved = (finish_before + timedelta(days=2)).isoformat()
            expect(page.locator("#move-finish")).to_have_value(moved)
            page.get_by_role("button", name=f"Move it to finish on {moved}").click()
            expect(page.get_by_role("heading", level=1)).to_have_text(f"Production order {mo}")
            expect(page.get_by_role("status").filter(has_text="moved to")).to_contain_text(
                f"{mo}: moved to finish on {moved}."
            )

            # planned again from the banner saying the move made the plan out of date
            stale = page.get_by_role("status").filter(has_text="This plan is out of date")
            expect(stale).to_contain_text(f"production order {mo}")
            stale.get_by_role("button", name="Re-plan").click()
            _follow_plan_job(page)

            # the week's purchases filtered, downloaded and opened
            page.goto(base + "/plan/planned-orders")
            tab_to(page, "f-type")
            page.keyboard.type("buy")
            tab_to(page, "f-until")
            page.keyboard.type(_end_of_week(today).strftime("%m%d%Y"))
            page.keyboard.press("Enter")
            expect(page).to_have_url(
                re.compile(r"type=buy.*until=" + _end_of_week(today).isoformat())
            )
            expect(page.locator("#f-type")).to_have_value("buy")
            shown = _table(page, "form table")
            arm = [r for r in shown if r[3].startswith("DL-ARM")]
            assert [r[5] for r in arm] == [f"{LAMPS * ARMS} ea"], shown
            with page.expect_download() as download:
                page.locator("a", has_text="XLSX").first.click()
            path = tmp_path / "week.xlsx"
            download.value.save_as(path)
            assert download.value.suggested_filename.endswith(".xlsx")
        finally:
            browser.close()
    assert outside == []
    assert problems == []

    # the workbook holds the page's rows, cell for cell (typed: numbers and dates)
    sheet = load_workbook(io.BytesIO(path.read_bytes())).active
    assert sheet is not None
    got = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert tuple(got[0]) == PLANNED_HEADER
    body = got[1:]
    assert len(body) == len(shown) < PAGE_SIZE  # the page shows them all: one page
    week_end = _end_of_week(today)
    for cells, on_page in zip(body, shown, strict=True):
        number, kind, item, description, supplier, qty, uom, release, late, due, so, firmed = cells
        assert isinstance(release, datetime) and isinstance(due, datetime)
        assert on_page[1:] == [
            number,
            kind,
            f"{item} {description or ''}".strip(),
            supplier or "–",
            f"{render_number(qty)} {uom}",
            release.date().isoformat() + {"yes": " late", "no": ""}[late],
            due.date().isoformat(),
            so or "–",
            firmed or "not yet",
        ]
        assert kind == "buy" and release.date() <= week_end
    assert [(c[2], c[5]) for c in body if c[2] == "DL-ARM"] == [("DL-ARM", LAMPS * ARMS)]
    # every change went through the services, in the audit trail under the planner's name
    with db.session_factory(engine)() as s:
        done = {(e.entity, e.entity_ref, e.action) for e in audit.history(s, author="petra")}
        lamp = templates.template_definition(s, "DL-LAMP")
        moved_order = production.get_production(s, mo)
    assert done == {
        ("item", "DL-ARM", "create"),
        ("item", "DL-LAMP", "create"),
        ("bom", "BOM-DL-LAMP", "add_line"),
        ("bom", "BOM-DL-LAMP", "change_line"),
        ("bom", "BOM-DL-LAMP", "define_template"),
        ("customer", "DESKCO", "create"),
        ("project", "DESKCO/OFFICE-1", "create"),
        ("sales_order", order, "create"),
        ("sales_order_line", f"{order}/1", "create"),
        ("sales_order_line", f"{order}/1", "configure"),
        ("sales_order", order, "status"),
        ("production_order", mo, "move"),
    }
    assert lamp["lines"] == [{"component": "DL-ARM", "qty": "arms"}]
    assert moved_order.due_date.isoformat() == moved


def _run_plan(page: Page, base: str) -> None:
    """The plan page's action, then its job's progress page followed to the end."""
    page.goto(base + "/plan")
    page.get_by_role("button", name="Run the plan").click()
    _follow_plan_job(page)


def _follow_plan_job(page: Page) -> None:
    from playwright.sync_api import expect

    expect(page).to_have_url(re.compile(r"/plan/jobs/\d+$"))
    expect(page.locator(".status")).to_have_text("done", timeout=90_000)

"""Add or update from a workbook in a real browser (issue #19 item 5): Debian's Chromium,
driven by Playwright, against uvicorn over a SQLite file holding the sample company.

An administrator downloads the company's workbook, changes one item's description and
adds an item in it, previews the upsert on the admin page (one added, one changed),
applies it with the preview's Apply button, and the job page says what was added and
changed; the database then holds exactly that. Any console error, page error or error
answer fails the test; without Chromium it is skipped, and fails under ``CI=true``.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from _browser_support import CHROMIUM, PASSWORD, log_in, need_chromium, watched_page
from _live import live_server
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select

from pegboard import db
from pegboard.model import Item, Role
from pegboard.services import users

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page


@pytest.fixture
def server(tmp_path: Path, sample_loader: Callable[[Engine], None]) -> Iterator[tuple[str, Engine]]:
    need_chromium()
    engine = db.make_engine(f"sqlite:///{tmp_path / 'pegboard.db'}")
    db.upgrade(engine)
    sample_loader(engine)
    with db.session_factory(engine)() as s:
        users.create_user(s, name="ada", password=PASSWORD, role=Role.ADMIN, author="test")
    with live_server(engine) as url:
        yield url, engine
    engine.dispose()


def _edited(content: bytes, path: Path) -> str:
    """The workbook with its first item renamed and an item added; the renamed item."""
    book = load_workbook(io.BytesIO(content))
    items = book["items"]
    header = [c.value for c in items[1]]
    code = str(items.cell(row=2, column=1).value)
    items.cell(row=2, column=header.index("description") + 1).value = "Renamed in Excel"
    new: list[object] = [None] * len(header)
    new[header.index("item")], new[header.index("type")] = "XL-NEW", "buy"
    new[header.index("description")] = "Added in Excel"
    items.append(new)
    book.save(path)
    return code


def _added_changed(page: Page, file: str) -> tuple[Locator, Locator]:
    """The added and changed cells of the file's row of counts."""
    row = page.get_by_role("row").filter(has=page.get_by_role("cell", name=file, exact=True))
    cells = row.locator("td")
    return cells.nth(1), cells.nth(2)


def _expect_counts(page: Page, file: str, added: str, changed: str) -> None:
    from playwright.sync_api import expect

    cell_added, cell_changed = _added_changed(page, file)
    expect(cell_added).to_have_text(added)
    expect(cell_changed).to_have_text(changed)


def test_a_workbook_previewed_then_applied(server: tuple[str, Engine], tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, engine = server
    problems: list[str] = []
    with db.session_scope(engine) as s:
        before = s.scalar(select(func.count()).select_from(Item))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = watched_page(browser, problems)
        log_in(page, base, "ada")
        page.goto(base + "/admin/bundle")
        workbook = page.request.get(base + "/admin/bundle/export.xlsx")
        assert workbook.ok
        code = _edited(workbook.body(), tmp_path / "company.xlsx")

        upsert = page.get_by_role("region", name="Add or update (upsert)")
        upsert.get_by_label(
            "Bundle: a .zip of the CSV files, or an .xlsx workbook"
        ).set_input_files(tmp_path / "company.xlsx")
        upsert.get_by_role("button", name="Preview").click()
        expect(page.get_by_text("company.xlsx: what an upsert would do")).to_be_visible()
        _expect_counts(page, "items", "1", "1")
        expect(page.get_by_text(f"items {code}: description")).to_be_visible()
        expect(page.get_by_text("items XL-NEW: added")).to_be_visible()

        page.get_by_role("button", name="Apply").click()
        expect(page.get_by_text("added and changed in place")).to_be_visible(timeout=30_000)
        _expect_counts(page, "items", "1", "1")
        browser.close()
    assert problems == []
    with db.session_scope(engine) as s:
        assert s.scalar(select(Item.description).where(Item.code == code)) == "Renamed in Excel"
        assert s.scalar(select(Item.description).where(Item.code == "XL-NEW")) == "Added in Excel"
        assert s.scalar(select(func.count()).select_from(Item)) == (before or 0) + 1

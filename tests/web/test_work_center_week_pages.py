"""A week's operations on a work center's page (the capacity page's "and N more" link,
``/capacity/{wc}?from=<Monday>&weeks=1``) are paged: 200 a page with previous and next
links keeping the window, every operation on exactly one page. Both databases."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from _busy_week import EXTRA, MONDAY, build
from pegboard import db

LogIn = Callable[[str], str]


def _bars(text: str) -> list[str]:
    return re.findall(r'<a href="/production/([^"]+)"><rect class="op [^"]*"', text)


def _next(text: str) -> str | None:
    found = re.search(r'<a href="([^"]+)" rel="next">', text)
    return html.unescape(found.group(1)) if found else None


def test_a_busy_week_pages_its_operations(web: TestClient, engine: Engine, log_in: LogIn) -> None:
    with db.session_factory(engine)() as session:
        build(session)
    log_in("ann")
    url: str | None = f"/capacity/LED-ASM?from={MONDAY.isoformat()}&weeks=1"
    seen: list[str] = []
    pages: list[str] = []
    while url is not None:
        page = web.get(url)
        assert page.status_code == 200, page.text
        pages.append(page.text)
        seen += _bars(page.text)
        url = _next(page.text)
        if url is not None:  # the window is kept, the offset moves on by a page
            assert f"from={MONDAY.isoformat()}&weeks=1&offset={200 * len(pages)}" in url
    total = len(seen)
    assert total >= EXTRA and len(pages) == -(-total // 200) == 3
    assert f"Rows 1–200 of {total}" in pages[0] and 'rel="prev"' not in pages[0]
    assert f"Rows 401–{total} of {total}" in pages[-1] and 'rel="prev"' in pages[-1]
    assert (
        sum(1 for o in seen if o.startswith("MO-BUSY-"))
        == len({o for o in seen if o.startswith("MO-BUSY-")})
        == EXTRA
    )
    # a quiet window has no pager
    quiet = web.get("/capacity/LED-ASM?from=2026-11-23&weeks=1").text
    assert "Rows " not in quiet and 'rel="next"' not in quiet

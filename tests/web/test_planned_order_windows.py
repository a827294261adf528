"""The planned-orders page's release shortcuts (#19): overdue, by today, this week and
next week are links that set the list's own filters (release from, release until), keep
the others (type, item, sales order), and list exactly the planned orders of the window,
with the total the plan stored, on both databases and whatever day today is."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from html import unescape

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from pegboard import clock, db
from pegboard.model import PlannedOrder
from pegboard.services.release_windows import release_windows

LogIn = Callable[[str], str]
ROW = re.compile(r'<th scope="row">(PL-\d+)[ <]')  # a make's cell has a move link too


def _numbers(engine: Engine, kind: str, since: date | None, until: date) -> set[str]:
    stmt = select(PlannedOrder.number).where(
        PlannedOrder.type == kind,
        PlannedOrder.firmed_as.is_(None),
        PlannedOrder.release_date <= until,
    )
    if since is not None:
        stmt = stmt.where(PlannedOrder.release_date >= since)
    with db.session_factory(engine)() as s:
        return set(s.scalars(stmt))


def _links(text: str) -> dict[str, str]:
    nav = text.split('aria-label="Release windows"', 1)[1].split("</nav>", 1)[0]
    return {
        label: unescape(href)
        for href, label in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav)
    }


def test_each_shortcut_lists_the_planned_orders_of_its_window(
    web: TestClient, engine: Engine, log_in: LogIn, sample: None
) -> None:
    log_in("ann")
    today = clock.today()
    links = _links(web.get("/plan/planned-orders", params={"type": "make"}).text)
    assert list(links) == ["Overdue", "By today", "This week", "Next week"]
    seen = 0
    for window in release_windows(today):
        href = links[window.label]
        assert "type=make" in href and f"until={window.until.isoformat()}" in href
        page = web.get(href)
        assert page.status_code == 200
        expected = _numbers(engine, "make", window.since, window.until)
        assert set(ROW.findall(page.text)) == expected or len(expected) > 50
        shown = len(expected)
        if shown:  # the total is the run's stored counts, from and until applied
            assert f"–{min(shown, 50)} of {shown}</span>" in page.text
        else:
            assert "No planned orders match." in page.text
        current = _links(page.text)
        assert current[window.label] == href
        assert re.search(rf'aria-current="true">{window.label}<', page.text)
        seen += shown
    assert seen, "the sample has planned makes in some window"


def test_the_windows_are_monday_to_sunday_weeks() -> None:
    saturday = date(2028, 2, 26)
    overdue, by_today, week, next_week = release_windows(saturday)
    assert (overdue.since, overdue.until) == (None, saturday - timedelta(days=1))
    assert (by_today.since, by_today.until) == (None, saturday)
    assert (week.since, week.until) == (None, date(2028, 2, 27))
    assert (next_week.since, next_week.until) == (date(2028, 2, 28), date(2028, 3, 5))
    monday = date(2026, 12, 7)
    assert release_windows(monday)[2].until == date(2026, 12, 13)
    sunday = date(2026, 12, 13)
    assert release_windows(sunday)[2].until == sunday
    assert release_windows(sunday)[3].since == date(2026, 12, 14)


def test_release_from_after_until_or_not_a_date_is_said(
    web: TestClient, log_in: LogIn, sample: None
) -> None:
    log_in("ann")
    bad = web.get("/plan/planned-orders", params={"from": "2026-13-01"})
    assert bad.status_code == 422 and "Release from: “2026-13-01” is not a date" in bad.text
    crossed = web.get("/plan/planned-orders", params={"from": "2026-12-20", "until": "2026-12-10"})
    assert crossed.status_code == 422
    assert "Release from 2026-12-20 is after release until 2026-12-10" in crossed.text

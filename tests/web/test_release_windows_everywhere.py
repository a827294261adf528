"""The planned-orders release windows (#19) are one action from the page, the API and the
CLI: for each window (overdue, by today, this week, next week, as of the pinned today,
also at ``PEGBOARD_TEST_TODAY=2028-02-26``) the page's shortcut, ``GET
/api/plan/planned-orders?window=``, ``GET /api/reports/buy|make?window=`` (and the same days
as ``from``/``until``) and ``pegboard report buy|make --window`` list the same planned
orders as a plain read of the table, on both databases; a release from after release
until is refused by all three with the same sentence."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import date
from html import unescape
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from pegboard import clock, db
from pegboard.cli import app
from pegboard.cli.release_options import ReleaseWindow
from pegboard.model import ItemType, PlannedOrder
from pegboard.services import plan_results, reports, users
from pegboard.services.release_windows import WINDOW_NAMES, release_days, release_windows

LogIn = Callable[[str], str]
ROW = re.compile(r'<th scope="row">(PL-\d+)[ <]')  # a make's cell has a move link too
KINDS = ("buy", "make")
CROSSED = "Release from 2026-12-20 is after release until 2026-12-10: no day is both."


def _plain(engine: Engine, kind: str, since: date | None, until: date) -> set[str]:
    stmt = select(PlannedOrder.number).where(
        PlannedOrder.type == kind,
        PlannedOrder.firmed_as.is_(None),
        PlannedOrder.release_date <= until,
    )
    if since is not None:
        stmt = stmt.where(PlannedOrder.release_date >= since)
    with db.session_factory(engine)() as s:
        return set(s.scalars(stmt))


def _service(engine: Engine, kind: str, since: date | None, until: date) -> set[str]:
    """Both services the adapters call: the report's list and count, the page's list."""
    listed = reports.buy_list if kind == "buy" else reports.make_list
    with db.session_factory(engine)() as s, s.begin():
        rows = listed(s, since=since, until=until)
        assert reports.count_planned(s, kind, since=since, until=until) == len(rows)
        page, total = plan_results.planned_order_page(
            s, kind=ItemType(kind), since=since, until=until, firmed=False, limit=500
        )
    numbers = {r.number for r in rows}
    assert {r[0] for r in page} == numbers and total == len(numbers)
    return numbers


def _api(web: TestClient, headers: dict[str, str], path: str, **params: Any) -> set[str]:
    got = web.get(path, params={"limit": 500, **params}, headers=headers)
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["total"] == len(body["items"])
    return {row["number"] for row in body["items"]}


def _cli(engine: Engine, *args: str, code: int = 0) -> str:
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(
        app, list(args), env={"PEGBOARD_DATABASE_URL": url, "COLUMNS": "250"}
    )
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result.output


def _cli_numbers(engine: Engine, kind: str, *options: str) -> set[str]:
    out = _cli(engine, "report", kind, "--csv", *options)
    return {row["order"] for row in csv.DictReader(io.StringIO(out))}


def _shortcuts(web: TestClient, kind: str) -> dict[str, str]:
    text = web.get("/plan/planned-orders", params={"type": kind}).text
    nav = text.split('aria-label="Release windows"', 1)[1].split("</nav>", 1)[0]
    return {
        label: unescape(href)
        for href, label in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav)
    }


def _token(engine: Engine, name: str) -> dict[str, str]:
    with db.session_factory(engine)() as s:
        _, secret = users.create_token(s, user=name, name="test", author="test")
    return {"Authorization": f"Bearer {secret}"}


def test_every_window_lists_the_same_orders_from_page_api_and_cli(
    web: TestClient, engine: Engine, log_in: LogIn, sample: None
) -> None:
    log_in("ann")
    headers = _token(engine, "ann")
    assert tuple(w.name for w in release_windows(clock.today())) == WINDOW_NAMES
    assert tuple(c.value for c in ReleaseWindow) == WINDOW_NAMES
    listed = 0
    for kind in KINDS:
        links = _shortcuts(web, kind)
        for window in release_windows(clock.today()):
            expected = _plain(engine, kind, window.since, window.until)
            assert _service(engine, kind, window.since, window.until) == expected
            days = {"until": window.until.isoformat()}
            if window.since is not None:
                days["from"] = window.since.isoformat()
            for path in ("/api/plan/planned-orders", f"/api/reports/{kind}"):
                extra = {"type": kind} if path == "/api/plan/planned-orders" else {}
                assert _api(web, headers, path, window=window.name, **extra) == expected
                assert _api(web, headers, path, **days, **extra) == expected, days
            assert _cli_numbers(engine, kind, "--window", window.name) == expected
            typed = [f"--{k}={v}" for k, v in days.items()]
            assert _cli_numbers(engine, kind, *typed) == expected
            page = web.get(links[window.label])
            assert page.status_code == 200
            assert set(ROW.findall(page.text)) == expected or len(expected) > 50
            listed += len(expected)
    assert listed, "the sample has planned orders in some window"


def test_from_only_lists_what_is_released_that_day_or_later(
    web: TestClient, engine: Engine, log_in: LogIn, sample: None
) -> None:
    log_in("ann")
    headers = _token(engine, "ann")
    with db.session_factory(engine)() as s:
        days = sorted(set(s.scalars(select(PlannedOrder.release_date))))
    since = days[len(days) // 2]
    for kind in KINDS:
        expected = _plain(engine, kind, since, date.max)
        everything = _plain(engine, kind, None, date.max)
        assert expected and expected != everything, "a cut inside the plan's release days"
        typed = {"from": since.isoformat()}
        assert _api(web, headers, "/api/plan/planned-orders", type=kind, **typed) == expected
        assert _api(web, headers, f"/api/reports/{kind}", **typed) == expected
        assert _cli_numbers(engine, kind, "--from", since.isoformat()) == expected


def test_a_crossed_range_or_a_window_with_days_is_refused_everywhere(
    web: TestClient, engine: Engine, log_in: LogIn, sample: None
) -> None:
    log_in("ann")
    headers = _token(engine, "ann")
    crossed = {"from": "2026-12-20", "until": "2026-12-10"}
    for path in ("/api/plan/planned-orders", "/api/reports/buy", "/api/reports/make"):
        got = web.get(path, params=crossed, headers=headers)
        assert got.status_code == 422 and got.json()["error"]["message"] == CROSSED, got.text
        both = web.get(path, params={"window": "today", "until": "2026-12-10"}, headers=headers)
        assert both.status_code == 422 and "not both" in both.json()["error"]["message"]
        unknown = web.get(path, params={"window": "fortnight"}, headers=headers)
        assert unknown.status_code == 422
    page = web.get("/plan/planned-orders", params=crossed)
    assert page.status_code == 422 and CROSSED in page.text
    for kind in KINDS:
        typed = ("--from", "2026-12-20", "--until", "2026-12-10")
        assert CROSSED in " ".join(_cli(engine, "report", kind, *typed, code=1).split())
        mixed = ("--window", "today", "--from", "2026-12-01")
        assert "not both" in _cli(engine, "report", kind, *mixed, code=1)
        _cli(engine, "report", kind, "--window", "fortnight", code=2)


def test_the_service_resolves_windows_and_checks_days() -> None:
    saturday = date(2028, 2, 26)
    assert release_days(saturday, window="this-week") == (None, date(2028, 2, 27))
    assert release_days(saturday, window="next-week") == (date(2028, 2, 28), date(2028, 3, 5))
    assert release_days(saturday, since=saturday, until=saturday) == (saturday, saturday)

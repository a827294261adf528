"""Firming by release days (#19): ``pegboard po|mo firm`` and ``POST
/api/purchase-orders/firm`` / ``/api/production-orders/firm`` take the planned-orders
lists' ``from``/``until``/``window`` through the same service, so a firm takes exactly
the orders ``report buy|make`` (and the page's shortcut) listed for those days, and a
crossed range, an unknown window or named orders with days are refused in the same
words everywhere. Both databases; the windows are as of the pinned today, so this holds
at ``PEGBOARD_TEST_TODAY=2028-02-26`` too (a window may then be empty: the firm says there
is nothing to firm and creates nothing)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from pegboard import clock, db
from pegboard.cli import app
from pegboard.model import PlannedOrder
from pegboard.services import users
from pegboard.services.release_windows import crossed, release_windows

FIRM = {"buy": ("po", "/api/purchase-orders/firm"), "make": ("mo", "/api/production-orders/firm")}
NOT_BOTH = "name planned orders or give release days (from/until or a window), not both"


def _cli(engine: Engine, *args: str, code: int = 0) -> str:
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(
        app, list(args), env={"PEGBOARD_DATABASE_URL": url, "COLUMNS": "250"}
    )
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return " ".join(result.output.split())


def _listed(engine: Engine, kind: str, *options: str) -> set[str]:
    """What ``report buy|make`` lists still to release for these options."""
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(
        app, ["report", kind, "--csv", *options], env={"PEGBOARD_DATABASE_URL": url}
    )
    assert result.exit_code == 0, result.output
    return {row["order"] for row in csv.DictReader(io.StringIO(result.stdout))}


def _firmed(engine: Engine, kind: str) -> set[str]:
    stmt = select(PlannedOrder.number).where(
        PlannedOrder.type == kind, PlannedOrder.firmed_as.is_not(None)
    )
    with db.session_factory(engine)() as s:
        return set(s.scalars(stmt))


def _unfirmed_days(engine: Engine, kind: str) -> list[date]:
    stmt = select(PlannedOrder.release_date).where(
        PlannedOrder.type == kind, PlannedOrder.firmed_as.is_(None)
    )
    with db.session_factory(engine)() as s:
        return sorted(set(s.scalars(stmt)))


def _token(engine: Engine) -> dict[str, str]:
    with db.session_factory(engine)() as s:
        _, secret = users.create_token(s, user="ann", name="test", author="test")
    return {"Authorization": f"Bearer {secret}"}


def _firm_api(web: TestClient, headers: dict[str, str], kind: str, body: dict[str, str]) -> int:
    return web.post(FIRM[kind][1], json=body, headers=headers).status_code


def test_a_firm_by_release_days_takes_what_the_list_showed(
    web: TestClient, engine: Engine, make_user: object, sample: None
) -> None:
    make_user("ann")  # type: ignore[operator]
    headers = _token(engine)
    for kind in FIRM:
        group = FIRM[kind][0]
        # a typed range inside the plan's release days: from the API, then the CLI
        days = _unfirmed_days(engine, kind)
        assert len(days) >= 4, "the sample plans orders to release on several days"
        since, until = days[len(days) // 2], days[-2]
        expected = _listed(engine, kind, "--from", since.isoformat(), "--until", until.isoformat())
        assert expected and expected != _listed(engine, kind)
        before = _firmed(engine, kind)
        body = {"from": since.isoformat(), "until": until.isoformat()}
        assert _firm_api(web, headers, kind, body) == 201
        assert _firmed(engine, kind) - before == expected

        earliest = days[0]
        expected = _listed(
            engine, kind, "--from", earliest.isoformat(), "--until", since.isoformat()
        )
        assert expected
        before = _firmed(engine, kind)
        _cli(engine, group, "firm", "--from", earliest.isoformat(), "--until", since.isoformat())
        assert _firmed(engine, kind) - before == expected

        # each window as of today, alternately from the CLI and the API
        for turn, window in enumerate(release_windows(clock.today())):
            expected = _listed(engine, kind, "--window", window.name)
            before = _firmed(engine, kind)
            if turn % 2:
                got = _firm_api(web, headers, kind, {"window": window.name})
                assert got == (201 if expected else 409), (window.name, got)
            else:
                out = _cli(
                    engine, group, "firm", "--window", window.name, code=0 if expected else 1
                )
                if not expected:
                    assert f"no planned {kind} orders to firm" in out
            assert _firmed(engine, kind) - before == expected, window.name


def test_a_crossed_range_or_named_orders_with_days_are_refused_alike(
    web: TestClient, engine: Engine, make_user: object, sample: None
) -> None:
    make_user("ann")  # type: ignore[operator]
    headers = _token(engine)
    late, early = clock.today() + timedelta(days=20), clock.today() + timedelta(days=10)
    sentence = crossed(late, early)
    for kind, (group, path) in FIRM.items():
        before = _firmed(engine, kind)
        got = web.post(
            path, json={"from": late.isoformat(), "until": early.isoformat()}, headers=headers
        )
        assert got.status_code == 422 and got.json()["error"]["message"] == sentence, got.text
        out = _cli(
            engine, group, "firm", "--from", late.isoformat(), "--until", early.isoformat(), code=1
        )
        assert sentence in out

        planned = sorted(_listed(engine, kind))[0]
        for body in (
            {"until": early.isoformat()},
            {"from": early.isoformat()},
            {"window": "today"},
        ):
            got = web.post(path, json={"planned": [planned], **body}, headers=headers)
            assert got.status_code == 422 and got.json()["error"]["message"] == NOT_BOTH, got.text
        for option in (
            ("--until", early.isoformat()),
            ("--from", early.isoformat()),
            ("--window", "today"),
        ):
            assert NOT_BOTH in _cli(engine, group, "firm", planned, *option, code=1)

        both = {"window": "today", "until": early.isoformat()}
        got = web.post(path, json=both, headers=headers)
        assert got.status_code == 422 and "not both" in got.json()["error"]["message"]
        assert "not both" in _cli(
            engine, group, "firm", "--window", "today", "--from", early.isoformat(), code=1
        )
        assert web.post(path, json={"window": "fortnight"}, headers=headers).status_code == 422
        _cli(engine, group, "firm", "--window", "fortnight", code=2)
        assert _firmed(engine, kind) == before, "a refused firm creates nothing"

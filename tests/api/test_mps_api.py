"""The master schedule through the API on the basic company (both databases): the flag
set in the item editor, the hand-computed record, a grid saved all or nothing with every
refused week named, the schedule replaced, and the proposal accepted in part."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from _clock import pin_today
from pegboard.cli import app
from pegboard.model import AuditEntry

BASIC = Path(__file__).parents[1] / "scenarios" / "basic" / "bundle"
TODAY = date(2026, 11, 23)  # a Monday; the time fence (14 days) ends on 12-07

Headers = dict[str, str]
AsRole = Callable[[str], Headers]


def _pegboard(engine: Engine, *args: str) -> None:
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(app, list(args), env={"PEGBOARD_DATABASE_URL": url})
    assert result.exit_code == 0, result.output


def _audits(engine: Engine) -> int:
    with engine.connect() as conn:
        count = select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "mps")
        return int(conn.execute(count).scalar_one())


@pytest.fixture
def planner(engine: Engine, api: TestClient, as_role: AsRole) -> Headers:
    """The basic company, planned, with SUB put on the master schedule by the item editor."""
    with pin_today(TODAY):
        _pegboard(engine, "import", str(BASIC))
        _pegboard(engine, "plan")
    headers = as_role("planner")
    flagged = api.patch("/api/items/SUB", json={"mps": True}, headers=headers)
    assert flagged.status_code == 200 and flagged.json()["mps"] is True
    return headers


def _column(record: dict[str, Any], name: str) -> list[Any]:
    return [week[name] for week in record["weeks"]]


@pin_today(TODAY)
def test_the_record_the_grid_and_the_proposal(
    api: TestClient, planner: Headers, as_role: AsRole, engine: Engine
) -> None:
    viewer = as_role("viewer")
    assert api.get("/api/mps", headers=viewer).json() == ["SUB"]
    record = api.get("/api/mps/SUB?weeks=5", headers=viewer).json()
    # as tests/services/test_mps.py computes it: SO-2 needs 3 SUB in the week of 12-14,
    # MO-1 (2, released) arrives in the week of 11-30
    assert _column(record, "week") == [
        "2026-11-23",
        "2026-11-30",
        "2026-12-07",
        "2026-12-14",
        "2026-12-21",
    ]
    assert _column(record, "backlog") == [0, 0, 0, 3, 0]
    assert _column(record, "receipts") == [0, 2, 0, 0, 0]
    assert _column(record, "projected_available") == [0, 2, 2, -1, -1]
    assert _column(record, "atp") == [-1, 0, 0, 0, 0]
    assert _column(record, "in_fence") == [True, True, False, False, False]
    assert record["short_weeks"] == ["2026-W51", "2026-W52"]
    assert record["fence_end"] == "2026-12-07"

    # a grid with three bad weeks: all named, nothing written
    before = _audits(engine)
    bad = api.patch(
        "/api/mps/SUB/lines",
        json={
            "lines": [
                {"week": "2026-12-16", "qty": 4},
                {"week": "2026-12-01", "qty": 5},  # within the fence
                {"week": "2026-12-22", "qty": 2.5},  # SUB is counted in whole units
                {"week": "2026-12-18", "qty": 1},  # the week of 12-16 again
            ]
        },
        headers=planner,
    )
    assert bad.status_code == 422, bad.text
    error = bad.json()["error"]
    assert error["field"] == "weeks"
    assert set(error["params"]["weeks"]) == {"2026-12-01", "2026-12-22", "2026-12-18"}
    assert "time fence" in error["params"]["weeks"]["2026-12-01"]
    assert "whole units" in error["params"]["weeks"]["2026-12-22"]
    assert api.get("/api/mps/SUB/lines", headers=viewer).json() == []
    assert _audits(engine) == before

    # a viewer may read, not schedule
    assert api.patch("/api/mps/SUB/lines", json={"lines": []}, headers=viewer).status_code == 403

    saved = api.patch(
        "/api/mps/SUB/lines", json={"lines": [{"week": "2026-12-16", "qty": 4}]}, headers=planner
    )
    assert saved.status_code == 200, saved.text
    assert saved.json() == [
        {
            "number": "MPS-SUB-2026-W51",
            "week": "2026-12-14",
            "label": "2026-W51",
            "due": "2026-12-14",
            "qty": 4.0,
            "status": "planned",
            "editable": True,
        }
    ]
    record = api.get("/api/mps/SUB?weeks=5", headers=viewer).json()
    assert _column(record, "mps") == [0, 0, 0, 4, 0]
    assert _column(record, "projected_available") == [0, 2, 2, 3, 3]
    # ATP: week 1's 2 less nothing before week 4's 4, which has 4 − 3 = 1
    assert _column(record, "atp") == [0, 2, 0, 1, 0]
    assert record["short_weeks"] == []

    # replaced: W51 goes, W50 and W52 come; the same figures again audit nothing
    replaced = api.put(
        "/api/mps/SUB/lines",
        json={"lines": [{"week": "2026-12-07", "qty": 1}, {"week": "2026-12-21", "qty": 2}]},
        headers=planner,
    )
    assert [(line["label"], line["qty"]) for line in replaced.json()] == [
        ("2026-W50", 1),
        ("2026-W52", 2),
    ]
    counted = _audits(engine)
    same = [{"week": line["week"], "qty": line["qty"]} for line in replaced.json()]
    assert api.put("/api/mps/SUB/lines", json={"lines": same}, headers=planner).status_code == 200
    assert _audits(engine) == counted

    # the proposal (weeks beyond the fence: 12-07 and 12-14 of four): one a week keeps
    # the balance at 0 or more (2 + 1 + 1 − 3); accepting only the week of 12-14
    proposal = api.get("/api/mps/SUB/proposal?weeks=4", headers=viewer).json()
    assert proposal == [{"week": "2026-12-07", "qty": 1.0}, {"week": "2026-12-14", "qty": 1.0}]
    outside = api.post(
        "/api/mps/SUB/proposal/accept",
        json={"weeks": 4, "only": ["2026-11-24"]},
        headers=planner,
    )
    assert outside.status_code == 422 and outside.json()["error"]["field"] == "only"
    accepted = api.post(
        "/api/mps/SUB/proposal/accept", json={"weeks": 4, "only": ["2026-12-17"]}, headers=planner
    )
    assert accepted.json() == [{"week": "2026-12-14", "qty": 1.0}]
    lines = api.get("/api/mps/SUB/lines", headers=viewer).json()
    assert [(line["label"], line["qty"]) for line in lines] == [
        ("2026-W50", 1),
        ("2026-W51", 1),
        ("2026-W52", 2),
    ]


@pin_today(TODAY)
def test_refusals_name_the_item(api: TestClient, planner: Headers) -> None:
    assert api.get("/api/mps/NOPE", headers=planner).status_code == 404
    off = api.get("/api/mps/C1/lines", headers=planner)
    assert off.status_code == 422 and "not on the master schedule" in off.json()["error"]["message"]
    # the basic company has no work centers: nothing to check
    assert api.get("/api/mps/SUB/rough-cut", headers=planner).json() == []
    weeks = api.get("/api/mps/SUB?weeks=0", headers=planner)
    assert weeks.status_code == 422 and weeks.json()["error"]["field"] == "weeks"


@pin_today(TODAY)
def test_rough_cut_through_the_api(api: TestClient, planner: Headers, engine: Engine) -> None:
    from pegboard import db
    from pegboard.services import capacity

    with db.session_factory(engine)() as s:
        capacity.save_work_center(s, code="ASM", hours_per_day=1, author="t")
        capacity.set_routing(s, "SUB", [capacity.OperationIn(10, "ASM", 0.5, 0.25)], author="t")
    api.patch(
        "/api/mps/SUB/lines", json={"lines": [{"week": "2026-12-16", "qty": 40}]}, headers=planner
    )
    (asm,) = api.get("/api/mps/SUB/rough-cut?weeks=5", headers=planner).json()
    assert asm["work_center"] == "ASM" and asm["items"] == ["SUB"]
    # 0.5 + 40 × 0.25 = 10.5 h of 7 (one hour a day, every day) in the week of 12-14
    assert [(w["hours"], w["available"], w["over"]) for w in asm["weeks"]][3] == (10.5, 7, True)
    assert [w["hours"] for w in asm["weeks"]] == [0, 0, 0, 10.5, 0]

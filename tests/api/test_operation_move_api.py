"""``POST /api/production-orders/{number}/operations/{sequence}/move``: one operation's
move through the API, on the shop of tests/services/test_operation_move.py (the company
of tests/_board_company.py, ASM and PNT 8 h a day), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from _board_company import FA_MO, add_routings, build_firm
from pegboard import db

Headers = dict[str, str]
URL = f"/api/production-orders/{FA_MO}/operations/20/move"


def _shop(engine: Engine, *, schedule: bool = True) -> None:
    with db.session_factory(engine)() as s:
        build_firm(s)
        add_routings(s, schedule=schedule)  # FA's 10 at ASM on 12-18..12-19, 20 at PNT 12-20


def _moves(api: TestClient, headers: Headers) -> list[dict[str, object]]:
    got = api.get(
        f"/api/audit?entity=production_order&ref={FA_MO}&action=move_operation", headers=headers
    )
    assert got.status_code == 200, got.text
    entries: list[dict[str, object]] = got.json()
    return entries


def test_a_dry_run_answers_and_a_move_is_saved(
    engine: Engine, api: TestClient, as_role: Callable[[str], Headers]
) -> None:
    _shop(engine)
    planner = as_role("planner")
    got = api.post(URL, json={"start": "2026-12-26"}, headers=planner)
    assert got.status_code == 200, got.text
    body = got.json()
    assert (body["accepted"], body["saved"], body["scheduled"]) == (True, False, True)
    assert (body["start_before"], body["end_after"], body["free"]) == (
        "2026-12-20",
        "2026-12-26",
        8.0,
    )
    assert body["completion_after"] == "2026-12-26"
    assert [(x["line"], x["days_late"]) for x in body["late_lines"]] == [("SO-A/1", 3)]
    assert _moves(api, planner) == []
    got = api.post(URL, json={"start": "2026-12-22", "dry_run": False}, headers=planner)
    assert got.status_code == 200, got.text
    assert got.json()["saved"] is True
    rows = api.get("/api/capacity/schedule/operations?work_center=PNT", headers=planner)
    assert rows.status_code == 200, rows.text  # the dispatch list reads the stored schedule
    assert [
        (r["order"], r["sequence"], r["start"], r["end"], r["pinned"]) for r in rows.json()
    ] == [(FA_MO, 20, "2026-12-22", "2026-12-22", True)]
    [entry] = _moves(api, planner)
    assert entry["before"] == {
        "sequence": 20,
        "work_center": "PNT",
        "start_date": "2026-12-20",
        "end_date": "2026-12-20",
        "pinned": False,
    }
    # the next schedule keeps it there; unpinned, the one after puts it back
    assert api.post("/api/capacity/schedule", headers=planner).json()["pinned"] == [f"{FA_MO}/20"]
    rows = api.get("/api/capacity/schedule/operations?work_center=PNT", headers=planner)
    assert [r["start"] for r in rows.json()] == ["2026-12-22"]
    gone = api.delete(f"/api/production-orders/{FA_MO}/operations/20/pin", headers=planner)
    assert gone.status_code == 200, gone.text
    assert (gone.json()["start"], gone.json()["work_center"]) == ("2026-12-22", "PNT")
    assert api.post("/api/capacity/schedule", headers=planner).json()["pinned"] == []
    rows = api.get("/api/capacity/schedule/operations?work_center=PNT", headers=planner)
    assert [(r["start"], r["pinned"]) for r in rows.json()] == [("2026-12-20", False)]


def test_a_refused_move_is_a_409_with_the_reasons_and_nothing_written(
    engine: Engine, api: TestClient, as_role: Callable[[str], Headers]
) -> None:
    _shop(engine)
    planner = as_role("planner")
    got = api.post(URL, json={"start": "2026-12-18"}, headers=planner)
    assert got.status_code == 200 and got.json()["accepted"] is False
    assert got.json()["reasons"] == [
        "operation 20 would start on 2026-12-18, before operation 10 (ASM) ends on 2026-12-19"
    ]
    got = api.post(URL, json={"start": "2026-12-18", "dry_run": False}, headers=planner)
    assert got.status_code == 409, got.text
    assert "before operation 10 (ASM) ends on 2026-12-19" in got.text
    got = api.post(
        URL, json={"start": "2026-12-22", "work_center": "NOPE", "dry_run": False}, headers=planner
    )
    assert got.status_code == 404 and "no work center 'NOPE'" in got.text
    got = api.post(URL, json={"start": "2026-12-22", "extra": 1}, headers=planner)
    assert got.status_code == 422
    assert _moves(api, planner) == []


def test_without_a_schedule_a_move_is_pinned_for_the_next_one(
    engine: Engine, api: TestClient, as_role: Callable[[str], Headers]
) -> None:
    _shop(engine, schedule=False)
    planner = as_role("planner")
    got = api.post(URL, json={"start": "2026-12-24"}, headers=planner)
    assert got.status_code == 200 and got.json()["scheduled"] is False
    assert got.json()["note"] == ""
    got = api.post(URL, json={"start": "2026-12-24", "dry_run": False}, headers=planner)
    assert got.status_code == 200, got.text
    assert got.json()["saved"] is True
    assert "the next 'pegboard schedule' places it there" in got.json()["note"]
    pins = api.get(f"/api/production-orders/{FA_MO}/pins", headers=as_role("viewer"))
    assert pins.status_code == 200, pins.text
    assert [(p["sequence"], p["work_center"], p["start"], p["end"]) for p in pins.json()] == [
        (20, "PNT", "2026-12-24", "2026-12-24")
    ]
    api.post("/api/capacity/schedule", headers=planner)
    rows = api.get("/api/capacity/schedule/operations?work_center=PNT", headers=planner)
    assert [(r["start"], r["pinned"]) for r in rows.json()] == [("2026-12-24", True)]


def test_unpinning_what_is_not_pinned_is_a_404_and_a_viewer_may_not_unpin(
    engine: Engine, api: TestClient, as_role: Callable[[str], Headers]
) -> None:
    _shop(engine)
    pin = f"/api/production-orders/{FA_MO}/operations/20/pin"
    got = api.delete(pin, headers=as_role("planner"))
    assert got.status_code == 404 and "operation 20 is not pinned" in got.text
    assert api.delete(pin, headers=as_role("viewer")).status_code == 403


def test_a_viewer_may_not_move(
    engine: Engine, api: TestClient, as_role: Callable[[str], Headers]
) -> None:
    _shop(engine)
    got = api.post(URL, json={"start": "2026-12-22"}, headers=as_role("viewer"))
    assert got.status_code == 403

"""``POST /api/plan/planned-orders/{number}/operations/{sequence}/move``: a planned make
order's operation moved through the API firms the order and pins the operation
(services.firm_pin), on the company of tests/_board_company.py planned but not firmed
(FA's 10 at ASM on 12-21..12-22 by the backward load, SUB's 10 on 12-16..12-18), on
SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from _board_company import add_routings
from _board_company import dataset as board_dataset
from pegboard import db
from pegboard.model import Item, PlannedOrder
from pegboard.services.company_data import replace_company
from pegboard.services.planning import run_plan

Headers = dict[str, str]


def _planned_fa(engine: Engine) -> str:
    with db.session_factory(engine)() as s:
        replace_company(s, board_dataset(), author="import")
        add_routings(s, schedule=False)
        run_plan(s, author="planner")
        with s.begin():
            return s.scalars(
                select(PlannedOrder.number)
                .join(Item, Item.id == PlannedOrder.item_id)
                .where(Item.code == "FA")
            ).one()


def test_a_check_answers_a_save_firms_and_pins_a_refusal_firms_nothing(
    engine: Engine, api: TestClient, as_role: Callable[[str], Headers]
) -> None:
    fa = _planned_fa(engine)
    url = f"/api/plan/planned-orders/{fa}/operations/10/move"
    planner = as_role("planner")
    got = api.post(url, json={"start": "2026-12-19"}, headers=planner)
    assert got.status_code == 200, got.text
    body = got.json()
    assert (body["planned"], body["number"], body["accepted"], body["saved"]) == (
        fa,
        "MO-000001",
        True,
        False,
    )
    assert (body["move"]["start_after"], body["move"]["end_after"], body["move"]["free"]) == (
        "2026-12-19",
        "2026-12-20",
        16.0,
    )
    assert api.get("/api/production-orders", headers=planner).json()["items"] == []
    refused = api.post(url, json={"start": "2026-12-16", "dry_run": False}, headers=planner)
    assert refused.status_code == 409, refused.text
    assert "only 0 h free" in refused.text
    assert api.get("/api/production-orders", headers=planner).json()["items"] == []
    viewer = api.post(
        url, json={"start": "2026-12-19", "dry_run": False}, headers=as_role("viewer")
    )
    assert viewer.status_code == 403
    saved = api.post(url, json={"start": "2026-12-19", "dry_run": False}, headers=planner)
    assert saved.status_code == 200, saved.text
    assert saved.json()["saved"] is True
    assert saved.json()["message"].startswith(
        f"Planned order {fa} became production order MO-000001, operation 10 at ASM "
        "2026-12-19 to 2026-12-20 pinned there"
    )
    [mo] = api.get("/api/production-orders", headers=planner).json()["items"]
    assert mo["number"] == "MO-000001"
    pins = api.get("/api/production-orders/MO-000001/pins", headers=planner).json()
    assert [(p["sequence"], p["work_center"], p["start"], p["end"]) for p in pins] == [
        (10, "ASM", "2026-12-19", "2026-12-20")
    ]
    again = api.post(url, json={"start": "2026-12-19"}, headers=planner)
    assert again.status_code == 409 and "firmed already as MO-000001" in again.text
    bad = api.post(url, json={"start": "2026-12-19", "extra": 1}, headers=planner)
    assert bad.status_code == 422


def test_a_whole_planned_order_moved_through_the_api(
    engine: Engine, api: TestClient, as_role: Callable[[str], Headers]
) -> None:
    fa = _planned_fa(engine)
    url = f"/api/plan/planned-orders/{fa}/move"
    planner = as_role("planner")
    check = api.post(url, json={"finish": "2026-12-26"}, headers=planner)
    assert check.status_code == 200, check.text
    assert (check.json()["accepted"], check.json()["saved"]) == (True, False)
    assert check.json()["move"]["due_after"] == "2026-12-26"
    refused = api.post(url, json={"finish": "2026-12-17", "dry_run": False}, headers=planner)
    assert refused.status_code == 409, refused.text
    assert api.get("/api/production-orders", headers=planner).json()["items"] == []
    saved = api.post(url, json={"finish": "2026-12-26", "dry_run": False}, headers=planner)
    assert saved.status_code == 200, saved.text
    assert saved.json()["message"].startswith(
        f"Planned order {fa} became production order MO-000001, firm from"
    )
    [mo] = api.get("/api/production-orders", headers=planner).json()["items"]
    assert (mo["number"], mo["due_date"]) == ("MO-000001", "2026-12-26")

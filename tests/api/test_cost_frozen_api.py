"""``POST /api/sales-orders/{n}/status`` shipped freezes the order's lines, and
``/api/cost/…`` says per line whether its figures are live or frozen, and since when
(#16 item 6). SO-3 is the configured lamp of tests/services/test_final_cost_frozen.py,
nothing made: estimated 189.04, so a variance of −189.04 once frozen."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from _costing import add_open_lamp, build_shop, receive_profile_at
from pegboard import db


def test_marking_shipped_freezes_and_the_report_says_so(
    api: TestClient, as_role: Callable[[str], dict[str, str]], engine: Engine
) -> None:
    with db.session_factory(engine)() as session:
        add_open_lamp(build_shop(session))
    viewer = as_role("viewer")
    (live,) = api.get("/api/cost/orders/SO-3", headers=viewer).json()["lines"]
    assert (live["frozen"], live["frozen_at"]) == (False, None)

    moved = api.post(
        "/api/sales-orders/SO-3/status", json={"status": "shipped"}, headers=as_role("planner")
    )
    assert moved.status_code == 200, moved.text
    with db.session_factory(engine)() as session:
        receive_profile_at(session, "8.00")  # a live estimate would move by 9.68
    body = api.get("/api/cost/orders/SO-3", headers=viewer).json()
    (line,) = body["lines"]
    assert line["frozen"] is True and line["frozen_at"].startswith("20")
    assert (line["estimated"]["total"], line["variance"]["total"]) == ("189.04", "-189.04")
    assert line["estimated"] == live["estimated"]
    project = api.get("/api/cost/projects/ACME/HQ", headers=viewer).json()
    (so3,) = [o for o in project["orders"] if o["number"] == "SO-3"]
    assert so3["lines"][0]["frozen"] is True

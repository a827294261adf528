"""``POST /api/plan/firm``: planned buys and makes firmed together, all or none, on the
lighting sample, on SQLite and PostgreSQL. The refusals are those ``pegboard firm``
gives (tests/cli/test_firm_cli.py): one service, ``firm_selection``, does both."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from pegboard import db
from pegboard.bundle.importer import read_bundle
from pegboard.demo import demo_path
from pegboard.services.company_data import replace_company
from pegboard.services.planning import run_plan

Headers = dict[str, str]


def _to_release(api: TestClient, headers: Headers, kind: str) -> list[str]:
    url = f"/api/plan/planned-orders?type={kind}&limit=500"
    got = api.get(url, headers=headers)
    assert got.status_code == 200, got.text
    return [row["number"] for row in got.json()["items"]]


def _counts(api: TestClient, headers: Headers) -> tuple[int, int]:
    """How many purchase and production orders there are."""
    totals = []
    for url in ("/api/purchase-orders?limit=1", "/api/production-orders?limit=1"):
        got = api.get(url, headers=headers)
        assert got.status_code == 200, got.text
        totals.append(int(got.json()["total"]))
    return totals[0], totals[1]


def _refused(api: TestClient, headers: Headers, planned: list[str], status: int) -> Any:
    got = api.post("/api/plan/firm", json={"planned": planned}, headers=headers)
    assert got.status_code == status, got.text
    return got.json()["error"]["message"]


def test_a_mixed_firm_is_all_or_none(
    engine: Engine, api: TestClient, as_role: Callable[[str], Headers]
) -> None:
    planner, buyer = as_role("planner"), as_role("buyer")
    with db.session_factory(engine)() as s:
        replace_company(s, read_bundle(demo_path("lighting")), author="import")
        assert _refused(api, planner, ["PL-000001"], 409) == (
            "there is no plan yet: run `pegboard plan` first"
        )
        run_plan(s, author="planner")
    buys, makes = _to_release(api, planner, "buy"), _to_release(api, planner, "make")
    assert len(buys) >= 2 and len(makes) >= 2
    before = _counts(api, planner)

    # an order not in the plan, a make a buyer may not firm: nothing is firmed
    message = _refused(api, planner, [buys[0], "PL-999999"], 404)
    assert message == "no planned order 'PL-999999' in the current plan"
    assert _refused(api, buyer, [buys[0], makes[0]], 403) == (
        "your role may not firm planned make orders"
    )
    assert _counts(api, planner) == before
    assert buys[0] in _to_release(api, planner, "buy")

    # both kinds in one request (a repeated number counts once)
    got = api.post(
        "/api/plan/firm", json={"planned": [makes[0], buys[0], buys[1], buys[0]]}, headers=planner
    )
    assert got.status_code == 201, got.text
    done = got.json()
    assert len(done["production_orders"]) == 1 and done["purchase_orders"]
    assert _counts(api, planner) == (before[0] + len(done["purchase_orders"]), before[1] + 1)
    assert not {buys[0], buys[1]} & set(_to_release(api, planner, "buy"))
    assert makes[0] not in _to_release(api, planner, "make")
    assert _refused(api, planner, [buys[0]], 409).startswith(f"{buys[0]} was firmed already as PO-")

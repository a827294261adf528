"""The API's plan answers say when the plan is older than changes made since it ran
(issue #19): a field of the current plan and a header on every ``/api/plan`` answer."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from _clock import DEMO_DAY, pin_today
from pegboard import db
from pegboard.bundle.demo import demo_dataset
from pegboard.services.company_data import replace_company
from pegboard.services.planning import run_plan

Headers = dict[str, str]
HEADER = "x-pegboard-plan-out-of-date"


def test_the_current_plan_counts_the_changes_since_it_ran(
    api: TestClient, as_role: Callable[[str], Headers], engine: Engine
) -> None:
    with pin_today(DEMO_DAY):
        with db.session_scope(engine) as s:
            replace_company(s, demo_dataset("lighting", DEMO_DAY), author="test")
            run_plan(s, author="test", today=DEMO_DAY)
        viewer, keeper = as_role("viewer"), as_role("admin")
        current = api.get("/api/plan/runs/current", headers=viewer)
        assert current.status_code == 200 and HEADER not in current.headers
        assert current.json()["age"] == {
            "out_of_date": False,
            "days_behind": 0,
            "changes_since": 0,
            "last_change": None,
            "last_changed_at": None,
            "message": "",
        }

        changed = api.patch("/api/items/LED-BRD-24V-560", headers=keeper, json={"safety_stock": 90})
        assert changed.status_code == 200, changed.text
        current = api.get("/api/plan/runs/current", headers=viewer)
        age = current.json()["age"]
        assert age["out_of_date"] and age["changes_since"] == 1 and age["days_behind"] == 0
        assert age["last_change"] == "item LED-BRD-24V-560: safety stock changed"
        assert age["message"].startswith(
            "The plan is older than your changes (1 change since it ran, last: item "
            "LED-BRD-24V-560: safety stock changed, 2026-11-23 "
        )
        assert current.headers[HEADER] == "0 days behind; 1 change since it ran"
        listed = api.get("/api/plan/planned-orders", headers=viewer)
        assert (
            listed.status_code == 200
            and listed.headers[HEADER] == "0 days behind; 1 change since it ran"
        )

        with db.session_scope(engine) as s:
            run_plan(s, author="test", today=DEMO_DAY)
        current = api.get("/api/plan/runs/current", headers=viewer)
        assert current.json()["age"]["changes_since"] == 0 and HEADER not in current.headers

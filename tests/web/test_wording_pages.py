"""The pages' wording (issue #19 item 8): a count of one takes the singular (the plan
page, the planning time fence's message, the capacity page's week links, the scenario
chart's tooltips), and safety stock is named once, not as "safety stock safety_stock"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from fastapi.testclient import TestClient

from pegboard.services.scenario_compare import LineChange
from pegboard.web.scenario_chart import _tip


def test_pegging_names_safety_stock_once(
    web: TestClient, log_in: Callable[[str], str], sample: None
) -> None:
    log_in("petra")
    page = web.get("/pegging/items/LED-BRD-24V-560")
    assert page.status_code == 200
    assert "for safety stock" in page.text
    assert "safety_stock" not in page.text


def test_plan_page_counts_in_words(
    web: TestClient, log_in: Callable[[str], str], sample: None
) -> None:
    log_in("petra")
    page = web.get("/plan")
    assert page.status_code == 200
    assert " items, " in page.text and " demands</dd>" in page.text
    assert "1 items" not in page.text and "1 demands" not in page.text


def test_a_count_of_one_reads_singular_on_the_fence_capacity_and_scenario_chart(
    web: TestClient, log_in: Callable[[str], str], sample: None
) -> None:
    token = log_in("petra")
    saved = web.post("/mps/fence", data={"csrf_token": token, "days": "1"})
    assert saved.status_code == 200
    assert "The planning time fence is now 1 day;" in saved.text
    several = web.post("/mps/fence", data={"csrf_token": token, "days": "3"})
    assert "The planning time fence is now 3 days;" in several.text
    one_week = web.get("/capacity", params={"weeks": "1"}).text
    assert "← 1 week earlier" in one_week and "1 week later →" in one_week
    assert "1 weeks" not in one_week
    assert "← 4 weeks earlier" in web.get("/capacity", params={"weeks": "4"}).text
    day = date(2026, 12, 1)
    one_later = LineChange("SO-1/1", day, day, day + timedelta(days=1), 0, 0)
    assert _tip(one_later, "A", "B").endswith("(+1 day)")
    two_earlier = LineChange("SO-1/1", day, day, day - timedelta(days=2), 0, 0)
    assert _tip(two_earlier, "A", "B").endswith("(-2 days)")


def test_a_line_moved_one_day_earlier_reads_singular_in_the_scenario_chart() -> None:
    day = date(2026, 12, 1)
    one_earlier = LineChange("SO-1/1", day, day, day - timedelta(days=1), 0, 0)
    assert _tip(one_earlier, "A", "B").endswith("(-1 day)")
    one_later = LineChange("SO-1/1", day, day, day + timedelta(days=1), 0, 0)
    assert _tip(one_later, "A", "B").endswith("(+1 day)")

"""The pages' wording (issue #19 item 8): a count of one takes the singular, and safety
stock is named once, not as "safety stock safety_stock"."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient


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

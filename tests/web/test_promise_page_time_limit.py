"""The promise page computes in a worker process under the same time limit as the API
(issue #20, item 1): the heaviest product the limits allow, asked with a limit it
cannot meet, gets the page with the clear refusal (422), not a hung server."""

from __future__ import annotations

from collections.abc import Callable
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from _hostile import HOSTILE, load_hostile_company


def test_the_page_refuses_a_promise_past_the_time_limit(
    web: TestClient,
    log_in: Callable[[str], str],
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    load_hostile_company(engine)
    log_in("petra")
    monkeypatch.setenv("PEGBOARD_PROMISE_WORKERS", "1")
    monkeypatch.setenv("PEGBOARD_PROMISE_TIME_LIMIT", "120")
    assert web.get("/promise", params={"item": "LR-7040", "qty": "1"}).status_code == 200
    monkeypatch.setenv("PEGBOARD_PROMISE_TIME_LIMIT", "0.1")
    page = web.get("/promise", params={"item": HOSTILE, "qty": "1", "p.x": "99.5"})
    assert page.status_code == 422, page.text
    text = unescape(page.text)
    assert "too large to promise here" in text
    assert f"pegboard promise {HOSTILE} 1 --param x=99.5" in text
    assert 'name="p.x" value="99.5"' in page.text  # the question stays on the form
    assert web.get("/api/health").status_code == 200

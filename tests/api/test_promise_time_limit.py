"""``POST /api/promise`` runs in a worker process under a time limit (issue #20, item 1):
the heaviest product the limits allow, asked with a limit it cannot meet, gets a clear
422 naming the command to run instead, while the server keeps answering
``/api/health``; the worker is replaced and the next promise is answered."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import Engine

from _hostile import HOSTILE, load_hostile_company

Headers = dict[str, str]
RUN = {"length_m": 14.56, "finish": "black", "control": "dali", "emergency": True}


def test_a_promise_past_the_time_limit_is_refused_and_the_server_keeps_answering(
    api: TestClient,
    engine: Engine,
    as_role: Callable[[str], Headers],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lines = load_hostile_company(engine)
    viewer = as_role("viewer")
    monkeypatch.setenv("PEGBOARD_PROMISE_WORKERS", "1")
    monkeypatch.setenv("PEGBOARD_PROMISE_TIME_LIMIT", "120")
    plain = api.post(
        "/api/promise", json={"item": "LR-7040", "qty": 1, "params": RUN}, headers=viewer
    )
    assert plain.status_code == 200, plain.text  # the worker is up (its start is not timed)

    monkeypatch.setenv("PEGBOARD_PROMISE_TIME_LIMIT", "0.1")
    answer: list[Response] = []
    asked = threading.Thread(
        target=lambda: answer.append(
            api.post(
                "/api/promise",
                json={"item": HOSTILE, "qty": 1, "params": {"x": 99.5}},
                headers=viewer,
            )
        )
    )
    health: list[int] = []
    asked.start()
    while asked.is_alive():
        health.append(api.get("/api/health").status_code)
        time.sleep(0.01)
    asked.join()
    refused = answer[0]
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert error["code"] == "too_much_work"
    assert "too large to promise here" in error["message"]
    assert f"run `pegboard promise {HOSTILE} 1 --param x=99.5`" in error["message"]
    assert health and set(health) == {200}  # answered while the promise ran

    monkeypatch.setenv("PEGBOARD_PROMISE_TIME_LIMIT", "120")
    again = api.post(
        "/api/promise", json={"item": HOSTILE, "qty": 1, "params": {"x": 99.5}}, headers=viewer
    )
    assert again.status_code == 200, again.text  # a new worker, and within a real limit
    assert again.json()["configured"] is True and len(again.json()["lines"]) == lines + 1

"""Issue 17's story, from the demo: a planner copies the company, adds a big order in
the copy, plans it, and sees which existing orders it makes later and what must be
bought; the live company and its plan are untouched (both databases)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from pegboard import clock
from pegboard.cli import app
from pegboard.model import Base
from pegboard.services import scenario_compare, scenarios


def _pegboard(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result.output


def _digest(engine: Engine) -> str:
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = sorted(repr(tuple(row)) for row in conn.execute(select(table)))
            digest.update(repr((table.name, rows)).encode())
    engine.dispose()
    return digest.hexdigest()


def test_a_big_order_tried_in_a_copy(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEGBOARD_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.delenv("PEGBOARD_SCENARIO", raising=False)
    _pegboard("demo", "--no-serve")  # the lighting company, planned at finite capacity
    engine.dispose()
    live_before, late_before = _digest(engine), _pegboard("report", "late")
    try:
        _pegboard("scenario", "create", "big-order")
        s = ("--scenario", "big-order")
        number = _pegboard(*s, "order", "create", "--customer", "Calder Hotels").split()[-1]
        due = (clock.today() + timedelta(days=7)).isoformat()
        # 60 DALI driver trays, a stocked sub-assembly the fixtures of other orders use
        _pegboard(*s, "order", "add-line", number, "--item", "SA-DRVTRAY-40D", "--qty", "60",
                  "--due", due, "--price", "250")  # fmt: skip
        _pegboard(*s, "order", "confirm", number)
        _pegboard(*s, "plan", "--finite")

        result = scenario_compare.compare("live", "big-order")
        assert result.notes == []  # both planned at finite capacity: like with like
        assert [c.demand for c in result.added] == [f"{number}/1"]
        hit = {c.demand for c in [*result.later, *result.newly_late]}
        assert "SO-1001/1" in hit  # its fixtures wait for trays the new order took
        assert result.earlier == [] and result.removed == []
        bought = {s.item for s in result.supply if s.type == "buy" and s.change > 0}
        made = {s.item for s in result.supply if s.type == "make" and s.change > 0}
        assert "DRV-DALI-40W" in bought and "SA-DRVTRAY-40D" in made
        assert any(c.order == number for c in result.costs)

        out = _pegboard("scenario", "compare", "live", "big-order")
        assert "SO-1001/1" in out and "DRV-DALI-40W" in out and f"{number}/1" in out

        # the live company, its plan and its late lines are as they were
        assert _digest(engine) == live_before
        assert _pegboard("report", "late") == late_before
        assert f"{number}/1" in _pegboard(*s, "report", "pegging", number)
    finally:
        engine.dispose()
        for name in scenarios.names():
            scenarios.delete(name)

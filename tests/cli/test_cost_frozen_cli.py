"""``pegboard order status SO-3 shipped`` freezes the order's lines as shipping does, and
``pegboard cost order|project`` says per line whether its figures are live or frozen, and
since when (#16 item 6). SO-3 is the configured lamp of
tests/services/test_final_cost_frozen.py, nothing made: estimated 189.04."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from _costing import add_open_lamp, build_shop
from pegboard import db
from pegboard.cli import app
from pegboard.model import LineFinalCost


@pytest.fixture
def run(engine: Engine):  # type: ignore[no-untyped-def]
    with db.session_factory(engine)() as session:
        add_open_lamp(build_shop(session))
    url = engine.url.render_as_string(hide_password=False)

    def invoke(*args: str, code: int = 0) -> str:
        env = {"PEGBOARD_DATABASE_URL": url, "COLUMNS": "250"}
        result = CliRunner().invoke(app, list(args), env=env)
        assert result.exit_code == code, result.output
        assert "Traceback" not in result.output
        return result.output

    return invoke


def _rows(out: str) -> dict[str, dict[str, str]]:
    return {r["what"]: r for r in csv.DictReader(io.StringIO(out))}


def test_marking_shipped_freezes_and_the_report_says_so(run, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    before = _rows(run("cost", "order", "SO-3", "--csv"))
    assert before["SO-3/1 LAMP-SO-3-1"]["figures"] == "live"

    assert "SO-3 shipped" in run("order", "status", "SO-3", "shipped")
    with db.session_factory(engine)() as session, session.begin():
        (row,) = session.scalars(select(LineFinalCost)).all()
        when = f"frozen {row.frozen_at:%Y-%m-%d %H:%M} UTC"
    line = _rows(run("cost", "order", "SO-3", "--csv"))["SO-3/1 LAMP-SO-3-1"]
    assert (line["figures"], line["estimated"], line["variance"]) == (when, "189.04", "-189.04")
    table = run("cost", "project", "ACME", "HQ")
    assert "frozen" in table
    refused = run("order", "status", "SO-3", "confirmed", code=1)
    assert "SO-3 is shipped; it cannot become confirmed" in refused

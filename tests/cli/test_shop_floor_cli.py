"""The shop floor from the command line (#15 item 6): a work center's dispatch list, and
an operation started and finished with the hours worked, on the welding shop of
``tests/_shop_floor.py`` (figures by hand there), both databases."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from _shop_floor import build
from pegboard import db
from pegboard.cli import app


def _run(engine: Engine, *args: str, code: int = 0) -> str:
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(
        app, list(args), env={"PEGBOARD_DATABASE_URL": url, "COLUMNS": "250", "USER": "olga"}
    )
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result.output


@pytest.fixture
def shop(engine: Engine) -> Engine:
    with db.session_factory(engine)() as session:
        build(session)
    return engine


def test_dispatch_start_and_finish(shop: Engine) -> None:
    out = _run(shop, "capacity", "dispatch", "WELD", "--today", "2026-11-23", "--csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["order"], r["hours"], r["status"]) for r in rows] == [
        ("MO-B", "2.50", "waiting"),
        ("MO-D", "2.00", "waiting"),
        ("MO-A", "4.50", "waiting"),
        ("MO-C", "1.50", "not released"),
    ]
    assert rows[0]["material"] == "waiting: TUBE 4 from PO-1/1 on 2026-12-01"
    assert rows[1]["material"] == "ready"
    assert "MO-D operation 10 started" in _run(shop, "mo", "op-start", "MO-D", "10")
    finished = _run(shop, "mo", "op-finish", "MO-D", "10", "--hours", "1.75")
    assert "MO-D operation 10 finished: 1.75 h worked" in finished
    assert "1 of 1 operation done" in finished
    shown = _run(shop, "mo", "show", "MO-D")
    assert "Operations of MO-D: 1 of 1 operation done" in shown
    again = _run(shop, "capacity", "dispatch", "WELD", "--today", "2026-11-23", "--csv")
    assert [r["order"] for r in csv.DictReader(io.StringIO(again))] == ["MO-B", "MO-A", "MO-C"]


def test_bad_input_is_refused_clearly(shop: Engine) -> None:
    early = _run(shop, "mo", "op-finish", "MO-A", "10", "--hours", "1", code=1)
    assert "MO-A operation 10 has not started: start it before finishing it" in early
    _run(shop, "mo", "op-start", "MO-A", "10")
    negative = _run(shop, "mo", "op-finish", "MO-A", "10", "--hours", "-2", code=1)
    assert "hours worked must be a number >= 0, not -2" in negative
    unknown = _run(shop, "mo", "op-start", "MO-A", "30", code=1)
    assert "MO-A has no operation 30 (its operations: 10, 20)" in unknown
    assert "no work center 'PAINT'" in _run(shop, "capacity", "dispatch", "PAINT", code=1)

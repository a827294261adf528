"""``pegboard policy`` on the sample company and on the hand-worked company of the service test."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from pegboard import db
from pegboard.cli import app
from pegboard.services.company_data import replace_company

sys.path.insert(0, str(Path(__file__).parents[1] / "services"))
from test_policy import company


@pytest.fixture
def run(engine: Engine, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    with db.session_factory(engine)() as s:
        replace_company(s, company(), author="import")
    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("COLUMNS", "250")  # rich reads it on each print
    runner = CliRunner()

    def invoke(*args: str, code: int = 0, input: str | None = None) -> str:
        result = runner.invoke(
            app, list(args), input=input, env={"PEGBOARD_DATABASE_URL": url, "COLUMNS": "250"}
        )
        assert result.exit_code == code, result.output
        assert "Traceback" not in result.output
        return result.output

    return invoke


def test_run_then_show_csv_and_table(run) -> None:  # type: ignore[no-untyped-def]
    out = run("policy", "run")
    assert "policy run 1 as of" in out and "2 MTS items, 2 to order" in out
    rows = list(csv.DictReader(io.StringIO(run("policy", "show", "--csv"))))
    assert [(r["item"], r["order"], r["Q"], r["suggest"]) for r in rows] == [
        ("C", "ORDER", "125", "125"),
        # no unit cost, so no EOQ: Q = ADU × L = 0.4 × 6 = 2.4 -> 3 pieces; ROP 7: 3 × 3
        ("SUB", "ORDER", "3", "9"),
    ]
    assert (rows[0]["SS"], rows[0]["ROP"]) == ("9", "15")
    out = run("policy", "show", "--items", "C")
    assert "ORDER" in out and "SUB" not in out
    said = " ".join(out.split())  # the note wraps at the terminal's width
    assert "policy run 1, computed" in said and "`pegboard policy run` refreshes it" in said
    out = run("policy", "show", "--search", "su", "--sort", "-adu")
    assert "SUB" in out and "C " not in out.split("refreshes it")[-1].replace("SUB", "")


def test_show_computes_a_run_when_there_is_none(run) -> None:  # type: ignore[no-untyped-def]
    out = run("policy", "show")
    assert "no policy run yet: computing one" in out and "policy run 1 as of" in out
    assert "DIF" not in out and "ORDER" in out


def test_explain_set_and_apply(run) -> None:  # type: ignore[no-untyped-def]
    assert "no policy run yet" in run("policy", "explain", "C", code=1)
    run("policy", "run")
    out = run("policy", "explain", "C")
    assert "= 8.12, up to whole units: 9" in out and "EOQ" in out and "2026-11-25" in out
    assert "extrapolated from the need of the 20-day window" in " ".join(out.split())
    out = run("policy", "set", "C", "--buffer", "--ordering-cost", "60")
    assert "60" in out and "policy run" in out
    assert "TOG" not in run("policy", "explain", "C")  # counts from the next run
    run("policy", "run")
    assert "TOG" in run("policy", "explain", "C")
    run("policy", "set", "C", "--no-buffer")
    run("policy", "run")
    out = run("policy", "apply", "--items", "C", input="n\n", code=1)
    assert "safety_stock" in out and "nothing written" in out
    out = run("policy", "apply", "--items", "C", "--yes")
    assert "1 item changed" in out
    assert "nothing to change" in run("policy", "apply", "--items", "C", "--yes")


def test_errors(run) -> None:  # type: ignore[no-untyped-def]
    assert "no item 'NOPE'" in run("policy", "explain", "NOPE", code=1)
    assert "service_level" in run("policy", "run", "--service-level", "2", code=1)
    run("policy", "run")
    assert "make-to-order" in run("policy", "explain", "FA", code=1)
    assert "cannot sort by 'nope'" in run("policy", "show", "--sort", "nope", code=1)

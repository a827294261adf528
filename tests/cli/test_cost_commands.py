"""``pegboard cost order|project|item`` and ``pegboard stock value|check`` on the story of
tests/services/test_actual_cost_story.py (its figures by hand), both databases."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from _costing import build_shop, execute
from pegboard import db
from pegboard.cli import app


@pytest.fixture
def run(engine: Engine, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    with db.session_factory(engine)() as session:
        execute(build_shop(session))
    url = engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    monkeypatch.setenv("COLUMNS", "250")

    def invoke(*args: str, code: int = 0) -> str:
        result = runner.invoke(
            app, list(args), env={"PEGBOARD_DATABASE_URL": url, "COLUMNS": "250"}
        )
        assert result.exit_code == code, result.output
        return result.output

    return invoke


def rows(output: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(output)))


def test_cost_order_splits_the_variance(run) -> None:  # type: ignore[no-untyped-def]
    (line,) = rows(run("cost", "order", "SO-1", "--csv"))
    assert line["what"] == "SO-1/1 LAMP-SO-1-1"
    assert [line[k] for k in ("estimated", "actual", "price", "usage", "scrap")] == [
        "211.44",
        "130.85",
        "-19.25",
        "5.40",
        "16.80",
    ]
    assert [line[k] for k in ("labour", "overhead", "variance", "revenue", "margin")] == [
        "-67.00",
        "-16.55",
        "-80.60",
        "450.00",
        "319.16",
    ]
    out = run("cost", "order", "SO-1")
    assert "actual cost 130.85, variance -80.60, margin 319.16 (EUR)" in out
    assert "material 110.40 → 118.95, labour 71.00 → 0.00, overhead 30.04 → 11.90" in out
    assert "of which scrap: 18.65" in out


def test_cost_project_and_item(run) -> None:  # type: ignore[no-untyped-def]
    (order,) = rows(run("cost", "project", "ACME", "HQ", "--csv"))
    assert (order["what"], order["actual"], order["margin"]) == ("SO-1", "130.85", "319.16")
    run("cost", "project", "ACME", "NOPE", code=1)
    out = run("cost", "item", "PROFILE")
    assert "unit cost 5.0000, moving average 5.7500, last purchase 6.0000" in out
    assert "13.4 in stock worth 77.05" in out
    (mo,) = rows(run("cost", "item", "LAMP-SO-1-1", "--csv"))
    assert (mo["production order"], mo["actual"], mo["unit"]) == ("MO-1-1", "130.85", "65.42")


def test_stock_value_and_check(run) -> None:  # type: ignore[no-untyped-def]
    found = {r["item"]: r for r in rows(run("stock", "value", "--csv"))}
    assert (found["PROFILE"]["value"], found["PROFILE"]["average cost"]) == ("77.05", "5.7500")
    assert found["SENSOR"]["value"] == "60.00"
    assert "LAMP-SO-1-1" not in found  # shipped
    assert "total" in run("stock", "value")
    assert "agree (quantities and values)" in run("stock", "check")
    run("stock", "value", "--item", "NOPE", code=1)

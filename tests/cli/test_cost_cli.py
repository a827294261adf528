"""``pegboard order cost``, ``order add-line --price``, ``project show`` with money (#16).

The shop and its figures by hand are those of tests/services/test_costing.py.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from _costing import build_shop
from pegboard import db
from pegboard.cli import app


@pytest.fixture
def run(engine: Engine, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    with db.session_factory(engine)() as session:
        build_shop(session)
    url = engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    monkeypatch.setenv("COLUMNS", "250")  # rich reads it on each print

    def invoke(*args: str, code: int = 0) -> str:
        result = runner.invoke(
            app, list(args), env={"PEGBOARD_DATABASE_URL": url, "COLUMNS": "250"}
        )
        assert result.exit_code == code, result.output
        return result.output

    return invoke


def row(output: str, first: str) -> list[str]:
    for line in output.splitlines():
        cells = [c.strip() for c in line.strip().strip("│┃").split("│")]
        if cells and cells[0] == first:
            return cells
    raise AssertionError(f"no row {first!r} in:\n{output}")


def test_the_cost_of_a_configured_line(run) -> None:  # type: ignore[no-untyped-def]
    out = run("order", "cost", "SO-1", "1")
    assert row(out, "1")[1:] == [
        "BODY-SO-1-1.1",
        "2",
        "BOM-SO-1-1.1",
        "RT-BOM-SO-1-1.1",
        "0.9",
        "38.40",
        "27.00",
        "12.84",
        "78.24",
    ]
    assert row(out, "0")[-4:] == ["106.40", "71.00", "29.64", "207.04"]
    assert "4.4 × PROFILE (+10 % scrap) @ 6.00 (last purchase PO-" in out
    assert "Quoted price: 2 × 250.00 less 10 % = 450.00 EUR; margin 242.96 (53.99 %)" in out
    assert "Premium of customization: 66.40 over the default configuration" in out
    assert "finish = black (default white): 4.40" in out
    assert "sensor = yes (default no): 44.00" in out
    assert "hand edits, order routings, options together: 18.00" in out


def test_the_levels_as_csv(run) -> None:  # type: ignore[no-untyped-def]
    out = run("order", "cost", "SO-1", "1", "--csv")
    lines = out.splitlines()
    assert lines[0] == "level,item,qty,from,routing,hours,material,labour,overhead,total"
    assert lines[1] == "0,LAMP-SO-1-1,2,BOM-SO-1-1,RT-BOM-SO-1-1,1,106.40,71.00,29.64,207.04"


def test_a_price_typed_and_the_order_total(run) -> None:  # type: ignore[no-untyped-def]
    assert (
        run(
            "order",
            "add-line",
            "SO-1",
            "--item",
            "PROFILE",
            "--qty",
            "3",
            "--due",
            "2027-01-11",
            "--price",
            "7",
        ).strip()
        == "SO-1/2"
    )
    run("order", "change", "SO-1", "2", "--discount", "0")
    out = run("order", "cost", "SO-1")
    assert row(out, "SO-1/2")[4:] == [
        "7.00",
        "0",
        "21.00",
        "18.00",
        "0.00",
        "1.80",
        "19.80",
        "1.20",
        "5.71",
        "",
    ]
    assert "Order: revenue 471.00, estimated cost 226.84" in out
    assert "margin 244.16 (51.84 %)" in out


def test_amounts_are_grouped_in_tables_and_plain_numbers_in_csv(run) -> None:  # type: ignore[no-untyped-def]
    """A spreadsheet reads ``1568.00`` as a number; ``1,568.00`` would be text."""
    run("order", "change", "SO-1", "1", "--price", "1000", "--discount", "0")
    assert row(run("order", "cost", "SO-1"), "SO-1/1")[4:7] == ["1,000.00", "0", "2,000.00"]
    lines = run("order", "cost", "SO-1", "--csv").splitlines()
    assert lines[1].split(",")[4:7] == ["1000.00", "0", "2000.00"]


def test_bad_prices_are_one_line(run) -> None:  # type: ignore[no-untyped-def]
    out = run(
        "order",
        "add-line",
        "SO-1",
        "--item",
        "PROFILE",
        "--qty",
        "3",
        "--due",
        "2027-01-11",
        "--price",
        "7.123",
        code=1,
    )
    assert out.strip() == "error: unit_price 7.123: at most two decimals (cents)"
    out = run("order", "change", "SO-1", "1", "--price", "-3", code=1)
    assert "must not be negative" in out and "Traceback" not in out


def test_the_project_shows_its_margin(run) -> None:  # type: ignore[no-untyped-def]
    out = run("project", "show", "ACME", "HQ")
    assert row(out, "SO-1")[-4:] == ["450.00", "207.04", "242.96", "53.99"]
    assert "Project: revenue 450.00, estimated cost 207.04, margin 242.96 (53.99 %)" in out
    assert "premium of customization 66.40 EUR" in out


def test_a_promise_quotes_the_cost_and_the_margin(run) -> None:  # type: ignore[no-untyped-def]
    run("plan")
    out = run(
        "promise",
        "LAMP",
        "2",
        "--param",
        "length_m=2",
        "--param",
        "finish=black",
        "--param",
        "sensor=yes",
        "--price",
        "120",
    )
    assert (
        "Estimated cost 189.04 EUR (94.52 a unit: material 106.40, labour 57.50, overhead "
        "25.14); at 120.00 a unit: revenue 240.00, margin 50.96 (21.23 %)"
    ) in out
    bad = run("promise", "LAMP", "2", "--price", "12.345", code=1)
    assert "at most two decimals" in bad


def test_the_money_settings(run) -> None:  # type: ignore[no-untyped-def]
    assert run("money", "show").strip() == (
        "currency EUR; overhead 10.00 per routing hour and 10 % of material"
    )
    out = run("money", "set", "--currency", "chf", "--overhead-pct-of-material", "7.5")
    assert out.strip() == "currency CHF; overhead 10.00 per routing hour and 7.5 % of material"
    assert "ISO 4217" in run("money", "set", "--currency", "EURO", code=1)
    assert "207.04" not in run("order", "cost", "SO-1", "1")  # less overhead now

"""The steps of issue #14, item 1, as typed: a sensor added to an order BOM by hand
survives ``order change``; ``order configure`` names the hand edits it would drop and
needs ``--discard-edits``; ``order history`` shows every line it changed, and what each
change did to the production orders."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from pegboard.cli import app
from pegboard.demo import demo_path

PARAMS = ("length_m=14.56", "finish=black", "control=dali", "emergency=yes")


def test_a_hand_edit_survives_a_change_and_a_reconfigure_asks(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    monkeypatch.setenv("COLUMNS", "250")  # rich reads it on each print

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(
            app, list(args), env={"PEGBOARD_DATABASE_URL": url, "COLUMNS": "250"}
        )
        assert result.exit_code == code, result.output
        return result.output

    run("import", str(demo_path("lighting")))
    number = run("order", "create", "--customer", "Hartwell Construction").strip()
    run("order", "add-line", number, "--item", "LR-7040", "--qty", "4", "--due", "2027-01-04")
    run("order", "confirm", number)
    params = [a for p in PARAMS for a in ("--param", p)]
    run("order", "configure", number, "1", *params)
    top = f"BOM-{number}-1"

    run("order", "bom-edit", top, "--component", "SNS-PIR-010V", "--qty", "2")
    assert "2 × SNS-PIR-010V" in run("order", "change", number, "1", "--due", "2027-01-20") + run(
        "order", "show", number
    )
    assert "2 × SNS-PIR-010V" in run("order", "change", number, "1", "--qty", "6") + run(
        "order", "show", number
    )

    refused = run("order", "configure", number, "1", *params, code=1)
    assert "hand edits that re-configuring drops" in refused
    assert f"{top}: SNS-PIR-010V × 2 added" in refused and "--discard-edits" in refused
    assert "SNS-PIR-010V" in run("order", "show", number)

    out = run("order", "configure", number, "1", *params, "--discard-edits")
    assert "SNS-PIR-010V" not in out
    history = run("order", "history", number)
    assert "dropped_edits" in history and "SNS-PIR-010V" in history
    # each change says what it did to the production orders, before and after
    mo = "MO-" + number.removeprefix("SO-") + "-1"
    assert f"{mo}: qty 4, start " in history and ", due 2027-01-20 → qty 6, start " in history

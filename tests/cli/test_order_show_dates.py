"""`pegboard order show` answers "will it be on time?": each line carries the projected
date the stored plan gives it, late lines by how many days, as `report late` says."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from _clock import DEMO_DAY
from pegboard.cli import app
from pegboard.demo import demo_path

DALI = ("length_m=14.56", "finish=black", "control=dali", "emergency=yes")


# The sample's planning_date setting keeps its plans on DEMO_DAY, whatever today is.


@pytest.fixture
def run(engine: Engine, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("COLUMNS", "250")
    runner = CliRunner()

    def invoke(*args: str) -> str:
        result = runner.invoke(app, list(args), env={"PEGBOARD_DATABASE_URL": url})
        assert result.exit_code == 0, result.output
        return result.output

    return invoke


def test_order_show_gives_each_lines_projected_date(run) -> None:  # type: ignore[no-untyped-def]
    run("import", str(demo_path("lighting")))
    number = run("order", "create", "--customer", "Hartwell Construction").strip()
    week = (DEMO_DAY + timedelta(7)).isoformat()
    later = (DEMO_DAY + timedelta(90)).isoformat()
    run("order", "add-line", number, "--item", "LR-7040", "--qty", "4", "--due", week)
    run("order", "add-line", number, "--item", "BRK-MNT-7040", "--qty", "1", "--due", later)
    run("order", "confirm", number)
    run("order", "configure", number, "1", *(a for p in DALI for a in ("--param", p)))

    before = run("order", "show", number)
    assert "projected" not in before  # nothing planned yet: no date is claimed

    run("plan")
    out = run("order", "show", number)
    first = next(line for line in out.splitlines() if f"{number}/1 " in line)
    found = re.search(rf"due {week} \(confirmed\), projected (\S+) \((\d+) days late\)", first)
    assert found, first
    projected, days = date.fromisoformat(found[1]), int(found[2])
    assert days == (projected - (DEMO_DAY + timedelta(7))).days > 28  # DALI drivers: 35 days
    second = next(line for line in out.splitlines() if f"{number}/2 " in line)
    assert f"due {later} (confirmed), projected " in second
    assert second.rstrip().endswith("(on time)"), second

"""``pegboard demo`` schedules the lighting sample at finite capacity: an order line is
late because the powder-coating line (POWDER, the bottleneck) is full, and its chain says
so (issue #15, item 4)."""

from __future__ import annotations

from sqlalchemy import Engine
from typer.testing import CliRunner

from pegboard.cli import app


def _pegboard(engine: Engine, *args: str) -> str:
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(
        app, list(args), env={"PEGBOARD_DATABASE_URL": url, "COLUMNS": "160"}
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_the_demo_shows_a_line_late_because_the_powder_line_is_full(engine: Engine) -> None:
    out = _pegboard(engine, "demo", "--no-serve")
    assert "Finite schedule of plan run" in out
    late = _pegboard(engine, "report", "late", "--csv").splitlines()
    # bodies wait for the line (it runs Tuesday and Thursday); which order lines it makes
    # late depends on where the sample's dates fall around the year-end holidays
    assert any("(late: Powder-coating line (POWDER) full 20" in row for row in late[1:]), late
    rows = _pegboard(engine, "schedule", "--csv", "--work-center", "POWDER").splitlines()
    assert any(",POWDER full " in row for row in rows)

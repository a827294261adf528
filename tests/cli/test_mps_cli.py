"""``pegboard mps lines|save``: the schedule of several weeks from the command line, all
or nothing as the web's grid and the API save it (both databases)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine
from typer.testing import CliRunner

from _clock import pin_today
from pegboard.cli import app

BASIC = Path(__file__).parents[1] / "scenarios" / "basic" / "bundle"
TODAY = date(2026, 11, 23)  # the time fence (14 days) ends on 12-07


def _run(engine: Engine, *args: str) -> tuple[int, str]:
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(
        app, list(args), env={"PEGBOARD_DATABASE_URL": url, "COLUMNS": "200"}
    )
    return result.exit_code, result.output


@pin_today(TODAY)
def test_several_weeks_saved_at_once_or_none(engine: Engine) -> None:
    assert _run(engine, "import", str(BASIC))[0] == 0
    assert _run(engine, "mps", "item", "SUB")[0] == 0
    code, out = _run(engine, "mps", "save", "SUB", "2026-12-01=5", "2026-12-16=2.5", "2026-12-23=4")
    assert code == 1
    assert "2 refused weeks; nothing was saved" in out
    assert "week 2026-12-01" in out and "time fence" in out
    assert "week 2026-12-16" in out and "whole units" in out
    assert _run(engine, "mps", "lines", "SUB", "--csv")[1] == "line,week,due,qty,status\n"

    code, out = _run(engine, "mps", "save", "SUB", "2026-12-16=2", "2026-12-23=4")
    assert code == 0 and "2 weeks scheduled" in out
    code, out = _run(engine, "mps", "save", "SUB", "--replace", "2026-12-30=3")
    assert code == 0, out
    assert _run(engine, "mps", "lines", "SUB", "--csv")[1] == (
        "line,week,due,qty,status\nMPS-SUB-2026-W53,2026-W53,2026-12-28,3.0,planned\n"
    )
    code, out = _run(engine, "mps", "save", "SUB", "30")
    assert code != 0 and "WEEK=QTY" in out

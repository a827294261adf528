"""``pegboard report …`` on a plan older than today prints one warning line first."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from sqlalchemy import Engine
from typer.testing import CliRunner

from _clock import pin_today
from pegboard.cli import app

BASIC = Path(__file__).parents[1] / "scenarios" / "basic" / "bundle"
WARNING = "warning: the plan is as of"


def _pegboard(engine: Engine, *args: str) -> str:
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(
        app, list(args), env={"PEGBOARD_DATABASE_URL": url, "COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    return result.output


def _bundle_without_planning_date(tmp_path: Path) -> Path:
    """The basic scenario, planned as of the day it is planned (no planning_date setting)."""
    folder = tmp_path / "bundle"
    shutil.copytree(BASIC, folder)
    settings = folder / "settings.csv"
    lines = settings.read_text(encoding="utf-8").splitlines()
    settings.write_text(
        "\n".join(line for line in lines if not line.startswith("planning_date")) + "\n",
        encoding="utf-8",
    )
    return folder


def test_reports_warn_once_when_the_plan_is_older_than_today(
    engine: Engine, tmp_path: Path
) -> None:
    with pin_today(date(2026, 11, 24)):
        _pegboard(engine, "import", str(_bundle_without_planning_date(tmp_path)))
        _pegboard(engine, "plan")
        assert WARNING not in _pegboard(engine, "report", "late")

    with pin_today(date(2026, 11, 27)):
        for report in (("late",), ("shortages",), ("buy",), ("actions",), ("pegging", "SO-2")):
            out = _pegboard(engine, "report", *report)
            assert out.count(WARNING) == 1, report
        line = next(x for x in out.splitlines() if x.startswith(WARNING))
        assert line == (
            "warning: the plan is as of 2026-11-24, 3 days before today (2026-11-27); "
            "run `pegboard plan` to plan as of today"
        )
        # --csv is data for another program: nothing but the rows
        assert WARNING not in _pegboard(engine, "report", "make", "--csv")

        _pegboard(engine, "plan")
        assert WARNING not in _pegboard(engine, "report", "late")


def test_a_planning_date_fixed_by_the_bundle_is_named(engine: Engine) -> None:
    with pin_today(date(2026, 11, 25)):
        _pegboard(engine, "import", str(BASIC))  # planning_date 2026-11-24 in its settings
        _pegboard(engine, "plan")
        out = _pegboard(engine, "report", "late")
    assert (
        "warning: the plan is as of 2026-11-24, 1 day before today (2026-11-25); the "
        "company's planning_date setting keeps new plans on that day"
    ) in out


def test_reports_warn_when_the_plan_is_older_than_changes_made_since(
    engine: Engine, tmp_path: Path
) -> None:
    """Issue #19: planned today, then a stock count: the reports say so until re-planned."""
    changes = "warning: the plan is older than your changes (1 change since it ran, last: "
    with pin_today(date(2026, 11, 24)):
        _pegboard(engine, "import", str(_bundle_without_planning_date(tmp_path)))
        _pegboard(engine, "plan")
        assert "warning" not in _pegboard(engine, "report", "late")
        _pegboard(engine, "stock", "adjust", "C1", "-4", "--reason", "count")
        for report in (("late",), ("buy",), ("actions",)):
            out = _pegboard(engine, "report", *report)
            assert out.count(changes) == 1, report
            assert WARNING not in out  # as of today: no warning about its date
        line = next(x for x in out.splitlines() if x.startswith(changes))
        assert line.startswith(changes + "stock") and line.endswith(
            "UTC): re-plan. Run `pegboard plan`."
        ), line
        assert "warning" not in _pegboard(engine, "report", "make", "--csv")
        _pegboard(engine, "plan")
        assert "warning" not in _pegboard(engine, "report", "late")

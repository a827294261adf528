"""Golden scenarios: bundle in, `pegboard import / plan / export` as a user runs them, CSVs out.

Each folder under tests/scenarios/ holds ``bundle/`` (the input) and
``expected/`` (planned_orders.csv, pegging.csv, exceptions.csv). Run
``pytest tests/scenarios --update-golden`` to rewrite the expected files after
a deliberate change, and review the diff. The sample companies are scenarios
too, so the demo cannot drift from what is checked.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from pegboard.cli import app
from pegboard.demo import DEMOS, demo_path

HERE = Path(__file__).parent
PLAN_FILES = ("planned_orders.csv", "pegging.csv", "exceptions.csv")
CASES = sorted(p.name for p in HERE.iterdir() if (p / "bundle").is_dir())


def _bundle(case: str) -> Path:
    if case.startswith("demo-"):
        return demo_path(case.removeprefix("demo-"))
    return HERE / case / "bundle"


def _run(runner: CliRunner, url: str, *args: str) -> str:
    result = runner.invoke(app, list(args), env={"PEGBOARD_DATABASE_URL": url, "COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("case", CASES + [f"demo-{d}" for d in DEMOS])
def test_scenario(
    case: str, engine: Engine, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    _run(runner, url, "import", str(_bundle(case)))
    _run(runner, url, "plan")
    out = tmp_path / "out"
    _run(runner, url, "export", str(out))
    expected = HERE / case / "expected"
    if request.config.getoption("--update-golden"):
        expected.mkdir(parents=True, exist_ok=True)
        for name in PLAN_FILES:
            shutil.copy(out / name, expected / name)
        return
    for name in PLAN_FILES:
        assert (out / name).read_text() == (expected / name).read_text(), f"{case}: {name} differs"

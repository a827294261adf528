"""A formula out of range is a clean error from the CLI, never an OverflowError traceback
(issue #20, item 1): ``pegboard template load``, ``pegboard import`` and ``pegboard promise``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine, update
from typer.testing import CliRunner

from pegboard import db
from pegboard.cli import app
from pegboard.demo import demo_path
from pegboard.model import BomLine

HOSTILE = ["9 ** 999", "max(10 ** 400, 1)", "length_m ** 12"]


def _run(engine: Engine, *args: str) -> tuple[int, str]:
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(app, list(args), env={"PEGBOARD_DATABASE_URL": url})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def _bundle(tmp_path: Path, qty: str | None = None) -> Path:
    folder = tmp_path / "lighting"
    shutil.copytree(demo_path("lighting"), folder)
    if qty is not None:
        path = folder / "templates.json"
        templates = json.loads(path.read_text())
        templates[1]["lines"][1]["qty"] = qty
        path.write_text(json.dumps(templates))
    return folder


@pytest.mark.parametrize("qty", HOSTILE)
def test_template_load_names_the_line_and_the_formula(
    engine: Engine, tmp_path: Path, qty: str
) -> None:
    assert _run(engine, "import", str(_bundle(tmp_path)))[0] == 0
    path = tmp_path / "t.json"
    templates = json.loads((demo_path("lighting") / "templates.json").read_text())
    templates[1]["lines"][1]["qty"] = qty
    path.write_text(json.dumps(templates))
    code, out = _run(engine, "template", "load", str(path))
    assert code == 1
    assert f"LR-7040 line 2: quantity formula {qty!r}" in out.replace("\n", "")
    assert "Traceback" not in out and "OverflowError" not in out


@pytest.mark.parametrize("qty", HOSTILE)
def test_import_of_templates_json_names_the_line_and_the_formula(
    engine: Engine, tmp_path: Path, qty: str
) -> None:
    code, out = _run(engine, "import", str(_bundle(tmp_path, qty)))
    assert code == 1
    assert f"LR-7040 line 2: quantity formula {qty!r}" in out.replace("\n", "")
    assert "Traceback" not in out and "OverflowError" not in out


@pytest.mark.parametrize("formula", ["9 ** 999", "max(10 ** 400, 1)", "9 ** 3999999"])
def test_promise_on_a_stored_hostile_template(engine: Engine, tmp_path: Path, formula: str) -> None:
    """A template saved before the checks existed: promise refuses it, naming the line."""
    assert _run(engine, "import", str(_bundle(tmp_path)))[0] == 0
    assert _run(engine, "plan")[0] == 0
    with db.session_factory(engine)() as s, s.begin():
        s.execute(
            update(BomLine)
            .where(BomLine.position == 2, BomLine.qty_formula == "ceil(length_m / 2.24)")
            .values(qty_formula=formula)
        )
    code, out = _run(engine, "promise", "LR-7040", "1", "--param", "length_m=3")
    assert code == 1
    assert f"LR-7040 line 2: quantity formula {formula!r}" in out.replace("\n", "")
    assert "not a usable number" in out.replace("\n", "")
    assert "Traceback" not in out and "OverflowError" not in out

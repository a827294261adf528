"""``pegboard cost order|project … --xlsx FILE`` and ``pegboard report late --xlsx FILE``
(#16 item 7, #19 item 5): the workbook of services.xlsx_reports written to the file; the
cells themselves are tested in tests/services/test_xlsx_reports.py."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from _costing import TODAY, build_shop
from pegboard import db
from pegboard.cli import app
from pegboard.model import SalesOrderStatus
from pegboard.services import sales
from pegboard.services.planning import run_plan


@pytest.fixture
def run(engine: Engine):  # type: ignore[no-untyped-def]
    with db.session_factory(engine)() as session:
        build_shop(session)
        sales.create_customer(session, code="EVIL", name="=1+1", author="sales")
        sales.create_order(session, customer="EVIL", number="SO-2", author="sales")
        due = TODAY + timedelta(days=1)
        sales.add_line(session, "SO-2", item="DRIVER", qty=3, due=due, author="sales")
        sales.set_status(session, "SO-2", SalesOrderStatus.CONFIRMED, author="sales")
        run_plan(session, author="planner", today=TODAY)
    url = engine.url.render_as_string(hide_password=False)
    runner = CliRunner()

    def invoke(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, list(args), env={"PEGBOARD_DATABASE_URL": url})
        assert result.exit_code == code, result.output
        return result.output

    return invoke


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    """Where the files go: a folder of their own (the SQLite database is in tmp_path)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def rows(path: Path) -> list[list[object]]:
    sheet = openpyxl.load_workbook(BytesIO(path.read_bytes())).active
    assert sheet is not None
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_the_order_cost_report_to_a_file(run, out_dir: Path) -> None:  # type: ignore[no-untyped-def]
    target = out_dir / "so-1.xlsx"
    out = run("cost", "order", "SO-1", "--xlsx", str(target))
    assert out.startswith(f"wrote {target} (")
    got = rows(target)
    assert got[0][:3] == ["order", "line", "item"]
    assert got[-1][0] == "SO-1" and got[-1][1] is None
    assert Decimal(repr(got[-1][14])) == Decimal("450")  # the revenue, a number
    assert list(out_dir.iterdir()) == [target]  # no temporary file left


def test_the_project_report_to_a_file(run, out_dir: Path) -> None:  # type: ignore[no-untyped-def]
    target = out_dir / "hq.xlsx"
    run("cost", "project", "ACME", "HQ", "--xlsx", str(target))
    assert rows(target)[-1][0] == "project total"


def test_the_late_report_to_a_file(run, out_dir: Path) -> None:  # type: ignore[no-untyped-def]
    target = out_dir / "late.xlsx"
    run("report", "late", "--xlsx", str(target))
    late = {r[0]: r for r in rows(target)[1:]}
    assert late["SO-2/1"][1] == "=1+1"  # the customer's name, as text


def test_refusals_are_one_line_and_write_nothing(run, out_dir: Path) -> None:  # type: ignore[no-untyped-def]
    target = out_dir / "x.xlsx"
    both = run("cost", "order", "SO-1", "--csv", "--xlsx", str(target), code=2)
    assert "give --csv or --xlsx, not both" in both
    missing = run("cost", "order", "SO-404", "--xlsx", str(target), code=1)
    assert "SO-404" in missing and "Traceback" not in missing
    nowhere = out_dir / "no-such-folder" / "x.xlsx"
    refused = run("cost", "order", "SO-1", "--xlsx", str(nowhere), code=1)
    assert refused.startswith("error: cannot write") and "no-such-folder" in refused
    assert list(out_dir.iterdir()) == []


def test_a_failed_export_leaves_the_old_file(run, out_dir: Path) -> None:  # type: ignore[no-untyped-def]
    target = out_dir / "keep.xlsx"
    target.write_bytes(b"old")
    run("cost", "order", "SO-404", "--xlsx", str(target), code=1)
    assert target.read_bytes() == b"old"

"""``pegboard location``: a mistyped location is refused, an admin adds one (issue #14, 5)."""

from __future__ import annotations

import csv
import io

import pytest
from _cli_invoke import cli_invoker
from sqlalchemy import Engine

from pegboard.demo import demo_path


@pytest.fixture
def run(engine: Engine):  # type: ignore[no-untyped-def]
    return cli_invoker(engine)


def test_adjusting_into_a_mistyped_location_is_refused_until_it_is_added(run) -> None:  # type: ignore[no-untyped-def]
    run("import", str(demo_path("lighting")))
    out = run(
        "stock", "adjust", "SUS-CAN-300", "1", "--reason", "found", "--location", "nowhere", code=1
    )
    assert out.startswith("error: unknown location 'nowhere' (known: goods-in, main);")
    assert len(out.strip().splitlines()) == 1
    assert "location nowhere added" in run("location", "add", "nowhere", "--description", "yard")
    assert "already" in run("location", "add", "Nowhere", code=1)
    run("stock", "adjust", "SUS-CAN-300", "1", "--reason", "found", "--location", "nowhere")
    rows = {r["location"]: r for r in csv.DictReader(io.StringIO(run("location", "list", "--csv")))}
    assert sorted(rows) == ["goods-in", "main", "nowhere"]
    assert rows["nowhere"]["description"] == "yard"
    assert float(rows["nowhere"]["on hand"]) == 1


def test_an_items_csv_with_only_its_header_empties_the_company_only_when_allowed(
    run,  # type: ignore[no-untyped-def]
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    """Issue #20, item 3: such an import exited 0 having deleted every item."""
    run("import", str(demo_path("lighting")))
    (tmp_path / "items.csv").write_text("item,description,type\n", encoding="utf-8")
    out = run("import", str(tmp_path), code=1)
    assert "items.csv: holds no items" in out and "--allow-empty" in out
    assert "SUS-CAN-300" in run("stock", "show", "SUS-CAN-300")
    run("import", str(tmp_path), "--allow-empty")
    assert "no item 'SUS-CAN-300'" in run("stock", "show", "SUS-CAN-300", code=1)


def test_describing_a_location_keeps_its_code_and_is_audited(run) -> None:  # type: ignore[no-untyped-def]
    run("import", str(demo_path("lighting")))
    assert "location main: Hall A, racks 1-40" in run(
        "location", "describe", "main", "Hall A, racks 1-40"
    )
    rows = {r["location"]: r for r in csv.DictReader(io.StringIO(run("location", "list", "--csv")))}
    assert rows["main"]["description"] == "Hall A, racks 1-40"
    assert "unknown location 'dock'" in run("location", "describe", "dock", "x", code=1)
    assert "longer than 200" in run("location", "describe", "main", "x" * 201, code=1)

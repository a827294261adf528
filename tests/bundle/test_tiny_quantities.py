"""A quantity too small to multiply safely is refused where it is read, with its place."""

from __future__ import annotations

from pathlib import Path

import pytest

from pegboard.bundle.importer import read_bundle
from pegboard.errors import BundleError

ITEMS = (
    "item,description,type,strategy,lead_time_days,lot_rule,lot_qty,safety_stock,unit_cost,"
    "supplier\n"
    "FA,Final,make,mto,2,lfl,,0,10,\n"
    "C1,Comp,buy,mts,5,lfl,,0,1,Acme\n"
)


def test_a_subnormal_quantity_per_is_refused_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "items.csv").write_text(ITEMS)
    (tmp_path / "bom.csv").write_text(
        "parent,component,qty_per,scrap_pct,sales_order\nFA,C1,1e-300,,\n"
    )
    with pytest.raises(BundleError) as caught:
        read_bundle(tmp_path)
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.column) == ("bom.csv", 2, "qty_per")
    assert problem.value == "1e-300" and "too small" in problem.reason


def test_a_billionth_is_still_a_quantity(tmp_path: Path) -> None:
    (tmp_path / "items.csv").write_text(ITEMS)
    (tmp_path / "bom.csv").write_text(
        "parent,component,qty_per,scrap_pct,sales_order\nFA,C1,0.000000001,,\n"
    )
    assert read_bundle(tmp_path).bom[0].qty_per == 1e-9

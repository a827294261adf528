"""Small planning bundles written as CSV text, for the bundle tests.

``GOOD`` is a complete, valid bundle touching every file and most columns. A
test writes it with some files replaced (or removed with ``None``) and checks
what the reader makes of it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from pegboard.bundle.importer import read_bundle
from pegboard.errors import BundleError, BundleProblem

GOOD: dict[str, str] = {
    "settings": """\
key,value
planning_date,2026-01-05
horizon_days,200
""",
    "items": """\
item,description,type,strategy,uom,lead_time_days,lot_rule,lot_qty,period_days,min_qty,multiple,safety_stock,unit_cost,supplier
BIKE,City bike,make,mto,ea,5,lfl,,,0,0,0,120,
FRAME,Frame,make,mts,ea,3,foq,10,,,,2,40,
WHEEL,Wheel,buy,mts,ea,7,poq,,14,4,2,5,12.5,Acme
BOLT,Bolt M6,buy,mts,pcs,2,lfl,,,,,100,0.05,Fasteners Ltd
""",
    "sales_orders": """\
sales_order,line,customer,project,item,qty,shipped_qty,due_date,priority
SO-1,1,ACME,P-1,BIKE,5,1,2026-02-01,10
SO-1,2,ACME,P-1,WHEEL,4,,2026-02-03,
SO-2,1,Bolt Co,,BIKE,2,,2026-03-01,
""",
    "bom": """\
parent,component,qty_per,scrap_pct,sales_order
BIKE,FRAME,1,,
BIKE,WHEEL,2,,
FRAME,BOLT,4,5,
BIKE,FRAME,1,,SO-1
BIKE,WHEEL,2,,SO-1
BIKE,BOLT,2,,SO-1
""",
    "stock": """\
item,qty,location,sales_order
WHEEL,6,main,
WHEEL,2,main,SO-1
BOLT,150.5,shelf-2,
""",
    "purchase_orders": """\
purchase_order,line,item,qty,due_date,status,sales_order,supplier
PO-1,1,WHEEL,10,2026-01-20,open,,Acme
PO-1,2,BOLT,500,2026-01-22,in_transit,,Acme
PO-2,1,WHEEL,2,2026-01-25,,SO-1,
""",
    "production_orders": """\
production_order,item,qty,due_date,start_date,status,components_issued,sales_order
MO-1,FRAME,10,2026-01-15,2026-01-12,released,false,
MO-2,BIKE,1,2026-01-28,,in_progress,true,SO-1
""",
}


def write_bundle(folder: Path, files: Mapping[str, str | None]) -> Path:
    """Write ``{stem: csv text}`` into ``folder``; a ``None`` text means the file is absent."""
    folder.mkdir(parents=True, exist_ok=True)
    for stem, text in files.items():
        path = folder / f"{stem}.csv"
        if text is None:
            path.unlink(missing_ok=True)
        else:
            path.write_text(text, encoding="utf-8", newline="")
    return folder


def good_bundle(folder: Path, **overrides: str | None) -> Path:
    """``GOOD`` with some files replaced (``stem=text``) or left out (``stem=None``)."""
    return write_bundle(folder, {**GOOD, **overrides})


def with_rows(stem: str, *rows: str) -> str:
    """``GOOD[stem]`` with ``rows`` appended; the first appended row is on line ``len+2``."""
    return GOOD[stem] + "".join(f"{r}\n" for r in rows)


def next_line(stem: str) -> int:
    """The line number the first row appended to ``GOOD[stem]`` gets (the header is line 1)."""
    return GOOD[stem].count("\n") + 1


def csv_text(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Rows of cell text as CSV, quoted where needed."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def problems(path: Path) -> list[BundleProblem]:
    """The problems ``read_bundle`` reports for ``path`` (it must fail)."""
    with pytest.raises(BundleError) as info:
        read_bundle(path)
    assert info.value.problems, "a BundleError must list at least one problem"
    return info.value.problems


def only_problem(path: Path) -> BundleProblem:
    """The one problem of a bundle that has exactly one."""
    found = problems(path)
    assert len(found) == 1, "\n".join(str(p) for p in found)
    return found[0]


def read_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.csv"))}

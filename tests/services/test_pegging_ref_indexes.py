"""The pegging's ref indexes compare bytes on PostgreSQL (``varchar_pattern_ops``, #18)
and still serve every reader: a look-up by ref (equality, ``IN``, a join on a planned
order's number) and the pegging explorer's page sorted by a ref, which both databases
list in byte order (the revision that rebuilds the indexes of an upgraded database:
``tests/cli/test_pegging_ref_indexes_upgrade.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from _pegging_indexes import assert_byte_wise
from _statements import sent
from pegboard.bundle.importer import read_bundle
from pegboard.model import Pegging
from pegboard.services import plan_results
from pegboard.services.company_data import replace_company
from pegboard.services.planning import run_plan

BASIC = Path(__file__).parents[1] / "scenarios" / "basic" / "bundle"


@pytest.fixture
def planned(session: Session) -> Session:
    replace_company(session, read_bundle(BASIC), author="test")
    run_plan(session, author="test")  # the plan tables recreated from the models
    return session


def _walked(session: Session, sql: str, params: Any) -> str:
    """The plan PostgreSQL picks for ``sql`` when a scan of the table or a sort of its
    rows is its last resort (a test's few rows would be scanned and sorted anyway):
    which index it can walk."""
    with session.begin():
        session.execute(text("SET LOCAL enable_seqscan = off"))
        session.execute(text("SET LOCAL enable_sort = off"))
        raw = session.connection().exec_driver_sql(f"EXPLAIN {sql}", params)
        return "\n".join(str(line) for (line,) in raw)


def test_a_plan_builds_the_ref_indexes_byte_wise(engine: Engine, planned: Session) -> None:
    assert_byte_wise(engine)


def test_lookups_by_ref_walk_the_indexes(engine: Engine, planned: Session) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite's indexes compare bytes as its text does")
    with planned.begin():
        refs = select(Pegging.supply_ref, Pegging.item_id, Pegging.demand_ref)
        row = planned.execute(refs).first()
    assert row is not None
    supply, item, demand = row
    by_demand = _walked(
        planned, "SELECT id FROM pegging WHERE demand_ref IN (%s, %s)", (demand, "x")
    )
    assert "ix_pegging_demand" in by_demand
    by_supply = _walked(
        planned, "SELECT id FROM pegging WHERE supply_ref = %s AND item_id = %s", (supply, item)
    )
    assert "ix_pegging_supply" in by_supply
    joined = _walked(
        planned,
        "SELECT p.id FROM planned_order o JOIN pegging p ON p.demand_ref = o.number"
        " WHERE o.id = %s",
        (1,),
    )
    assert "ix_pegging_demand" in joined


@pytest.mark.parametrize(
    ("sort", "column", "index"),
    [
        ("supply", 1, "ix_pegging_supply"),
        ("-supply", 1, "ix_pegging_supply"),
        ("demand", 5, "ix_pegging_demand"),
        ("-demand", 5, "ix_pegging_demand"),
    ],
)
def test_the_explorer_sorted_by_a_ref_lists_bytes_order_through_its_index(
    engine: Engine,
    planned: Session,
    sort: str,
    column: int,
    index: str,
) -> None:
    with planned.begin(), sent(engine) as statements:
        rows, total = plan_results.pegging_page(planned, sort=sort, limit=500, offset=0)
    refs = [row[column] for row in rows]
    assert len(refs) == total > 3
    assert len(set(refs)) > 2
    assert refs == sorted(refs, key=str.encode, reverse=sort.startswith("-"))
    if engine.dialect.name != "postgresql":
        return
    (page,) = [(sql, params) for sql, params in statements if "LIMIT" in sql.upper()]
    walked = _walked(planned, *page)
    ref = "supply_ref" if column == 1 else "demand_ref"
    assert index in walked
    assert f"Presorted Key: pegging.{ref}" in walked  # the index hands the rows in order
    assert not [line for line in walked.splitlines() if line.lstrip(" ->").startswith("Sort  (")]

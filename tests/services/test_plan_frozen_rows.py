"""On PostgreSQL the plan's big tables are written frozen (``COPY ... FREEZE``, #18):
they are made anew in the plan's transaction, so their rows are visible to all once it
commits, and no reader or vacuum has to mark them so one by one afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from pegboard.bundle.importer import read_bundle
from pegboard.services.company_data import replace_company
from pegboard.services.planning import run_plan

BASIC = Path(__file__).parents[1] / "scenarios" / "basic" / "bundle"


def test_a_plan_leaves_its_orders_and_pegging_all_visible(engine: Engine, session: Session) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("freezing rows is PostgreSQL's")
    replace_company(session, read_bundle(BASIC), author="test")
    run_plan(session, author="test")  # ends with ANALYZE, which counts the visible pages
    with session.begin():
        pages = {
            name: (int(total), int(visible))
            for name, total, visible in session.execute(
                text(
                    "SELECT relname, relpages, relallvisible FROM pg_class"
                    " WHERE relname IN ('planned_order', 'pegging')"
                )
            )
        }
    assert set(pages) == {"planned_order", "pegging"}
    for total, visible in pages.values():
        assert total > 0
        assert visible == total

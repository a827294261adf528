"""The plan's big tables keep their primary keys and number their rows 1 to n, in the
order written, on both databases: PostgreSQL builds the keys after the rows and writes
the ids itself (``planning._empty_plan_tables``, #18), and a row added after the plan
(the master schedule's exceptions) takes the next id, as SQLite's rowids do."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pegboard.bundle.importer import read_bundle
from pegboard.model import Item, Pegging, PlanException, PlannedOrder
from pegboard.services.company_data import replace_company
from pegboard.services.planning import KEYED_AFTER, run_plan

BASIC = Path(__file__).parents[1] / "scenarios" / "basic" / "bundle"


Keyed = type[PlannedOrder] | type[Pegging] | type[PlanException]


def _ids(session: Session, model: Keyed) -> list[int]:
    return list(session.scalars(select(model.id).order_by(model.id)))


@pytest.mark.parametrize("runs", [1, 2])
def test_the_plan_tables_keep_their_keys_and_number_their_rows(
    engine: Engine, session: Session, runs: int
) -> None:
    replace_company(session, read_bundle(BASIC), author="test")
    for _ in range(runs):  # a second run makes the tables anew
        summary = run_plan(session, author="test")
    written: dict[Keyed, int] = {
        PlannedOrder: summary.planned_orders,
        Pegging: summary.pegging_rows,
        PlanException: summary.exceptions,
    }
    assert set(written) == set(KEYED_AFTER)
    inspector = inspect(engine)
    with session.begin():
        for model, n in written.items():
            key = inspector.get_pk_constraint(model.__tablename__)
            assert key["constrained_columns"] == ["id"], model
            assert n > 0, model
            assert _ids(session, model) == list(range(1, n + 1)), model


def test_a_row_added_after_the_plan_takes_the_next_id(engine: Engine, session: Session) -> None:
    replace_company(session, read_bundle(BASIC), author="test")
    summary = run_plan(session, author="test")
    with session.begin():
        item_id = session.scalars(select(Item.id).limit(1)).one()
        added = PlanException(plan_run_id=summary.run_id, kind="late", item_id=item_id)
        session.add(added)
        session.flush()
        assert added.id == summary.exceptions + 1
        session.rollback()
    with pytest.raises(IntegrityError), session.begin():  # the key refuses a taken id
        session.add(PlanException(id=1, plan_run_id=summary.run_id, kind="late", item_id=item_id))
        session.flush()
    with session.begin():
        assert session.scalar(select(func.count()).select_from(PlanException)) == (
            summary.exceptions
        )

"""Re-planning drops the old plan's tables without zeroing their freed pages on SQLite
(``secure_delete=FAST`` for the drop only, #18: 3-4 s of CPU and ~700 MB of peak memory on
the full-size reference plan), and gives the connection its own setting back; the new
plan replaces the old one whole (both databases)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from pegboard.bundle.importer import read_bundle
from pegboard.model import Pegging, PlannedOrder, PlanRun
from pegboard.services.company_data import replace_company
from pegboard.services.planning import run_plan

BASIC = Path(__file__).parents[1] / "scenarios" / "basic" / "bundle"


def _driver_connection(session: Session) -> object:
    return session.connection().connection.dbapi_connection


def test_replanning_replaces_the_plan_and_keeps_the_connections_setting(
    session: Session,
) -> None:
    replace_company(session, read_bundle(BASIC), author="test")
    first = run_plan(session, author="test")
    sqlite = session.get_bind().dialect.name == "sqlite"
    with session.begin():
        before = _driver_connection(session)
        if sqlite:  # the setting a careful operator chose for this connection
            session.connection().exec_driver_sql("PRAGMA secure_delete=1")
    seen: list[int] = []  # secure_delete as each old plan table is dropped (SQLite)

    def at_drop(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if sqlite and statement.lstrip().upper().startswith("DROP TABLE"):
            seen.append(
                conn.connection.dbapi_connection.execute("PRAGMA secure_delete").fetchone()[0]
            )

    bind = session.get_bind()
    event.listen(bind, "before_cursor_execute", at_drop)
    try:
        second = run_plan(session, author="test")
    finally:
        event.remove(bind, "before_cursor_execute", at_drop)
    if sqlite:
        assert seen and set(seen) == {2}  # FAST (2) while the old plan's tables go
    with session.begin():
        if sqlite:  # the connection the plan used (one file, one pooled connection)
            assert _driver_connection(session) is before
            assert session.connection().exec_driver_sql("PRAGMA secure_delete").scalar() == 1
        runs = session.scalars(select(PlanRun.id).order_by(PlanRun.id)).all()
        planned = session.scalars(select(func.count()).select_from(PlannedOrder)).one()
        kept = session.scalars(select(func.distinct(PlannedOrder.plan_run_id))).all()
        pegs = session.scalars(select(func.distinct(Pegging.plan_run_id))).all()
    assert runs == [first.run_id, second.run_id]
    assert planned == second.planned_orders == first.planned_orders
    assert kept == pegs == [second.run_id]

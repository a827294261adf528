"""``pegboard db upgrade`` of a company whose plan was stored before a sales order's
exceptions had a table of their own (#18): 0029 copies the stored plan's pairs (sales
order, exception) into ``plan_exception_sales_order``, and the revision after packs them
into ``plan_exception_by_sales_order``, one row per sales order; so each sales order
reads the same exceptions without planning again, down and up from either. Downgraded,
the pairs (or the index on ``plan_exception.sales_order_id``) are back (both databases)."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect
from test_db_upgrade import blank

from _clock import pin_today
from _mps_flagged_plan import TODAY, plan_with_mps_flags, reads_by_sales_order
from pegboard import db
from pegboard.model import PlanExceptionSalesOrder

__all__ = ["blank"]
PACKED = PlanExceptionSalesOrder.__tablename__
PAIRS = "plan_exception_sales_order"


def _before(engine: Engine, table: str) -> str:
    """The revision before the one that made ``table`` (its doc's first words)."""
    script = ScriptDirectory.from_config(db.alembic_config(engine))
    (made,) = [r for r in script.walk_revisions() if (r.doc or "").startswith(f"{table}:")]
    assert isinstance(made.down_revision, str)
    return made.down_revision


@pin_today(TODAY)
def test_a_plan_stored_before_the_packed_ids_reads_the_same_once_upgraded(blank: str) -> None:
    engine = db.make_engine(blank)  # a database of its own: its schema goes down and up
    try:
        db.upgrade(engine)
        with db.session_scope(engine) as session:
            plan_with_mps_flags(session)
            before = reads_by_sales_order(session)
        config = db.alembic_config(engine)
        command.downgrade(config, _before(engine, PACKED))
        tables = inspect(engine).get_table_names()
        assert PACKED not in tables and PAIRS in tables
        with engine.connect() as conn:
            pairs = conn.exec_driver_sql(f"SELECT count(*) FROM {PAIRS}").scalar_one()
            named = conn.exec_driver_sql(
                "SELECT count(*) FROM plan_exception WHERE sales_order_id IS NOT NULL"
            ).scalar_one()
        assert pairs == named > 0  # every pair unpacked, the renumbered ones included
        command.upgrade(config, "head")
        assert db.current_revision(engine) == db.head_revision()
        assert PAIRS not in inspect(engine).get_table_names()
        with db.session_scope(engine) as session:
            assert reads_by_sales_order(session) == before
    finally:
        engine.dispose()


@pin_today(TODAY)
def test_a_plan_stored_before_the_table_reads_the_same_once_upgraded(blank: str) -> None:
    engine = db.make_engine(blank)  # a database of its own: its schema goes down and up
    try:
        db.upgrade(engine)
        with db.session_scope(engine) as session:
            plan_with_mps_flags(session)
            before = reads_by_sales_order(session)
        config = db.alembic_config(engine)
        command.downgrade(config, _before(engine, PAIRS))
        assert PAIRS not in inspect(engine).get_table_names()
        assert "ix_plan_exception_sales_order_id" in _indexes(engine)
        command.upgrade(config, "head")
        assert db.current_revision(engine) == db.head_revision()
        assert "ix_plan_exception_sales_order_id" not in _indexes(engine)
        with db.session_scope(engine) as session:
            assert reads_by_sales_order(session) == before
    finally:
        engine.dispose()


def _indexes(engine: Engine) -> set[str | None]:
    return {i["name"] for i in inspect(engine).get_indexes("plan_exception")}

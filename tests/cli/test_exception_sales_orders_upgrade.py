"""``pegboard db upgrade`` of a company whose plan was stored before
``plan_exception_sales_order`` (#18): the migration copies the stored plan's pairs into
it, so each sales order reads the same exceptions without planning again; downgraded,
the index on ``plan_exception.sales_order_id`` is back (both databases)."""

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
TABLE = PlanExceptionSalesOrder.__tablename__


def _before_the_table(engine: Engine) -> str:
    """The revision before the one that made ``plan_exception_sales_order``."""
    script = ScriptDirectory.from_config(db.alembic_config(engine))
    (made,) = [r for r in script.walk_revisions() if TABLE in (r.doc or "")]
    assert isinstance(made.down_revision, str)
    return made.down_revision


@pin_today(TODAY)
def test_a_plan_stored_before_the_table_reads_the_same_once_upgraded(blank: str) -> None:
    engine = db.make_engine(blank)  # a database of its own: its schema goes down and up
    try:
        db.upgrade(engine)
        with db.session_scope(engine) as session:
            plan_with_mps_flags(session)
            before = reads_by_sales_order(session)
        config = db.alembic_config(engine)
        command.downgrade(config, _before_the_table(engine))
        assert TABLE not in inspect(engine).get_table_names()
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

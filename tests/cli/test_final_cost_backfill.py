"""``pegboard db upgrade`` freezes the final cost of lines shipped before pegboard kept
one (#16 item 6), on both databases.

The story of tests/_costing.py ships SO-1 (estimated 211.44, actual 130.845, price
variance −19.25, margin 319.155). The database is then taken back to 0018, before the
final-cost table existed, as a database of that time would be. Upgrading it creates
the table and freezes SO-1's line at those figures; a second upgrade freezes nothing.
"""

from __future__ import annotations

from decimal import Decimal

from alembic import command
from sqlalchemy import select
from test_db_upgrade import _pegboard, _revision, blank

from _costing import build_shop, execute
from pegboard import db
from pegboard.model import LineFinalCost
from pegboard.services import variance

__all__ = ["blank"]
D = Decimal


def test_upgrade_freezes_lines_shipped_before_final_costs_were_kept(blank: str) -> None:
    engine = db.make_engine(blank)
    try:
        db.upgrade(engine)
        with db.session_scope(engine) as session:
            execute(build_shop(session))
        command.downgrade(db.alembic_config(engine), "0018")
    finally:
        engine.dispose()
    assert _revision(blank) == "0018"

    out = _pegboard(blank, "db", "upgrade")
    assert "froze the final cost of 1 shipped or closed order line" in out
    assert "froze" not in _pegboard(blank, "db", "upgrade")
    engine = db.make_engine(blank)
    try:
        with db.session_scope(engine) as session, session.begin():
            (row,) = session.scalars(select(LineFinalCost)).all()
            found = variance.order_variance(session, "SO-1")
    finally:
        engine.dispose()
    assert (row.estimated_material, row.price_variance, row.revenue) == (
        D("110.40"),
        D("-19.25"),
        D("450.00"),
    )
    assert found.lines[0].frozen is not None
    assert (found.estimated.total, found.actual.total, found.margin) == (
        D("211.44"),
        D("130.845"),
        D("319.155"),
    )

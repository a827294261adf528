"""``pegboard db upgrade`` to 0025 leaves the cost reports right (#16 item 3), on both
databases: a company of 0024 (no stored estimates) upgraded, its project's report
(``pegboard cost project --csv``) gives the figures of tests/services/test_costing.py
and stores each line's estimate; a standard cost changed afterwards moves the report.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from alembic import command
from sqlalchemy import func, select
from test_db_upgrade import _pegboard, _revision, blank

from _costing import build_shop
from pegboard import db
from pegboard.model import LineCostEstimate
from pegboard.services import items

__all__ = ["blank"]
D = Decimal


def _project_estimate(url: str) -> Decimal:
    out = _pegboard(url, "cost", "project", "ACME", "HQ", "--csv")
    (row,) = [r for r in csv.DictReader(io.StringIO(out)) if r["what"] == "SO-1"]
    return D(row["estimated"])


def _stored(url: str) -> int:
    engine = db.make_engine(url)
    try:
        with db.session_scope(engine) as session, session.begin():
            return session.scalar(select(func.count()).select_from(LineCostEstimate)) or 0
    finally:
        engine.dispose()


def test_an_upgraded_company_s_report_is_computed_then_stored(blank: str) -> None:
    engine = db.make_engine(blank)
    try:
        db.upgrade(engine)
        with db.session_scope(engine) as session:
            build_shop(session)
        command.downgrade(db.alembic_config(engine), "0024")
    finally:
        engine.dispose()
    assert _revision(blank) == "0024"
    _pegboard(blank, "db", "upgrade")
    assert _revision(blank) == db.head_revision()  # 0025 and every later one
    assert _stored(blank) == 0
    # SO-1/1 by hand: 106.40 + 71.00 + 29.64
    assert _project_estimate(blank) == D("207.04")
    assert _stored(blank) == 1
    assert _project_estimate(blank) == D("207.04")
    engine = db.make_engine(blank)
    try:
        with db.session_scope(engine) as session:
            items.update_item(session, "LED", {"unit_cost": D("2.5")}, author="a")
    finally:
        engine.dispose()
    # 8 LEDs at 2.50 instead of 1.50, and 10 % overhead on the 8.00 more material
    assert _project_estimate(blank) == D("215.84")

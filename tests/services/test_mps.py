"""The master production schedule on the basic company: the record computed by hand from
the plan's backlog, the time fence, a levelled proposal, and MRP taking the schedule as
firm supply (both databases)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from _clock import pin_today
from pegboard.cli import app
from pegboard.errors import ConflictError, ValidationError
from pegboard.model import AuditEntry, Item, PlannedOrder, ProductionOrder
from pegboard.services import mps

BASIC = Path(__file__).parents[1] / "scenarios" / "basic" / "bundle"
TODAY = date(2026, 11, 23)  # a Monday; the basic company plans from 2026-11-24


def _pegboard(engine: Engine, *args: str) -> str:
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(app, list(args), env={"PEGBOARD_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def planned(engine: Engine) -> Engine:
    """The basic company, planned; SUB (a made sub-assembly) on the master schedule."""
    with pin_today(TODAY):
        _pegboard(engine, "import", str(BASIC))
        _pegboard(engine, "plan")
    return engine


@pin_today(TODAY)
def test_the_record_of_sub_by_hand(planned: Engine, session: Session) -> None:
    mps.set_mps_item(session, "SUB", True, author="ann")
    view = mps.mps_record(session, "SUB", weeks=5)
    # SO-2's final assembly FA × 3 (due 12-20, two days' lead time) needs 3 SUB on 12-18
    # (SO-1's order BOM has no SUB); MO-1 (SUB × 2, released, due 12-05) is other supply
    assert [w.start for w in view.weeks] == [
        date(2026, 11, 23),
        date(2026, 11, 30),
        date(2026, 12, 7),
        date(2026, 12, 14),
        date(2026, 12, 21),
    ]
    assert [w.backlog for w in view.weeks] == [0, 0, 0, 3, 0]
    assert [w.receipts for w in view.weeks] == [0, 2, 0, 0, 0]
    assert [w.pab for w in view.weeks] == [0, 2, 2, -1, -1]
    # week 2's receipt of 2 against the 3 needed after it: −1, taken back to week 1
    assert [w.atp for w in view.weeks] == [-1, 0, 0, 0, 0]
    assert [w.in_fence for w in view.weeks] == [True, True, False, False, False]
    assert [w.label for w in view.short_weeks] == ["2026-W51", "2026-W52"]

    # the fence: within 14 days only when forced
    with pytest.raises(ConflictError, match="time fence"):
        mps.set_mps(session, "SUB", date(2026, 12, 2), 5, author="ann")
    number = mps.set_mps(session, "SUB", date(2026, 12, 16), 4, author="ann")
    assert number == "MPS-SUB-2026-W51"
    line = session.scalars(select(ProductionOrder).where(ProductionOrder.number == number)).one()
    assert (line.due_date, line.qty, line.mps, line.sales_order_id) == (
        date(2026, 12, 14),
        4,
        True,
        None,
    )
    view = mps.mps_record(session, "SUB", weeks=5)
    assert [w.mps for w in view.weeks] == [0, 0, 0, 4, 0]
    assert [w.pab for w in view.weeks] == [0, 2, 2, 3, 3]
    assert view.short_weeks == []
    mps.set_mps(session, "SUB", date(2026, 12, 16), 0, author="ann")  # removed again
    assert [w.mps for w in mps.mps_record(session, "SUB", weeks=5).weeks] == [0] * 5
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity == "mps").order_by(AuditEntry.id)
    ).all()
    assert actions == ["add", "remove"]


@pin_today(TODAY)
def test_refusals(planned: Engine, session: Session) -> None:
    with pytest.raises(ValidationError, match="not on the master schedule"):
        mps.set_mps(session, "SUB", date(2026, 12, 16), 4, author="ann")
    with pytest.raises(ValidationError, match="bought"):
        mps.set_mps_item(session, "C1", True, author="ann")
    mps.set_mps_item(session, "SUB", True, author="ann")
    with pytest.raises(ValidationError, match="whole units"):
        mps.set_mps(session, "SUB", date(2026, 12, 16), 2.5, author="ann")


@pin_today(TODAY)
def test_a_levelled_proposal_is_planned_as_firm_supply(planned: Engine, session: Session) -> None:
    mps.set_mps_item(session, "SUB", True, author="ann")
    schedule = mps.propose(session, "SUB", weeks=4)
    # outside the fence (weeks of 12-07 and 12-14): the balance after the fence is 2,
    # the backlog 0 then 3: one a week keeps it at 0 or more (2 + 1 + 1 − 3 = 1)
    assert schedule == [(date(2026, 12, 7), 1.0), (date(2026, 12, 14), 1.0)]
    numbers = mps.accept(session, "SUB", schedule, author="ann")
    assert numbers == ["MPS-SUB-2026-W50", "MPS-SUB-2026-W51"]
    _pegboard(planned, "plan")
    session.expire_all()
    # the plan takes the schedule as supply: no planned order for SUB any more, and
    # SO-2 is served by a schedule line
    sub = session.scalars(select(Item.id).where(Item.code == "SUB")).one()
    assert (
        session.scalars(select(PlannedOrder.number).where(PlannedOrder.item_id == sub)).all() == []
    )
    assert "MPS-SUB-2026-W5" in _pegboard(planned, "report", "pegging", "SO-2")

"""A pin whose days are all before the current plan's planning date is ignored by the
schedule (services.schedule_pins) and flagged wherever pins are listed, so a planner can
unpin it or move it again (both databases), on the company of tests/_board_company.py
(planning date 2026-11-23)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from _board_company import FA_MO, SUB_MO, add_routings, build_firm
from pegboard.model import WorkCenter
from pegboard.services import pins
from pegboard.services.production import get_production
from pegboard.services.schedule_run import run_schedule


def test_a_pin_before_the_planning_date_is_flagged_and_listed_as_ignored(
    session: Session,
) -> None:
    build_firm(session)
    add_routings(session, schedule=False)
    with session.begin():
        asm = session.scalars(select(WorkCenter.id).where(WorkCenter.code == "ASM")).one()
        for number, days in (
            (FA_MO, (date(2026, 11, 19), date(2026, 11, 20))),  # wholly before 11-23
            (SUB_MO, (date(2026, 11, 22), date(2026, 11, 24))),  # reaches past it
        ):
            pins.pin_in_transaction(session, get_production(session, number), 10, asm, days, "ann")
    with session.begin():
        listed = {p.number: (p.past, p.ignored) for p in pins.list_pins(session)}
    assert listed == {FA_MO: (True, False), SUB_MO: (False, False)}
    summary = run_schedule(session, author="ann")
    assert summary.pins_ignored == [
        f"{FA_MO}/10 (2026-11-19 to 2026-11-20): its days are before the planning date 2026-11-23"
    ]
    pins.unpin_operation(session, FA_MO, 10, author="ann")
    with session.begin():
        assert [p.number for p in pins.list_pins(session)] == [SUB_MO]

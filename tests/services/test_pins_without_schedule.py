"""Without a current finite schedule, the planning board's free-hours check counts other
orders' pinned operations on their pins (issues #15 item 4, #19 item 4), on the company
of tests/_board_company.py (both databases).

ASM works 8 h a day, every day. With no schedule the backward load runs FA's (MO-000001)
10 at ASM on 12-21..12-22 (16 h) and SUB's (MO-000002) 10 at ASM on 12-16..12-18 (24 h).
The planner pins FA's 10 on 12-19..12-20 and SUB's 10 on 12-10..12-12 (8 h a day each,
ASM's whole day). The next schedule places them there, so
those days are full, and the days the backward load had put them on are not.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from _board_company import FA_MO, SUB_MO, add_routings, build_firm
from pegboard.services.board_move import move_production
from pegboard.services.operation_move import OperationMoveAnswer, move_operation
from pegboard.services.pins import list_pins


@pytest.fixture
def pinned(session: Session) -> Session:
    build_firm(session)
    add_routings(session, schedule=False)
    for number, start in ((FA_MO, date(2026, 12, 19)), (SUB_MO, date(2026, 12, 10))):
        saved = move_operation(session, number, 10, start, author="ann", dry_run=False)
        assert saved.saved and not saved.scheduled
    with session.begin():
        assert [(p.number, p.work_center, p.start, p.end) for p in list_pins(session)] == [
            (FA_MO, "ASM", date(2026, 12, 19), date(2026, 12, 20)),
            (SUB_MO, "ASM", date(2026, 12, 10), date(2026, 12, 12)),
        ]
    return session


def check(session: Session, number: str, start: date) -> OperationMoveAnswer:
    with session.begin():
        return move_operation(session, number, 10, start, author="ann")


def test_a_move_onto_days_another_pin_fills_is_told_they_are_full(pinned: Session) -> None:
    # FA's 10 onto 12-11..12-12: SUB's pin fills both days (the load had SUB on 12-16..18)
    onto_pin = check(pinned, FA_MO, date(2026, 12, 11))
    assert (onto_pin.free, onto_pin.overloaded) == (0.0, True)
    assert "ASM: needs 16 h between 2026-12-11 and 2026-12-12, only 0 h free" in onto_pin.reasons
    # half on the pin: 12-12 full, 12-13 free
    half = check(pinned, FA_MO, date(2026, 12, 12))
    assert (half.free, half.overloaded) == (8.0, True)
    # SUB's 10 onto 12-18..12-20: FA's pin fills 12-19 and 12-20 (the load had FA on 12-21..22)
    sub = check(pinned, SUB_MO, date(2026, 12, 18))
    assert (sub.free, sub.overloaded) == (8.0, True)
    # the days the backward load had SUB on are free now that SUB is pinned elsewhere
    freed = check(pinned, SUB_MO, date(2026, 12, 15))  # 12-15..12-17
    assert freed.free == 24.0


def test_an_order_move_counts_the_other_orders_pin(pinned: Session) -> None:
    """SUB (3 days) to finish on 12-20 runs 12-18..12-20: FA's pin takes 12-19 and 12-20."""
    with pinned.begin():
        answer = move_production(pinned, SUB_MO, date(2026, 12, 20), author="ann")
    assert (answer.start_after, answer.due_after) == (date(2026, 12, 17), date(2026, 12, 20))
    assert [(o.work_center, o.needed, o.free) for o in answer.overloads] == [("ASM", 24.0, 16.0)]

"""The planning board's move (services.board_move), on the company of tests/_board_company.py."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from _board_company import DUE, FA_MO, SUB_MO, build_firm
from pegboard.errors import ConflictError, ValidationError
from pegboard.model import AuditEntry, ProductionOrder
from pegboard.services import board_move, capacity, production
from pegboard.services.calendar import set_work_days
from pegboard.services.schedule_run import run_schedule


@pytest.fixture
def firm(session: Session) -> Session:
    build_firm(session)
    return session


def dates(session: Session, number: str) -> tuple[date | None, date]:
    with session.begin():
        mo = session.scalars(select(ProductionOrder).where(ProductionOrder.number == number)).one()
        return mo.start_date, mo.due_date


def check(session: Session, number: str, finish: date) -> board_move.MoveAnswer:
    with session.begin():
        return board_move.move_production(session, number, finish, author="ann")


def moves(session: Session) -> list[AuditEntry]:
    with session.begin():
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == "move")))


def test_a_check_answers_what_the_move_breaks_and_saves_nothing(firm: Session) -> None:
    answer = check(firm, SUB_MO, date(2026, 12, 21))
    assert answer.accepted and not answer.saved and answer.reasons == []
    assert (answer.start_before, answer.due_before) == (date(2026, 12, 15), date(2026, 12, 18))
    assert (answer.start_after, answer.due_after) == (date(2026, 12, 18), date(2026, 12, 21))
    # FA needs SUB on its start (12-18): it starts on 12-21 and finishes 3 days later
    assert answer.pushed == [board_move.Pushed(FA_MO, date(2026, 12, 23), date(2026, 12, 26))]
    assert answer.late_lines == [board_move.LateLine("SO-A/1", DUE, date(2026, 12, 26), 3, 0)]
    assert dates(firm, SUB_MO) == (date(2026, 12, 15), date(2026, 12, 18))
    assert moves(firm) == []


def test_an_earlier_move_with_the_material_there_breaks_nothing(firm: Session) -> None:
    answer = check(firm, SUB_MO, date(2026, 12, 16))  # the 12 C2 are in stock
    assert answer.accepted and answer.pushed == [] and answer.late_lines == []
    assert answer.start_after == date(2026, 12, 13)


def test_an_accepted_move_is_saved_as_firm_dates_with_audit(firm: Session) -> None:
    answer = board_move.move_production(
        firm, SUB_MO, date(2026, 12, 21), author="ann", dry_run=False
    )
    assert answer.saved and answer.late_lines[0].days_late == 3
    assert dates(firm, SUB_MO) == (date(2026, 12, 18), date(2026, 12, 21))
    [entry] = moves(firm)
    assert (entry.author, entry.entity, entry.entity_ref) == ("ann", "production_order", SUB_MO)
    assert entry.before == {"start_date": "2026-12-15", "due_date": "2026-12-18"}
    assert entry.after == {"start_date": "2026-12-18", "due_date": "2026-12-21"}
    assert entry.note == "moved on the planning board; breaks SO-A/1 3 days late"


def test_a_move_before_the_material_is_there_is_refused_with_the_reason(firm: Session) -> None:
    # on 12-12 there are 5 C1 (the 3 bought arrive later) and no SUB (MO-000002: 12-18)
    answer = check(firm, FA_MO, date(2026, 12, 17))
    assert not answer.accepted
    assert answer.reasons == [
        "SUB: needs 4 by 2026-12-12, only 0 available",
        "C1: needs 8 by 2026-12-12, only 5 available",
    ]
    with pytest.raises(ConflictError, match="MO-000001 cannot finish on 2026-12-17: SUB: needs 4"):
        board_move.move_production(firm, FA_MO, date(2026, 12, 17), author="ann", dry_run=False)
    assert dates(firm, FA_MO) == (date(2026, 12, 18), DUE)
    assert moves(firm) == []


def test_a_later_move_of_the_top_order_makes_its_line_late(firm: Session) -> None:
    answer = check(firm, FA_MO, date(2026, 12, 28))
    assert answer.accepted and answer.pushed == []
    assert answer.late_lines == [board_move.LateLine("SO-A/1", DUE, date(2026, 12, 28), 5, 0)]


def test_a_released_order_does_not_move(firm: Session) -> None:
    production.release_production(firm, SUB_MO, author="floor")
    with pytest.raises(ConflictError, match="MO-000002 is released: only a planned order moves"):
        check(firm, SUB_MO, date(2026, 12, 21))
    with pytest.raises(ConflictError, match="is released"):
        board_move.move_production(firm, SUB_MO, date(2026, 12, 21), author="ann", dry_run=False)
    assert moves(firm) == []


def test_a_day_off_or_out_of_range_is_refused(firm: Session) -> None:
    set_work_days(firm, "mon,tue,wed,thu,fri", author="admin")
    with pytest.raises(ValidationError, match="2026-12-19 is not a working day"):
        check(firm, SUB_MO, date(2026, 12, 19))  # a Saturday
    with pytest.raises(ValidationError, match="finish 1800-01-01 is outside"):
        check(firm, SUB_MO, date(1800, 1, 1))


@pytest.fixture
def routed(firm: Session) -> Session:
    """ASM works 8 h a day; FA takes 4 h a unit there (16 h), SUB 6 h (24 h)."""
    capacity.save_work_center(firm, code="ASM", hours_per_day=8, author="ann")
    capacity.set_routing(firm, "FA", [capacity.OperationIn(10, "ASM", run_hours=4)], author="ann")
    capacity.set_routing(firm, "SUB", [capacity.OperationIn(10, "ASM", run_hours=6)], author="ann")
    return firm


def test_a_move_into_a_full_window_is_refused_for_capacity(routed: Session) -> None:
    # 12-20..12-23 has 32 h at ASM; FA's 16 h take 12-22 and 12-23: 16 h free for 24
    answer = check(routed, SUB_MO, date(2026, 12, 23))
    assert answer.capacity_checked and not answer.accepted
    assert answer.overloads == [board_move.Overload("ASM", 24.0, 16.0)]
    assert answer.reasons == ["ASM: needs 24 h between 2026-12-20 and 2026-12-23, only 16 h free"]
    with pytest.raises(ConflictError, match="ASM: needs 24 h"):
        board_move.move_production(routed, SUB_MO, date(2026, 12, 23), author="ann", dry_run=False)
    assert moves(routed) == []


def test_a_move_into_free_hours_is_accepted(routed: Session) -> None:
    # 12-14..12-17: SUB's own 24 h (12-16..12-18) do not count against it
    answer = check(routed, SUB_MO, date(2026, 12, 17))
    assert answer.capacity_checked and answer.accepted and answer.overloads == []


def test_with_a_finite_schedule_its_placed_operations_are_the_load(routed: Session) -> None:
    # the schedule runs SUB on 12-15..12-17 and FA (16 h) on 12-18..12-19
    run_schedule(routed, author="ann")
    refused = check(routed, SUB_MO, date(2026, 12, 21))  # 12-18..12-21: 32 h less FA's 16
    assert refused.overloads == [board_move.Overload("ASM", 24.0, 16.0)]
    accepted = check(routed, SUB_MO, date(2026, 12, 23))  # 12-20..12-23: all 32 h free
    assert accepted.capacity_checked and accepted.overloads == []

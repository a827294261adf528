"""Moving one operation on the planning board (services.operation_move), on the company
of tests/_board_company.py with two work centers.

ASM and PNT work 8 h a day, every day. FA: 10 at ASM 4 h a unit (16 h), 20 at PNT 2 h a
unit (8 h); SUB: 10 at ASM 6 h a unit (24 h). The finite schedule runs SUB at ASM on
12-15..12-17, FA's 10 at ASM on 12-18..12-19 and its 20 at PNT on 12-20; the backward
load (no schedule) FA's 10 on 12-21..12-22, its 20 on 12-23, SUB on 12-16..12-18.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from _board_company import DUE, FA_MO, SUB_MO, add_routings, build_firm
from pegboard.errors import ConflictError, NotFoundError, ValidationError
from pegboard.model import AuditEntry, ScheduledLoad, ScheduledOrder, ScheduleRun, WorkCenter
from pegboard.services import board_move, capacity
from pegboard.services.calendar import set_work_days
from pegboard.services.operation_move import OperationMoveAnswer, move_operation
from pegboard.services.schedule import scheduled_operations
from pegboard.services.schedule_run import run_schedule


@pytest.fixture
def shop(session: Session) -> Session:
    build_firm(session)
    add_routings(session, schedule=False)
    return session


@pytest.fixture
def scheduled(shop: Session) -> Session:
    run_schedule(shop, author="ann")
    return shop


def check(
    session: Session, number: str, seq: int, start: date, wc: str | None = None
) -> OperationMoveAnswer:
    with session.begin():
        return move_operation(session, number, seq, start, work_center=wc, author="ann")


def placed(session: Session) -> list[tuple[str, int, str, date, date]]:
    with session.begin():
        return [
            (r.order, r.sequence, r.work_center, r.start, r.end)
            for r in scheduled_operations(session)
        ]


def hours_per_day(session: Session) -> list[tuple[str, date, float]]:
    """The stored schedule's hours per work center and day (``ScheduledLoad``)."""
    with session.begin():
        rows = session.execute(
            select(WorkCenter.code, ScheduledLoad.day, ScheduledLoad.hours)
            .join(WorkCenter, WorkCenter.id == ScheduledLoad.work_center_id)
            .order_by(WorkCenter.code, ScheduledLoad.day)
        ).all()
    return [(code, day, round(hours, 6)) for code, day, hours in rows]


def audited(session: Session) -> list[AuditEntry]:
    with session.begin():
        return list(
            session.scalars(select(AuditEntry).where(AuditEntry.action == "move_operation"))
        )


def test_a_later_day_after_its_predecessor_is_accepted_and_saved_in_the_schedule(
    scheduled: Session,
) -> None:
    answer = check(scheduled, FA_MO, 20, date(2026, 12, 22))
    assert answer.accepted and answer.scheduled and not answer.saved
    assert (answer.start_before, answer.end_before) == (date(2026, 12, 20), date(2026, 12, 20))
    assert (answer.end_after, answer.free, answer.hours) == (date(2026, 12, 22), 8.0, 8.0)
    assert (answer.completion_before, answer.completion_after) == (
        date(2026, 12, 20),
        date(2026, 12, 22),
    )
    assert answer.late_lines == [] and answer.pushed == []
    before = placed(scheduled)
    assert audited(scheduled) == []
    saved = move_operation(scheduled, FA_MO, 20, date(2026, 12, 22), author="ann", dry_run=False)
    assert saved.saved
    with scheduled.begin():  # still on time: no late order
        assert scheduled.scalars(select(ScheduleRun.late_orders)).one() == 0
    after = placed(scheduled)
    assert (FA_MO, 20, "PNT", date(2026, 12, 22), date(2026, 12, 22)) in after
    assert [p for p in after if p[1] != 20 or p[0] != FA_MO] == [
        p for p in before if p[1] != 20 or p[0] != FA_MO
    ]
    with scheduled.begin():
        order = scheduled.scalars(
            select(ScheduledOrder).where(ScheduledOrder.order_ref == FA_MO)
        ).one()
        assert (order.completion, order.available_date) == (date(2026, 12, 22), DUE)
    [entry] = audited(scheduled)
    assert (entry.author, entry.entity, entry.entity_ref) == ("ann", "production_order", FA_MO)
    assert entry.before == {
        "sequence": 20,
        "work_center": "PNT",
        "start_date": "2026-12-20",
        "end_date": "2026-12-20",
        "pinned": False,
    }
    assert (entry.after["start_date"], entry.after["pinned"]) == ("2026-12-22", True)
    assert entry.note == "operation moved on the planning board and pinned"


def test_before_its_predecessor_ends_is_refused_with_the_reason(scheduled: Session) -> None:
    answer = check(scheduled, FA_MO, 20, date(2026, 12, 18))
    assert not answer.accepted
    assert answer.reasons == [
        "operation 20 would start on 2026-12-18, before operation 10 (ASM) ends on 2026-12-19"
    ]
    before = placed(scheduled)
    with pytest.raises(ConflictError, match="operation 20 cannot start on 2026-12-18 at PNT"):
        move_operation(scheduled, FA_MO, 20, date(2026, 12, 18), author="ann", dry_run=False)
    assert placed(scheduled) == before and audited(scheduled) == []


def test_after_its_successor_starts_is_refused(scheduled: Session) -> None:
    answer = check(scheduled, FA_MO, 10, date(2026, 12, 20))  # 2 days: ends 12-21
    assert answer.reasons == [
        "operation 10 would end on 2026-12-21, after operation 20 (PNT) starts on 2026-12-20"
    ]


def test_into_a_full_work_center_before_the_material_is_refused_for_both(
    scheduled: Session,
) -> None:
    # SUB takes all of ASM's 8 h on 12-15..12-17; FA's components are not there by 12-16
    answer = check(scheduled, FA_MO, 10, date(2026, 12, 16))
    assert answer.free == 0.0 and answer.overloaded
    assert answer.reasons == [
        "ASM: needs 16 h between 2026-12-16 and 2026-12-17, only 0 h free",
        "SUB: needs 4 by 2026-12-16, only 0 available",
        "C1: needs 8 by 2026-12-16, only 5 available",
    ]


def test_to_another_work_center_is_checked_on_its_hours_and_saved(scheduled: Session) -> None:
    capacity.save_work_center(scheduled, code="ASM2", hours_per_day=4, author="ann")
    refused = check(scheduled, FA_MO, 10, date(2026, 12, 18), "ASM2")  # 8 h for 16
    assert refused.reasons == ["ASM2: needs 16 h between 2026-12-18 and 2026-12-19, only 8 h free"]
    capacity.save_work_center(scheduled, code="ASM2", hours_per_day=8, author="ann")
    answer = move_operation(
        scheduled, FA_MO, 10, date(2026, 12, 18), work_center="ASM2", author="ann", dry_run=False
    )
    assert answer.saved and (answer.work_center_before, answer.work_center_after) == (
        "ASM",
        "ASM2",
    )
    assert (FA_MO, 10, "ASM2", date(2026, 12, 18), date(2026, 12, 19)) in placed(scheduled)
    # its 16 h moved in the schedule's hours per day too (what promise reads)
    assert hours_per_day(scheduled) == [
        ("ASM", date(2026, 12, 15), 8.0),
        ("ASM", date(2026, 12, 16), 8.0),
        ("ASM", date(2026, 12, 17), 8.0),
        ("ASM2", date(2026, 12, 18), 8.0),
        ("ASM2", date(2026, 12, 19), 8.0),
        ("PNT", date(2026, 12, 20), 8.0),
    ]
    [entry] = audited(scheduled)
    assert (entry.before["work_center"], entry.after["work_center"]) == ("ASM", "ASM2")


def test_ending_after_the_order_is_due_makes_its_line_late(scheduled: Session) -> None:
    answer = check(scheduled, FA_MO, 20, date(2026, 12, 26))
    assert answer.accepted and answer.completion_after == date(2026, 12, 26)
    assert answer.late_lines == [board_move.LateLine("SO-A/1", DUE, date(2026, 12, 26), 3, 0)]
    move_operation(scheduled, FA_MO, 20, date(2026, 12, 26), author="ann", dry_run=False)
    with scheduled.begin():  # the schedule's summary counts FA late now
        assert scheduled.scalars(select(ScheduleRun.late_orders)).one() == 1
    [entry] = audited(scheduled)
    assert entry.note == (
        "operation moved on the planning board and pinned; breaks SO-A/1 3 days late"
    )


def test_without_a_schedule_the_backward_load_answers_and_the_move_is_pinned(
    shop: Session,
) -> None:
    # the backward load runs FA's 10 at ASM on 12-21..12-22 (16 h): 8 h free of 24
    refused = check(shop, SUB_MO, 10, date(2026, 12, 21))
    assert not refused.scheduled and refused.end_after == date(2026, 12, 23)
    assert refused.reasons == ["ASM: needs 24 h between 2026-12-21 and 2026-12-23, only 8 h free"]
    accepted = check(shop, SUB_MO, 10, date(2026, 12, 17))
    assert accepted.accepted and accepted.free == 16.0 + 8.0  # its own 24 h do not count
    saved = move_operation(shop, SUB_MO, 10, date(2026, 12, 17), author="ann", dry_run=False)
    assert saved.saved and not saved.scheduled
    assert "the next 'pegboard schedule' places it there" in saved.saved_note
    [entry] = audited(shop)
    assert entry.note == (
        "operation moved on the planning board and pinned "
        "(no current schedule: the next one places it there); breaks SO-A/1 1 day late"
    )


def test_a_day_off_an_unknown_operation_or_work_center_is_refused(scheduled: Session) -> None:
    with pytest.raises(
        NotFoundError, match="MO-000001 has no operation 30 \\(its operations: 10, 20\\)"
    ):
        check(scheduled, FA_MO, 30, date(2026, 12, 22))
    with pytest.raises(NotFoundError, match="no work center 'NOPE'"):
        check(scheduled, FA_MO, 20, date(2026, 12, 22), "NOPE")
    set_work_days(scheduled, "mon,tue,wed,thu,fri", author="admin")
    with pytest.raises(ValidationError, match="PNT does not work on 2026-12-19"):
        check(scheduled, FA_MO, 20, date(2026, 12, 19))


def test_a_blank_work_center_means_the_operations_own(scheduled: Session) -> None:
    # the board leaves the field empty; the API and the CLI may pass spaces: the same
    own = check(scheduled, FA_MO, 20, date(2026, 12, 22))
    for blank in ("", "   "):
        answer = check(scheduled, FA_MO, 20, date(2026, 12, 22), blank)
        assert answer.accepted and answer.work_center_after == own.work_center_after == "PNT"

"""Operations pinned on the planning board survive the next finite schedule
(services.pins, services.schedule_pins), on the company of tests/_board_company.py.

ASM and PNT work 8 h a day, every day. The schedule without pins runs SUB (MO-000002)
at ASM on 12-15..12-17, FA's (MO-000001) 10 at ASM on 12-18..12-19 and its 20 at PNT on
12-20; the backward load (no schedule) runs SUB on 12-16..12-18.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from _board_company import FA_MO, SUB_MO, add_routings, build_firm
from pegboard.errors import NotFoundError
from pegboard.model import AuditEntry, PinnedOperation
from pegboard.services import capacity, pins, production
from pegboard.services.operation_move import move_operation, operations_board
from pegboard.services.schedule import scheduled_operations
from pegboard.services.schedule_run import ScheduleSummary, run_schedule
from pegboard.services.work_center_gantt import order_gantt, work_center_gantt

Placed = tuple[str, int, str, date, date]


@pytest.fixture
def shop(session: Session) -> Session:
    build_firm(session)
    add_routings(session, schedule=False)
    return session


@pytest.fixture
def scheduled(shop: Session) -> Session:
    run_schedule(shop, author="ann")
    return shop


def placed(session: Session, number: str) -> list[Placed]:
    with session.begin():
        return [
            (r.order, r.sequence, r.work_center, r.start, r.end)
            for r in scheduled_operations(session)
            if r.order == number
        ]


def move(session: Session, number: str, seq: int, start: date) -> None:
    assert move_operation(session, number, seq, start, author="ann", dry_run=False).saved


def reschedule(session: Session) -> ScheduleSummary:
    return run_schedule(session, author="ann")


def test_a_moved_operation_stays_through_the_next_schedule_until_it_is_unpinned(
    scheduled: Session,
) -> None:
    assert placed(scheduled, FA_MO)[1] == (FA_MO, 20, "PNT", date(2026, 12, 20), date(2026, 12, 20))
    move(scheduled, FA_MO, 20, date(2026, 12, 22))
    summary = reschedule(scheduled)
    assert summary.pinned == [f"{FA_MO}/20"] and summary.pin_overloads == []
    assert summary.pins_ignored == []
    assert placed(scheduled, FA_MO) == [
        (FA_MO, 10, "ASM", date(2026, 12, 18), date(2026, 12, 19)),
        (FA_MO, 20, "PNT", date(2026, 12, 22), date(2026, 12, 22)),
    ]
    with scheduled.begin():
        [pin] = pins.list_pins(scheduled, FA_MO)
    assert (pin.work_center, pin.start, pin.end, pin.author) == (
        "PNT",
        date(2026, 12, 22),
        date(2026, 12, 22),
        "ann",
    )
    removed = pins.unpin_operation(scheduled, FA_MO, 20, author="bob")
    assert removed.start == date(2026, 12, 22)
    # the stored schedule keeps it until the next one, which places it from its routing
    assert placed(scheduled, FA_MO)[1][3] == date(2026, 12, 22)
    assert reschedule(scheduled).pinned == []
    assert placed(scheduled, FA_MO)[1] == (FA_MO, 20, "PNT", date(2026, 12, 20), date(2026, 12, 20))
    with scheduled.begin():
        entry = scheduled.scalars(
            select(AuditEntry).where(AuditEntry.action == "unpin_operation")
        ).one()
        assert (entry.author, entry.entity_ref, entry.before["start_date"]) == (
            "bob",
            FA_MO,
            "2026-12-22",
        )
        assert entry.after == {"sequence": 20, "pinned": False}
        assert scheduled.scalars(select(PinnedOperation)).all() == []


def test_moving_a_pinned_operation_again_moves_its_pin(scheduled: Session) -> None:
    move(scheduled, FA_MO, 20, date(2026, 12, 22))
    move(scheduled, FA_MO, 20, date(2026, 12, 21))
    reschedule(scheduled)
    assert placed(scheduled, FA_MO)[1][3] == date(2026, 12, 21)
    with scheduled.begin():
        assert len(scheduled.scalars(select(PinnedOperation)).all()) == 1
        moves = scheduled.scalars(
            select(AuditEntry).where(AuditEntry.action == "move_operation").order_by(AuditEntry.id)
        ).all()
        assert [m.before["pinned"] for m in moves] == [False, True]


def test_without_a_schedule_the_pin_is_saved_shown_and_then_scheduled(shop: Session) -> None:
    answer = move_operation(shop, SUB_MO, 10, date(2026, 12, 17), author="ann", dry_run=False)
    assert answer.saved and not answer.scheduled
    assert (answer.start_after, answer.end_after) == (date(2026, 12, 17), date(2026, 12, 19))
    with shop.begin():
        board = operations_board(shop, SUB_MO)
    [op] = board.operations
    assert (op.start, op.end, op.pinned, board.scheduled) == (
        date(2026, 12, 17),
        date(2026, 12, 19),
        True,
        False,
    )
    assert reschedule(shop).pinned == [f"{SUB_MO}/10"]
    assert placed(shop, SUB_MO) == [(SUB_MO, 10, "ASM", date(2026, 12, 17), date(2026, 12, 19))]
    # FA waits for SUB and for ASM, full with SUB's pin on 12-19
    assert placed(shop, FA_MO)[0][3] == date(2026, 12, 20)


def test_a_pin_past_its_work_centers_hours_is_placed_and_the_overload_said(
    scheduled: Session,
) -> None:
    move(scheduled, FA_MO, 10, date(2026, 12, 18))  # where it is: pinned there
    capacity.save_work_center(scheduled, code="ASM", hours_per_day=4, author="ann")
    summary = reschedule(scheduled)
    assert summary.pin_overloads == [
        "ASM on 2026-12-18: 8 h scheduled, 4 h available",
        "ASM on 2026-12-19: 8 h scheduled, 4 h available",
    ]
    assert summary.as_result()["pin_overloads"] == summary.pin_overloads
    assert placed(scheduled, FA_MO)[0] == (FA_MO, 10, "ASM", date(2026, 12, 18), date(2026, 12, 19))
    # SUB's 24 h at 4 h a day: held on the pinned days, FA's 20 after both
    sub = placed(scheduled, SUB_MO)[0]
    assert sub[3] == date(2026, 12, 15) and sub[4] > date(2026, 12, 20)
    assert placed(scheduled, FA_MO)[1][3] >= sub[4]
    with scheduled.begin():
        gantt = work_center_gantt(scheduled, "ASM", today=date(2026, 12, 14), weeks=2)
    over = {o.day: (o.required, o.available) for o in gantt.over_days}
    assert over == {date(2026, 12, 18): (8.0, 4.0), date(2026, 12, 19): (8.0, 4.0)}


def test_a_pin_its_earlier_operation_ends_after_is_kept_and_said(scheduled: Session) -> None:
    move(scheduled, FA_MO, 20, date(2026, 12, 20))  # where it is: 10 ends 12-19
    assert reschedule(scheduled).pins_out_of_sequence == []
    # at 4 h a day SUB holds ASM until 12-20, and FA's 10 (16 h) runs 12-21..12-24
    capacity.save_work_center(scheduled, code="ASM", hours_per_day=4, author="ann")
    summary = reschedule(scheduled)
    assert summary.pins_out_of_sequence == [
        f"{FA_MO}/20 is pinned to start 2026-12-20, but operation 10 ends 2026-12-24"
    ]
    assert placed(scheduled, FA_MO) == [  # in schedule order: start day first
        (FA_MO, 20, "PNT", date(2026, 12, 20), date(2026, 12, 20)),
        (FA_MO, 10, "ASM", date(2026, 12, 21), date(2026, 12, 24)),
    ]


def test_the_dispatch_list_and_the_gantt_mark_pinned_operations(scheduled: Session) -> None:
    move(scheduled, FA_MO, 20, date(2026, 12, 22))
    with scheduled.begin():
        marks = {(r.order, r.sequence): r.pinned for r in scheduled_operations(scheduled)}
        gantt = order_gantt(scheduled, FA_MO)
        window = work_center_gantt(scheduled, "PNT", today=date(2026, 12, 21), weeks=1)
    assert marks == {(SUB_MO, 10): False, (FA_MO, 10): False, (FA_MO, 20): True}
    assert [(o.sequence, o.pinned) for o in gantt.operations] == [(10, False), (20, True)]
    assert [(o.order, o.sequence, o.pinned) for o in window.operations] == [(FA_MO, 20, True)]


def test_cancelling_an_order_removes_its_pins_with_audit(scheduled: Session) -> None:
    move(scheduled, FA_MO, 20, date(2026, 12, 22))
    production.cancel_production(scheduled, FA_MO, author="ann")
    with scheduled.begin():
        assert pins.list_pins(scheduled) == []
        entry = scheduled.scalars(
            select(AuditEntry).where(AuditEntry.action == "unpin_operation")
        ).one()
        assert entry.before == {"pinned": ["20 at PNT 2026-12-22 to 2026-12-22"]}
        assert entry.note == "order cancelled: its pins are removed"
    assert reschedule(scheduled).pinned == []


def test_a_pin_the_schedule_cannot_place_is_ignored_and_listed(scheduled: Session) -> None:
    # FA's routing loses its operation 20 after it was pinned: the pin has nowhere to go,
    # and the schedule says so rather than dropping it silently
    move(scheduled, FA_MO, 20, date(2026, 12, 22))
    capacity.set_routing(
        scheduled, "FA", [capacity.OperationIn(10, "ASM", run_hours=4)], author="ann"
    )
    summary = reschedule(scheduled)
    assert summary.pinned == []
    assert summary.pins_ignored == [
        f"{FA_MO}/20 (2026-12-22 to 2026-12-22): the operation is finished or no longer in "
        "its order's routing"
    ]
    with scheduled.begin():
        assert pins.pinned_keys(scheduled) == {(FA_MO, 20)}


def test_unpinning_an_operation_that_is_not_pinned_is_refused_by_name(scheduled: Session) -> None:
    move(scheduled, FA_MO, 20, date(2026, 12, 22))
    with pytest.raises(
        NotFoundError, match=r"MO-000001 operation 10 is not pinned \(its pinned operations: 20\)"
    ):
        pins.unpin_operation(scheduled, FA_MO, 10, author="ann")
    with pytest.raises(NotFoundError, match="no production order 'MO-9'"):
        pins.unpin_operation(scheduled, "MO-9", 10, author="ann")

"""Moving a planned make order's operation on the board firms it and pins the operation
(services.firm_pin), on the company of tests/_board_company.py planned but not firmed
(both databases).

ASM and PNT work 8 h a day, every day. The plan's planned orders: FA (4, due 12-23) and
SUB (4, due 12-18). Without a schedule the backward load runs FA's 10 at ASM on
12-21..12-22 (16 h), its 20 at PNT on 12-23, SUB's 10 at ASM on 12-16..12-18 (24 h).
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from _board_company import add_routings
from _board_company import dataset as board_dataset
from pegboard.errors import ConflictError, NotFoundError, ValidationError
from pegboard.model import AuditEntry, Item, PlannedOrder, ProductionOrder
from pegboard.services.company_data import replace_company
from pegboard.services.firm_pin import firm_and_move, firm_and_pin, planned_board
from pegboard.services.pins import list_pins
from pegboard.services.planning import run_plan
from pegboard.services.schedule import scheduled_operations
from pegboard.services.schedule_run import run_schedule


@pytest.fixture
def planned(session: Session) -> Session:
    replace_company(session, board_dataset(), author="import")
    add_routings(session, schedule=False)
    run_plan(session, author="planner")
    return session


def number_of(session: Session, item: str) -> str:
    with session.begin():
        return session.scalars(
            select(PlannedOrder.number)
            .join(Item, Item.id == PlannedOrder.item_id)
            .where(Item.code == item)
        ).one()


def state(session: Session) -> tuple[list[str], list[str | None], list[str]]:
    """Production orders, the planned make orders' firmed_as, and the audit's actions."""
    with session.begin():
        mos = list(session.scalars(select(ProductionOrder.number).order_by(ProductionOrder.id)))
        firmed = list(
            session.scalars(
                select(PlannedOrder.firmed_as)
                .where(PlannedOrder.type == "make")
                .order_by(PlannedOrder.number)
            )
        )
        actions = list(
            session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.entity == "production_order")
                .order_by(AuditEntry.id)
            )
        )
    return mos, firmed, actions


def test_the_board_shows_a_planned_orders_operations(planned: Session) -> None:
    fa = number_of(planned, "FA")
    with planned.begin():
        board = planned_board(planned, fa)
    assert (board.item, board.qty, board.due, board.scheduled) == (
        "FA",
        4.0,
        date(2026, 12, 23),
        False,
    )
    assert [(o.sequence, o.work_center, o.start, o.end) for o in board.operations] == [
        (10, "ASM", date(2026, 12, 21), date(2026, 12, 22)),
        (20, "PNT", date(2026, 12, 23), date(2026, 12, 23)),
    ]


def test_a_check_firms_nothing_and_a_save_firms_and_pins_in_one_go(planned: Session) -> None:
    fa = number_of(planned, "FA")
    before = state(planned)
    assert before == ([], [None, None], [])
    check = firm_and_pin(planned, fa, 10, date(2026, 12, 19), author="ann")
    assert check.accepted and not check.saved and check.number == "MO-000001"
    assert (check.move.start_after, check.move.end_after, check.move.free) == (
        date(2026, 12, 19),
        date(2026, 12, 20),
        16.0,
    )
    assert check.message == (
        f"Planned order {fa} can be firmed as production order MO-000001 with operation 10 "
        "at ASM 2026-12-19 to 2026-12-20, pinned there."
    )
    assert state(planned) == before  # rolled back: nothing firmed, pinned or audited
    saved = firm_and_pin(planned, fa, 10, date(2026, 12, 19), author="ann", dry_run=False)
    assert saved.saved and saved.number == "MO-000001"
    assert saved.message == (
        f"Planned order {fa} became production order MO-000001, operation 10 at ASM "
        "2026-12-19 to 2026-12-20 pinned there: there is no current finite schedule, the "
        "next 'pegboard schedule' places it there."
    )
    mos, firmed, actions = state(planned)
    assert mos == ["MO-000001"] and "MO-000001" in firmed
    assert actions == ["firm", "move_operation"]
    with planned.begin():
        [pin] = list_pins(planned)
        mo = planned.scalars(select(ProductionOrder)).one()
        assert mo.planned_ref is not None and mo.planned_ref.endswith(f"/{fa}")
    assert (pin.number, pin.sequence, pin.work_center, pin.start, pin.end, pin.author) == (
        "MO-000001",
        10,
        "ASM",
        date(2026, 12, 19),
        date(2026, 12, 20),
        "ann",
    )
    # it is a production order now: the planned order cannot be moved (or firmed) again
    with pytest.raises(ConflictError, match=f"{fa} was firmed already as MO-000001"):
        firm_and_pin(planned, fa, 10, date(2026, 12, 19), author="ann")


def test_a_refused_move_firms_nothing(planned: Session) -> None:
    fa = number_of(planned, "FA")
    # onto 12-16..12-17, which SUB's 24 h fill
    check = firm_and_pin(planned, fa, 10, date(2026, 12, 16), author="ann")
    assert not check.accepted
    assert "ASM: needs 16 h between 2026-12-16 and 2026-12-17, only 0 h free" in check.reasons
    with pytest.raises(ConflictError, match="only 0 h free"):
        firm_and_pin(planned, fa, 10, date(2026, 12, 16), author="ann", dry_run=False)
    assert state(planned) == ([], [None, None], [])


def test_with_a_schedule_the_move_is_written_into_it(planned: Session) -> None:
    """The schedule runs SUB at ASM on 12-15..12-17, FA's 10 at ASM on 12-18..12-19 and
    its 20 at PNT on 12-20."""
    run_schedule(planned, author="ann")
    fa = number_of(planned, "FA")
    with planned.begin():
        assert planned_board(planned, fa).scheduled
    saved = firm_and_pin(planned, fa, 20, date(2026, 12, 22), author="ann", dry_run=False)
    assert saved.saved and saved.move.scheduled
    with planned.begin():
        rows = [
            (r.order, r.sequence, r.work_center, r.start, r.end, r.pinned)
            for r in scheduled_operations(planned, "PNT")
        ]
    assert rows == [(fa, 20, "PNT", date(2026, 12, 22), date(2026, 12, 22), False)]


def test_unknown_bought_or_bad_input_is_refused(planned: Session) -> None:
    with pytest.raises(NotFoundError, match="no planned order 'PO-NOPE' in the current plan"):
        firm_and_pin(planned, "PO-NOPE", 10, date(2026, 12, 19), author="ann")
    fa = number_of(planned, "FA")
    with pytest.raises(NotFoundError, match="has no operation 30"):
        firm_and_pin(planned, fa, 30, date(2026, 12, 19), author="ann", dry_run=False)
    with pytest.raises(NotFoundError, match="no work center 'NOPE'"):
        firm_and_pin(planned, fa, 10, date(2026, 12, 19), work_center="NOPE", author="ann")
    with pytest.raises(ValidationError, match="start 9999-12-31 is outside"):
        firm_and_pin(planned, fa, 10, date(9999, 12, 31), author="ann")
    assert state(planned) == ([], [None, None], [])


def test_a_whole_planned_order_moved_is_firmed_with_its_new_dates(planned: Session) -> None:
    fa = number_of(planned, "FA")
    check = firm_and_move(planned, fa, date(2026, 12, 26), author="ann")
    assert check.accepted and not check.saved and check.number == "MO-000001"
    assert check.move.due_after == date(2026, 12, 26)
    assert state(planned) == ([], [None, None], [])
    refused = firm_and_move(planned, fa, date(2026, 12, 17), author="ann")
    assert not refused.accepted and refused.move.shortages
    with pytest.raises(ConflictError, match="MO-000001 cannot finish on 2026-12-17"):
        firm_and_move(planned, fa, date(2026, 12, 17), author="ann", dry_run=False)
    assert state(planned) == ([], [None, None], [])
    saved = firm_and_move(planned, fa, date(2026, 12, 26), author="ann", dry_run=False)
    assert saved.saved and saved.message == (
        f"Planned order {fa} became production order MO-000001, firm from "
        f"{saved.move.start_after.isoformat()} to 2026-12-26."
    )
    mos, firmed, actions = state(planned)
    assert (mos, actions) == (["MO-000001"], ["firm", "move"]) and "MO-000001" in firmed
    with planned.begin():
        mo = planned.scalars(select(ProductionOrder)).one()
        assert (mo.due_date, mo.start_date) == (date(2026, 12, 26), saved.move.start_after)

"""Dragging a planned make order's operation on the planning board: "I want this made
then" (issues #15 item 4, #19 item 4).

A planned order is the plan's suggestion, placed afresh by every plan and schedule; a
planner who moves one by hand approves it, as frePPLe's locking of a proposed
operation plan does. So the move is offered as firm-and-pin: in one transaction the
planned order is firmed into a production order (``production.firm_production_rows``:
its number, audit, pegging carried into the plan, exactly as the planned-orders page
firms it) and the moved operation is pinned on that order (``operation_move``: checked
for sequence, free hours, material and the lines it makes late, then pinned and, with
a current finite schedule, written into it). A refused move firms nothing.

A check (``dry_run``) does the same in a transaction that is rolled back: the answer
is what saving would do, with the number the production order would take now, and
nothing is written. The CLI (``pegboard mo firm-pin``), the API
(``POST /api/plan/planned-orders/{number}/operations/{sequence}/move``) and the board's page
of a planned order call this one service.

Moving the whole planned order to finish on another day (:func:`firm_and_move`) firms
it the same way and saves the production order's move (``board_move``: material and
free hours checked, its dates made firm), in one transaction: ``pegboard mo firm-move``
and ``POST /api/plan/planned-orders/{number}/move``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from pegboard.errors import NotFoundError
from pegboard.model import Item, ItemType, PlannedOrder, SalesOrder, WorkCenter
from pegboard.model import ScheduledOperation as Placed
from pegboard.services import board_move, operation_move, production
from pegboard.services._tx import composed_write, write_transaction
from pegboard.services.bounds import check_day
from pegboard.services.firming import planned_to_firm
from pegboard.services.load import work_centers
from pegboard.services.operation_move import Operation, OperationMoveAnswer
from pegboard.services.planning import current_run
from pegboard.services.schedule import current_schedule
from pegboard.services.window_load import order_operations


@dataclass(frozen=True)
class FirmPinAnswer:
    """A planned order's operation moved: the order firmed, the operation pinned."""

    planned: str
    number: str
    """The production order it became (on a check: the number it would take now)."""
    move: OperationMoveAnswer
    saved: bool = False

    @property
    def accepted(self) -> bool:
        return self.move.accepted

    @property
    def reasons(self) -> list[str]:
        return self.move.reasons

    @property
    def message(self) -> str:
        """What was done or would be, one sentence (the CLI, the API and the board)."""
        m = self.move
        where = (
            f"operation {m.sequence} at {m.work_center_after} "
            f"{m.start_after.isoformat()} to {m.end_after.isoformat()}"
        )
        if self.saved:
            return (
                f"Planned order {self.planned} became production order {self.number}, "
                f"{where} {m.saved_note}."
            )
        if m.accepted:
            return (
                f"Planned order {self.planned} can be firmed as production order {self.number} "
                f"with {where}, pinned there."
            )
        return (
            f"Planned order {self.planned} cannot be firmed with {where}: "
            + "; ".join(m.reasons)
            + "."
        )


@dataclass(frozen=True)
class FirmMoveAnswer:
    """A planned order moved whole: firmed, and the production order's dates moved."""

    planned: str
    number: str
    """The production order it became (on a check: the number it would take now)."""
    move: board_move.MoveAnswer
    saved: bool = False

    @property
    def accepted(self) -> bool:
        return self.move.accepted

    @property
    def message(self) -> str:
        """What was done or would be, one sentence (the CLI and the API)."""
        m = self.move
        days = f"{m.start_after.isoformat()} to {m.due_after.isoformat()}"
        if self.saved:
            return (
                f"Planned order {self.planned} became production order {self.number}, "
                f"firm from {days}."
            )
        if m.accepted:
            return (
                f"Planned order {self.planned} can be firmed as production order {self.number} "
                f"from {days}."
            )
        return (
            f"Planned order {self.planned} cannot be firmed to run {days}: "
            + "; ".join(m.reasons)
            + "."
        )


class _CheckOnly(Exception):
    """Ends a check's transaction by rolling it back, carrying its answer out."""

    def __init__(self, answer: FirmPinAnswer | FirmMoveAnswer) -> None:
        super().__init__("check only")
        self.answer = answer


def firm_and_pin(
    session: Session,
    planned: str,
    sequence: int,
    start: date,
    *,
    work_center: str | None = None,
    author: str,
    dry_run: bool = True,
) -> FirmPinAnswer:
    """Firm planned make order ``planned`` and pin its operation ``sequence`` to start on
    ``start`` (on ``work_center``, else where it runs), in one transaction; a check only
    with ``dry_run`` (module doc). A refused move raises a ConflictError with the reasons
    and firms nothing."""
    check_day(start, "start")
    try:
        with write_transaction(session):
            rows = planned_to_firm(session, ItemType.MAKE, [planned], None)
            [number] = production.firm_production_rows(session, rows, author)
            if dry_run:
                move = operation_move.check_move(session, number, sequence, start, work_center)
                raise _CheckOnly(FirmPinAnswer(planned, number, move))
            move = operation_move.save_move(
                session, number, sequence, start, work_center=work_center, author=author
            )
    except _CheckOnly as check:
        assert isinstance(check.answer, FirmPinAnswer)
        return check.answer
    return FirmPinAnswer(planned, number, move, saved=True)


def firm_and_move(
    session: Session, planned: str, finish: date, *, author: str, dry_run: bool = True
) -> FirmMoveAnswer:
    """Firm planned make order ``planned`` and move the production order to finish on
    ``finish`` (``board_move``: checked against material and free hours, saved as its
    firm dates), in one transaction; a check only with ``dry_run``, rolled back. A
    refused move raises a ConflictError with the reasons and firms nothing."""
    check_day(finish, "finish")
    try:
        with composed_write(session):
            rows = planned_to_firm(session, ItemType.MAKE, [planned], None)
            [number] = production.firm_production_rows(session, rows, author)
            move = board_move.move_production(
                session, number, finish, author=author, dry_run=dry_run
            )
            if dry_run:
                raise _CheckOnly(FirmMoveAnswer(planned, number, move))
    except _CheckOnly as check:
        assert isinstance(check.answer, FirmMoveAnswer)
        return check.answer
    return FirmMoveAnswer(planned, number, move, saved=True)


@dataclass(frozen=True)
class PlannedBoard:
    """A planned make order as the board draws it, with its operations."""

    number: str
    item: str
    qty: float
    release: date
    due: date
    sales_order: str
    scheduled: bool
    """True when the current finite schedule placed its operations, else the backward load."""
    operations: list[Operation]
    work_centers: list[str]


def planned_board(session: Session, number: str) -> PlannedBoard:
    """The current plan's unfirmed planned make order ``number`` and its operations: where
    the current finite schedule runs them, else where the backward load places them."""
    run = current_run(session)
    row = (
        session.execute(
            select(PlannedOrder, Item.code, SalesOrder.number)
            .join(Item, Item.id == PlannedOrder.item_id)
            .outerjoin(SalesOrder, SalesOrder.id == PlannedOrder.sales_order_id)
            .where(PlannedOrder.plan_run_id == run.id, PlannedOrder.number == number)
        ).first()
        if run is not None
        else None
    )
    if row is None:
        raise NotFoundError(f"no planned order {number!r} in the current plan", planned=number)
    po, item, so = row
    if po.type is not ItemType.MAKE or po.firmed_as:
        what = f"was firmed already as {po.firmed_as}" if po.firmed_as else "is bought, not made"
        raise NotFoundError(f"planned order {number} {what}: nothing to move", planned=number)
    scheduled, ops = _operations(session, po)
    codes = list(session.scalars(select(WorkCenter.code).order_by(WorkCenter.code)))
    return PlannedBoard(
        po.number, item, po.qty, po.release_date, po.due_date, so or "", scheduled, ops, codes
    )


def _operations(session: Session, po: PlannedOrder) -> tuple[bool, list[Operation]]:
    sched = current_schedule(session)
    if sched is not None:
        rows = session.execute(
            select(
                Placed.sequence, WorkCenter.code, Placed.hours, Placed.start_date, Placed.end_date
            )
            .join(WorkCenter, WorkCenter.id == Placed.work_center_id)
            .where(
                Placed.schedule_run_id == sched.id,
                tuple_(Placed.order_type, Placed.order_ref) == ("planned_order", po.number),
            )
            .order_by(Placed.sequence)
        ).all()
        if rows:
            return True, [Operation(*r) for r in rows]
    wcs, position = work_centers(session)
    order = (po.number, po.item_id, None, po.sales_order_id, po.qty, po.due_date)
    placed = order_operations(session, order, wcs, position)
    return False, [Operation(p.sequence, p.work_center, p.hours, p.start, p.end) for p in placed]

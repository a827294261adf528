"""The planning board's move of one operation: "MO-…'s operation 20 to start on day D
(on work center W)".

A planner drags an operation bar along its work center's row, or picks another work
center for it; before anything is saved pegboard answers, as for a whole order
(``services.board_move``):

* **sequence**: the operation may not start before the one before it ends, nor end
  after the one after it starts (the order's other operations stay where they are).
* **capacity**: the target work center's free hours over the days the operation would
  run (the same number of its working days as now, counted on the target's calendar)
  must cover its hours. Every other operation's hours come from the stored finite
  schedule when one is current, else from the backward load of that work center
  (``services.window_load``), other orders' pinned operations counted on their pins
  (``services.pin_hours``). The model knows no alternative work centers: any work
  center may take it, its standard hours unchanged; one that does not work on the day
  is refused.
* **material**: moved before the order's first operation's start, the components must be
  there by the new start (``board_move.shortages``, for a planned order).
* **what it breaks**: when it ends after the order's completion, the order completes
  later: the parents it feeds and the sales-order line, as for an order's move.

Saving **pins** the operation (``services.pins``): its work center and first and last
day are kept, and every later finite schedule places it there first (its hours taken
from those days before any other order's, even past what the work center has), until
the planner unpins it or its order closes. In the same transaction the stored finite
schedule, when one is current, takes the move at once (the dispatch lists and the Gantt
read it): the operation's row takes its new work center and days (no longer held), its
hours move in the schedule's hours per day (``services.scheduled_load``: what promise
reads), its order's start and completion follow. Without a current schedule the pin alone is saved
and the next ``pegboard schedule`` places the operation on it; the board shows it there
meanwhile (its other operations stay where the backward load puts them). The audit keeps
before and after.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from pegboard.errors import ConflictError, NotFoundError, ValidationError
from pegboard.model import (
    Item,
    ProductionOrder,
    ProductionStatus,
    ScheduledOrder,
    ScheduleRun,
    WorkCenter,
)
from pegboard.model import ScheduledOperation as Placed
from pegboard.services import audit, pins, scheduled_load
from pegboard.services._tx import write_transaction
from pegboard.services.board_move import (
    EPS,
    LateLine,
    Pushed,
    Shortage,
    consequences,
    shortages,
    spread,
)
from pegboard.services.bounds import check_day
from pegboard.services.calendar import load_calendar
from pegboard.services.load import work_centers
from pegboard.services.pin_hours import count_pins
from pegboard.services.production import get_production
from pegboard.services.schedule import current_schedule
from pegboard.services.scheduled_load import Span
from pegboard.services.window_load import order_operations, others_hours, production_order_row
from pegboard.services.wording import plural

MOVABLE = (ProductionStatus.PLANNED, ProductionStatus.RELEASED)
"""A planned or released order's operations move; one in progress is being worked on."""


@dataclass(frozen=True)
class Operation:
    """One operation of the order, where it runs now."""

    sequence: int
    work_center: str
    hours: float
    start: date
    end: date
    row_id: int | None = None
    """Its row in the stored schedule (None: placed by the backward load)."""
    pinned: bool = False
    """A planner pinned it here (``services.pins``): schedules keep it until unpinned."""


@dataclass(frozen=True)
class OperationMoveAnswer:
    number: str
    item: str
    sequence: int
    hours: float
    work_center_before: str
    work_center_after: str
    start_before: date
    end_before: date
    start_after: date
    end_after: date
    completion_before: date
    completion_after: date
    scheduled: bool
    """True when the stored finite schedule placed it (and a move is saved there)."""
    free: float
    """Hours the target work center has free over the new days (less everyone else's)."""
    out_of_sequence: list[str] = field(default_factory=list)
    shortages: list[Shortage] = field(default_factory=list)
    pushed: list[Pushed] = field(default_factory=list)
    late_lines: list[LateLine] = field(default_factory=list)
    saved: bool = False
    pinned_before: bool = False
    """It was pinned already (the move re-pins it)."""

    @property
    def saved_note(self) -> str:
        """What saving did, one sentence (the CLI, the API and the board say the same)."""
        if self.scheduled:
            return (
                "pinned there: the stored schedule shows it now, and later schedules keep it "
                "until it is unpinned"
            )
        return (
            "pinned there: there is no current finite schedule, the next 'pegboard schedule' "
            "places it there"
        )

    @property
    def overloaded(self) -> bool:
        return self.free + EPS < self.hours

    @property
    def accepted(self) -> bool:
        return not self.out_of_sequence and not self.shortages and not self.overloaded

    @property
    def reasons(self) -> list[str]:
        """Why the move is refused, one sentence each."""
        out = list(self.out_of_sequence)
        if self.overloaded:
            out.append(
                f"{self.work_center_after}: needs {round(self.hours, 6):g} h between "
                f"{self.start_after.isoformat()} and {self.end_after.isoformat()}, "
                f"only {round(self.free, 6):g} h free"
            )
        out += [
            f"{s.item}: needs {s.needed:g} by {self.start_after.isoformat()}, "
            f"only {max(s.available, 0.0):g} available"
            for s in self.shortages
        ]
        return out


def move_operation(
    session: Session,
    number: str,
    sequence: int,
    start: date,
    *,
    work_center: str | None = None,
    author: str,
    dry_run: bool = True,
) -> OperationMoveAnswer:
    """Check moving operation ``sequence`` of ``number`` to start on ``start`` (on
    ``work_center``, else where it is); unless ``dry_run``, save it into the stored
    schedule when accepted, else raise a ConflictError with the reasons (nothing written)."""
    check_day(start, "start")
    if dry_run:
        return _check(session, number, sequence, start, work_center)
    with write_transaction(session):
        return save_move(session, number, sequence, start, work_center=work_center, author=author)


def check_move(
    session: Session, number: str, sequence: int, start: date, work_center: str | None
) -> OperationMoveAnswer:
    """The check of :func:`move_operation` alone (nothing saved), in the caller's
    transaction: firming a planned order and checking its move (``services.firm_pin``)."""
    return _check(session, number, sequence, start, work_center, lock=True)


def save_move(
    session: Session,
    number: str,
    sequence: int,
    start: date,
    *,
    work_center: str | None,
    author: str,
) -> OperationMoveAnswer:
    """:func:`move_operation`'s save inside the caller's write transaction: checked again
    under lock, pinned when accepted, else a ConflictError with the reasons."""
    answer = _check(session, number, sequence, start, work_center, lock=True)
    if not answer.accepted:
        raise ConflictError(
            f"{number} operation {sequence} cannot start on {start.isoformat()} at "
            f"{answer.work_center_after}: " + "; ".join(answer.reasons),
            production_order=number,
            sequence=sequence,
        )
    _save(session, answer, author)
    return replace(answer, saved=True)


def operations_of(session: Session, mo: ProductionOrder) -> tuple[bool, list[Operation]]:
    """The order's operations in sequence, and whether the stored schedule placed them
    (else the backward load did, from the order's due date, but a pinned one is on its
    pin: the next schedule puts it there)."""
    pinned = {p.sequence: p for p in pins.list_pins(session, mo.number)}
    sched = current_schedule(session)
    if sched is not None:
        found = _scheduled(session, sched, mo)
        if found:
            return True, [replace(o, pinned=o.sequence in pinned) for o in found]
    wcs, position = work_centers(session)
    placed = order_operations(session, production_order_row(mo), wcs, position)
    ops = [Operation(p.sequence, p.work_center, p.hours, p.start, p.end) for p in placed]
    return False, [
        replace(o, work_center=p.work_center, start=p.start, end=p.end, pinned=True)
        if (p := pinned.get(o.sequence)) is not None
        else o
        for o in ops
    ]


def _refs(mo: ProductionOrder) -> list[tuple[str, str]]:
    refs = [("production_order", mo.number)]
    if mo.planned_ref:
        refs.append(("planned_order", mo.planned_ref.rpartition("/")[2]))
    return refs


def _scheduled(session: Session, sched: ScheduleRun, mo: ProductionOrder) -> list[Operation]:
    rows = session.execute(
        select(
            Placed.sequence,
            WorkCenter.code,
            Placed.hours,
            Placed.start_date,
            Placed.end_date,
            Placed.id,
        )
        .join(WorkCenter, WorkCenter.id == Placed.work_center_id)
        .where(
            Placed.schedule_run_id == sched.id,
            tuple_(Placed.order_type, Placed.order_ref).in_(_refs(mo)),
        )
        .order_by(Placed.sequence)
    ).all()
    return [Operation(*row) for row in rows]


def _check(
    session: Session,
    number: str,
    sequence: int,
    start: date,
    work_center: str | None,
    *,
    lock: bool = False,
) -> OperationMoveAnswer:
    mo = get_production(session, number, lock=lock)
    if mo.status not in MOVABLE:
        raise ConflictError(
            f"{number} is {mo.status.value}: only a planned or released order's operations "
            "move on the board",
            production_order=number,
            status=mo.status.value,
        )
    scheduled, ops = operations_of(session, mo)
    op = next((o for o in ops if o.sequence == sequence), None)
    if op is None:
        known = ", ".join(str(o.sequence) for o in ops) or "none: it follows no routing"
        raise NotFoundError(
            f"{number} has no operation {sequence} (its operations: {known})",
            production_order=number,
            sequence=sequence,
        )
    target = (work_center or "").strip() or op.work_center.strip()  # blank: its own
    wcs, _position = work_centers(session)
    if target not in wcs.code:
        raise NotFoundError(f"no work center {target!r}", work_center=target)
    wc = wcs.code.index(target)
    if wcs.available(wc, start.toordinal()) <= 0:
        raise ValidationError(
            f"{target} does not work on {start.isoformat()}", field="start", value=start.isoformat()
        )
    end = _end_on(wcs.available, wcs.code.index(op.work_center), wc, op, start)
    free = _free(session, mo, op, target, (start, end), scheduled)
    completion_before = max(o.end for o in ops)
    completion_after = max([end] + [o.end for o in ops if o.sequence != sequence])
    pushed, late = consequences(
        session, mo, max(completion_after, mo.due_date), load_calendar(session.connection())
    )
    first = min(o.sequence for o in ops) == sequence
    short = (
        shortages(session, mo, op.start, start)
        if first and start < op.start and mo.status == ProductionStatus.PLANNED
        else []
    )
    return OperationMoveAnswer(
        number=number,
        item=session.scalar(select(Item.code).where(Item.id == mo.item_id)) or "",
        sequence=sequence,
        hours=op.hours,
        work_center_before=op.work_center,
        work_center_after=target,
        start_before=op.start,
        end_before=op.end,
        start_after=start,
        end_after=end,
        completion_before=completion_before,
        completion_after=completion_after,
        scheduled=scheduled,
        free=free,
        out_of_sequence=_sequence(ops, sequence, start, end),
        shortages=short,
        pushed=pushed,
        late_lines=late,
        pinned_before=op.pinned,
    )


def _end_on(
    hours_on: Callable[[int, int], float], was: int, to: int, op: Operation, start: date
) -> date:
    """The day it ends when it starts on ``start`` at ``to``: as many of ``to``'s working
    days as it runs now on ``was``'s (one at least). ``hours_on(wc, day)``: the hours."""
    days = sum(
        1 for d in range(op.start.toordinal(), op.end.toordinal() + 1) if hours_on(was, d) > 0
    )
    day, left = start.toordinal(), max(days, 1) - 1
    while left > 0:
        day += 1
        if hours_on(to, day) > 0:
            left -= 1
    return date.fromordinal(day)


def _sequence(ops: list[Operation], sequence: int, start: date, end: date) -> list[str]:
    before = [o for o in ops if o.sequence < sequence]
    after = [o for o in ops if o.sequence > sequence]
    out = []
    if before and start < before[-1].end:
        prev = before[-1]
        out.append(
            f"operation {sequence} would start on {start.isoformat()}, before operation "
            f"{prev.sequence} ({prev.work_center}) ends on {prev.end.isoformat()}"
        )
    if after and end > after[0].start:
        nxt = after[0]
        out.append(
            f"operation {sequence} would end on {end.isoformat()}, after operation "
            f"{nxt.sequence} ({nxt.work_center}) starts on {nxt.start.isoformat()}"
        )
    return out


def _free(
    session: Session,
    mo: ProductionOrder,
    op: Operation,
    target: str,
    window: tuple[date, date],
    scheduled: bool,
) -> float:
    """The target work center's hours over the window less every other operation's."""
    wcs, position = work_centers(session)
    wc = wcs.code.index(target)
    if scheduled:
        others = _scheduled_others(session, mo, op, target, window)
    else:
        others = defaultdict(float)
        others.update(others_hours(session, wcs, position, {target}, window, {mo.number}))
        # other orders' pinned operations on their pins, not where the load puts them
        count_pins(session, wcs, position, {target}, window, {mo.number}, others)
        # the order's own other operations there load it too (a pinned one on its pin)
        for own in operations_of(session, mo)[1]:
            if own.sequence != op.sequence and own.work_center == target:
                spread(
                    others,
                    lambda d: wcs.available(wc, d),
                    target,
                    own.hours,
                    (own.start, own.end),
                    window,
                )
    return sum(
        max(0.0, wcs.available(wc, d) - others[(target, date.fromordinal(d))])
        for d in range(window[0].toordinal(), window[1].toordinal() + 1)
    )


def _scheduled_others(
    session: Session, mo: ProductionOrder, op: Operation, target: str, window: tuple[date, date]
) -> defaultdict[tuple[str, date], float]:
    sched = current_schedule(session)
    wcs, _position = work_centers(session)
    wc = wcs.code.index(target)
    out: defaultdict[tuple[str, date], float] = defaultdict(float)
    if sched is None:
        return out
    for row_id, hours, first, last in session.execute(
        select(Placed.id, Placed.hours, Placed.start_date, Placed.end_date)
        .join(WorkCenter, WorkCenter.id == Placed.work_center_id)
        .where(
            Placed.schedule_run_id == sched.id,
            WorkCenter.code == target,
            Placed.start_date <= window[1],
            Placed.end_date >= window[0],
        )
    ):
        if row_id != op.row_id:
            spread(out, lambda d: wcs.available(wc, d), target, hours, (first, last), window)
    return out


def _save(session: Session, answer: OperationMoveAnswer, author: str) -> None:
    """Pin the operation and, when the stored schedule placed it, move it there too."""
    mo = get_production(session, answer.number)
    wc_id = int(
        session.scalar(select(WorkCenter.id).where(WorkCenter.code == answer.work_center_after))
        or 0
    )
    if answer.scheduled:
        _save_scheduled(session, mo, answer, wc_id)
    pins.pin_in_transaction(
        session, mo, answer.sequence, wc_id, (answer.start_after, answer.end_after), author
    )
    broken = [f"{line.line} {plural(line.days_late, 'day')} late" for line in answer.late_lines]
    audit.record(
        session,
        author=author,
        entity="production_order",
        ref=answer.number,
        action="move_operation",
        before={
            "sequence": answer.sequence,
            "work_center": answer.work_center_before,
            "start_date": answer.start_before,
            "end_date": answer.end_before,
            "pinned": answer.pinned_before,
        },
        after={
            "sequence": answer.sequence,
            "work_center": answer.work_center_after,
            "start_date": answer.start_after,
            "end_date": answer.end_after,
            "pinned": True,
        },
        note="operation moved on the planning board and pinned"
        + ("" if answer.scheduled else " (no current schedule: the next one places it there)")
        + (f"; breaks {', '.join(broken)}" if broken else ""),
    )


def _save_scheduled(
    session: Session, mo: ProductionOrder, answer: OperationMoveAnswer, wc_id: int
) -> None:
    """The stored schedule's row of the operation moved, its order's dates following."""
    sched = current_schedule(session)
    assert sched is not None  # scheduled answers come from it
    row = session.scalars(
        select(Placed).where(
            Placed.schedule_run_id == sched.id,
            tuple_(Placed.order_type, Placed.order_ref).in_(_refs(mo)),
            Placed.sequence == answer.sequence,
        )
    ).one()
    wcs, position = work_centers(session)
    scheduled_load.move_hours(
        session,
        sched.id,
        row.hours,
        (
            Span(row.work_center_id, row.start_date, row.end_date),
            Span(wc_id, answer.start_after, answer.end_after),
        ),
        lambda wc, day: wcs.available(position[wc], day) > 0,
    )
    row.work_center_id = wc_id
    row.start_date, row.end_date = answer.start_after, answer.end_after
    row.held_from = row.held_to = None
    for order in session.scalars(
        select(ScheduledOrder).where(
            ScheduledOrder.schedule_run_id == sched.id,
            tuple_(ScheduledOrder.order_type, ScheduledOrder.order_ref).in_(_refs(mo)),
        )
    ):
        _, ops = operations_of(session, mo)
        # the schedule's count of late orders follows the order across its due date
        sched.late_orders += int(answer.completion_after > order.due_date) - int(
            order.completion > order.due_date
        )
        order.start_date = min(o.start for o in ops)
        order.completion = answer.completion_after
        order.available_date = max(order.due_date, answer.completion_after)


@dataclass(frozen=True)
class OperationsBoard:
    """The order's operations as the board draws them, and where they could go."""

    scheduled: bool
    operations: list[Operation]
    work_centers: list[str]
    """Every work center, by code: any may take an operation (module doc)."""


def operations_board(session: Session, number: str) -> OperationsBoard:
    mo = get_production(session, number)
    scheduled, ops = operations_of(session, mo)
    codes = list(session.scalars(select(WorkCenter.code).order_by(WorkCenter.code)))
    return OperationsBoard(scheduled, ops, codes)

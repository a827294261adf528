"""Pinned operations: where a planner's move on the planning board keeps an operation
(issues #19 item 4, #15 item 4).

Saving an operation's move (``services.operation_move``) pins it: its work center and
first and last day are kept in ``pinned_operation``, which the finite schedule reads
(``services.schedule_input``) and places first, whatever else, so that the next
``pegboard schedule`` does not undo the move. A pin lasts until the planner unpins it
(:func:`unpin_operation`: the next schedule places the operation from its routing
again) or its order is completed, closed or cancelled (:func:`drop_when_closed`, in
that transaction; a pin of a closed order left by any other path is ignored by the
schedule, which says so). The dispatch lists and the Gantt mark a pinned operation
(:func:`pinned_keys`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import Session

from pegboard import clock
from pegboard.errors import NotFoundError
from pegboard.model import PinnedOperation, ProductionOrder, ProductionStatus, WorkCenter
from pegboard.services import audit
from pegboard.services._tx import for_update, write_transaction
from pegboard.services.plan_results import current_run

CLOSED = (ProductionStatus.DONE, ProductionStatus.CLOSED, ProductionStatus.CANCELLED)
"""An order done, closed or cancelled no longer runs: the schedule ignores its pins."""


@dataclass(frozen=True)
class Pin:
    """One pinned operation, as the board, the CLI and the API show it."""

    number: str
    sequence: int
    work_center: str
    start: date
    end: date
    author: str
    status: str
    """Its order's status: a done, closed or cancelled order's pins are ignored."""
    past: bool = False
    """Its days are all before the current plan's planning date: the schedule ignores it
    (the shop did not report the operation done then), so the board flags it, to be
    unpinned or moved again."""

    @property
    def ignored(self) -> bool:
        return self.status in {s.value for s in CLOSED}


def _pins(session: Session, where: Iterable[ColumnElement[bool]] = ()) -> list[Pin]:
    rows = session.execute(
        select(
            ProductionOrder.number,
            PinnedOperation.sequence,
            WorkCenter.code,
            PinnedOperation.start_date,
            PinnedOperation.end_date,
            PinnedOperation.author,
            ProductionOrder.status,
        )
        .join(ProductionOrder, ProductionOrder.id == PinnedOperation.production_order_id)
        .join(WorkCenter, WorkCenter.id == PinnedOperation.work_center_id)
        .where(*where)
        .order_by(ProductionOrder.number, PinnedOperation.sequence)
    ).all()
    run = current_run(session)
    today = run.planning_date if run is not None else None
    return [
        Pin(n, s, wc, a, b, who, ProductionStatus(st).value, today is not None and b < today)
        for n, s, wc, a, b, who, st in rows
    ]


def _order(session: Session, number: str, *, lock: bool = False) -> ProductionOrder:
    """The production order (``production.get_production``'s lookup, without importing
    the production service into the dispatch list's readers)."""
    stmt = select(ProductionOrder).where(ProductionOrder.number == number)
    if lock and for_update(session):
        stmt = stmt.with_for_update(key_share=True)
    mo = session.scalars(stmt).first()
    if mo is None:
        raise NotFoundError(f"no production order {number!r}", production_order=number)
    return mo


def list_pins(session: Session, number: str | None = None) -> list[Pin]:
    """Every pinned operation (of order ``number`` only, when given), by order and sequence."""
    if number is None:
        return _pins(session)
    mo = _order(session, number)
    return _pins(session, [PinnedOperation.production_order_id == mo.id])


def pin_in_transaction(
    session: Session,
    mo: ProductionOrder,
    sequence: int,
    work_center_id: int,
    days: tuple[date, date],
    author: str,
) -> Pin | None:
    """Pin (or re-pin) operation ``sequence`` of ``mo`` to the work center and days, inside
    the caller's write transaction (the operation's move, whose audit says before and
    after); the pin it replaces, if any."""
    pin = session.scalars(
        select(PinnedOperation).where(
            PinnedOperation.production_order_id == mo.id, PinnedOperation.sequence == sequence
        )
    ).first()
    was = None
    if pin is None:
        pin = PinnedOperation(production_order_id=mo.id, sequence=sequence)
        session.add(pin)
    else:
        was = _pins(session, [PinnedOperation.id == pin.id])[0]
    pin.work_center_id = work_center_id
    pin.start_date, pin.end_date = days
    pin.author, pin.pinned_at = author, clock.now()
    return was


def unpin_operation(session: Session, number: str, sequence: int, *, author: str) -> Pin:
    """Unpin operation ``sequence`` of ``number``: the next finite schedule places it from
    its routing again (the stored schedule keeps it where it is until then). The pin it
    removed; NotFoundError when it is not pinned."""
    with write_transaction(session):
        mo = _order(session, number, lock=True)
        found = _pins(
            session,
            [PinnedOperation.production_order_id == mo.id, PinnedOperation.sequence == sequence],
        )
        if not found:
            pinned = ", ".join(str(p.sequence) for p in list_pins(session, number)) or "none"
            raise NotFoundError(
                f"{number} operation {sequence} is not pinned (its pinned operations: {pinned})",
                production_order=number,
                sequence=sequence,
            )
        pin = found[0]
        session.execute(
            delete(PinnedOperation).where(
                PinnedOperation.production_order_id == mo.id, PinnedOperation.sequence == sequence
            )
        )
        audit.record(
            session,
            author=author,
            entity="production_order",
            ref=number,
            action="unpin_operation",
            before={
                "sequence": sequence,
                "work_center": pin.work_center,
                "start_date": pin.start,
                "end_date": pin.end,
                "pinned": True,
            },
            after={"sequence": sequence, "pinned": False},
            note="operation unpinned: the next schedule places it from its routing",
        )
    return pin


def drop_when_closed(session: Session, mo: ProductionOrder, *, author: str) -> None:
    """Remove the pins of ``mo`` when it is done, closed or cancelled (the caller's write
    transaction, which closes it): its operations no longer run, so nothing is kept for
    them (audited, one entry with what was pinned). Nothing when it has none."""
    if mo.status not in CLOSED:
        return
    found = _pins(session, [PinnedOperation.production_order_id == mo.id])
    if not found:
        return
    session.execute(delete(PinnedOperation).where(PinnedOperation.production_order_id == mo.id))
    audit.record(
        session,
        author=author,
        entity="production_order",
        ref=mo.number,
        action="unpin_operation",
        before={
            "pinned": [
                f"{p.sequence} at {p.work_center} {p.start.isoformat()} to {p.end.isoformat()}"
                for p in found
            ]
        },
        after={"pinned": []},
        note=f"order {mo.status.value}: its pins are removed",
    )


def pinned_keys(session: Session, numbers: Iterable[str] | None = None) -> set[tuple[str, int]]:
    """(order number, sequence) of every pinned operation of an open order (of
    ``numbers`` only, when given): what the dispatch lists and the Gantt mark."""
    stmt = (
        select(ProductionOrder.number, PinnedOperation.sequence)
        .join(ProductionOrder, ProductionOrder.id == PinnedOperation.production_order_id)
        .where(ProductionOrder.status.not_in(CLOSED))
    )
    if numbers is not None:
        wanted = sorted(set(numbers))
        if not wanted:
            return set()
        stmt = stmt.where(ProductionOrder.number.in_(wanted))
    return {(str(n), int(s)) for n, s in session.execute(stmt)}


def pin_rows(session: Session) -> list[tuple[str, str, int, int, date, date]]:
    """Every pin as the schedule reads it: (number, status, sequence, work center id,
    first day, last day), by order and sequence."""
    rows = session.execute(
        select(
            ProductionOrder.number,
            ProductionOrder.status,
            PinnedOperation.sequence,
            PinnedOperation.work_center_id,
            PinnedOperation.start_date,
            PinnedOperation.end_date,
        )
        .join(ProductionOrder, ProductionOrder.id == PinnedOperation.production_order_id)
        .order_by(ProductionOrder.number, PinnedOperation.sequence)
    ).all()
    return [(n, ProductionStatus(st).value, s, w, a, b) for n, st, s, w, a, b in rows]

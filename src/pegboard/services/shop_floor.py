"""The shop floor reports back: an operation of a production order started, then
finished with the hours actually worked.

A production order's operations are those of the routing it follows, chosen as the
load chooses it (``services.load``): the order routing of its own order BOM, else its
sales order's order routing of its item, else its item's engineering routing. Starting
an operation needs the order released (starting its first operation puts it in
progress, as issuing components does); finishing one needs it started and confirms
the hours worked in all, exact to the hundredth, which is what costing takes as the
actual labour. Each step is audited with its author; nothing is ever guessed: an
unknown operation, a finish before the start, a second start or negative hours are
refused, naming the order and the operation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard import clock
from pegboard.errors import ConflictError, NotFoundError, ValidationError
from pegboard.model import (
    Bom,
    OperationProgress,
    ProductionOrder,
    ProductionStatus,
    Routing,
    RoutingOperation,
    WorkCenter,
)
from pegboard.services import audit
from pegboard.services._tx import writes

P = ProductionStatus
RUNNABLE = (P.RELEASED, P.IN_PROGRESS)
MAX_HOURS = Decimal("100000")
"""Most hours one operation may be reported to have taken (a typo guard)."""
WAITING, STARTED, DONE = "waiting", "started", "done"


@dataclass(frozen=True)
class OperationStatus:
    """One operation of a production order: the routing's plan and what happened."""

    order: str
    sequence: int
    work_center: str
    description: str
    planned_hours: float
    """Setup + run per unit × the order's quantity, at standard."""
    status: str
    started_at: datetime | None = None
    started_by: str = ""
    finished_at: datetime | None = None
    finished_by: str = ""
    hours_worked: Decimal | None = None
    note: str = ""


@dataclass(frozen=True)
class OrderProgress:
    """How far a production order is through its routing."""

    order: str
    operations: list[OperationStatus]

    @property
    def done(self) -> int:
        return sum(1 for op in self.operations if op.status == DONE)

    @property
    def planned_hours(self) -> float:
        return sum(op.planned_hours for op in self.operations)

    @property
    def hours_worked(self) -> Decimal:
        return sum((op.hours_worked or Decimal(0) for op in self.operations), Decimal(0))

    @property
    def current(self) -> OperationStatus | None:
        """The operation being worked on, else the next one to start."""
        started = [op for op in self.operations if op.status == STARTED]
        waiting = [op for op in self.operations if op.status == WAITING]
        found = started or waiting
        return found[0] if found else None

    @property
    def summary(self) -> str:
        if not self.operations:
            return "no routing"
        now = self.current
        where = "" if now is None else f"; {now.status if now.status == STARTED else 'next'}: "
        where += "" if now is None else f"{now.sequence} {now.work_center}"
        return f"{self.done} of {len(self.operations)} operations done{where}"


def _order(session: Session, number: str) -> ProductionOrder:
    mo = session.scalars(select(ProductionOrder).where(ProductionOrder.number == number)).first()
    if mo is None:
        raise NotFoundError(f"no production order {number!r}", production_order=number)
    return mo


def _routing_id(session: Session, mo: ProductionOrder) -> int | None:
    """The routing the order follows (module doc), or None."""
    if mo.bom_id is not None:
        found = session.scalar(select(Routing.id).where(Routing.bom_id == mo.bom_id))
        if found is not None:
            return found
    if mo.sales_order_id is not None:
        found = session.scalar(
            select(Routing.id)
            .join(Bom, Bom.id == Routing.bom_id)
            .where(Routing.item_id == mo.item_id, Bom.sales_order_id == mo.sales_order_id)
            .order_by(Routing.bom_id)
            .limit(1)
        )
        if found is not None:
            return found
    return session.scalar(
        select(Routing.id).where(Routing.item_id == mo.item_id, Routing.bom_id.is_(None))
    )


def _operations(session: Session, mo: ProductionOrder) -> list[tuple[RoutingOperation, str]]:
    routing = _routing_id(session, mo)
    if routing is None:
        return []
    return [
        (op, code)
        for op, code in session.execute(
            select(RoutingOperation, WorkCenter.code)
            .join(WorkCenter, WorkCenter.id == RoutingOperation.work_center_id)
            .where(RoutingOperation.routing_id == routing)
            .order_by(RoutingOperation.sequence)
        ).all()
    ]


def _status(
    mo: ProductionOrder, op: RoutingOperation, code: str, done: OperationProgress | None
) -> OperationStatus:
    planned = op.setup_hours + op.run_hours * mo.qty
    if done is None:
        return OperationStatus(mo.number, op.sequence, code, op.description, planned, WAITING)
    return OperationStatus(
        mo.number,
        op.sequence,
        code,
        op.description,
        planned,
        DONE if done.finished_at is not None else STARTED,
        done.started_at,
        done.started_by,
        done.finished_at,
        done.finished_by or "",
        done.hours_worked,
        done.note,
    )


def _progress_rows(session: Session, mo: ProductionOrder) -> dict[int, OperationProgress]:
    rows = session.scalars(
        select(OperationProgress).where(OperationProgress.production_order_id == mo.id)
    )
    return {row.sequence: row for row in rows}


def order_progress(session: Session, number: str) -> OrderProgress:
    """The production order's operations with what the shop floor reported of each."""
    mo = _order(session, number)
    rows = _progress_rows(session, mo)
    return OrderProgress(
        mo.number,
        [_status(mo, op, code, rows.get(op.sequence)) for op, code in _operations(session, mo)],
    )


def progress_of(session: Session, numbers: Sequence[str]) -> dict[str, OrderProgress]:
    """``order_progress`` of several orders (a dispatch list's, a Gantt page's)."""
    return {number: order_progress(session, number) for number in dict.fromkeys(numbers)}


def _operation(
    session: Session, mo: ProductionOrder, sequence: int
) -> tuple[RoutingOperation, str]:
    ops = _operations(session, mo)
    for op, code in ops:
        if op.sequence == sequence:
            return op, code
    known = ", ".join(str(op.sequence) for op, _ in ops) or "none: it follows no routing"
    raise NotFoundError(
        f"{mo.number} has no operation {sequence} (its operations: {known})",
        production_order=mo.number,
        operation=sequence,
    )


def parse_hours(value: Decimal | str | float | int) -> Decimal:
    """Hours worked as given by a person: a number >= 0 with at most two decimals."""
    try:
        hours = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError(
            f"hours worked must be a number, not {value!r}", field="hours", value=str(value)
        ) from None
    if not hours.is_finite() or hours < 0:
        raise ValidationError(
            f"hours worked must be a number >= 0, not {value}", field="hours", value=str(value)
        )
    if hours > MAX_HOURS:
        raise ValidationError(
            f"hours worked {value} is more than {MAX_HOURS} for one operation",
            field="hours",
            value=str(value),
        )
    if hours != hours.quantize(Decimal("0.01")):
        raise ValidationError(
            f"hours worked {value} has more than two decimals", field="hours", value=str(value)
        )
    return hours.quantize(Decimal("0.01"))


@writes
def start_operation(
    session: Session, number: str, sequence: int, *, author: str, note: str = ""
) -> OperationStatus:
    """Start operation ``sequence`` of production order ``number`` (released or in
    progress); the order goes in progress."""
    mo = _order(session, number)
    if mo.status not in RUNNABLE:
        hint = "; release it first" if mo.status is P.PLANNED else ""
        raise ConflictError(
            f"{mo.number} is {mo.status.value}: its operations cannot start{hint}",
            production_order=mo.number,
            status=mo.status.value,
        )
    op, code = _operation(session, mo, sequence)
    done = _progress_rows(session, mo).get(sequence)
    if done is not None:
        state = "finished" if done.finished_at is not None else "started"
        raise ConflictError(
            f"{mo.number} operation {sequence} was {state} already "
            f"(by {done.started_by}, {done.started_at:%Y-%m-%d %H:%M})",
            production_order=mo.number,
            operation=sequence,
        )
    row = OperationProgress(
        production_order_id=mo.id,
        sequence=sequence,
        work_center_id=op.work_center_id,
        started_at=clock.now(),
        started_by=author,
        note=note[:500],
    )
    session.add(row)
    mo.status = P.IN_PROGRESS
    session.flush()
    audit.record(
        session,
        author=author,
        entity="production_order",
        ref=mo.number,
        action="start operation",
        after={"operation": sequence, "work_center": code},
        note=note,
    )
    return _status(mo, op, code, row)


@writes
def finish_operation(
    session: Session,
    number: str,
    sequence: int,
    hours: Decimal | str | float | int,
    *,
    author: str,
    note: str = "",
) -> OperationStatus:
    """Finish a started operation, confirming the hours worked on it in all."""
    worked = parse_hours(hours)
    mo = _order(session, number)
    op, code = _operation(session, mo, sequence)
    row = _progress_rows(session, mo).get(sequence)
    if row is None:
        raise ConflictError(
            f"{mo.number} operation {sequence} has not started: start it before finishing it",
            production_order=mo.number,
            operation=sequence,
        )
    if row.finished_at is not None:
        raise ConflictError(
            f"{mo.number} operation {sequence} was finished already "
            f"(by {row.finished_by}, {row.hours_worked} h)",
            production_order=mo.number,
            operation=sequence,
        )
    row.finished_at = clock.now()
    row.finished_by = author
    row.hours_worked = worked
    if note:
        row.note = (f"{row.note}; {note}" if row.note else note)[:500]
    session.flush()
    audit.record(
        session,
        author=author,
        entity="production_order",
        ref=mo.number,
        action="finish operation",
        after={"operation": sequence, "work_center": code, "hours_worked": str(worked)},
        note=note,
    )
    return _status(mo, op, code, row)

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
from typing import Any

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
from pegboard.services import audit, wording
from pegboard.services._tx import writes

P = ProductionStatus
RUNNABLE = (P.RELEASED, P.IN_PROGRESS)
MAX_HOURS = Decimal("100000")
"""Most hours one operation may be reported to have taken (a typo guard)."""
WAITING, STARTED, DONE = "waiting", "started", "done"
_CHUNK = 5_000
"""Values per IN list: well under every database's bind-parameter limit."""


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
        count = wording.plural(len(self.operations), "operation")
        return f"{self.done} of {count} done{where}"


def _order(session: Session, number: str) -> ProductionOrder:
    mo = session.scalars(select(ProductionOrder).where(ProductionOrder.number == number)).first()
    if mo is None:
        raise NotFoundError(f"no production order {number!r}", production_order=number)
    return mo


def _operations(session: Session, mo: ProductionOrder) -> list[tuple[RoutingOperation, str]]:
    """The operations of the routing the order follows (module doc), in sequence."""
    routing = _routings_of(session, [mo]).get(mo.id)
    return [] if routing is None else _operations_of(session, {routing}).get(routing, [])


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
    return progress_of(session, [mo.number])[mo.number]


def progress_of(session: Session, numbers: Sequence[str]) -> dict[str, OrderProgress]:
    """``order_progress`` of several orders at once (a dispatch list's, a Gantt page's):
    a few queries in all, however many orders, with the routing of each chosen as
    ``order_progress`` chooses it. Unknown numbers are left out."""
    orders: list[ProductionOrder] = []
    wanted = list(dict.fromkeys(numbers))
    for start in range(0, len(wanted), _CHUNK):
        orders += session.scalars(
            select(ProductionOrder).where(
                ProductionOrder.number.in_(wanted[start : start + _CHUNK])
            )
        )
    routing = _routings_of(session, orders)
    operations = _operations_of(session, set(routing.values()))
    done: dict[int, dict[int, OperationProgress]] = {}
    ids = [mo.id for mo in orders]
    for start in range(0, len(ids), _CHUNK):
        for row in session.scalars(
            select(OperationProgress).where(
                OperationProgress.production_order_id.in_(ids[start : start + _CHUNK])
            )
        ):
            done.setdefault(row.production_order_id, {})[row.sequence] = row
    return {
        mo.number: OrderProgress(
            mo.number,
            [
                _status(mo, op, code, done.get(mo.id, {}).get(op.sequence))
                for op, code in operations.get(routing.get(mo.id, -1), [])
            ],
        )
        for mo in orders
    }


def _routing_rows(
    session: Session, column: Any, values: set[int]
) -> list[tuple[int, int, int | None, int | None]]:
    """(routing, item, order BOM, sales order) of the routings whose ``column`` is in
    ``values``, a chunk at a time."""
    ordered = sorted(values)
    rows: list[tuple[int, int, int | None, int | None]] = []
    for start in range(0, len(ordered), _CHUNK):
        rows += [
            (routing, item, bom, sales_order)
            for routing, item, bom, sales_order in session.execute(
                select(Routing.id, Routing.item_id, Routing.bom_id, Bom.sales_order_id)
                .outerjoin(Bom, Bom.id == Routing.bom_id)
                .where(column.in_(ordered[start : start + _CHUNK]))
            )
        ]
    return rows


def _routings_of(session: Session, orders: Sequence[ProductionOrder]) -> dict[int, int]:
    """Production order id -> the id of the routing it follows (module doc), in bulk."""
    boms = {mo.bom_id for mo in orders if mo.bom_id is not None}
    rows = _routing_rows(session, Routing.item_id, {mo.item_id for mo in orders})
    rows += _routing_rows(session, Routing.bom_id, boms)
    by_bom: dict[int, int] = {}
    by_order: dict[tuple[int, int], int] = {}
    by_item: dict[int, int] = {}
    for routing_id, item_id, bom_id, sales_order_id in sorted(
        rows, key=lambda r: (r[2] or 0, r[0])
    ):
        if bom_id is None:
            by_item.setdefault(item_id, routing_id)
            continue
        by_bom[bom_id] = routing_id
        if sales_order_id is not None:
            by_order.setdefault((item_id, sales_order_id), routing_id)
    out: dict[int, int] = {}
    for mo in orders:
        found = by_bom.get(mo.bom_id) if mo.bom_id is not None else None
        if found is None and mo.sales_order_id is not None:
            found = by_order.get((mo.item_id, mo.sales_order_id))
        found = found if found is not None else by_item.get(mo.item_id)
        if found is not None:
            out[mo.id] = found
    return out


def _operations_of(
    session: Session, routings: set[int]
) -> dict[int, list[tuple[RoutingOperation, str]]]:
    out: dict[int, list[tuple[RoutingOperation, str]]] = {}
    ids = sorted(routings)
    for start in range(0, len(ids), _CHUNK):
        for op, code in session.execute(
            select(RoutingOperation, WorkCenter.code)
            .join(WorkCenter, WorkCenter.id == RoutingOperation.work_center_id)
            .where(RoutingOperation.routing_id.in_(ids[start : start + _CHUNK]))
            .order_by(RoutingOperation.routing_id, RoutingOperation.sequence)
        ):
            out.setdefault(op.routing_id, []).append((op, code))
    return out


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

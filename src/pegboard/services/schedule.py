"""The current finite schedule, read: what runs where and when, and what it held back.

A schedule is current while the plan it was made from is (``schedule_run.plan_run_id``
is the current plan run); after a re-plan without ``--finite`` it is stale, and every
reader here answers as if there were none (the plan's own dates stand). Making one is
``services.schedule_run``. This module reads the model only, so reports, pages and the
dispatch list import it without the engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pegboard.errors import NotFoundError
from pegboard.model import Item, ScheduledOrder, ScheduleRun, WorkCenter
from pegboard.services.plan_results import current_run

_CHUNK = 5_000


def current_schedule(session: Session) -> ScheduleRun | None:
    """The newest schedule, when it was made from the current plan; else None."""
    run = current_run(session)
    return None if run is None else schedule_of(session, run.id)


def schedule_of(session: Session, plan_run_id: int) -> ScheduleRun | None:
    """The newest schedule, when it was made from plan run ``plan_run_id``; else None
    (``current_schedule`` for a reader that has the current run already)."""
    newest = session.scalars(select(ScheduleRun).order_by(ScheduleRun.id.desc()).limit(1)).first()
    return newest if newest is not None and newest.plan_run_id == plan_run_id else None


@dataclass(frozen=True)
class OperationRow:
    """One scheduled operation, as a dispatch list or a Gantt shows it."""

    order: str
    order_type: str
    item: str
    sequence: int
    work_center: str
    hours: float
    ready: date
    start: date
    end: date
    rank: int
    held_from: date | None
    held_to: date | None
    pinned: bool = False
    """A planner pinned it there on the board (``services.pins``): schedules keep it."""


def scheduled_operations(
    session: Session, work_center: str | None = None, *, limit: int | None = None
) -> list[OperationRow]:
    """The current schedule's operations in schedule order (start day, then priority
    rank), of one work center or all; empty when there is no current schedule."""
    # here, not at the top: a late chain's held notes read the orders, not the operations
    from pegboard.model import ScheduledOperation

    sched = current_schedule(session)
    if (
        work_center is not None
        and session.scalar(select(WorkCenter.id).where(WorkCenter.code == work_center)) is None
    ):
        raise NotFoundError(f"no work center {work_center!r}", work_center=work_center)
    if sched is None:
        return []
    stmt = (
        select(
            ScheduledOperation.order_ref,
            ScheduledOperation.order_type,
            Item.code,
            ScheduledOperation.sequence,
            WorkCenter.code,
            ScheduledOperation.hours,
            ScheduledOperation.ready_date,
            ScheduledOperation.start_date,
            ScheduledOperation.end_date,
            ScheduledOperation.rank,
            ScheduledOperation.held_from,
            ScheduledOperation.held_to,
        )
        .join(Item, Item.id == ScheduledOperation.item_id)
        .join(WorkCenter, WorkCenter.id == ScheduledOperation.work_center_id)
        .where(ScheduledOperation.schedule_run_id == sched.id)
        .order_by(
            ScheduledOperation.start_date,
            ScheduledOperation.rank,
            ScheduledOperation.order_ref,
            ScheduledOperation.sequence,
        )
        .limit(limit)
    )
    if work_center is not None:
        stmt = stmt.where(WorkCenter.code == work_center)
    rows = [OperationRow(*tuple(row)) for row in session.execute(stmt)]
    made = {r.order for r in rows if r.order_type == "production_order"}
    from pegboard.services.pins import pinned_keys  # the operations list only, not the late chain

    keys = pinned_keys(session, made) if made else set()
    return [replace(r, pinned=True) if (r.order, r.sequence) in keys else r for r in rows]


@dataclass(frozen=True)
class OrderRow:
    """One production order (open or planned) as the schedule completes it."""

    order: str
    order_type: str
    item: str
    qty: float
    due: date
    ready: date
    start: date
    completion: date
    available: date
    cause: str | None
    bottleneck: str | None
    held_from: date | None
    held_to: date | None

    @property
    def late_days(self) -> int:
        return max(0, (self.completion - self.due).days)


def scheduled_orders(
    session: Session, *, late_only: bool = False, limit: int | None = None
) -> list[OrderRow]:
    """The current schedule's orders by completion; only those completing after their
    due date with ``late_only``."""
    sched = current_schedule(session)
    if sched is None:
        return []
    stmt = (
        select(
            ScheduledOrder.order_ref,
            ScheduledOrder.order_type,
            Item.code,
            ScheduledOrder.qty,
            ScheduledOrder.due_date,
            ScheduledOrder.ready_date,
            ScheduledOrder.start_date,
            ScheduledOrder.completion,
            ScheduledOrder.available_date,
            ScheduledOrder.cause,
            WorkCenter.code,
            ScheduledOrder.held_from,
            ScheduledOrder.held_to,
        )
        .join(Item, Item.id == ScheduledOrder.item_id)
        .outerjoin(WorkCenter, WorkCenter.id == ScheduledOrder.bottleneck_work_center_id)
        .where(ScheduledOrder.schedule_run_id == sched.id)
        .order_by(ScheduledOrder.completion, ScheduledOrder.order_ref)
        .limit(limit)
    )
    if late_only:
        stmt = stmt.where(ScheduledOrder.completion > ScheduledOrder.due_date)
    return [OrderRow(*tuple(row)) for row in session.execute(stmt)]


def late_count(session: Session) -> int:
    """How many orders the current schedule completes after their due date (counted in
    the database: a full-size schedule completes hundreds of thousands late)."""
    sched = current_schedule(session)
    if sched is None:
        return 0
    return session.execute(
        select(func.count()).where(
            ScheduledOrder.schedule_run_id == sched.id,
            ScheduledOrder.completion > ScheduledOrder.due_date,
        )
    ).scalar_one()


def held_note(name: str, cause: str, first: date, last: date) -> str:
    """How a chain says why the schedule made an order late: "Powder-coating line
    (POWDER) full 2027-01-11 … 2027-01-22", or the operation longer than the lead time."""
    days = first.isoformat() if first == last else f"{first.isoformat()} … {last.isoformat()}"
    if cause == "full":
        return f"{name} full {days}"
    return f"{name} works on it {days}, longer than its lead time"


def scheduled_held_notes(
    session: Session, plan_run_id: int, refs: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """For each (supply type, order) the schedule of plan run ``plan_run_id`` completes
    after its due date because a work center was full: "Powder-coating line full
    2027-01-11 … 2027-01-22". The caller knows that schedule is current (a late chain
    asks level by level, and reads the run and schedule once)."""
    wanted = sorted({ref for supply_type, ref in refs if supply_type in _MAKE})
    out: dict[tuple[str, str], str] = {}
    for chunk in _chunks(wanted):
        rows = session.execute(
            select(
                ScheduledOrder.order_type,
                ScheduledOrder.order_ref,
                ScheduledOrder.cause,
                WorkCenter.code,
                WorkCenter.description,
                ScheduledOrder.held_from,
                ScheduledOrder.held_to,
            )
            .join(WorkCenter, WorkCenter.id == ScheduledOrder.bottleneck_work_center_id)
            .where(
                ScheduledOrder.plan_run_id == plan_run_id,
                ScheduledOrder.order_ref.in_(chunk),
                ScheduledOrder.completion > ScheduledOrder.due_date,
            )
        ).all()
        for order_type, ref, cause, code, description, held_from, held_to in rows:
            if cause and held_from is not None and held_to is not None:
                short = description.split(":", 1)[0].split(" (", 1)[0].strip()
                name = f"{short} ({code})" if short else code
                out[(order_type, ref)] = held_note(name, cause, held_from, held_to)
    return out


_MAKE = ("production_order", "planned_order")


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]

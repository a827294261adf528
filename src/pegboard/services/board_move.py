"""The planning board's move: "production order MO-… to finish on day D".

A planner drags an order on the Gantt; before anything is saved pegboard answers
three questions, as a planner at the board would ask them:

* **material**: is every component there by the new start? Each component's
  projected stock (``services.projection``: stock, open receipts, the plan's planned
  orders, every other requirement) is read without this order's own need, and its
  lowest level from the new start on must cover the need. Only a move that leaves
  the order shorter than it is now is refused: moving an order later never is, and a
  component whose supplies the plan pegged to the order are there by the new start
  is not short (``shortages``: the projection is read only for the others).
* **capacity**: has every work center of its routing the hours free in the new
  window? The stored finite schedule gives every other order's hours per day when one
  is current; else the backward load (``services.load``), with other orders' pinned
  operations on their pins (``services.pin_hours``); the window's available hours less
  those must cover this order's hours.
* **what it breaks**: the parent orders it feeds start later when it now finishes
  after their start (each keeps its working days of work), up to the top order, whose
  sales-order line is then late by so many days.

The answer is the same whether checked (``dry_run``) or saved; saved, the order's
start and due dates become firm (the plan keeps a planned order's dates), with an
audit entry of the dates before and after and what the move broke. Only a planned
order moves: a released one is on the shop floor, its components reserved, and is
rescheduled there, not dragged on a board.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from pegboard.engine.calendar import WorkCalendar
from pegboard.errors import ConflictError, ValidationError
from pegboard.model import (
    Item,
    ProductionOrder,
    ProductionStatus,
    SalesOrder,
    SalesOrderLine,
    ScheduleRun,
    WorkCenter,
)
from pegboard.model import ScheduledOperation as Placed
from pegboard.services import audit
from pegboard.services._tx import write_transaction
from pegboard.services.bounds import check_day
from pegboard.services.calendar import back_date, fwd_date, load_calendar
from pegboard.services.load import work_centers
from pegboard.services.outstanding import order_needs
from pegboard.services.pegged_supply import pegged_by
from pegboard.services.pin_hours import count_pins
from pegboard.services.production import get_production
from pegboard.services.projection import Projection, projected_stock
from pegboard.services.schedule import current_schedule
from pegboard.services.window_load import order_operations, others_hours, production_order_row
from pegboard.services.wording import plural

EPS = 1e-9
MAX_DEPTH = 20


@dataclass(frozen=True)
class Shortage:
    item: str
    needed: float
    available: float
    """The lowest projected stock from the new start on, without this order's need."""


@dataclass(frozen=True)
class Overload:
    work_center: str
    needed: float
    free: float


@dataclass(frozen=True)
class Pushed:
    """A parent order that must start later because of the move."""

    number: str
    due_before: date
    due_after: date


@dataclass(frozen=True)
class LateLine:
    line: str
    """``SO-…/n``."""
    due: date
    finish: date
    days_late: int
    days_late_before: int


@dataclass(frozen=True)
class MoveAnswer:
    number: str
    item: str
    start_before: date
    due_before: date
    start_after: date
    due_after: date
    shortages: list[Shortage] = field(default_factory=list)
    overloads: list[Overload] = field(default_factory=list)
    pushed: list[Pushed] = field(default_factory=list)
    late_lines: list[LateLine] = field(default_factory=list)
    capacity_checked: bool = False
    """False when the order follows no routing (nothing to check)."""
    saved: bool = False

    @property
    def accepted(self) -> bool:
        return not self.shortages and not self.overloads

    @property
    def reasons(self) -> list[str]:
        """Why the move is refused, one sentence per component or work center."""
        out = [
            f"{s.item}: needs {s.needed:g} by {self.start_after.isoformat()}, "
            f"only {max(s.available, 0.0):g} available"
            for s in self.shortages
        ]
        out += [
            f"{o.work_center}: needs {o.needed:g} h between {self.start_after.isoformat()} "
            f"and {self.due_after.isoformat()}, only {o.free:g} h free"
            for o in self.overloads
        ]
        return out


def move_production(
    session: Session, number: str, finish: date, *, author: str, dry_run: bool = True
) -> MoveAnswer:
    """Check moving ``number`` to finish on ``finish``; unless ``dry_run``, save it when
    accepted, else raise a ConflictError with the reasons (nothing written)."""
    check_day(finish, "finish")
    if dry_run:
        return _check(session, number, finish)
    with write_transaction(session):
        answer = _check(session, number, finish, lock=True)
        if not answer.accepted:
            raise ConflictError(
                f"{number} cannot finish on {finish.isoformat()}: " + "; ".join(answer.reasons),
                production_order=number,
                finish=finish.isoformat(),
            )
        _save(session, number, answer, author)
    return _saved(answer)


def _saved(answer: MoveAnswer) -> MoveAnswer:
    return MoveAnswer(**{**answer.__dict__, "saved": True})


def _check(session: Session, number: str, finish: date, *, lock: bool = False) -> MoveAnswer:
    mo = get_production(session, number, lock=lock)
    if mo.status != ProductionStatus.PLANNED:
        raise ConflictError(
            f"{number} is {mo.status.value}: only a planned order moves on the board "
            "(a released order is rescheduled on the shop floor)",
            production_order=number,
            status=mo.status.value,
        )
    calendar = load_calendar(session.connection())
    if not calendar.is_working(finish.toordinal()):
        raise ValidationError(
            f"{finish.isoformat()} is not a working day", field="finish", value=finish.isoformat()
        )
    start_before = mo.start_date or mo.due_date
    work = calendar.working_days_between(start_before.toordinal(), mo.due_date.toordinal())
    start_after = back_date(calendar, finish, work)
    item = session.scalar(select(Item.code).where(Item.id == mo.item_id)) or ""
    capacity_checked, overloads = _capacity(session, mo, start_after, finish)
    pushed, late = consequences(session, mo, finish, calendar)
    return MoveAnswer(
        number=number,
        item=item,
        start_before=start_before,
        due_before=mo.due_date,
        start_after=start_after,
        due_after=finish,
        shortages=shortages(session, mo, start_before, start_after),
        overloads=overloads,
        pushed=pushed,
        late_lines=late,
        capacity_checked=capacity_checked,
    )


# --------------------------------------------------------------------------- material


def _level(projection: Projection, day: date) -> float:
    """Projected stock at the end of ``day``."""
    level = projection.on_hand
    for row in projection.rows:
        if row.day > day:
            break
        level = row.projected
    return level


def _lowest_from(projection: Projection, day: date, own: float, own_day: date) -> float:
    """The lowest projected level from ``day`` on, as if this order needed nothing
    (its need, ``own``, was subtracted on ``own_day``)."""
    first = max(day, projection.planning_date)
    levels = [_level(projection, first)] + [r.projected for r in projection.rows if r.day > first]
    back = max(own_day, projection.planning_date)
    days = [first] + [r.day for r in projection.rows if r.day > first]
    return min(level + (own if d >= back else 0.0) for level, d in zip(levels, days, strict=True))


def shortages(
    session: Session, mo: ProductionOrder, start_before: date, start_after: date
) -> list[Shortage]:
    """The components short by ``start_after`` that are not short by ``start_before``.

    A later start is never shorter (the lowest level from a later day on is over fewer
    days), so only an earlier one is checked; a component whose supplies pegged to this
    order by the plan are all there by the new start is not short
    (``services.pegged_supply``: a few indexed reads); only the others are worked out
    on their whole projected stock."""
    if start_after >= start_before:
        return []
    needs = [n for n in order_needs(session, mo) if n.outstanding > EPS]
    if not needs:
        return []
    pegged = pegged_by(session, mo, [n.item_id for n in needs], start_after)
    if pegged is not None:
        needs = [n for n in needs if pegged.get(n.item_id, 0.0) + EPS < n.outstanding]
    if not needs:
        return []
    codes = {
        int(i): str(c)
        for i, c in session.execute(
            select(Item.id, Item.code).where(Item.id.in_([n.item_id for n in needs]))
        )
    }
    out = []
    for need in needs:
        projection = projected_stock(session, codes[need.item_id])
        own = need.outstanding
        after = _lowest_from(projection, start_after, own, start_before)
        before = _lowest_from(projection, start_before, own, start_before)
        short_after = max(0.0, own - max(after, 0.0))
        short_before = max(0.0, own - max(before, 0.0))
        if short_after > short_before + EPS:
            out.append(Shortage(codes[need.item_id], own, after))
    return out


# --------------------------------------------------------------------------- capacity


def _capacity(
    session: Session, mo: ProductionOrder, start: date, finish: date
) -> tuple[bool, list[Overload]]:
    """Whether the order follows a routing, and the work centers short of hours between
    ``start`` and ``finish``: from the stored finite schedule when one is current (its
    operations, read for the window only), else from the backward load."""
    sched = current_schedule(session)
    found = _scheduled(session, sched, mo, start, finish) if sched is not None else None
    mine, others = found if found is not None else _backward(session, mo, start, finish)
    if not mine:
        return False, []
    wcs, _position = work_centers(session)
    out = []
    for code, needed in sorted(mine.items()):
        wc = wcs.code.index(code)
        free = sum(
            max(0.0, wcs.available(wc, day) - others[(code, date.fromordinal(day))])
            for day in range(start.toordinal(), finish.toordinal() + 1)
        )
        if free + EPS < needed:
            out.append(Overload(code, round(needed, 6), round(free, 6)))
    return True, out


_Hours = tuple[dict[str, float], dict[tuple[str, date], float]]
"""The order's hours per work center, and every other order's per work center and day."""


def _backward(session: Session, mo: ProductionOrder, start: date, finish: date) -> _Hours:
    """From the backward load of just the order's work centers and the window's days
    (``services.window_load``: the orders that can load them, not the whole company)."""
    wcs, position = work_centers(session)
    mine: dict[str, float] = defaultdict(float)
    for op in order_operations(session, production_order_row(mo), wcs, position):
        mine[op.work_center] += op.hours
    others: dict[tuple[str, date], float] = defaultdict(float)
    if mine:
        window = (start, finish)
        others.update(others_hours(session, wcs, position, set(mine), window, {mo.number}))
        count_pins(session, wcs, position, set(mine), window, {mo.number}, others)
    return mine, others


def _scheduled(
    session: Session, sched: ScheduleRun, mo: ProductionOrder, start: date, finish: date
) -> _Hours | None:
    """From the stored finite schedule; None when it has none of this order's operations
    (firmed after it was made, under its planned order's number, or following no routing:
    the backward load then answers)."""
    refs = [("production_order", mo.number)]
    if mo.planned_ref:
        refs.append(("planned_order", mo.planned_ref.rpartition("/")[2]))
    own_rows = session.execute(
        select(WorkCenter.code, Placed.hours, Placed.order_type, Placed.order_ref)
        .join(WorkCenter, WorkCenter.id == Placed.work_center_id)
        .where(
            Placed.schedule_run_id == sched.id,
            tuple_(Placed.order_type, Placed.order_ref).in_(refs),
        )
    ).all()
    if not own_rows:
        return None
    mine: dict[str, float] = defaultdict(float)
    own = {(t, r) for _c, _h, t, r in own_rows}
    for code, hours, _t, _r in own_rows:
        mine[code] += hours
    others: dict[tuple[str, date], float] = defaultdict(float)
    wcs, _position = work_centers(session)
    for code, hours, kind, ref, first, last in session.execute(
        select(
            WorkCenter.code,
            Placed.hours,
            Placed.order_type,
            Placed.order_ref,
            Placed.start_date,
            Placed.end_date,
        )
        .join(WorkCenter, WorkCenter.id == Placed.work_center_id)
        .where(
            Placed.schedule_run_id == sched.id,
            WorkCenter.code.in_(list(mine)),
            Placed.start_date <= finish,
            Placed.end_date >= start,
        )
    ):
        if (kind, ref) not in own:
            wc = wcs.code.index(code)
            hours_on = functools.partial(wcs.available, wc)
            spread(others, hours_on, code, hours, (first, last), (start, finish))
    return mine, others


def spread(
    into: dict[tuple[str, date], float],
    hours_on: Callable[[int], float],
    code: str,
    hours: float,
    runs: tuple[date, date],
    window: tuple[date, date],
) -> None:
    """An operation's hours over the days it runs on which its work center works
    (evenly), those in the window added."""
    first, last = runs[0].toordinal(), runs[1].toordinal()
    days = [d for d in range(first, last + 1) if hours_on(d) > 0] or [first]
    for d in days:
        if window[0].toordinal() <= d <= window[1].toordinal():
            into[(code, date.fromordinal(d))] += hours / len(days)


# --------------------------------------------------------------------------- consequences


def consequences(
    session: Session, mo: ProductionOrder, finish: date, calendar: WorkCalendar
) -> tuple[list[Pushed], list[LateLine]]:
    """The parents pushed later and the sales-order line the top order is for, if late."""
    pushed: list[Pushed] = []
    current, ready = mo, finish
    for _ in range(MAX_DEPTH):
        if current.parent_id is None:
            break
        parent = session.get(ProductionOrder, current.parent_id)
        if parent is None:
            break
        start = parent.start_date or parent.due_date
        if ready <= start:
            return pushed, []
        work = calendar.working_days_between(start.toordinal(), parent.due_date.toordinal())
        due = fwd_date(calendar, ready, work)
        pushed.append(Pushed(parent.number, parent.due_date, due))
        current, ready = parent, due
    return pushed, _late_line(session, current, ready)


def _late_line(session: Session, top: ProductionOrder, finish: date) -> list[LateLine]:
    if top.sales_order_line_id is None:
        return []
    row = session.execute(
        select(SalesOrder.number, SalesOrderLine.line, SalesOrderLine.due_date)
        .join(SalesOrder, SalesOrder.id == SalesOrderLine.sales_order_id)
        .where(SalesOrderLine.id == top.sales_order_line_id)
    ).first()
    if row is None:
        return []
    so, line, due = row
    late = (finish - due).days
    if late <= 0:
        return []
    return [LateLine(f"{so}/{line}", due, finish, late, max(0, (top.due_date - due).days))]


# --------------------------------------------------------------------------- saving


def _save(session: Session, number: str, answer: MoveAnswer, author: str) -> None:
    mo = get_production(session, number)
    mo.start_date, mo.due_date = answer.start_after, answer.due_after
    broken = [f"{line.line} {plural(line.days_late, 'day')} late" for line in answer.late_lines]
    audit.record(
        session,
        author=author,
        entity="production_order",
        ref=number,
        action="move",
        before={"start_date": answer.start_before, "due_date": answer.due_before},
        after={"start_date": answer.start_after, "due_date": answer.due_after},
        note="moved on the planning board" + (f"; breaks {', '.join(broken)}" if broken else ""),
    )

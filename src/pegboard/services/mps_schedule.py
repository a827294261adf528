"""The master schedule of one item as a whole: its lines, a grid of weeks saved at once,
the schedule replaced, and the proposal accepted in whole or in part.

Every write here goes through ``services.mps``'s rule of one cell (``mps.refusal``) and
its one writer, in one transaction: a grid (the web page's, the API's ``PATCH``/``PUT``)
is saved all or nothing. Every refused week is named with its reason in one error, so
a planner fixes all of them at once; nothing is written until none is left. A week whose
quantity is unchanged writes nothing and is not audited, so a page that posts its
whole grid records only what the planner changed.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.errors import ValidationError
from pegboard.model import Item, ProductionOrder, ProductionStatus
from pegboard.services import mps, mps_rough_cut
from pegboard.services._tx import writes
from pegboard.services.bounds import check_day
from pegboard.services.wording import plural

OPEN = (ProductionStatus.PLANNED, ProductionStatus.RELEASED, ProductionStatus.IN_PROGRESS)
MAX_CELLS = mps.MAX_WEEKS * 2
"""The most weeks one save may name (a grid shows at most ``mps.MAX_WEEKS``)."""


@dataclass(frozen=True)
class ScheduleLine:
    number: str
    week: date
    """The week's Monday."""
    label: str
    due: date
    qty: float
    status: ProductionStatus

    @property
    def editable(self) -> bool:
        """Only a line not yet released is changed here (the shop floor owns the others)."""
        return self.status == ProductionStatus.PLANNED


@dataclass(frozen=True)
class CellProblem:
    week: str
    """The week as the planner wrote it (a date, or the grid's cell name)."""
    value: str
    reason: str

    def __str__(self) -> str:
        return f"week {self.week}, value {self.value!r}: {self.reason}"


class ScheduleRefused(ValidationError):
    """One or more weeks of a schedule refused; nothing was saved. ``problems`` holds
    each week with its reason (the page marks those cells)."""

    def __init__(self, item: str, problems: list[CellProblem]) -> None:
        self.problems = problems
        refused = plural(len(problems), "refused week")
        lines = [f"the schedule of {item} has {refused}; nothing was saved"]
        lines += [f"  {p}" for p in problems]
        super().__init__(
            "\n".join(lines),
            item=item,
            field="weeks",
            weeks={p.week: p.reason for p in problems},
        )


def mps_items(session: Session) -> list[str]:
    """The codes of the items on the master schedule."""
    return mps.mps_items(session)


def schedule_lines(session: Session, item: str) -> list[ScheduleLine]:
    """The item's open schedule lines (not cancelled, not closed), by week."""
    row = mps.scheduled_item(session, item)
    orders = session.scalars(
        select(ProductionOrder)
        .where(
            ProductionOrder.item_id == row.id,
            ProductionOrder.mps.is_(True),
            ProductionOrder.status.in_(OPEN),
        )
        .order_by(ProductionOrder.due_date, ProductionOrder.number)
    )
    return [_line(order) for order in orders]


def _line(order: ProductionOrder) -> ScheduleLine:
    monday = mps.week_start(order.due_date)
    return ScheduleLine(
        number=order.number,
        week=monday,
        label=mps.week_label(monday),
        due=order.due_date,
        qty=order.qty - order.completed_qty - order.scrapped_qty
        if order.status != ProductionStatus.PLANNED
        else order.qty,
        status=order.status,
    )


def parse_qty(text: str) -> float:
    """A grid cell: empty is 0 (no line that week); else a plain number."""
    text = text.strip().replace(",", "")
    if not text:
        return 0.0
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"{text!r} is not a number")
    return float(value)


def _cell(
    session: Session, row: Item, week: date, qty: float, *, fence: date, force: bool
) -> str | None:
    try:
        check_day(week, "week")
    except ValidationError as error:
        return error.message
    monday = mps.week_start(week)
    line = mps.week_line(session, row.id, monday)
    if (line.qty if line is not None else 0.0) == qty:
        return None  # unchanged (an empty week left empty, too)
    problem = mps.refusal(row, monday, qty, line, fence=fence, force=force)
    return problem.message if problem is not None else None


@writes
def save_weeks(
    session: Session,
    item: str,
    cells: Mapping[str, str | float],
    *,
    author: str,
    force: bool = False,
) -> list[str]:
    """Save the quantities of some weeks (``{"2027-01-04": "30", …}``: any day of the week,
    a number or the grid's text; 0 or empty removes the week's line), all or nothing.
    Weeks not named keep their lines. Returns the numbers of the lines now scheduled."""
    return _save_weeks(session, item, cells, author=author, force=force)


def _save_weeks(
    session: Session,
    item: str,
    cells: Mapping[str, str | float],
    *,
    author: str,
    force: bool,
) -> list[str]:
    row = mps.scheduled_item(session, item)
    if len(cells) > MAX_CELLS:
        raise ValidationError(f"at most {MAX_CELLS} weeks at once", field="weeks")
    fence = mps.fence_end(session)
    problems: list[CellProblem] = []
    wanted: dict[date, float] = {}
    for key, raw in cells.items():
        try:
            week = date.fromisoformat(key)
            qty = parse_qty(raw) if isinstance(raw, str) else float(raw)
        except ValueError as error:
            problems.append(CellProblem(key, str(raw), str(error)))
            continue
        if not math.isfinite(qty):
            problems.append(CellProblem(key, str(raw), "not a number"))
            continue
        monday = mps.week_start(week)
        if monday in wanted:
            problems.append(CellProblem(key, str(raw), f"a second figure for the week of {monday}"))
            continue
        wanted[monday] = qty
        reason = _cell(session, row, week, qty, fence=fence, force=force)
        if reason is not None:
            problems.append(CellProblem(key, str(raw), reason))
    if problems:
        raise ScheduleRefused(item, problems)
    numbers = [
        mps.set_line(session, item, monday, qty, author=author, force=force)
        for monday, qty in sorted(wanted.items())
    ]
    return [n for n in numbers if n is not None]


@writes
def replace_schedule(
    session: Session,
    item: str,
    lines: Mapping[str, str | float],
    *,
    author: str,
    force: bool = False,
) -> list[str]:
    """The item's schedule becomes ``lines``: every open line of a week not named is
    removed (within the time fence only with ``force``; a released one is refused), all
    or nothing."""
    current = {line.week: line for line in schedule_lines(session, item)}
    named: set[date] = set()
    for key in lines:
        try:
            named.add(mps.week_start(date.fromisoformat(key)))
        except ValueError:
            continue  # save_weeks names it
    cells: dict[str, str | float] = dict(lines)
    for monday in current:
        if monday not in named:
            cells[monday.isoformat()] = 0.0
    return _save_weeks(session, item, cells, author=author, force=force)


@writes
def accept_proposal(
    session: Session,
    item: str,
    *,
    weeks: int = 12,
    minimum: float = 0.0,
    maximum: float | None = None,
    only: Collection[date] | None = None,
    author: str,
) -> list[tuple[date, float]]:
    """Write the levelled proposal (``mps.propose``), all its weeks or ``only`` those
    (any day of each), all or nothing; returns what was written."""
    proposal = mps.propose(session, item, weeks=weeks, minimum=minimum, maximum=maximum)
    if only is not None:
        chosen = {mps.week_start(day) for day in only}
        unknown = sorted(chosen - {week for week, _ in proposal})
        if unknown:
            raise ValidationError(
                f"no proposal for the week(s) of {', '.join(d.isoformat() for d in unknown)} "
                "(the proposal covers the weeks beyond the time fence)",
                field="only",
            )
        proposal = [(week, qty) for week, qty in proposal if week in chosen]
    _save_weeks(
        session, item, {week.isoformat(): qty for week, qty in proposal}, author=author, force=False
    )
    return proposal


@dataclass(frozen=True)
class GridWeek:
    week: mps.MpsWeek
    line: ScheduleLine | None
    """The week's schedule line (None: nothing scheduled)."""
    proposed: float | None
    """The levelled proposal's quantity (None: the week is in the fence, not proposed)."""

    @property
    def editable(self) -> bool:
        return self.line is None or self.line.editable


@dataclass(frozen=True)
class Grid:
    """What the weekly grid shows of one item: the record, its lines and the proposal."""

    record: mps.MpsView
    weeks: list[GridWeek]
    rough_cut: mps_rough_cut.RoughCut
    """The schedule's hours on the key work centers (none without routings)."""


def grid(
    session: Session,
    item: str,
    *,
    weeks: int = 12,
    minimum: float = 0.0,
    maximum: float | None = None,
) -> Grid:
    """The item's MPS record week by week, with each week's schedule line, what the
    levelled proposal (``minimum``/``maximum`` a week) would put there, and the
    schedule's rough-cut capacity check."""
    mps.scheduled_item(session, item)
    record = mps.mps_record(session, item, weeks=weeks)
    lines = {line.week: line for line in schedule_lines(session, item)}
    proposal = dict(mps.propose(session, item, weeks=weeks, minimum=minimum, maximum=maximum))
    return Grid(
        record,
        [GridWeek(w, lines.get(w.start), proposal.get(w.start)) for w in record.weeks],
        mps_rough_cut.rough_cut(session, item, weeks=weeks),
    )

"""The stored schedule's hours per work center and day (``ScheduledLoad``) kept true when a
planner moves an operation on the planning board.

The schedule stores the hours it took each day as it counted them; promise reads them
(``services.free_hours``). A saved move (``services.operation_move``) moves the
operation's row in the stored schedule, and here its hours: they are taken off the days
it ran (an even share of each of its days that holds hours, as much as each holds, the
rest from the others: the schedule does not keep one operation's hours per day), and put on
its new days as the next schedule places a pin (``engine.schedule``'s ``_pin_days``: an
even share of each working day, or all on its first day when none works).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.model import ScheduledLoad

EPS = 1e-9


@dataclass(frozen=True)
class Span:
    """Where an operation runs: its work center (id) and first and last day."""

    work_center_id: int
    first: date
    last: date


def move_hours(
    session: Session,
    schedule_run_id: int,
    hours: float,
    spans: tuple[Span, Span],
    works: Callable[[int, int], bool],
) -> None:
    """``hours`` of one operation moved from ``spans[0]`` to ``spans[1]`` in the stored
    schedule's hours per day (module doc). ``works(work_center_id, day)``: whether the
    work center has hours on that day (an ordinal)."""
    before, after = spans
    _take(session, schedule_run_id, hours, before)
    days = _days(after, works) or [after.first.toordinal()]
    for day in days:
        row = _rows(session, schedule_run_id, after.work_center_id, [day]).get(day)
        if row is None:
            session.add(
                ScheduledLoad(
                    schedule_run_id=schedule_run_id,
                    work_center_id=after.work_center_id,
                    day=date.fromordinal(day),
                    hours=hours / len(days),
                )
            )
        else:
            row.hours += hours / len(days)
    session.flush()


def _days(span: Span, works: Callable[[int, int], bool]) -> list[int]:
    return [
        d
        for d in range(span.first.toordinal(), span.last.toordinal() + 1)
        if works(span.work_center_id, d)
    ]


def _rows(
    session: Session, schedule_run_id: int, work_center_id: int, days: list[int]
) -> dict[int, ScheduledLoad]:
    if not days:
        return {}
    found = session.scalars(
        select(ScheduledLoad).where(
            ScheduledLoad.schedule_run_id == schedule_run_id,
            ScheduledLoad.work_center_id == work_center_id,
            ScheduledLoad.day >= date.fromordinal(min(days)),
            ScheduledLoad.day <= date.fromordinal(max(days)),
        )
    )
    return {row.day.toordinal(): row for row in found}


def _take(session: Session, schedule_run_id: int, hours: float, span: Span) -> None:
    """``hours`` taken off the days of ``span`` that hold some (whether the work center
    works them today or not: a day closed since the schedule still holds what it
    booked there): an even share of each first, then what is left from the days that
    still hold some, in order; a day left with none loses its row."""
    every = list(range(span.first.toordinal(), span.last.toordinal() + 1))
    rows = _rows(session, schedule_run_id, span.work_center_id, every)
    held = [rows[d] for d in every if d in rows]
    left = hours
    for share in (hours / len(held) if held else 0.0, float("inf")):
        for row in held:
            got = min(share, row.hours, left)
            row.hours -= got
            left -= got
    for row in held:
        if row.hours <= EPS:
            session.delete(row)

"""The hours the stored finite schedule leaves free on a few work centers, read from the
database without scheduling anything again.

A quote (``services.promise_capacity``) needs the free hours of the work centers its
routings use, from the first day it can start: a work center's hours each day (the
plant's calendar, its weekday hours, its closed days, units and efficiency, as
``engine.capacity.WorkCenters`` gives them) minus what the stored schedule's
operations take that day. Those are read in one grouped query per horizon (hours
and operations summed per work center, first and last day, only for those work
centers and the days asked), and laid out per day by ``engine.free_hours.spread``;
a second one reads the days the stored operations waited for those work centers
(``held_from`` … ``held_to``), known to be full.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pegboard.engine.capacity import WorkCenters
from pegboard.engine.free_hours import Booked, spread
from pegboard.model import ScheduledOperation, WorkCenter, WorkCenterClosedDay
from pegboard.services.calendar import load_calendar

__all__ = ["Shop", "last_booked", "read_shop", "used_hours"]


@dataclass(frozen=True)
class Shop:
    """A few work centers, as the engine counts their hours."""

    wcs: WorkCenters
    ids: list[int]
    """The database id of each engine position."""
    position: dict[str, int]
    """Engine position of each work center code."""


def read_shop(session: Session, codes: Iterable[str]) -> Shop:
    """The work centers of ``codes`` (those that exist), in code order."""
    wanted = sorted(set(codes))
    rows = session.execute(
        select(
            WorkCenter.id,
            WorkCenter.code,
            WorkCenter.hours_per_day,
            WorkCenter.weekday_hours,
            WorkCenter.units,
            WorkCenter.efficiency_pct,
        )
        .where(WorkCenter.code.in_(wanted))
        .order_by(WorkCenter.code)
    ).all()
    at = {wc_id: k for k, (wc_id, *_) in enumerate(rows)}
    closed: list[set[int]] = [set() for _ in rows]
    for wc_id, day in session.execute(
        select(WorkCenterClosedDay.work_center_id, WorkCenterClosedDay.day).where(
            WorkCenterClosedDay.work_center_id.in_(list(at))
        )
    ):
        closed[at[wc_id]].add(day.toordinal())
    hours = np.array(
        [list(r.weekday_hours) if r.weekday_hours else [r.hours_per_day] * 7 for r in rows],
        dtype=np.float64,
    ).reshape(len(rows), 7)
    wcs = WorkCenters(
        code=[r.code for r in rows],
        weekday_hours=hours,
        units=np.array([r.units for r in rows], dtype=np.int64),
        efficiency=np.array([r.efficiency_pct / 100 for r in rows], dtype=np.float64),
        closed=[frozenset(c) for c in closed],
        calendar=load_calendar(session.connection()),
    )
    return Shop(wcs, [r.id for r in rows], {r.code: k for k, r in enumerate(rows)})


def used_hours(
    session: Session, schedule_run_id: int, shop: Shop, first: int, last: int
) -> npt.NDArray[np.float64]:
    """(work centers of ``shop``, days ``first`` … ``last``): the standard hours the
    stored schedule ``schedule_run_id`` uses each day (one grouped query)."""
    op = ScheduledOperation
    rows = (
        session.connection()
        .execute(  # Core rows: tens of thousands at full size
            select(
                op.work_center_id,
                op.start_date,
                op.end_date,
                func.sum(op.hours),
                func.count(),
            )
            .where(
                op.schedule_run_id == schedule_run_id,
                op.work_center_id.in_(shop.ids),
                op.end_date >= date.fromordinal(first),
                op.start_date <= date.fromordinal(last),
            )
            .group_by(op.work_center_id, op.start_date, op.end_date)
        )
        .all()
    )
    position = {wc_id: k for k, wc_id in enumerate(shop.ids)}
    full = _full_days(session, schedule_run_id, shop, first, last, position)
    n = len(rows)
    booked = Booked(
        work_center=np.fromiter((position[r[0]] for r in rows), dtype=np.int64, count=n),
        start=np.fromiter((r[1].toordinal() for r in rows), dtype=np.int64, count=n),
        end=np.fromiter((r[2].toordinal() for r in rows), dtype=np.int64, count=n),
        hours=np.fromiter((float(r[3] or 0.0) for r in rows), dtype=np.float64, count=n),
        count=np.fromiter((int(r[4]) for r in rows), dtype=np.int64, count=n),
        full=full,
    )
    return spread(booked, shop.wcs, first, last)


def _full_days(
    session: Session,
    schedule_run_id: int,
    shop: Shop,
    first: int,
    last: int,
    position: dict[int, int],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(work center, held from, held to) of the stored operations that waited for a
    full work center over these days (``engine.free_hours.Booked.full``)."""
    op = ScheduledOperation
    rows = (
        session.connection()
        .execute(
            select(op.work_center_id, op.held_from, op.held_to)
            .where(  # held_to is set with held_from
                op.schedule_run_id == schedule_run_id,
                op.work_center_id.in_(shop.ids),
                op.held_from.is_not(None),
                op.held_to >= date.fromordinal(first),
                op.held_from <= date.fromordinal(last),
            )
            .group_by(op.work_center_id, op.held_from, op.held_to)
        )
        .all()
    )
    n = len(rows)
    return (
        np.fromiter((position[r[0]] for r in rows), dtype=np.int64, count=n),
        np.fromiter((_day(r[1]) for r in rows), dtype=np.int64, count=n),
        np.fromiter((_day(r[2]) for r in rows), dtype=np.int64, count=n),
    )


def _day(value: date | None) -> int:
    return 0 if value is None else value.toordinal()


def last_booked(session: Session, schedule_run_id: int, shop: Shop) -> int | None:
    """The last day the stored schedule uses any of ``shop``'s work centers (None: none)."""
    found = session.scalar(
        select(func.max(ScheduledOperation.end_date)).where(
            ScheduledOperation.schedule_run_id == schedule_run_id,
            ScheduledOperation.work_center_id.in_(shop.ids),
        )
    )
    return None if found is None else found.toordinal()

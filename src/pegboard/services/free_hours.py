"""The hours the stored finite schedule leaves free on a few work centers, read from the
database without scheduling anything again.

A quote (``services.promise_capacity``) needs the free hours of the work centers its
routings use, from the first day it can start: a work center's hours each day (the
plant's calendar, its weekday hours, its closed days, units and efficiency, as
``engine.capacity.WorkCenters`` gives them) minus what the stored schedule took of
them that day. The schedule stores those hours as it counted them
while placing (``ScheduledLoad``), so the free hours are exactly what it left: a quote
placed into them (``engine.free_hours.place_after``) lands where scheduling it with
every other order, last, would put it, on a work center of any number of units.
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
from pegboard.model import ScheduledLoad, ScheduledOperation, WorkCenter, WorkCenterClosedDay
from pegboard.services.calendar import load_calendar

__all__ = ["Shop", "has_load", "last_booked", "read_shop", "used_hours"]


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
    stored schedule ``schedule_run_id`` took each day, as it counted them itself
    (``ScheduledLoad``, one ranged read of its key)."""
    load = ScheduledLoad
    rows = (
        session.connection()
        .execute(  # Core rows: a few hundred days of a few work centers
            select(load.work_center_id, load.day, load.hours).where(
                load.schedule_run_id == schedule_run_id,
                load.work_center_id.in_(shop.ids),
                load.day >= date.fromordinal(first),
                load.day <= date.fromordinal(last),
            )
        )
        .all()
    )
    position = {wc_id: k for k, wc_id in enumerate(shop.ids)}
    used = np.zeros((len(shop.ids), last - first + 1), dtype=np.float64)
    for wc_id, day, hours in rows:
        used[position[wc_id], day.toordinal() - first] = hours
    return used


def has_load(session: Session, schedule_run_id: int) -> bool:
    """Whether the stored schedule's hours per day are there to read: a schedule stored
    before they were (migration 0030) has operations with hours and no such rows."""
    some_load = session.scalar(
        select(ScheduledLoad.day).where(ScheduledLoad.schedule_run_id == schedule_run_id).limit(1)
    )
    if some_load is not None:
        return True
    busy = session.scalar(
        select(ScheduledOperation.id)
        .where(
            ScheduledOperation.schedule_run_id == schedule_run_id,
            ScheduledOperation.hours > 0,
        )
        .limit(1)
    )
    return busy is None


def last_booked(session: Session, schedule_run_id: int, shop: Shop) -> int | None:
    """The last day the stored schedule uses any of ``shop``'s work centers (None: none)."""
    found = session.scalar(
        select(func.max(ScheduledLoad.day)).where(
            ScheduledLoad.schedule_run_id == schedule_run_id,
            ScheduledLoad.work_center_id.in_(shop.ids),
        )
    )
    return None if found is None else found.toordinal()

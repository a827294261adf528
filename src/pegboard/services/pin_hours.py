"""Other orders' pinned operations in the planning board's free-hours check when no finite
schedule is current (issues #15 item 4, #19 item 4).

Without a current schedule the board counts every other order's hours where the
backward load puts them (``services.window_load``). A pinned operation is not there:
the next schedule places it on its pin, whatever else (``engine.schedule``), so a
planner moving another operation onto the days a pin fills must be told they are full.
Each pinned operation of an open order is therefore taken off the backward load (an
even share of each working day it runs there: the load keeps no operation's hours per
day; a day never goes below nothing) and put on its pin as the schedule will put it (an
even share of each working day of the pin, or all on its first day when none works).
Pins are few (a planner's hand moves), so each pinned order's operations are placed on
their own.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.engine.capacity import WorkCenters
from pegboard.model import ProductionOrder
from pegboard.services.pins import CLOSED, Pin, list_pins
from pegboard.services.window_load import order_operations, production_order_row

Hours = dict[tuple[str, date], float]
"""Hours per (work center code, day)."""


def count_pins(
    session: Session,
    wcs: WorkCenters,
    position: dict[int, int],
    centers: Collection[str],
    window: tuple[date, date],
    exclude: Collection[str],
    hours: Hours,
) -> None:
    """Move the pinned operations of every open order but ``exclude`` (numbers) in
    ``hours`` (the backward load of ``centers`` over ``window``) from where the load
    puts them to their pins (module doc)."""
    first, last = window
    pinned: dict[str, list[Pin]] = {}
    for pin in list_pins(session):
        if not pin.ignored and pin.number not in exclude:
            pinned.setdefault(pin.number, []).append(pin)
    if not pinned:
        return
    orders = session.scalars(
        select(ProductionOrder).where(
            ProductionOrder.number.in_(sorted(pinned)),
            ProductionOrder.status.not_in(CLOSED),
        )
    ).all()
    for mo in orders:
        pins = {p.sequence: p for p in pinned[mo.number]}
        touches = any(
            p.work_center in centers and p.start <= last and p.end >= first for p in pins.values()
        )
        if mo.due_date < first and not touches:
            continue  # its operations end before the window and no pin is in it
        for op in order_operations(session, production_order_row(mo), wcs, position):
            at = pins.get(op.sequence)
            if at is None:
                continue
            if op.work_center in centers:
                _add(hours, wcs, op.work_center, -op.hours, (op.start, op.end), window)
            if at.work_center in centers:
                _add(hours, wcs, at.work_center, op.hours, (at.start, at.end), window)
    for key, value in hours.items():
        hours[key] = max(0.0, value)


def _add(
    hours: Hours,
    wcs: WorkCenters,
    code: str,
    amount: float,
    runs: tuple[date, date],
    window: tuple[date, date],
) -> None:
    """``amount`` hours over the working days of ``runs`` (evenly; all on its first day
    when none works), those in ``window`` added to ``hours``."""
    wc = wcs.code.index(code)
    first, last = runs[0].toordinal(), runs[1].toordinal()
    days = [d for d in range(first, last + 1) if wcs.available(wc, d) > 0] or [first]
    for d in days:
        day = date.fromordinal(d)
        if window[0] <= day <= window[1]:
            hours[(code, day)] = hours.get((code, day), 0.0) + amount / len(days)

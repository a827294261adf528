"""The small shop the engine's load and schedule tests compute by hand: a Mon–Fri
calendar (2027-01-04 is a Monday) and two work centers, so the backward load
(tests/engine/test_engine_capacity.py) and the finite schedule
(tests/engine/test_engine_schedule.py) are checked against the same hours."""

from __future__ import annotations

from datetime import date

import numpy as np

from pegboard.engine.calendar import WorkCalendar
from pegboard.engine.capacity import WorkCenters

MON_FRI = (0, 1, 2, 3, 4)


def d(text: str) -> int:
    """A day as the engine counts it (its ordinal)."""
    return date.fromisoformat(text).toordinal()


def centers(holidays: tuple[int, ...] = (), closed_b: frozenset[int] = frozenset()) -> WorkCenters:
    """A: 8 h a day, one unit, 100 %. B: 8 h a day, two units at 50 % (4 standard hours
    per unit and day, 8 for the work center)."""
    return WorkCenters(
        code=["A", "B"],
        weekday_hours=np.array([[8.0] * 7, [8.0] * 7]),
        units=np.array([1, 2]),
        efficiency=np.array([1.0, 0.5]),
        closed=[frozenset(), closed_b],
        calendar=WorkCalendar(MON_FRI, holidays),
    )

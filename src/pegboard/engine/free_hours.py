"""A few orders placed into the hours a stored finite schedule leaves free (issue #15,
item 5: order promising with capacity).

The schedule (``engine.schedule``) places every order of the plan; a quote must not
move any of them, so it comes last: after every order, into what they leave. This
places only the quote's orders, with the schedule's own rules (``_Scheduler``: one
unit per operation, fractions of days, queue and move days, held days, lead time and
the plan's date as a floor, components first), on days whose hours are already
partly taken by the stored schedule (``used``: the hours per work center and day the
schedule counted while placing, stored with it). The scheduler's only state between
orders is those hours, so the quote lands exactly where scheduling it with every
order, at the lowest priority, would put it.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from pegboard.engine.capacity import WorkCenters
from pegboard.engine.schedule import Schedule, ScheduleOps, ScheduleOrders, _Scheduler

__all__ = ["place_after"]

FloatArray = npt.NDArray[np.float64]


class _Seeded(_Scheduler):
    """The schedule's placement on days whose hours ``used`` already partly takes."""

    def __init__(
        self,
        orders: ScheduleOrders,
        ops: ScheduleOps,
        wcs: WorkCenters,
        used: FloatArray,
        first: int,
    ) -> None:
        super().__init__(orders, ops, wcs, finite=True)
        self._seed, self._seed_first = used, first

    def _grow(self, wc: int, at: int) -> None:
        done = len(self._used_of[wc])
        super()._grow(wc, at)
        used = self._used_of[wc]
        column = self._base + done - self._seed_first  # of day ``_base + done``: >= 0
        seed = self._seed[wc, column : column + len(used) - done].tolist()
        used[done : done + len(seed)] = seed


def place_after(
    orders: ScheduleOrders, ops: ScheduleOps, wcs: WorkCenters, used: FloatArray, first: int
) -> Schedule:
    """Place ``orders`` (a quote's few) forward at finite capacity into the hours left
    when ``used`` (work centers × days from ``first``) is already taken; past the last
    column the work centers are free.

    Every order's ready day must be on or after ``first``. The plain placement (not
    the compiled one): a quote has a few orders, and its tables start on a day of
    the caller's choosing."""
    if len(orders) and int(orders.ready.min()) < first:
        raise ValueError("an order is ready before the first day of the hours used")
    return _Seeded(orders, ops, wcs, used, first).run()

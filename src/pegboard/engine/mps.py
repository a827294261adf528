"""The master production schedule record of one item, and a levelled schedule to propose.

The textbook MPS record, per period (a week, say):

* **backlog**: what the orders need of the item in the period (its sales-order lines
  and the components its parents' orders need), the make-to-order counterpart of the
  forecast-or-orders row;
* **MPS**: the quantity the master schedule makes available in the period;
* **receipts**: other firm supply due in the period (open production orders that are
  not schedule lines), counted like the schedule;
* **projected available balance** (PAB): on hand, plus every MPS quantity and receipt
  so far, less every backlog so far;
* **available to promise** (ATP), discrete: in a period with an MPS quantity (and in
  the first period, which also has what is on hand), that quantity less the backlog
  until the next MPS quantity; a shortfall later on is taken from the earlier ATP
  (latest first), so nothing is promised twice.

``level`` proposes the smallest constant quantity per period that keeps the PAB at
or above a target (safety stock or reorder point) in every period, bounded by a
minimum and maximum per period and rounded up to a multiple.

``rough_cut`` is rough-cut capacity planning by a bill of resources (capacity planning
using overall factors, without lead-time offsets): the hours each work center gives an
item's schedule in the period the schedule names, a setup per scheduled period and a
run time per unit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["MpsRecord", "level", "record", "rough_cut"]

FloatArray = npt.NDArray[np.float64]

EPS = 1e-9


@dataclass(frozen=True)
class MpsRecord:
    backlog: list[float]
    mps: list[float]
    pab: list[float]
    atp: list[float]
    """Per period; 0 where the period has no MPS quantity (except the first)."""
    cumulative_atp: list[float]

    @property
    def short_periods(self) -> list[int]:
        """Periods whose projected available balance is below zero."""
        return [t for t, value in enumerate(self.pab) if value < -EPS]


def record(
    on_hand: float,
    backlog: Sequence[float],
    mps: Sequence[float],
    receipts: Sequence[float] | None = None,
) -> MpsRecord:
    """The MPS record for periods 0…n-1 (``backlog``, ``mps`` and ``receipts`` per period)."""
    other = list(receipts) if receipts is not None else [0.0] * len(mps)
    if not len(backlog) == len(mps) == len(other):
        raise ValueError("backlog, mps and receipts must have one figure per period")
    n = len(backlog)
    supply = [mps[t] + other[t] for t in range(n)]
    pab: list[float] = []
    balance = on_hand
    for t in range(n):
        balance += supply[t] - backlog[t]
        pab.append(balance)
    atp = [0.0] * n
    arrivals = [t for t in range(n) if t == 0 or supply[t] > EPS]
    for k, t in enumerate(arrivals):
        until = arrivals[k + 1] if k + 1 < len(arrivals) else n
        atp[t] = supply[t] + (on_hand if t == 0 else 0.0) - sum(backlog[t:until])
    # a later shortfall is covered from the ATP of earlier receipts, latest first
    for k in range(len(arrivals) - 1, 0, -1):
        t = arrivals[k]
        if atp[t] < -EPS:
            earlier = arrivals[k - 1]
            atp[earlier] += atp[t]
            atp[t] = 0.0
    cumulative: list[float] = []
    total = 0.0
    for value in atp:
        total += value
        cumulative.append(total)
    return MpsRecord(list(backlog), list(mps), pab, atp, cumulative)


def level(
    on_hand: float,
    backlog: Sequence[float],
    *,
    target: float = 0.0,
    minimum: float = 0.0,
    maximum: float = math.inf,
    multiple: float = 1.0,
) -> list[float]:
    """The same quantity in every period, the smallest that keeps the projected balance
    at ``target`` or above (within ``minimum``…``maximum``, a multiple of ``multiple``).

    When even ``maximum`` cannot keep up, ``maximum`` is proposed and the record shows
    where the balance falls short."""
    n = len(backlog)
    if n == 0:
        return []
    need = 0.0
    cumulative = 0.0
    for t in range(n):
        cumulative += backlog[t]
        # (t + 1) × L ≥ cumulative + target − on_hand
        need = max(need, (cumulative + target - on_hand) / (t + 1))
    quantity = max(need, minimum, 0.0)
    if multiple > EPS:
        quantity = math.ceil(quantity / multiple - EPS) * multiple
    return [min(quantity, maximum)] * n


def rough_cut(quantities: FloatArray, setup: FloatArray, run: FloatArray) -> FloatArray:
    """Hours per work center and period, (centers, periods), that schedules ask for.

    ``quantities`` is (items, periods), the scheduled quantity of each item; ``setup``
    and ``run`` are (items, centers): an item's bill of resources, the setup hours one
    scheduled period costs and the hours per unit. A period with nothing scheduled
    costs no setup."""
    if quantities.shape[0] != setup.shape[0] or setup.shape != run.shape:
        raise ValueError("one bill of resources row per scheduled item")
    scheduled = (quantities > EPS).astype(np.float64)
    hours: FloatArray = run.T @ quantities + setup.T @ scheduled
    return hours

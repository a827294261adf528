"""The planners' pins in the finite schedule's input (``services.pins``): each pinned
operation of an order the schedule places gets its pinned work center and days
(``ScheduleOps.pin_start``/``pin_end``), which the engine places first.

A pin is ignored, and said so in the run's result, when its order is done, closed or
cancelled, when its order is not in the current plan (firmed after it, or not open),
when the operation is finished on the shop floor or no longer in the order's routing,
or when its days are all before the planning date (the shop did not report it: it is
placed afresh). With no pin applied the input is the one without pins, array for array.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
from sqlalchemy.orm import Session

from pegboard.engine.schedule import NONE, Schedule, ScheduleOps
from pegboard.services.pins import CLOSED, pin_rows

_CLOSED = {s.value for s in CLOSED}


@dataclass(frozen=True)
class AppliedPins:
    """What the schedule did with the pins."""

    operations: list[int] = field(default_factory=list)
    """Input rows of the pinned operations."""
    labels: list[str] = field(default_factory=list)
    """``MO-…/sequence`` of each, in the same order."""
    ignored: list[str] = field(default_factory=list)
    """A sentence per pin left out, saying why."""


def apply_pins(
    session: Session,
    planning_date: date,
    kinds: Sequence[str],
    index: dict[str, int],
    ops: ScheduleOps,
    position: dict[int, int],
) -> tuple[ScheduleOps, AppliedPins]:
    """``ops`` with the pins applied; ``kinds`` and ``index`` the orders' types and
    positions by ref, ``position`` each work center id's engine position."""
    session_rows = pin_rows(session)
    if not session_rows:
        return ops, AppliedPins()
    wanted = {index[n] for n, *_ in session_rows if n in index}
    rows_of = np.flatnonzero(np.isin(ops.order, sorted(wanted))).tolist()
    at = dict(
        zip(
            zip(ops.order[rows_of].tolist(), ops.sequence[rows_of].tolist(), strict=True),
            rows_of,
            strict=True,
        )
    )
    start = np.full(len(ops), NONE, dtype=np.int64)
    end = start.copy()
    work_center = ops.work_center.copy()
    out = AppliedPins()
    for number, status, sequence, wc_id, first, last in session_rows:
        label = f"{number}/{sequence}"
        i = index.get(number)
        k = at.get((i, sequence)) if i is not None and kinds[i] == "production_order" else None
        why = _ignored(status, first, last, planning_date, i is not None, k is not None)
        if why or k is None:
            out.ignored.append(f"{label} ({first.isoformat()} to {last.isoformat()}): {why}")
            continue
        work_center[k] = position[wc_id]
        start[k], end[k] = first.toordinal(), last.toordinal()
        out.operations.append(k)
        out.labels.append(label)
    if not out.operations:
        return ops, out
    return replace(ops, work_center=work_center, pin_start=start, pin_end=end), out


def out_of_sequence(ops: ScheduleOps, applied: AppliedPins, result: Schedule) -> list[str]:
    """A sentence per pinned operation the order's earlier operations end after it
    starts: the pin is kept (the planner's decision), the routing's sequence is not, and
    the planner should know (material or capacity held the earlier ones back)."""
    out = []
    for k, label in zip(applied.operations, applied.labels, strict=True):
        mine = ops.order == ops.order[k]
        before = np.flatnonzero(mine & (ops.sequence < ops.sequence[k]))
        if before.size == 0:
            continue
        last = int(before[np.argmax(result.end[before])])
        if result.end[last] > result.start[k]:
            out.append(
                f"{label} is pinned to start {date.fromordinal(int(result.start[k])).isoformat()}"
                f", but operation {int(ops.sequence[last])} ends "
                f"{date.fromordinal(int(result.end[last])).isoformat()}"
            )
    return out


def _ignored(
    status: str, first: date, last: date, planning_date: date, planned: bool, found: bool
) -> str:
    """Why a pin is left out ('' when it is not)."""
    if status in _CLOSED:
        return f"its order is {status}"
    if last < planning_date:
        return f"its days are before the planning date {planning_date.isoformat()}"
    if not planned:
        return "its order is not in the current plan"
    if not found:
        return "the operation is finished or no longer in its order's routing"
    return ""

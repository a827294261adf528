"""The finite, material-aware schedule: operations placed forward on work centers
that never work more hours on a day than they have (issue #15, item 4).

The load (``engine.capacity``) puts every order's operations back to back before
its due date whatever else the work center must do; this places them *forward*,
one order after another in priority order, each operation into the hours its work
center still has free:

* **Priority.** Released and in-progress orders first (the shop has started
  them), then by sales-order priority (lower first), due date and order code, so
  the same data in any row order gives the same schedule. A component order takes
  the rank of the most urgent order it serves: it must be made first for that one.
* **Material.** An order starts no earlier than ``ready`` (the planning date, its
  release, the supplies of its components that are not scheduled here: stock and
  purchases) and no earlier than the completion of each order whose output it
  consumes (``pred``: made components pegged to it). An order waits for its
  components, so components are scheduled before the orders that use them.
* **Time**, as in the load: a work center's *standard hours* per day are one unit's
  weekday hours × efficiency, times its units, 0 on the plant's non-working days
  and its closed days. One operation runs on one unit, so it uses at most one unit's
  hours of a day (less on the day it starts part-way through); it takes fewer when
  the work center has fewer free hours left that day — those days are *held* days,
  when the work center was full. The next operation of the order starts where it
  ended (the same day, further in), after ``queue_days`` of it and ``move_days`` of
  the one before in whole working days.
* **Completion**: when its last operation ends, but never before its lead time in
  working days from its start (rule 9's earliest completion: the lead time also holds
  the queues and moves a routing does not list) nor before ``floor``, the day the plan
  completes it. So the schedule only ever moves a date later than the plan's: by
  capacity, by material that capacity delayed, or by a routing longer than the lead time.

* **Pins**: an operation a planner pinned (``ScheduleOps.pin_start``/``pin_end``, a
  move on the planning board) runs on its work center from its first to its last pinned
  day whatever else: its hours, spread evenly over the days of those its work center
  works, are taken from those days before any order is placed (frePPLe's locked
  operation plans), so a pin may overload a day (:func:`pin_overloads` names them) and
  the other operations find those hours gone. Its order's later operations start no
  earlier than it ends (nor than the one before it); the earlier ones are placed
  forward as usual and may end after it starts (the planner's pin wins).

With unlimited capacity (units enough for every operation at once) nothing is ever
held and the schedule is :func:`forward_infinite`: each order placed alone as soon
as its material allows.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from pegboard.engine.calendar import WorkCalendar
from pegboard.engine.capacity import MAX_DAYS_BACK, WorkCenters, _tables, weekday

if TYPE_CHECKING:
    from pegboard.engine.schedule_kernel import Forward as kernel_Forward

__all__ = [
    "Schedule",
    "ScheduleError",
    "ScheduleOps",
    "ScheduleOrders",
    "forward_infinite",
    "forward_infinite_reference",
    "pin_overloads",
    "schedule",
    "schedule_reference",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

EPS = 1e-9
NONE = -1
"""A day or an operation that is not there (no held days, no bottleneck)."""
BY_PLAN, FULL, ROUTING = 0, 1, 2
_BLOCK = 512
"""Days the per-day lists grow by."""


def _working(calendar: WorkCalendar, days: IntArray) -> list[bool]:
    """Whether each day (ordinal) is a working day of the plant, for many at once: a
    working day is its own first working day on or after it."""
    mask: list[bool] = (calendar.fwd(days, 0) == days).tolist()
    return mask


class ScheduleError(ValueError):
    """Orders that wait for each other, or an operation on a work center with no hours."""


@dataclass(frozen=True)
class ScheduleOrders:
    """The orders to schedule, one row each."""

    code: list[str]
    released: BoolArray
    """Released or in progress: scheduled before every other order."""
    priority: IntArray
    """Of the most urgent sales order behind it (rule 8; 100 when none)."""
    due: IntArray
    ready: IntArray
    """The first day it may start (planning date, release, unscheduled material)."""
    lead: IntArray
    """Working days it takes from its start (its lead time: queues and moves included);
    its operations may take longer, never less."""
    floor: IntArray
    """The day the plan completes it at infinite capacity: the schedule never earlier."""
    pred_ptr: IntArray
    """CSR offsets (n + 1) into ``pred``."""
    pred: IntArray
    """The orders whose completion it waits for (components it consumes)."""

    def __len__(self) -> int:
        return len(self.code)


@dataclass(frozen=True)
class ScheduleOps:
    """Operations of the orders, in any row order."""

    order: IntArray
    sequence: IntArray
    work_center: IntArray
    hours: FloatArray
    """Standard hours it needs (setup + run per unit × quantity)."""
    queue_days: IntArray
    move_days: IntArray
    pin_start: IntArray | None = None
    """Per operation: the first day a planner pinned it to (NONE: not pinned); None: no pins."""
    pin_end: IntArray | None = None
    """Per operation: the last day it is pinned to (on or after ``pin_start``)."""

    def __len__(self) -> int:
        return len(self.order)

    def pins(self) -> tuple[IntArray, IntArray]:
        """``pin_start`` and ``pin_end`` as arrays, NONE throughout when there are none."""
        if self.pin_start is None or self.pin_end is None:
            none = np.full(len(self.order), NONE, dtype=np.int64)
            return none, none
        start = np.asarray(self.pin_start, dtype=np.int64)
        return start, np.maximum(np.asarray(self.pin_end, dtype=np.int64), start)


@dataclass(frozen=True)
class Schedule:
    """Per operation (input row order) and per order (input row order)."""

    ready: IntArray
    """Per operation: the first day it could have started, free hours or not."""
    start: IntArray
    end: IntArray
    held_from: IntArray
    held_to: IntArray
    """Per operation: first and last day it got fewer hours than it could use (NONE)."""
    held_days: IntArray
    rank: IntArray
    """Per operation: its order's place in the scheduling order (0 first)."""
    order_ready: IntArray
    order_start: IntArray
    completion: IntArray
    cause: IntArray
    """Per order, what set its completion: ``BY_PLAN`` (its lead time or the plan's date:
    capacity changed nothing), ``FULL`` (its operations, one of them held by a full work
    center) or ``ROUTING`` (its operations, longer than its lead time, none held)."""
    bottleneck: IntArray
    """Per order: for ``FULL`` the operation held the most days, for ``ROUTING`` the one
    that took the most days; NONE for ``BY_PLAN``."""
    used: dict[tuple[int, int], float]
    """(work center, day) → standard hours scheduled on it."""


def schedule(orders: ScheduleOrders, ops: ScheduleOps, wcs: WorkCenters) -> Schedule:
    """Place every order's operations forward at finite capacity (module doc).

    Compiled (``schedule_kernel``): the very schedule of :func:`schedule_reference`,
    which stays the statement of the rules and the judge of the kernel."""
    return _Scheduler(orders, ops, wcs, finite=True).run_compiled()


def forward_infinite(orders: ScheduleOrders, ops: ScheduleOps, wcs: WorkCenters) -> Schedule:
    """The same placement with unlimited hours: each order as soon as its material allows."""
    return _Scheduler(orders, ops, wcs, finite=False).run_compiled()


def schedule_reference(orders: ScheduleOrders, ops: ScheduleOps, wcs: WorkCenters) -> Schedule:
    """:func:`schedule` in plain Python, one operation and day at a time."""
    return _Scheduler(orders, ops, wcs, finite=True).run()


def forward_infinite_reference(
    orders: ScheduleOrders, ops: ScheduleOps, wcs: WorkCenters
) -> Schedule:
    """:func:`forward_infinite` in plain Python."""
    return _Scheduler(orders, ops, wcs, finite=False).run()


_AHEAD = 1000
"""Days past the last ready day and plan date the kernel's tables first reach."""
_FURTHEST = 64_000
"""Past it the plain loop schedules (a shop booked more than 175 years ahead)."""


def pin_overloads(
    ops: ScheduleOps, wcs: WorkCenters, result: Schedule
) -> list[tuple[int, int, float, float]]:
    """The work-center days a pin overloads: (work center, day, hours scheduled, hours it
    has), each once, by work center and day. Only pins take hours from a day without
    checking them, so only their days can be over."""
    start, end = ops.pins()
    seen: set[tuple[int, int]] = set()
    for k in np.flatnonzero(start != NONE).tolist():
        wc = int(ops.work_center[k])
        seen.update((wc, d) for d in range(int(start[k]), int(end[k]) + 1))
    out = []
    for wc, day in sorted(seen):
        has = wcs.available(wc, day)
        used = result.used.get((wc, day), 0.0)
        if used > has + 1e-6:
            out.append((wc, day, used, has))
    return out


def _booked_days(ops: ScheduleOps, wcs: WorkCenters) -> int:
    """Calendar days the busiest work center needs for all its hours, with room for
    holidays and waits: the kernel's first tables reach that far, so that a shop
    booked years ahead is not placed over and over in ever wider tables."""
    weekly = (wcs.weekday_hours * wcs.efficiency[:, None]).sum(axis=1) * wcs.units
    need = np.bincount(ops.work_center, weights=ops.hours, minlength=len(wcs))
    busy = weekly > 0
    days = 7 * need[busy] / weekly[busy]
    return int(1.5 * days.max()) if days.size else 0


def _sequence(orders: ScheduleOrders, own: IntArray, effective: IntArray) -> IntArray:
    """The order ``_Scheduler.run`` places the orders in: the most urgent whose
    components are all placed first. It depends on ranks and on which orders wait
    for which, never on dates, so it is known before placing anything (compiled: the
    heap of a full-size company's 300,000 orders cost a second in Python)."""
    from pegboard.engine import schedule_kernel as kernel  # Numba: only when scheduling

    n = len(orders)
    # the orders waiting for each order (CSR), and one heap key per order: its
    # effective rank, then its own (unique), as one integer
    by = np.argsort(orders.pred, kind="stable")
    users = np.repeat(np.arange(n, dtype=np.int64), np.diff(orders.pred_ptr))[by]
    uptr = np.searchsorted(orders.pred[by], np.arange(n + 1))
    key = np.asarray(effective, dtype=np.int64) * n + own
    return kernel.sequence(np.diff(orders.pred_ptr), users, uptr, key, np.argsort(own))


def _own_ranks(orders: ScheduleOrders) -> IntArray:
    """Each order's own rank: released first, priority, due, code."""
    n = len(orders)
    code_rank = np.empty(n, dtype=np.int64)
    code_rank[sorted(range(n), key=orders.code.__getitem__)] = np.arange(n)
    order = np.lexsort((code_rank, orders.due, orders.priority, ~orders.released))
    own = np.empty(n, dtype=np.int64)
    own[order] = np.arange(n)
    return own


def _ranks(orders: ScheduleOrders) -> tuple[IntArray, list[int]]:
    """Each order's own rank (``_own_ranks``) and the rank it schedules at: the lowest
    of its own and of every order that waits for it. The plain statement, which
    ``schedule_kernel.effective_ranks`` follows for the compiled schedule."""
    own = _own_ranks(orders)
    effective = own.tolist()
    ptr = orders.pred_ptr.tolist()
    pred = orders.pred.tolist()
    # most urgent first, each handing its rank down to the components it waits for;
    # a component already lowered by a more urgent order stops the walk
    for i in sorted(range(len(orders)), key=effective.__getitem__):
        stack = [i]
        while stack:
            parent = stack.pop()
            for j in pred[ptr[parent] : ptr[parent + 1]]:
                if effective[parent] < effective[j]:
                    effective[j] = effective[parent]
                    stack.append(j)
    return own, effective


class _Scheduler:
    def __init__(
        self, orders: ScheduleOrders, ops: ScheduleOps, wcs: WorkCenters, *, finite: bool
    ) -> None:
        self.orders, self.ops, self.wcs, self.finite = orders, ops, wcs, finite
        n_ops = len(ops)
        # per operation, as lists while placing (one value at a time: a NumPy item costs
        # several times a list's), arrays in the result
        self.ready = [NONE] * n_ops
        self.start = [NONE] * n_ops
        self.end = [NONE] * n_ops
        self.held_from = [NONE] * n_ops
        self.held_to = [NONE] * n_ops
        self.held_days = [0] * n_ops
        self._pin_start, self._pin_end = (a.tolist() for a in ops.pins())
        pinned = [d for d in self._pin_start if d != NONE]
        self._base = min([int(orders.ready.min()), *pinned]) if len(orders) else 0
        """Day 0 of the per-day lists: no order starts before it."""
        self._hours_of: list[list[float]] = [[] for _ in range(len(wcs))]
        """Per work center, the standard hours one unit gives each day from ``_base``."""
        self._used_of: list[list[float]] = [[] for _ in range(len(wcs))]
        """Per work center, the standard hours scheduled each day from ``_base``."""
        self._masks: dict[int, list[bool]] = {}
        self._full: list[dict[int, int]] = [{} for _ in range(len(wcs))]
        """Per work center: full days (and days without hours), each linked to a later day."""
        self._by_ops = np.zeros(len(orders), dtype=np.bool_)
        """Per order: its operations end after its lead time and the plan's date."""
        self._unit = [
            [float(h) * float(wcs.efficiency[w]) for h in wcs.weekday_hours[w]]
            for w in range(len(wcs))
        ]
        self._units = [int(u) for u in wcs.units]
        # each order's operations in sequence
        self._by = np.lexsort((ops.sequence, ops.order))
        """Operations by order, each order's in sequence."""
        self._wc = ops.work_center.tolist()
        self._hours = ops.hours.tolist()
        self._queue = ops.queue_days.tolist()
        self._move = ops.move_days.tolist()
        self._seq = ops.sequence.tolist()
        self._lead: list[int] = orders.lead.tolist()
        self._floor: list[int] = orders.floor.tolist()
        self._moved: dict[tuple[int, int], int] = {}
        """``calendar.fwd`` of (day, working days), asked once: orders share both."""

    @cached_property
    def _ops_of(self) -> list[list[int]]:
        """Each order's operations in sequence: as lists only when asked for (the plain
        loop; the compiled one asks for the few orders its operations made late)."""
        flat = self._by.tolist()
        cut = np.searchsorted(self.ops.order[self._by], np.arange(len(self.orders) + 1)).tolist()
        return [flat[cut[i] : cut[i + 1]] for i in range(len(self.orders))]

    def _fwd(self, day: int, n: int) -> int:
        key = (day, n)
        found = self._moved.get(key)
        if found is None:
            found = self._moved[key] = self.wcs.calendar.fwd(day, n)
        return found

    def run(self) -> Schedule:
        orders = self.orders
        n = len(orders)
        own, effective = _ranks(orders)
        ptr = orders.pred_ptr.tolist()
        pred = orders.pred.tolist()
        waiting = [ptr[i + 1] - ptr[i] for i in range(n)]
        users: list[list[int]] = [[] for _ in range(n)]
        for i in range(n):
            for j in pred[ptr[i] : ptr[i + 1]]:
                users[j].append(i)
        ready = orders.ready.tolist()
        order_ready = [0] * n
        order_start = [0] * n
        completion = [NONE] * n
        self._reserve_pins()
        heap = [(effective[i], int(own[i]), i) for i in range(n) if waiting[i] == 0]
        heapq.heapify(heap)
        placed = 0
        while heap:
            _, _, i = heapq.heappop(heap)
            earliest = max([ready[i], *(completion[j] for j in pred[ptr[i] : ptr[i + 1]])])
            order_ready[i] = earliest
            order_start[i], completion[i] = self._order(i, earliest)
            placed += 1
            for u in users[i]:
                waiting[u] -= 1
                if waiting[u] == 0:
                    heapq.heappush(heap, (effective[u], int(own[u]), u))
        if placed < n:
            stuck = sorted(orders.code[i] for i in range(n) if completion[i] == NONE)
            raise ScheduleError(f"orders wait for each other's output: {', '.join(stuck[:10])}")
        return self._result(own, order_ready, order_start, completion)

    def run_compiled(self) -> Schedule:
        """``run`` with the placement compiled (``schedule_kernel.forward``): the tables
        of days are widened while an order walks out of them; the plain ``run`` answers
        a shop booked past ``_FURTHEST`` days."""
        orders, ops, wcs = self.orders, self.ops, self.wcs
        n = len(orders)
        if n == 0 or len(ops) == 0:
            return self.run()
        from pegboard.engine import schedule_kernel as kernel  # Numba: only when scheduling

        own = _own_ranks(orders)
        effective = kernel.effective_ranks(own, orders.pred_ptr, orders.pred)
        sequence = _sequence(orders, own, effective)
        if len(sequence) < n:
            return self.run()  # raises: orders wait for each other
        by = np.lexsort((ops.sequence, ops.order))
        ptr = np.searchsorted(ops.order[by], np.arange(n + 1))
        columns = (orders.pred_ptr, orders.pred, orders.ready, orders.lead, orders.floor)
        pin_start, pin_end = ops.pins()
        op_columns = (ops.work_center, ops.hours, ops.queue_days, ops.move_days, pin_start, pin_end)
        ahead = _AHEAD + _booked_days(ops, wcs)
        last = max(int(orders.ready.max()), int(orders.floor.max()), int(pin_end.max()))
        while ahead <= _FURTHEST:
            tables = _tables(wcs, self._base, last + ahead)
            got = kernel.forward(
                sequence,
                ptr,
                by,
                columns,
                op_columns,
                tables,
                wcs.units,
                finite=self.finite,
                max_days=MAX_DAYS_BACK,
            )
            if got.status == kernel.TOO_FAR:
                code = wcs.code[int(ops.work_center[got.failed])]
                raise ScheduleError(f"work center {code} has no hours to work")
            if got.status == kernel.OK:
                return self._compiled_result(own, got)
            ahead *= 4
        return self.run()

    def _compiled_result(self, own: IntArray, got: kernel_Forward) -> Schedule:
        self._by_ops = got.by_ops.astype(np.bool_)
        wc, day = np.nonzero(got.used > 0)
        used = dict(
            zip(
                zip(wc.tolist(), (day + self._base).tolist(), strict=True),
                got.used[wc, day].tolist(),
                strict=True,
            )
        )
        # the kernel's arrays as they are (the plain loop's lists are for placing)
        per_op = (got.ready, got.start, got.end, got.held_from, got.held_to, got.held_days)
        causes = self._array_causes(got.held_days, got.end, got.ready)
        return self._result(
            own,
            got.order_ready,
            got.order_start,
            got.completion,
            used,
            causes=causes,
            per_op=per_op,
        )

    def _array_causes(
        self, held_days: IntArray, end: IntArray, ready: IntArray
    ) -> tuple[IntArray, IntArray]:
        """``_plain_causes`` with arrays: per order made late by its operations, among
        its held operations (``FULL``) the one held the most days, else (``ROUTING``) the
        one that took the most; the earlier in sequence on a tie, as ``max`` keeps it."""
        n = len(self.orders)
        cause = np.full(n, BY_PLAN, dtype=np.int64)
        bottleneck = np.full(n, NONE, dtype=np.int64)
        by = self._by[self._by_ops[self.ops.order[self._by]]]  # in sequence per order
        if by.size == 0:
            return cause, bottleneck
        group = self.ops.order[by]
        held = held_days[by]
        full = np.bincount(group, weights=(held > 0).astype(np.float64), minlength=n) > 0
        in_full = full[group]
        keep = ~in_full | (held > 0)
        by, group = by[keep], group[keep]
        score = np.where(in_full[keep], held[keep], end[by] - ready[by])
        best = np.lexsort((np.arange(by.size), self.ops.sequence[by], -score, group))
        first = best[np.flatnonzero(np.diff(group[best], prepend=-1))]
        cause[group[first]] = np.where(full[group[first]], FULL, ROUTING)
        bottleneck[group[first]] = by[first]
        return cause, bottleneck

    def _plain_causes(self) -> tuple[IntArray, IntArray]:
        """What set each order's completion, and its bottleneck (``Schedule.cause``)."""
        bottleneck = np.full(len(self.orders), NONE, dtype=np.int64)
        cause = np.full(len(self.orders), BY_PLAN, dtype=np.int64)
        for i in np.flatnonzero(self._by_ops).tolist():
            ks = self._ops_of[i]
            held = [k for k in ks if self.held_days[k] > 0]
            if held:
                cause[i] = FULL
                bottleneck[i] = max(held, key=lambda k: (self.held_days[k], -self._seq[k]))
            else:
                cause[i] = ROUTING
                end, ready = self.end, self.ready
                bottleneck[i] = max(ks, key=lambda k: (end[k] - ready[k], -self._seq[k]))
        return cause, bottleneck

    def _result(
        self,
        own: IntArray,
        order_ready: list[int] | IntArray,
        order_start: list[int] | IntArray,
        completion: list[int] | IntArray,
        used: dict[tuple[int, int], float] | None = None,
        *,
        causes: tuple[IntArray, IntArray] | None = None,
        per_op: tuple[IntArray, ...] | None = None,
    ) -> Schedule:
        """The schedule: per operation ``per_op`` (ready, start, end, held from, held to,
        held days) or the plain loop's lists, the causes worked out if not given."""
        cause, bottleneck = self._plain_causes() if causes is None else causes
        as_array = np.asarray
        ready, start, end, held_from, held_to, held_days = (
            as_array(values, dtype=np.int64)
            for values in per_op
            or (self.ready, self.start, self.end, self.held_from, self.held_to, self.held_days)
        )
        return Schedule(
            ready=ready,
            start=start,
            end=end,
            held_from=held_from,
            held_to=held_to,
            held_days=held_days,
            rank=own[self.ops.order] if len(self.ops) else np.zeros(0, dtype=np.int64),
            order_ready=as_array(order_ready, dtype=np.int64),
            order_start=as_array(order_start, dtype=np.int64),
            completion=as_array(completion, dtype=np.int64),
            cause=cause,
            bottleneck=bottleneck,
            used=used
            if used is not None
            else {
                (wc, self._base + d): hours
                for wc, days in enumerate(self._used_of)
                for d, hours in enumerate(days)
                if hours > 0
            },
        )

    def _order(self, i: int, earliest: int) -> tuple[int, int]:
        """Place order ``i``'s operations from ``earliest``; its start and completion."""
        ks = self._ops_of[i]
        by_lead = max(self._fwd(earliest, self._lead[i]), self._floor[i])
        if not ks:
            return self._fwd(earliest, 0), by_lead
        day, frac = earliest, 0.0
        for n, k in enumerate(ks):
            if self._pin_start[k] != NONE:
                day, frac = max((day, frac), self._pinned(k))
                continue
            if n:
                gap = self._queue[k] + self._move[ks[n - 1]]
                if gap:
                    day, frac = self._fwd(day + 1, gap - 1), 0.0
            day, frac = self._place(k, day, frac)
        last = self.end[ks[-1]]
        self._by_ops[i] = last > by_lead
        return self.start[ks[0]], max(last, by_lead)

    def _pin_days(self, k: int) -> tuple[list[int], float]:
        """The days pinned operation ``k`` takes hours of (those of its pinned days its
        work center works, else its first) and its hours on each."""
        wc, first, last = self._wc[k], self._pin_start[k], self._pin_end[k]
        days = [d for d in range(first, last + 1) if self._unit_hours(wc, d) > 0] or [first]
        return days, self._hours[k] / len(days)

    def _reserve_pins(self) -> None:
        """Every pinned operation's hours taken from its days, before anything is placed."""
        for k, first in enumerate(self._pin_start):
            if first == NONE or self._hours[k] <= EPS:
                continue
            days, share = self._pin_days(k)
            used = self._used_of[self._wc[k]]
            for d in days:
                used[d - self._base] += share

    def _pinned(self, k: int) -> tuple[int, float]:
        """Pinned operation ``k`` where it is pinned; where it ends (its last day, as far
        into it as its hours there reach)."""
        first, last = self._pin_start[k], self._pin_end[k]
        self.ready[k] = self.start[k] = first
        self.end[k] = last
        if self._hours[k] <= EPS:
            return last, 0.0
        _days, share = self._pin_days(k)
        length = self._unit_hours(self._wc[k], last)
        return last, min(1.0, share / length) if length > 0 else 1.0

    def _unit_hours(self, wc: int, day: int) -> float:
        at = day - self._base
        hours = self._hours_of[wc]
        if at >= len(hours):
            self._grow(wc, at)
        return hours[at]

    def _grow(self, wc: int, at: int) -> None:
        """Extend ``wc``'s per-day lists past offset ``at``, a block of days at a time
        (the plant's working days of a block are computed once, in one NumPy call)."""
        hours, used = self._hours_of[wc], self._used_of[wc]
        closed = self.wcs.closed[wc]
        unit = self._unit[wc]
        while len(hours) <= at:
            block = len(hours) // _BLOCK
            mask = self._masks.get(block)
            if mask is None:
                first = self._base + block * _BLOCK
                days = np.arange(first, first + _BLOCK, dtype=np.int64)
                mask = self._masks[block] = _working(self.wcs.calendar, days)
            first = self._base + block * _BLOCK
            hours.extend(
                unit[weekday(first + i)] if mask[i] and first + i not in closed else 0.0
                for i in range(_BLOCK)
            )
            used.extend([0.0] * _BLOCK)

    def _place(self, k: int, day: int, frac: float) -> tuple[int, float]:
        """Place operation ``k`` forward from (``day``, ``frac``); where it ends."""
        wc = self._wc[k]
        need = self._hours[k]
        first = day
        while self._unit_hours(wc, day) <= 0 or frac >= 1 - EPS:  # its first moment
            day, frac = day + 1, 0.0
            if day - first > MAX_DAYS_BACK:
                raise ScheduleError(f"work center {self.wcs.code[wc]} has no hours to work")
        self.ready[k] = day
        if need <= EPS:
            self.start[k] = self.end[k] = day
            return day, frac
        while True:
            length = self._unit_hours(wc, day)
            if length > 0:
                got = self._take(k, wc, day, min(need, length * (1 - frac)), length)
                if got > EPS and self.start[k] == NONE:
                    self.start[k] = day
                need -= got
                if need <= EPS:
                    self.end[k] = day
                    return day, frac + got / length
            day, frac = self._after(k, wc, day), 0.0

    def _after(self, k: int, wc: int, day: int) -> int:
        """The next day after ``day`` ``wc`` has free hours (finite capacity; the
        working days between were full: operation ``k`` was held on them)."""
        if not self.finite:
            return day + 1
        found = self._open(wc, day + 1)
        if found > day + 1:
            first = day + 1
            while self._unit_hours(wc, first) <= 0:
                first += 1
            last = found - 1
            while self._unit_hours(wc, last) <= 0:
                last -= 1
            if first <= last:
                if self.held_from[k] == NONE:
                    self.held_from[k] = first
                self.held_to[k] = last
                self.held_days[k] += self.wcs.calendar.working_days_between(first, last + 1)
        return found

    def _open(self, wc: int, day: int) -> int:
        """The first day from ``day`` on which ``wc`` has free hours. A full day stays full
        (hours are only ever taken), so each is linked to the next once and the links
        are shortened as they are walked: a work center booked years ahead costs an
        operation a few steps, not a walk over those years."""
        links = self._full[wc]
        walked = []
        while True:
            nxt = links.get(day)
            if nxt is None:
                length = self._unit_hours(wc, day)
                if (
                    length > 0
                    and length * self._units[wc] - self._used_of[wc][day - self._base] > EPS
                ):
                    break
                nxt = links[day] = day + 1
            walked.append(day)
            day = nxt
        for d in walked:
            links[d] = day
        return day

    def _take(self, k: int, wc: int, day: int, want: float, length: float) -> float:
        """Hours operation ``k`` gets of ``wc`` on ``day`` (at most ``want``), noting a
        held day when the work center has fewer free."""
        used = self._used_of[wc][day - self._base]
        got = want
        if self.finite:
            got = max(0.0, min(want, length * self._units[wc] - used))
            if got < want - EPS:
                if self.held_from[k] == NONE:
                    self.held_from[k] = day
                self.held_to[k] = day
                self.held_days[k] += 1
        if got > 0:
            self._used_of[wc][day - self._base] = used + got
        return got

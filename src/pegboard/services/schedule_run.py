"""Make the finite schedule of the current plan, store it and let the plan's order
lines take its dates (issue #15, item 4; bundle-format rule 10).

The engine (``engine.schedule``) places the operations; this reads its input
(``services.schedule_input``), replaces the stored schedule in one transaction and,
in that transaction, gives each order line of the plan its projected date from the
scheduled orders pegged to it: rule 10's "latest availability of the supplies
pegged to its demand", where a scheduled order is available on the later of its due
date and its scheduled completion. A re-plan replaces the lines again with the
plan's own dates and leaves the schedule stale until the next one.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, Index, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from pegboard import clock
from pegboard.db import WRITE
from pegboard.engine.schedule import (
    BY_PLAN,
    FULL,
    NONE,
    ROUTING,
    IntArray,
    Schedule,
    ScheduleError,
    pin_overloads,
    schedule,
)
from pegboard.errors import NotFoundError, PlanningError
from pegboard.model import (
    Pegging,
    PlanLine,
    PlanRun,
    ScheduledLoad,
    ScheduledOperation,
    ScheduledOrder,
    ScheduleRun,
)
from pegboard.services._bulk import bulk_insert_columns
from pegboard.services._tx import refusing_disk_full
from pegboard.services.plan_results import current_run
from pegboard.services.reports import SupplyAvailability
from pegboard.services.schedule_input import ScheduleInput, read_input
from pegboard.services.schedule_pins import out_of_sequence

_CHUNK = 5_000


@dataclass(frozen=True)
class ScheduleSummary:
    schedule_id: int
    plan_run_id: int
    planning_date: date
    orders: int
    operations: int
    late_orders: int
    late_lines: int
    seconds: float
    pinned: list[str] = field(default_factory=list)
    """``MO-…/sequence`` of each operation placed on its pin."""
    pin_overloads: list[str] = field(default_factory=list)
    """A sentence per work-center day a pin loads past its hours (the load shows it)."""
    pins_ignored: list[str] = field(default_factory=list)
    """A sentence per pin left out, saying why (``services.schedule_pins``)."""
    pins_out_of_sequence: list[str] = field(default_factory=list)
    """A sentence per pinned operation an earlier operation of its order ends after."""

    def as_result(self) -> dict[str, Any]:
        """The summary as JSON: the same for the CLI, the API and the web."""
        return {**asdict(self), "planning_date": self.planning_date.isoformat()}


def run_schedule(session: Session, *, author: str) -> ScheduleSummary:
    """Schedule every open and planned production order of the current plan at finite
    capacity, store it, and project the plan's order lines from it."""
    t0 = time.perf_counter()
    with session.begin():
        run = current_run(session)
        if run is None:
            raise NotFoundError("there is no plan yet: run `pegboard plan` first")
        data = read_input(session, run)
    try:
        result = schedule(data.orders, data.ops, data.wcs)
    except ScheduleError as e:
        raise PlanningError(str(e)) from e
    with refusing_disk_full(), session.begin():
        session.connection(execution_options={WRITE: True})
        run = session.get_one(PlanRun, data.run.id)
        available = _Available(data, result)
        late_orders = int((result.completion > data.orders.due).sum())
        sched_id = _store(session, data, result, available, author, late_orders)
        late_lines = _project_lines(session, run, available)
        counts = dict(run.counts or {})
        counts["late"] = late_lines
        run.counts = counts
        seconds = time.perf_counter() - t0
        session.execute(
            update(ScheduleRun)
            .where(ScheduleRun.id == sched_id)
            .values(late_lines=late_lines, seconds=seconds)
        )
    return ScheduleSummary(
        sched_id,
        data.run.id,
        data.run.planning_date,
        len(data.rows),
        len(data.ops),
        late_orders,
        late_lines,
        seconds,
        data.pins.labels,
        _overloads(data, result),
        data.pins.ignored,
        out_of_sequence(data.ops, data.pins, result),
    )


def _overloads(data: ScheduleInput, result: Schedule) -> list[str]:
    """The work-center days pins load past their hours, one sentence each: a pin is the
    planner's, placed whatever the work center has (frePPLe's locked operations)."""
    return [
        f"{data.wcs.code[wc]} on {date.fromordinal(day).isoformat()}: "
        f"{round(used, 2):g} h scheduled, {round(has, 2):g} h available"
        for wc, day, used, has in pin_overloads(data.ops, data.wcs, result)
    ]


class _Available(Mapping[tuple[str, str], date]):
    """When each scheduled order serves its demand, the later of its due date and its
    completion, by (order type, ref): looked up through the input's position of each
    ref and one array of days, not a dict of three hundred thousand dates."""

    def __init__(self, data: ScheduleInput, result: Schedule) -> None:
        self.rows, self.position = data.rows, data.position
        self.days = np.maximum(result.completion, data.orders.due)

    def _at(self, key: tuple[str, str]) -> int | None:
        i = self.position.get(key[1])
        return i if i is not None and self.rows[i].order_type == key[0] else None

    def __getitem__(self, key: tuple[str, str]) -> date:
        i = self._at(key)
        if i is None:
            raise KeyError(key)
        return date.fromordinal(int(self.days[i]))

    def __contains__(self, key: object) -> bool:
        return isinstance(key, tuple) and self._at(key) is not None

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return ((r.order_type, r.ref) for r in self.rows)

    def __len__(self) -> int:
        return len(self.rows)


_EPOCH = date(1970, 1, 1).toordinal()


def _iso(ordinals: IntArray) -> list[str | None]:
    """Days (ordinals, ``NONE`` for none) as ISO text: how SQLite stores a date, and
    what PostgreSQL's COPY reads into one. A schedule's hundreds of thousands of days
    fall within a few thousand days: each of that span written out once and looked up
    by its offset (sorting the days to find the distinct ones cost more than the rest)."""
    days = np.asarray(ordinals, dtype=np.int64).reshape(-1)
    some = days != NONE
    if not some.any():
        return [None] * len(days)
    first, last = int(days[some].min()), int(days[some].max())
    if last - first > max(len(days), _SPAN):  # a few far days: only the distinct ones
        distinct, at = np.unique(days, return_inverse=True)
        far: list[str | None] = _iso_text(distinct)[at.reshape(-1)].tolist()
        return far
    text = _iso_text(np.arange(first, last + 2, dtype=np.int64))
    text[-1] = None
    # NONE's offset is the extra last entry
    out: list[str | None] = text[np.where(some, days - first, last - first + 1)].tolist()
    return out


_SPAN = 100_000
"""Days of a span written out whole, however few days there are to write."""


def _iso_text(days: IntArray) -> npt.NDArray[np.object_]:
    """Each day's ISO text (None for ``NONE``), an object array."""
    text: npt.NDArray[np.object_] = np.datetime_as_string(
        (days - _EPOCH).astype("datetime64[D]")
    ).astype(object)
    text[days == NONE] = None
    return text


def _store(
    session: Session,
    data: ScheduleInput,
    result: Schedule,
    available: _Available,
    author: str,
    late_orders: int,
) -> int:
    conn = session.connection()
    # on SQLite the old schedule is deleted and the new one written before the indexes
    # are built again, at once: keeping them up to date row by row costs more than the rows
    indexes = _indexes() if conn.dialect.name == "sqlite" else []
    for index in indexes:
        index.drop(conn, checkfirst=True)
    for table in (ScheduledLoad, ScheduledOperation, ScheduledOrder, ScheduleRun):
        session.execute(delete(table))
    sched_id = session.execute(
        insert(ScheduleRun)
        .values(
            plan_run_id=data.run.id,
            planning_date=data.run.planning_date,
            created_at=clock.now(),
            author=author,
            orders=len(data.rows),
            operations=len(data.ops),
            late_orders=late_orders,
            late_lines=0,
            seconds=0.0,
        )
        .returning(ScheduleRun.id)
    ).scalar_one()
    rows = data.rows
    neck = result.bottleneck.tolist()
    wc_of_op = data.ops.work_center.tolist()
    bulk_insert_columns(
        conn,
        ScheduledOrder,
        {
            "schedule_run_id": [sched_id] * len(rows),
            "plan_run_id": [data.run.id] * len(rows),
            "order_type": [r.order_type for r in rows],
            "order_ref": [r.ref for r in rows],
            "item_id": [r.item_id for r in rows],
            "qty": [r.qty for r in rows],
            "due_date": _iso(data.orders.due),
            "ready_date": _iso(result.order_ready),
            "start_date": _iso(result.order_start),
            "completion": _iso(result.completion),
            "available_date": _iso(available.days),
            "cause": [_CAUSES[c] for c in result.cause.tolist()],
            "bottleneck_work_center_id": [
                None if k == NONE else data.wc_ids[wc_of_op[k]] for k in neck
            ],
            "held_from": _held(result, result.held_from, result.start),
            "held_to": _held(result, result.held_to, result.end),
        },
    )
    # each operation's order fields gathered from the orders' columns by NumPy
    kind, ref, item = (
        np.array(c, dtype=object) for c in (list(zip(*rows, strict=True)) or [()] * 3)[:3]
    )
    order_of = data.ops.order
    bulk_insert_columns(
        conn,
        ScheduledOperation,
        {
            "schedule_run_id": [sched_id] * len(data.ops),
            "order_type": kind[order_of].tolist(),
            "order_ref": ref[order_of].tolist(),
            "item_id": item[order_of].tolist(),
            "sequence": data.op_sequence,
            "work_center_id": [data.wc_ids[w] for w in wc_of_op],
            "hours": data.ops.hours.tolist(),
            "ready_date": _iso(result.ready),
            "start_date": _iso(result.start),
            "end_date": _iso(result.end),
            "rank": result.rank.tolist(),
            "held_from": _iso(result.held_from),
            "held_to": _iso(result.held_to),
        },
    )
    _store_load(conn, sched_id, data, result)
    for index in indexes:
        index.create(conn, checkfirst=True)
    return int(sched_id)


def _store_load(conn: Connection, sched_id: int, data: ScheduleInput, result: Schedule) -> None:
    """The hours the schedule took of each work center and day (``ScheduledLoad``), in
    key order (work center id, day): what a quote is promised into, exactly."""
    if not result.used:
        return
    n = len(result.used)
    ids = np.asarray(data.wc_ids, dtype=np.int64)
    wc = ids[np.fromiter((k[0] for k in result.used), dtype=np.int64, count=n)]
    day = np.fromiter((k[1] for k in result.used), dtype=np.int64, count=n)
    hours = np.fromiter(result.used.values(), dtype=np.float64, count=n)
    order = np.lexsort((day, wc))
    bulk_insert_columns(
        conn,
        ScheduledLoad,
        {
            "work_center_id": wc[order].tolist(),
            "day": _iso(day[order]),
            "hours": hours[order].tolist(),
        },
        same={"schedule_run_id": sched_id},
    )


def _indexes() -> list[Index]:
    """The indexes of the stored schedule's tables, as the model declares them."""
    return [
        index
        for model in (ScheduledOperation, ScheduledOrder)
        for index in sorted(
            model.metadata.tables[model.__tablename__].indexes, key=lambda ix: str(ix.name)
        )
    ]


_CAUSES = {BY_PLAN: None, FULL: "full", ROUTING: "routing"}


def _held(result: Schedule, held: IntArray, ran: IntArray) -> list[str | None]:
    """Per order, a day of its bottleneck operation: when it was held (``full``), when it
    ran (``routing``); none without one."""
    neck = result.bottleneck
    at = np.maximum(neck, 0)
    day = np.where(result.cause == FULL, held[at], ran[at]) if len(held) else neck
    return _iso(np.where(neck == NONE, NONE, day))


def _chunks(values: Sequence[str]) -> list[Sequence[str]]:
    return [values[i : i + _CHUNK] for i in range(0, len(values), _CHUNK)]


def _project_lines(
    session: Session, run: PlanRun, available: Mapping[tuple[str, str], date]
) -> int:
    """Rule 10 with the scheduled dates: each planned order line's projected date is the
    later of its due date and the latest availability of its pegged supplies. Returns
    how many lines are late."""
    lines = session.execute(
        select(PlanLine.id, PlanLine.demand_ref, PlanLine.due_date, PlanLine.projected_date).where(
            PlanLine.plan_run_id == run.id, PlanLine.projected_date.is_not(None)
        )
    ).all()
    pegged: list[tuple[str, str, str]] = []
    for chunk in _chunks(sorted({ref for _i, ref, _d, _p in lines})):
        pegged += session.execute(
            select(Pegging.demand_ref, Pegging.supply_type, Pegging.supply_ref).where(
                Pegging.plan_run_id == run.id,
                Pegging.demand_type == "sales_order",
                Pegging.demand_ref.in_(chunk),
            )
        ).all()
    outside = [(t, ref) for _d, t, ref in pegged if (t, ref) not in available]
    when = SupplyAvailability(session, run.planning_date).of(outside)
    latest: dict[str, date] = {}
    for demand, supply_type, ref in pegged:
        key = (supply_type, ref)
        day = available.get(key) or when.get(key, run.planning_date)
        latest[demand] = max(latest.get(demand, day), day)
    changes = []
    late = 0
    for line_id, ref, due, projected in lines:
        new = max(due, latest.get(ref, projected or due))
        late += new > due
        if new != projected:
            changes.append({"line_id": line_id, "projected": new, "late": (new - due).days})
    if changes:
        # one executemany of plain parameters: the ORM's bulk update by primary key
        # collects each of a full-size plan's seventy thousand lines one by one
        table = PlanLine.metadata.tables[PlanLine.__tablename__]
        session.connection().execute(
            update(table)
            .where(table.c.id == bindparam("line_id"))
            .values(projected_date=bindparam("projected"), late_days=bindparam("late")),
            changes,
        )
    return late

"""Run the plan: load the snapshot, run the engine, replace the current plan.

The result replaces the previous plan in one transaction, so a crash mid-way
leaves the previous plan intact. Every run is recorded in ``plan_run`` with
its timings and counts; only the newest run keeps its rows.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np
from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.orm import Session

from pegboard.engine import plan as run_engine
from pegboard.engine import types as et
from pegboard.engine.errors import BomCycleError
from pegboard.errors import PlanningError
from pegboard.model import Pegging, PlanException, PlannedOrder, PlanRun, PlanRunStatus
from pegboard.services._bulk import bulk_insert
from pegboard.services.snapshot import Snapshot, load_snapshot

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class PlanSummary:
    run_id: int
    planning_date: date
    items: int
    demands: int
    planned_orders: int
    pegging_rows: int
    exceptions: int
    load_seconds: float
    engine_seconds: float
    store_seconds: float

    @property
    def total_seconds(self) -> float:
        return self.load_seconds + self.engine_seconds + self.store_seconds


def local_today() -> date:
    return datetime.now(UTC).astimezone().date()


def run_plan(
    session: Session,
    *,
    author: str,
    planning_date: date | None = None,
    today: date | None = None,
    progress: Progress | None = None,
) -> PlanSummary:
    """Plan everything open and make the result the current plan."""
    note = progress or (lambda _stage, _done, _total: None)
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    note("loading", 0, 3)
    with session.begin():
        snap = load_snapshot(
            session.connection(), planning_date=planning_date, today=today or local_today()
        )
    t1 = time.perf_counter()
    note("planning", 1, 3)
    try:
        result = run_engine(snap.input)
    except BomCycleError as e:
        names = [snap.input.items.code[i] for i in e.cycle]
        cycle = " -> ".join([*names, names[0]])
        raise PlanningError(f"the BOM has a cycle: {cycle}", cycle=names) from e
    t2 = time.perf_counter()
    note("storing", 2, 3)
    with session.begin():
        conn = session.connection()
        for model in (PlanException, Pegging, PlannedOrder):
            conn.execute(delete(model))
        run_id = conn.execute(
            insert(PlanRun)
            .values(
                planning_date=date.fromordinal(snap.input.settings.planning_date),
                started_at=started,
                status=PlanRunStatus.RUNNING,
                author=author,
                items=len(snap.input.items),
                demands=len(snap.input.demands),
            )
            .returning(PlanRun.id)
        ).scalar_one()
        _store(conn, run_id, snap, result)
        t3 = time.perf_counter()
        conn.execute(
            update(PlanRun)
            .where(PlanRun.id == run_id)
            .values(
                status=PlanRunStatus.DONE,
                finished_at=datetime.now(UTC),
                load_seconds=t1 - t0,
                engine_seconds=t2 - t1,
                store_seconds=t3 - t2,
                planned_orders=len(result.planned),
                pegging_rows=len(result.pegging),
                exceptions=len(result.exceptions),
            )
        )
    note("done", 3, 3)
    return PlanSummary(
        run_id=run_id,
        planning_date=date.fromordinal(snap.input.settings.planning_date),
        items=len(snap.input.items),
        demands=len(snap.input.demands),
        planned_orders=len(result.planned),
        pegging_rows=len(result.pegging),
        exceptions=len(result.exceptions),
        load_seconds=t1 - t0,
        engine_seconds=t2 - t1,
        store_seconds=t3 - t2,
    )


def _dates(ordinals: et.IntArray) -> list[date]:
    cache: dict[int, date] = {}
    out = []
    for o in ordinals.tolist():
        d = cache.get(o)
        if d is None:
            d = cache[o] = date.fromordinal(o)
        out.append(d)
    return out


def _optional_ids(ids: et.IntArray, positions: et.IntArray) -> list[int | None]:
    return [int(ids[p]) if p >= 0 else None for p in positions.tolist()]


def _store(conn: Connection, run_id: int, snap: Snapshot, result: et.PlanResult) -> None:
    inp = snap.input
    planned = result.planned
    item_ids = snap.item_ids
    bulk_insert(
        conn,
        PlannedOrder,
        (
            "plan_run_id",
            "number",
            "item_id",
            "type",
            "qty",
            "release_date",
            "due_date",
            "earliest_completion",
            "is_late",
            "sales_order_id",
        ),
        zip(
            [run_id] * len(planned),
            planned.ref,
            item_ids[planned.item].tolist(),
            np.where(inp.items.is_make[planned.item], "make", "buy").tolist(),
            planned.qty.tolist(),
            _dates(planned.release),
            _dates(planned.due),
            _dates(planned.earliest_completion),
            planned.is_late.tolist(),
            _optional_ids(snap.sales_order_ids, planned.sales_order),
            strict=True,
        ),
    )
    bulk_insert(
        conn,
        Pegging,
        (
            "plan_run_id",
            "supply_type",
            "supply_ref",
            "supply_sales_order_id",
            "item_id",
            "qty",
            "demand_type",
            "demand_ref",
        ),
        _pegging_rows(run_id, snap, result),
    )
    exc = result.exceptions
    bulk_insert(
        conn,
        PlanException,
        ("plan_run_id", "kind", "item_id", "order_ref", "date", "sales_order_id", "message"),
        zip(
            [run_id] * len(exc),
            exc.kind,
            item_ids[exc.item].tolist(),
            exc.order,
            _dates(exc.date),
            _optional_ids(snap.sales_order_ids, exc.sales_order),
            exc.message,
            strict=True,
        ),
    )


_DEMAND_TYPE_NAMES = {
    et.SALES_LINE: "sales_order",
    et.PLANNED_PARENT: "planned_order",
    et.PRODUCTION_PARENT: "production_order",
    et.SAFETY_STOCK: "safety_stock",
}


def _pegging_rows(
    run_id: int, snap: Snapshot, result: et.PlanResult
) -> Iterator[tuple[object, ...]]:
    inp = snap.input
    supply_refs = (inp.stock.location, inp.purchases.ref, inp.productions.ref, result.planned.ref)
    supply_pools = (
        inp.stock.sales_order,
        inp.purchases.sales_order,
        inp.productions.sales_order,
        result.planned.sales_order,
    )
    demand_refs = (snap.demand_refs, result.planned.ref, inp.productions.ref)
    so_ids = snap.sales_order_ids.tolist()
    item_ids = snap.item_ids.tolist()
    peg = result.pegging
    for st, si, item, qty, dt, di in zip(
        peg.supply_type.tolist(),
        peg.supply_index.tolist(),
        peg.item.tolist(),
        peg.qty.tolist(),
        peg.demand_type.tolist(),
        peg.demand_index.tolist(),
        strict=True,
    ):
        pool = int(supply_pools[st][si])
        demand = "safety_stock" if dt == et.SAFETY_STOCK else demand_refs[dt][di]
        yield (
            run_id,
            et.SUPPLY_TYPE_NAMES[st],
            supply_refs[st][si],
            so_ids[pool] if pool >= 0 else None,
            item_ids[item],
            qty,
            _DEMAND_TYPE_NAMES[dt],
            demand,
        )


def current_run(session: Session) -> PlanRun | None:
    """The newest finished plan run, whose rows are the current plan."""
    stmt = (
        select(PlanRun)
        .where(PlanRun.status == PlanRunStatus.DONE)
        .order_by(PlanRun.id.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()

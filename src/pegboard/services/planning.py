"""Run the plan: load the snapshot, run the engine, replace the current plan.

The result replaces the previous plan in one transaction, so a crash mid-way
leaves the previous plan intact. Every run is recorded in ``plan_run`` with
its timings and counts; only the newest run keeps its rows.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import Connection, Table, func, insert, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.schema import (
    AddConstraint,
    CreateIndex,
    CreateTable,
    DropConstraint,
    DropTable,
    ExecutableDDLElement,
)

from pegboard import clock
from pegboard.db import WRITE
from pegboard.engine import types as et
from pegboard.errors import PlanningError
from pegboard.model import (
    Base,
    Pegging,
    PlanException,
    PlanExceptionSalesOrder,
    PlanLine,
    PlannedOrder,
    PlanProduction,
    PlanRun,
    PlanRunStatus,
)
from pegboard.services import _copy_binary as binary
from pegboard.services import _sqlite_rows as sqlite_rows
from pegboard.services import plan_columns as columns
from pegboard.services import plan_inputs
from pegboard.services._bulk import bulk_insert_columns
from pegboard.services._gc import collector_paused
from pegboard.services._tx import refusing_disk_full
from pegboard.services.bounds import check_day
from pegboard.services.exception_store import kind_counts, store_exceptions
from pegboard.services.pegging_store import store_pegging
from pegboard.services.plan_results import current_run as current_run  # its old home
from pegboard.services.snapshot import Snapshot, load_snapshot, plan

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

    def as_result(self) -> dict[str, Any]:
        """The summary as a job's (JSON) result: the same for the CLI, the API and the web."""
        return {**asdict(self), "planning_date": self.planning_date.isoformat()}


def run_plan(
    session: Session,
    *,
    author: str,
    planning_date: date | None = None,
    today: date | None = None,
    progress: Progress | None = None,
) -> PlanSummary:
    """Plan everything open and make the result the current plan.

    The cyclic garbage collector is paused for the run (``services._gc``): reading the
    snapshot makes millions of row tuples, writing the plan millions of values, none of
    them in a cycle, and each few hundred thousand woke the collector to walk them all
    (0.4 s of the reference company's 3.8 s load, CPU)."""
    if planning_date is not None:
        check_day(planning_date, "planning_date")
    with collector_paused():
        return _run_plan(session, author, planning_date, today, progress)


def _run_plan(
    session: Session,
    author: str,
    planning_date: date | None,
    today: date | None,
    progress: Progress | None,
) -> PlanSummary:
    note = progress or (lambda _stage, _done, _total: None)
    started = clock.now()
    t0 = time.perf_counter()
    note("loading", 0, 3)
    with session.begin():
        reading = snapshot_connection(session)
        stamp = plan_inputs.stamp(reading)  # before the inputs: a change meanwhile shows
        snap = load_snapshot(reading, planning_date=planning_date, today=today or clock.today())
    t1 = time.perf_counter()
    note("planning", 1, 3)
    result = plan(snap)
    t2 = time.perf_counter()
    note("storing", 2, 3)
    with refusing_disk_full(), session.begin():
        conn = session.connection(execution_options={WRITE: True})
        built_after = _empty_plan_tables(conn)
        run_id = conn.execute(
            insert(PlanRun)
            .values(
                planning_date=date.fromordinal(snap.input.settings.planning_date),
                started_at=started,
                status=PlanRunStatus.RUNNING,
                author=author,
                items=len(snap.input.items),
                demands=len(snap.input.demands),
                **stamp,
            )
            .returning(PlanRun.id)
        ).scalar_one()
        counts = _store(conn, run_id, snap, result)
        _index_memory(conn)
        for ddl in built_after:
            conn.execute(ddl)
        _analyze(conn)
        counts["exceptions"].update(_mps_flags(session, run_id))
        t3 = time.perf_counter()
        conn.execute(
            update(PlanRun)
            .where(PlanRun.id == run_id)
            .values(
                status=PlanRunStatus.DONE,
                finished_at=clock.now(),
                load_seconds=t1 - t0,
                engine_seconds=t2 - t1,
                store_seconds=t3 - t2,
                planned_orders=len(result.planned),
                pegging_rows=len(result.pegging),
                exceptions=len(result.exceptions),
                counts=counts,
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


def _mps_flags(session: Session, run_id: int) -> dict[str, int]:
    """The master schedule's shortfalls inside the time fence, as exceptions of the run
    being stored (``services.mps_flags``; imported here, which it imports in turn)."""
    from pegboard.services import mps_flags

    return mps_flags.store(session, run_id)


_PLAN_TABLES: tuple[type[Base], ...] = (
    PlanLine,
    PlanProduction,
    PlanExceptionSalesOrder,
    PlanException,
    Pegging,
    PlannedOrder,
)


KEYED_AFTER: tuple[type[Base], ...] = (PlannedOrder, Pegging, PlanException)
"""The plan tables of millions of rows whose primary key PostgreSQL builds after their
rows are in (``_empty_plan_tables``); their rows carry their ids (``_store``)."""


def _empty_plan_tables(conn: Connection) -> list[ExecutableDDLElement]:
    """Recreate the plan tables empty and without their indexes; returns the statements
    that build the indexes, to run once the rows are in.

    Dropping a table of millions of rows is cheaper than deleting them, and building
    indexes after a bulk insert is far cheaper than maintaining them row by row. The
    caller creates the indexes in the same transaction, so other sessions never see
    the tables without them (nothing references these tables).

    On PostgreSQL the big tables' primary keys are built after the rows too: COPY kept
    the key's index a row at a time and drew each id from the table's sequence (2.2 M
    narrow exception rows: 2.7 s of server CPU with the key, 1.0 s without it plus 0.4 s
    to build it after, #18). The rows then carry their ids (their positions + 1) and
    the sequences are set past them (``_ids_written``). SQLite's key is the rowid
    itself, no index to keep.
    """
    tables = [Base.metadata.tables[m.__tablename__] for m in _PLAN_TABLES]
    after: list[ExecutableDDLElement] = []
    pg = conn.dialect.name == "postgresql"
    if pg:
        _lock_all(conn, tables)
    with _freed_pages_left_as_they_are(conn):
        for table in tables:
            conn.execute(DropTable(table))
    keyed_after = {m.__tablename__ for m in KEYED_AFTER} if pg else set()
    for table in tables:
        conn.execute(CreateTable(table))
        if table.name in keyed_after:  # the table's own key: never isolated from it
            conn.execute(DropConstraint(table.primary_key))
            after.append(AddConstraint(table.primary_key, isolate_from_table=False))
    after += [CreateIndex(i) for t in tables for i in t.indexes]
    return after


@contextmanager
def _freed_pages_left_as_they_are(conn: Connection) -> Iterator[None]:
    """While the old plan's tables are dropped, SQLite does not overwrite their freed
    pages with zeros (``secure_delete=FAST``; Debian's SQLite zeroes them by default).

    Zeroing makes every page of the old plan dirty in the write transaction: on the
    full-size reference plan, 3.4-4.0 s of CPU and about 700 MB more peak memory than
    the drop itself needs (#18). Nothing is lost by it: the dropped rows are the plan
    being replaced, derived from data that stays in the file, and their pages are
    reused by the new plan written next. The connection's own setting comes back after.
    """
    if conn.dialect.name != "sqlite":
        yield
        return
    before = conn.exec_driver_sql("PRAGMA secure_delete").scalar()
    conn.exec_driver_sql("PRAGMA secure_delete=FAST")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA secure_delete={int(before or 0)}")


INDEX_MEMORY = "256MB"
"""PostgreSQL's ``maintenance_work_mem`` while the store builds the plan's indexes:
the default 64 MB sorts millions of pegging refs on disk in several passes."""


def _index_memory(conn: Connection) -> None:
    """Let this transaction's index builds sort in memory (PostgreSQL; ``SET LOCAL``
    ends with the transaction). SQLite's sorter already has the connection's cache."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SET LOCAL maintenance_work_mem = '{INDEX_MEMORY}'")


def _analyze(conn: Connection) -> None:
    """Give PostgreSQL's planner the new plan tables' statistics (a sample of each).

    The tables are created anew every run, and autovacuum analyses them only some time
    later: until then the planner guesses (375 rows expected where 2 matched) and can
    pick a scan of millions of pegging rows for a page's lookup. SQLite plans by its
    indexes without statistics; a dropped table takes its old ones with it."""
    if conn.dialect.name == "postgresql":
        quote = conn.dialect.identifier_preparer.quote
        names = ", ".join(quote(m.__tablename__) for m in _PLAN_TABLES)
        conn.exec_driver_sql(f"ANALYZE {names}")


def snapshot_connection(session: Session) -> Connection:
    """The connection of a transaction that sees one moment of the data in every select:
    on PostgreSQL REPEATABLE READ (else an item configured between the item and the BOM
    selects would be in one and not the other); SQLite's read transaction already is."""
    if session.get_bind().dialect.name == "postgresql":
        return session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    return session.connection()


LOCK_ATTEMPTS = 200


def _lock_all(conn: Connection, tables: list[Table]) -> None:
    """Take every plan table's exclusive lock in one step, or none (PostgreSQL).

    Readers take the tables one by one in any order; a writer that locked some and
    waited for the rest could deadlock with one of them. So the store asks for all
    of them without waiting and, if any is in use, lets go and asks again shortly;
    readers never wait on a half-locked set. After many tries it waits (bounded by
    the connection's lock_timeout).
    """
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(t.name) for t in tables)
    for attempt in range(LOCK_ATTEMPTS):
        try:
            with conn.begin_nested():
                conn.exec_driver_sql(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE NOWAIT")
            return
        except OperationalError as error:
            if getattr(error.orig, "sqlstate", None) != "55P03":
                raise
            time.sleep(min(0.01 * (attempt + 1), 0.2))
    conn.exec_driver_sql(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE")


def _store(conn: Connection, run_id: int, snap: Snapshot, result: et.PlanResult) -> dict[str, Any]:
    """Write the run's rows; returns what the pages count over them (``PlanRun.counts``)."""
    inp = snap.input
    planned = result.planned
    _store_planned(conn, run_id, snap, planned)
    _check_ids(conn, len(planned))
    store_pegging(conn, run_id, snap, result)
    late = _store_lines(conn, run_id, snap, result)
    _store_productions(conn, run_id, snap, result)
    store_exceptions(conn, run_id, snap, result.exceptions)
    _ids_written(
        conn,
        {
            PlannedOrder: len(planned),
            Pegging: len(result.pegging),
            PlanException: len(result.exceptions),
        },
    )
    return {
        "exceptions": kind_counts(result.exceptions),
        "late": late,
        "release": _release_days(inp, planned),
    }


def _store_planned(
    conn: Connection, run_id: int, snap: Snapshot, planned: et.PlannedOrders
) -> None:
    """The planned orders, in creation order (their ids are their positions + 1)."""
    if conn.dialect.name == "postgresql":
        _copy_planned(conn, run_id, snap, planned)
        return
    kinds = np.where(snap.input.items.is_make[planned.item], "make", "buy")
    for part in columns.chunks(len(planned)):
        sqlite_rows.insert_columns(
            conn,
            PlannedOrder.__tablename__,
            {
                "number": planned.ref[part],
                "item_id": snap.item_ids[planned.item[part]].tolist(),
                "type": kinds[part].tolist(),
                "qty": planned.qty[part].tolist(),
                "release_date": columns.day_texts(planned.release[part]),
                "due_date": columns.day_texts(planned.due[part]),
                "earliest_completion": columns.day_texts(planned.earliest_completion[part]),
                "is_late": planned.is_late[part].tolist(),
                "sales_order_id": columns.optional_ids(
                    snap.sales_order_ids, planned.sales_order[part]
                ),
            },
            same={"plan_run_id": run_id},
        )


def _copy_planned(conn: Connection, run_id: int, snap: Snapshot, planned: et.PlannedOrders) -> None:
    """The same rows by binary COPY from the arrays (PostgreSQL): text COPY made a
    Python value of each of the 1.66 M reference rows' ten columns."""
    orders = planned.sales_order
    known = snap.sales_order_ids
    order_ids = known[np.maximum(orders, 0)] if known.size else np.zeros(len(orders))
    fields: dict[str, binary.AnyField] = {
        "number": binary.TextField(binary.texts(planned.ref), np.arange(len(planned))),
        "item_id": binary.int4(snap.item_ids[planned.item]),
        "type": binary.TextField(
            binary.texts(["buy", "make"]), snap.input.items.is_make[planned.item].astype(np.int64)
        ),
        "qty": binary.float8(planned.qty),
        "release_date": binary.day(planned.release),
        "due_date": binary.day(planned.due),
        "earliest_completion": binary.day(planned.earliest_completion),
        "is_late": binary.boolean(planned.is_late),
        "sales_order_id": binary.int4(order_ids, orders < 0),
        "plan_run_id": binary.int4(np.full(len(planned), run_id)),
        "id": binary.int4(np.arange(1, len(planned) + 1)),  # its position + 1
    }
    binary.copy_fields(
        conn, PlannedOrder.__tablename__, list(fields), list(fields.values()), created_here=True
    )


def _check_ids(conn: Connection, n: int) -> None:
    """A shortage exception names its planned order by id, the order's position + 1:
    the table was created empty in this transaction, so SQLite numbered the rows from 1
    in the order they were written. Checked, not assumed (one index read). PostgreSQL's
    rows carry their ids, written as positions + 1 (``_copy_planned``)."""
    if conn.dialect.name == "postgresql":
        return
    last = conn.execute(select(func.max(PlannedOrder.id))).scalar()
    if (last or 0) != n:
        raise PlanningError(f"planned orders stored as ids up to {last}, expected {n}")


def _ids_written(conn: Connection, written: dict[type[Base], int]) -> None:
    """Set each table's id sequence past the ids its rows were written with, 1 to n
    (PostgreSQL: ``KEYED_AFTER``'s rows carry their ids), so a row added later (the
    master schedule's exceptions, ``_mps_flags``) takes the next one. SQLite's rowids
    follow the rows by themselves."""
    if conn.dialect.name != "postgresql":
        return
    for model, n in written.items():
        conn.execute(
            select(
                func.setval(
                    func.pg_get_serial_sequence(model.__tablename__, "id"), max(n, 1), n > 0
                )
            )
        )


def _release_days(inp: et.PlanInput, planned: et.PlannedOrders) -> dict[str, dict[str, int]]:
    """Planned orders per type ("buy", "make") per release day (ISO), for counting those
    to release by a day without reading the rows."""
    out: dict[str, dict[str, int]] = {}
    is_make = inp.items.is_make[planned.item]
    for kind, mask in (("make", is_make), ("buy", ~is_make)):
        days, n = np.unique(planned.release[mask], return_counts=True)
        out[kind] = {
            date.fromordinal(int(d)).isoformat(): int(c)
            for d, c in zip(days.tolist(), n.tolist(), strict=True)
        }
    return out


def _store_lines(conn: Connection, run_id: int, snap: Snapshot, result: et.PlanResult) -> int:
    """Store each line's projected date (rule 10, computed by the engine); returns how
    many lines are late. A line beyond the horizon is not in the plan: no projected date."""
    demands = snap.input.demands
    dates = result.line_dates
    late = np.where(dates.in_plan, np.maximum(dates.projected - demands.due, 0), 0)
    days = columns.day_texts(np.where(dates.in_plan, dates.projected, demands.due))
    bulk_insert_columns(
        conn,
        PlanLine,
        {
            "sales_order_line_id": snap.demand_line_ids.tolist(),
            "demand_ref": snap.demand_refs,
            "due_date": columns.day_texts(demands.due),
            "projected_date": [
                d if p else None for d, p in zip(days, dates.in_plan.tolist(), strict=True)
            ],
            "late_days": late.tolist(),
        },
        same={"plan_run_id": run_id},
    )
    return int(np.count_nonzero(late > 0))


def _store_productions(
    conn: Connection, run_id: int, snap: Snapshot, result: et.PlanResult
) -> None:
    """Store when each open production order can be complete (rule 9)."""
    dates = result.production_dates
    bulk_insert_columns(
        conn,
        PlanProduction,
        {
            "production_order_id": snap.production_ids.tolist(),
            "earliest_completion": columns.day_texts(dates.earliest_completion),
            "available_date": columns.day_texts(dates.available),
            "is_late": dates.is_late.tolist(),
        },
        same={"plan_run_id": run_id},
    )

"""Run the plan: load the snapshot, run the engine, replace the current plan.

The result replaces the previous plan in one transaction, so a crash mid-way
leaves the previous plan intact. Every run is recorded in ``plan_run`` with
its timings and counts; only the newest run keeps its rows.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import Connection, Index, Table, func, insert, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateTable, DropTable

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
from pegboard.services import plan_inputs
from pegboard.services._bulk import bulk_insert_columns
from pegboard.services._tx import refusing_disk_full
from pegboard.services.bounds import check_day
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
    """Plan everything open and make the result the current plan."""
    if planning_date is not None:
        check_day(planning_date, "planning_date")
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
        indexes = _empty_plan_tables(conn)
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
        for index in indexes:
            index.create(conn)
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


def _empty_plan_tables(conn: Connection) -> list[Index]:
    """Recreate the plan tables empty and without their indexes; returns the indexes.

    Dropping a table of millions of rows is cheaper than deleting them, and building
    indexes after a bulk insert is far cheaper than maintaining them row by row. The
    caller creates the indexes in the same transaction, so other sessions never see
    the tables without them (nothing references these tables).
    """
    tables = [Base.metadata.tables[m.__tablename__] for m in _PLAN_TABLES]
    indexes = [i for t in tables for i in t.indexes]
    if conn.dialect.name == "postgresql":
        _lock_all(conn, tables)
    with _freed_pages_left_as_they_are(conn):
        for table in tables:
            conn.execute(DropTable(table))
    for table in tables:
        conn.execute(CreateTable(table))
    return indexes


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


CHUNK_ROWS = 250_000
"""Rows converted to Python values and written at a time: a plan of millions of rows
never holds more than one chunk of them as Python objects (peak memory, #18)."""


def _chunks(n: int) -> Iterator[slice]:
    """Consecutive slices of at most ``CHUNK_ROWS`` covering ``range(n)``."""
    for lo in range(0, n, CHUNK_ROWS):
        yield slice(lo, min(n, lo + CHUNK_ROWS))


def _dates(ordinals: et.IntArray) -> list[str]:
    """Day ordinals as ISO dates, each distinct day spelt once: the text SQLite stores
    and COPY reads, so neither database path converts a date value by value."""
    days, inverse = np.unique(ordinals, return_inverse=True)
    distinct = np.asarray([date.fromordinal(d).isoformat() for d in days.tolist()], dtype=object)
    return list(distinct[inverse])


def _optional_ids(ids: et.IntArray, positions: et.IntArray) -> list[int | None]:
    """Engine positions to database ids, ``None`` where the position is NO_ORDER."""
    if positions.size and int(positions.min()) >= 0:
        return list(ids[positions].tolist())
    out = np.full(len(positions), None, dtype=object)
    has = positions >= 0
    out[has] = ids[positions[has]]
    return list(out)


def _objects(values: Sequence[object]) -> np.ndarray:
    """A column of Python objects as an array, to be gathered from many times."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _pick(tables: Sequence[np.ndarray], which: et.IntArray, index: et.IntArray) -> list[object]:
    """``tables[which[k]][index[k]]`` for every k, one vectorised gather per table
    (``tables`` are object arrays, see ``_objects``)."""
    out = np.empty(len(which), dtype=object)
    for t, table in enumerate(tables):
        mask = which == t
        if mask.any():
            out[mask] = table[index[mask]]
    return list(out)


def _store(conn: Connection, run_id: int, snap: Snapshot, result: et.PlanResult) -> dict[str, Any]:
    """Write the run's rows; returns what the pages count over them (``PlanRun.counts``)."""
    inp = snap.input
    planned = result.planned
    _store_planned(conn, run_id, snap, planned)
    _check_ids(conn, len(planned))
    _store_pegging(conn, run_id, snap, result)
    late = _store_lines(conn, run_id, snap, result)
    _store_productions(conn, run_id, snap, result)
    _store_exceptions(conn, run_id, snap, result.exceptions)
    return {
        "exceptions": _kind_counts(result.exceptions),
        "late": late,
        "release": _release_days(inp, planned),
    }


def _store_planned(
    conn: Connection, run_id: int, snap: Snapshot, planned: et.PlannedOrders
) -> None:
    """The planned orders, in creation order (their ids are their positions + 1)."""
    kinds = np.where(snap.input.items.is_make[planned.item], "make", "buy")
    for part in _chunks(len(planned)):
        bulk_insert_columns(
            conn,
            PlannedOrder,
            {
                "number": planned.ref[part],
                "item_id": snap.item_ids[planned.item[part]].tolist(),
                "type": kinds[part].tolist(),
                "qty": planned.qty[part].tolist(),
                "release_date": _dates(planned.release[part]),
                "due_date": _dates(planned.due[part]),
                "earliest_completion": _dates(planned.earliest_completion[part]),
                "is_late": planned.is_late[part].tolist(),
                "sales_order_id": _optional_ids(snap.sales_order_ids, planned.sales_order[part]),
            },
            same={"plan_run_id": run_id},
        )


def _store_pegging(conn: Connection, run_id: int, snap: Snapshot, result: et.PlanResult) -> None:
    inp = snap.input
    peg = result.pegging
    refs = _objects(result.planned.ref)
    supply_refs = [_objects(inp.stock.location), _objects(inp.purchases.ref)]
    supply_refs += [_objects(inp.productions.ref), refs]
    demand_refs = [_objects(snap.demand_refs), refs, supply_refs[2], _objects(["safety_stock"])]
    supply_names = _objects(et.SUPPLY_TYPE_NAMES)
    demand_names = _objects(_DEMAND_TYPE_NAMES)
    for part in _chunks(len(peg)):
        stype, dtype = peg.supply_type[part], peg.demand_type[part]
        bulk_insert_columns(
            conn,
            Pegging,
            {
                "supply_type": supply_names[stype].tolist(),
                "supply_ref": _pick(supply_refs, stype, peg.supply_index[part]),
                "item_id": snap.item_ids[peg.item[part]].tolist(),
                "qty": peg.qty[part].tolist(),
                "demand_type": demand_names[dtype].tolist(),
                "demand_ref": _pick(demand_refs, dtype, np.maximum(peg.demand_index[part], 0)),
            },
            same={"plan_run_id": run_id},
        )


def _check_ids(conn: Connection, n: int) -> None:
    """A shortage exception names its planned order by id, the order's position + 1:
    the table was created empty in this transaction, so both databases numbered the
    rows from 1 in the order they were written. Checked, not assumed (one index read)."""
    last = conn.execute(select(func.max(PlannedOrder.id))).scalar()
    if (last or 0) != n:
        raise PlanningError(f"planned orders stored as ids up to {last}, expected {n}")


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


def _store_exceptions(conn: Connection, run_id: int, snap: Snapshot, exc: et.Exceptions) -> None:
    """Store in report order (kind, date, order, sales order), which ``ORDER BY id`` reads.

    The engine hands the rows sorted by (kind, order, sales order, date); a stable sort
    on the integer keys (kind, date) keeps order and sales order in place among ties,
    so no string is compared here. A shortage row is stored narrow: its planned order
    (by id, its position + 1) and its quantity in millionths; its order, date and
    message are derived when read (``plan_results.exception_query``), except for a
    quantity beyond exact millionths, whose message is stored. On PostgreSQL the narrow
    rows go by binary COPY straight from the arrays. Last, the pairs (sales order,
    exception) a sales order's pages read (``_store_exception_orders``).
    """
    n = len(exc)
    head = len(exc.listed)  # the rows before the shortage rows, which come last
    kinds = np.asarray(exc.kind[:head], dtype=object)
    # kinds arrive in contiguous blocks: number the blocks instead of sorting strings
    blocks = np.zeros(head, dtype=np.int64)
    if head > 1:
        blocks[1:] = np.cumsum(kinds[1:] != kinds[:-1])
    order = np.concatenate(
        [np.lexsort((exc.date[:head], blocks)), head + _stable_argsort(exc.date[head:])]
    )
    planned = exc.planned[order] if len(exc.planned) == n else np.full(n, et.NO_ORDER)
    units = np.rint(exc.qty[order] * 1e6) if len(exc.qty) == n else np.zeros(n)
    narrow = (planned >= 0) & (np.abs(units) < 1e14)
    # the narrow rows go in a statement of their own that leaves the derived columns out
    # (binding NULLs costs more than values on SQLite); they are the last rows in report
    # order unless a quantity beyond millionths left one wide among them: then every
    # row carries its id
    wide = np.flatnonzero(~narrow)
    slim = np.flatnonzero(narrow)
    ordered = not slim.size or not wide.size or int(wide[-1]) < int(slim[0])
    rows = order[wide]
    ids = {} if ordered else {"id": (wide + 1).tolist()}
    bulk_insert_columns(
        conn,
        PlanException,
        {
            **ids,
            "kind": [exc.kind[r] for r in rows.tolist()],
            "item_id": snap.item_ids[exc.item[rows]].tolist(),
            "order_ref": [exc.order[r] for r in rows.tolist()],
            "date": _dates(exc.date[rows]),
            "sales_order_id": _optional_ids(snap.sales_order_ids, exc.sales_order[rows]),
            "message": exc.messages_at(rows),  # a narrow row's message is never built
        },
        same={"plan_run_id": run_id},
    )
    write = _copy_narrow if conn.dialect.name == "postgresql" else _insert_narrow
    write(
        conn,
        run_id,
        snap,
        exc,
        order[slim],
        planned[slim] + 1,
        units[slim],
        ids=None if ordered else slim + 1,
    )
    _store_exception_orders(conn, snap.sales_order_ids, exc.sales_order[order])


def _insert_narrow(
    conn: Connection,
    run_id: int,
    snap: Snapshot,
    exc: et.Exceptions,
    rows: et.IntArray,
    planned_ids: et.IntArray,
    units: np.ndarray,
    *,
    ids: et.IntArray | None,
) -> None:
    """The narrow shortage rows (engine rows ``rows``, ``ids`` when not written in id
    order) by ``bulk_insert_columns``, a chunk at a time (SQLite)."""
    for part in _chunks(len(rows)):
        mine = rows[part]
        bulk_insert_columns(
            conn,
            PlanException,
            {
                **({} if ids is None else {"id": ids[part].tolist()}),
                "item_id": snap.item_ids[exc.item[mine]].tolist(),
                "sales_order_id": _optional_ids(snap.sales_order_ids, exc.sales_order[mine]),
                "planned_order_id": planned_ids[part].tolist(),
                "qty_millionths": units[part].astype(np.int64).tolist(),
            },
            same={"plan_run_id": run_id, "kind": "shortage"},
        )


def _copy_narrow(
    conn: Connection,
    run_id: int,
    snap: Snapshot,
    exc: et.Exceptions,
    rows: et.IntArray,
    planned_ids: et.IntArray,
    units: np.ndarray,
    *,
    ids: et.IntArray | None,
) -> None:
    """The narrow shortage rows (engine rows ``rows``) by binary COPY (PostgreSQL): every
    column a number but the kind, each converted once as an array (``_copy_binary``)."""
    positions = exc.sales_order[rows]
    no_order = positions < 0
    so_ids = (
        snap.sales_order_ids[np.where(no_order, 0, positions)]
        if len(snap.sales_order_ids)
        else np.zeros(len(rows), dtype=np.int64)
    )
    columns = {
        "item_id": binary.int4(snap.item_ids[exc.item[rows]]),
        "sales_order_id": binary.int4(so_ids, no_order),
        "planned_order_id": binary.int4(planned_ids),
        "qty_millionths": binary.int8(units.astype(np.int64)),
        "plan_run_id": binary.int4(np.full(len(rows), run_id)),
        "kind": binary.word("shortage", len(rows)),
    }
    if ids is not None:
        columns["id"] = binary.int4(ids)
    binary.copy_fields(conn, PlanException.__tablename__, list(columns), list(columns.values()))


def _store_exception_orders(
    conn: Connection, sales_order_ids: et.IntArray, positions: et.IntArray
) -> None:
    """Write ``PlanExceptionSalesOrder``: per sales order named by an exception, the ids
    of the exceptions naming it, ascending, packed as one JSON array (``positions`` are
    the rows' sales-order positions in report order, whose ids are their places + 1).

    One row per sales order instead of one per pair: the reference shape's 3.7 M pairs
    become 75 k rows. The orders go a batch of about ``CHUNK_ROWS`` ids at a time, whose
    ids are spelt and joined once, each order's array a slice of that text: never a
    Python object per id for more than one batch (peak memory).
    """
    named = np.flatnonzero(positions >= 0)
    if not named.size:  # no exception names a sales order: nothing to write
        return
    keys = sales_order_ids[positions[named]]
    by_key = _stable_argsort(keys)  # stable: each order's ids stay ascending
    keys = keys[by_key]
    ids = named[by_key] + 1
    del named, by_key
    starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
    # batches of whole orders, a new one from the first order starting past each chunk
    cuts = np.unique(np.searchsorted(starts, np.arange(0, ids.size, CHUNK_ROWS)))
    cuts = cuts[cuts < starts.size]  # a chunk's place past the last order's start
    for first, last in zip(cuts.tolist(), [*cuts[1:].tolist(), starts.size], strict=True):
        lo = int(starts[first])
        hi = int(starts[last]) if last < starts.size else ids.size
        bulk_insert_columns(
            conn,
            PlanExceptionSalesOrder,
            {
                "sales_order_id": keys[starts[first:last]].tolist(),
                "exception_ids": _packed(ids[lo:hi], starts[first:last] - lo),
            },
        )


def _packed(ids: et.IntArray, starts: et.IntArray) -> list[str]:
    """``ids`` cut at ``starts`` (the first is 0), each part as a JSON array text."""
    text = ",".join(map(str, ids.tolist()))
    # where each id's text ends: its digits, plus the comma before every id but the first
    ends = np.cumsum(_digits(ids) + 1) - 1
    begin = np.concatenate([[0], ends[:-1] + 1])[starts]
    end = np.concatenate([ends[starts[1:] - 1], [len(text)]])
    return [f"[{text[lo:hi]}]" for lo, hi in zip(begin.tolist(), end.tolist(), strict=True)]


def _digits(values: et.IntArray) -> et.IntArray:
    """How many decimal digits each positive integer of ``values`` is written with."""
    out = np.ones(values.size, dtype=np.int64)
    bound = 10
    while values.size and bound <= int(values.max()):
        out += values >= bound
        bound *= 10
    return out


def _kind_counts(exc: et.Exceptions) -> dict[str, int]:
    """Rows per kind, in the order the kinds come: the shortage rows (the last, and
    most, of them) counted without reading their kind one by one."""
    head = len(exc.listed)
    counts = dict(Counter(exc.kind[:head]))
    if len(exc) > head:
        counts["shortage"] = counts.get("shortage", 0) + len(exc) - head
    return counts


def _stable_argsort(values: et.IntArray) -> et.IntArray:
    """``np.argsort(values, kind="stable")`` of integers, as one sort of
    ``value << bits | position`` words when they fit in 63 bits (several times
    faster on millions of rows than NumPy's stable argsort)."""
    n = values.size
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    low = int(values.min())
    bits = max(n - 1, 1).bit_length()
    if (int(values.max()) - low).bit_length() + bits > 62:
        return np.argsort(values, kind="stable").astype(np.int64)
    words = np.subtract(values, low, dtype=np.int64)
    words <<= bits
    words |= np.arange(n, dtype=np.int64)
    words.sort()
    words &= (1 << bits) - 1
    return words


def _store_lines(conn: Connection, run_id: int, snap: Snapshot, result: et.PlanResult) -> int:
    """Store each line's projected date (rule 10, computed by the engine); returns how
    many lines are late. A line beyond the horizon is not in the plan: no projected date."""
    demands = snap.input.demands
    dates = result.line_dates
    late = np.where(dates.in_plan, np.maximum(dates.projected - demands.due, 0), 0)
    days = _dates(np.where(dates.in_plan, dates.projected, demands.due))
    bulk_insert_columns(
        conn,
        PlanLine,
        {
            "sales_order_line_id": snap.demand_line_ids.tolist(),
            "demand_ref": snap.demand_refs,
            "due_date": _dates(demands.due),
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
            "earliest_completion": _dates(dates.earliest_completion),
            "available_date": _dates(dates.available),
            "is_late": dates.is_late.tolist(),
        },
        same={"plan_run_id": run_id},
    )


# indexed by the engine's demand types: SALES_LINE, PLANNED_PARENT, PRODUCTION_PARENT, SAFETY_STOCK
_DEMAND_TYPE_NAMES = ("sales_order", "planned_order", "production_order", "safety_stock")

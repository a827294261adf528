"""Benchmark: where `pegboard plan`'s store spends its time, table by table (#18).

    python benchmarks/plan_store.py --db URL [--runs 3]

Plans the company at URL (use a copy: each run replaces its plan) in this process and
stores the result the way ``services.planning.run_plan`` does, in one transaction,
timing each step: the planned orders, the pegging, the lines and production dates, the
exceptions, each index build and the commit. ``CPU`` is this process's time; on
PostgreSQL ``server CPU`` is the time of the server's process serving the store (read
from /proc: the server must run on this machine, as scripts/pg's does), which ``CPU``
does not show. The table shows medians.
``benchmarks/plan.py`` times the whole command; this one says which part to cut.
"""

from __future__ import annotations

import argparse
import math
import os
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from _harness import median, print_table
from sqlalchemy import Connection, insert
from sqlalchemy.orm import Session

from pegboard import clock
from pegboard.db import WRITE, make_engine, session_factory
from pegboard.model import PlanRun, PlanRunStatus
from pegboard.services import exception_store, pegging_store, planning
from pegboard.services.snapshot import load_snapshot, plan

Lap = tuple[str, float, float, float]  # step, CPU, wall, server CPU seconds (nan: none)
TICK = os.sysconf("SC_CLK_TCK")


def _server_cpu(pid: int | None) -> float:
    """User + system seconds of PostgreSQL's backend ``pid`` so far, read from /proc (the
    server runs on this machine); nan when there is none to read (SQLite)."""
    if pid is None:
        return math.nan
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return math.nan
    return (int(fields[11]) + int(fields[12])) / TICK


def _backend(conn: Connection) -> int | None:
    if conn.dialect.name != "postgresql":
        return None
    return int(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


def _timed(laps: list[Lap], name: str, step: Callable[[], object], pid: int | None = None) -> None:
    since = _mark(pid)
    step()
    laps.append(_lap(name, since, pid))


def one_run(session: Session) -> list[Lap]:
    """Load, plan and store once; the steps' times."""
    laps: list[Lap] = []
    loaded: list[object] = []

    def load() -> None:
        with session.begin():
            conn = planning.snapshot_connection(session)
            loaded.append(load_snapshot(conn, planning_date=None, today=clock.today()))

    _timed(laps, "load", load)
    snap = loaded[0]
    assert isinstance(snap, planning.Snapshot)
    results: list[object] = []
    _timed(laps, "engine", lambda: results.append(plan(snap)))
    result = results[0]
    assert isinstance(result, planning.et.PlanResult)
    with session.begin():
        conn = session.connection(execution_options={WRITE: True})
        pid = _backend(conn)
        start = _mark(pid)
        built_after = planning._empty_plan_tables(conn)
        run_id = conn.execute(
            insert(PlanRun)
            .values(
                planning_date=date.fromordinal(snap.input.settings.planning_date),
                started_at=clock.now(),
                status=PlanRunStatus.DONE,
                author="benchmark",
            )
            .returning(PlanRun.id)
        ).scalar_one()
        _timed(
            laps,
            "planned orders",
            lambda: planning._store_planned(conn, run_id, snap, result.planned),
            pid,
        )
        store = pegging_store.store_pegging
        _timed(laps, "pegging", lambda: store(conn, run_id, snap, result), pid)
        _timed(
            laps,
            "lines, productions",
            lambda: (
                planning._store_lines(conn, run_id, snap, result),
                planning._store_productions(conn, run_id, snap, result),
            ),
            pid,
        )
        _timed(
            laps,
            "exceptions",
            lambda: exception_store.store_exceptions(conn, run_id, snap, result.exceptions),
            pid,
        )
        planning._index_memory(conn)
        built = _mark(pid)
        for ddl in built_after:  # the indexes (and PostgreSQL's primary keys)
            name = f"  {getattr(getattr(ddl, 'element', None), 'name', ddl)}"
            _timed(laps, name, lambda ddl=ddl: conn.execute(ddl), pid)
        laps.append(_lap("indexes, all", built, pid))
        committing = _mark(pid)
    laps.append(_lap("commit", committing, pid))
    laps.append(_lap("store, all", start, pid))
    return laps


def _mark(pid: int | None) -> tuple[float, float, float]:
    return time.process_time(), time.perf_counter(), _server_cpu(pid)


def _lap(name: str, since: tuple[float, float, float], pid: int | None) -> Lap:
    now = _mark(pid)
    return (name, now[0] - since[0], now[1] - since[1], now[2] - since[2])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", required=True, help="database URL of a planned company (a copy)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    engine = make_engine(args.db)
    runs = []
    for _ in range(args.runs):
        with session_factory(engine)() as session:
            runs.append(one_run(session))
    engine.dispose()
    rows: list[list[object]] = []
    server = engine.dialect.name == "postgresql"
    for k, (name, *_) in enumerate(runs[0]):
        row: list[object] = [name]
        for column in (1, 2, 3) if server else (1, 2):
            row.append(median([r[k][column] for r in runs]))
        rows.append(row)
    print_table(
        f"plan store by step, {engine.dialect.name} (medians of {args.runs})",
        ["phase", "CPU s", "wall s", *(["server CPU s"] if server else [])],
        rows,
    )


if __name__ == "__main__":
    main()

"""Benchmark: where `pegboard plan`'s store spends its time, table by table (#18).

    python benchmarks/plan_store.py --db URL [--runs 3]

Plans the company at URL (use a copy: each run replaces its plan) in this process and
stores the result the way ``services.planning.run_plan`` does, in one transaction,
timing each step: the planned orders, the pegging, the lines and production dates, the
exceptions, the index builds and the commit. ``CPU`` is this process's time (on
PostgreSQL the server's own work shows only in ``wall``); the table shows medians.
``benchmarks/plan.py`` times the whole command; this one says which part to cut.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import date

from _harness import median, print_table
from sqlalchemy import insert
from sqlalchemy.orm import Session

from pegboard import clock
from pegboard.db import WRITE, make_engine, session_factory
from pegboard.model import PlanRun, PlanRunStatus
from pegboard.services import planning
from pegboard.services.snapshot import load_snapshot, plan

Lap = tuple[str, float, float]  # step, CPU seconds, wall seconds


def _timed(laps: list[Lap], name: str, step: Callable[[], object]) -> None:
    cpu, wall = time.process_time(), time.perf_counter()
    step()
    laps.append((name, time.process_time() - cpu, time.perf_counter() - wall))


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
    cpu, wall = time.process_time(), time.perf_counter()
    with session.begin():
        conn = session.connection(execution_options={WRITE: True})
        indexes = planning._empty_plan_tables(conn)
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
        )
        _timed(laps, "pegging", lambda: planning._store_pegging(conn, run_id, snap, result))
        _timed(
            laps,
            "lines, productions",
            lambda: (
                planning._store_lines(conn, run_id, snap, result),
                planning._store_productions(conn, run_id, snap, result),
            ),
        )
        _timed(
            laps,
            "exceptions",
            lambda: planning._store_exceptions(conn, run_id, snap, result.exceptions),
        )

        def build() -> None:
            planning._index_memory(conn)
            for index in indexes:
                index.create(conn)

        _timed(laps, "indexes", build)
        commit_cpu, commit_wall = time.process_time(), time.perf_counter()
    laps.append(("commit", time.process_time() - commit_cpu, time.perf_counter() - commit_wall))
    laps.append(("store, all", time.process_time() - cpu, time.perf_counter() - wall))
    return laps


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
    for k, (name, _, _) in enumerate(runs[0]):
        rows.append([name, median([r[k][1] for r in runs]), median([r[k][2] for r in runs])])
    print_table(
        f"plan store by step, {engine.dialect.name} (medians of {args.runs})",
        ["phase", "CPU s", "wall s"],
        rows,
    )


if __name__ == "__main__":
    main()

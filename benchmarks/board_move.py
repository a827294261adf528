"""Benchmark: server time of the planning board's move check (a dry run).

    python benchmarks/board_move.py --db benchmarks/data/bench-schedule-0.2.db [--orders 10]
        [--days -7] [--without-schedule] [--operations]

Target (issue 19): a move check answers in <= 300 ms on the full-size company. A copy of
``--db`` is used (the check writes nothing, but the benchmark never risks it;
``--without-schedule`` drops the copy's stored schedule, so capacity comes from the
backward load). For each of the first ``--orders`` planned production orders (by number)
the check of finishing ``--days`` later (earlier when negative; default one week) is
timed in process, once to warm up, then ``--repeat`` times; with ``--operations`` the
check of moving its last operation as many days. The median and the slowest of all are
shown, with CPU time beside wall time (a shared machine).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pegboard import db
from pegboard.errors import PegboardError
from pegboard.model import ProductionOrder, ProductionStatus, ScheduleRun
from pegboard.services import board_move, operation_move, production

TARGET_MS = 300.0


def _check(session: Session, number: str, due: date, days: int, *, operations: bool) -> None:
    if not operations:
        board_move.move_production(session, number, due + timedelta(days=days), author="bench")
        return
    mo = production.get_production(session, number)
    _scheduled, ops = operation_move.operations_of(session, mo)
    if ops:
        last = ops[-1]
        operation_move.move_operation(
            session, number, last.sequence, last.start + timedelta(days=days), author="bench"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--orders", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--without-schedule", action="store_true")
    parser.add_argument("--operations", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "board.db"
        shutil.copy(args.db, copy)
        engine = db.make_engine(f"sqlite:///{copy}")
        if args.without_schedule:
            with engine.begin() as conn:
                conn.execute(delete(ScheduleRun))
        with db.session_scope(engine) as session:
            orders = session.execute(
                select(ProductionOrder.number, ProductionOrder.due_date)
                .where(ProductionOrder.status == ProductionStatus.PLANNED)
                .order_by(ProductionOrder.number)
                .limit(args.orders)
            ).all()
            walls: list[float] = []
            cpus: list[float] = []
            for number, due in orders:
                for attempt in range(args.repeat + 1):
                    wall, cpu = time.perf_counter(), time.process_time()
                    try:
                        _check(session, number, due, args.days, operations=args.operations)
                    except PegboardError as e:  # a day off: still a check answered
                        if not attempt:
                            print(f"{number}: {e.message}")
                    session.rollback()
                    if attempt:
                        walls.append((time.perf_counter() - wall) * 1000)
                        cpus.append((time.process_time() - cpu) * 1000)
        engine.dispose()
    print(
        f"{len(orders)} orders x {args.repeat}: wall median {statistics.median(walls):.0f} ms, "
        f"max {max(walls):.0f} ms; CPU median {statistics.median(cpus):.0f} ms, "
        f"max {max(cpus):.0f} ms (target {TARGET_MS:.0f} ms at full size)"
    )


if __name__ == "__main__":
    main()

"""Benchmark: server time of the planning board's move check (a dry run).

    python benchmarks/board_move.py --db benchmarks/data/bench-schedule-0.2.db [--orders 10]

Target (issue 19): a move check answers in <= 300 ms on the full-size company. A copy of
``--db`` is used (the check writes nothing, but the benchmark never risks it). For each of
the first ``--orders`` planned production orders (by number) the check of finishing one
week later is timed in process, once to warm up, then ``--repeat`` times; the median and
the slowest of all are shown, with CPU time beside wall time (a shared machine).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from pegboard import db
from pegboard.errors import PegboardError
from pegboard.model import ProductionOrder, ProductionStatus
from pegboard.services import board_move

TARGET_MS = 300.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--orders", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "board.db"
        shutil.copy(args.db, copy)
        engine = db.make_engine(f"sqlite:///{copy}")
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
                        board_move.move_production(
                            session, number, due + timedelta(days=7), author="bench"
                        )
                    except PegboardError as e:  # a day off: still a check answered
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

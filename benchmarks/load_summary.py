"""Benchmark: the capacity summary the plan job works out after its commit.

    python benchmarks/load_summary.py DATABASE_URL [--runs 3]
    PYTHONPATH=/tmp/before/src python benchmarks/load_summary.py sqlite:////tmp/gen.db

Works the summary of the database's current plan out ``--runs`` times in one process
(``load_weeks.week_rows``, the whole backward load's weeks, then ``_store``, which
writes them) and rolls each back, so the database is left as it was. Before the first,
Numba's compiled netting and sorting passes are loaded and run once, as the plan job has
by then; the first run still pays for the load's own kernel, the statements' compilation
and the database's cold pages, as the job's does. Prints each run's CPU seconds (the
figure to trust on a shared machine), the weeks kept and a digest of every value kept,
to compare two checkouts' results (``PYTHONPATH`` another ``src``). Issue #18: 2.4-2.6 s
of CPU on the generate shape at full size before it was made faster.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time

import numpy as np
from _harness import median, print_table

from pegboard import db
from pegboard.engine import netting_kernel, sort_kernel  # noqa: F401 - loaded, as by a plan
from pegboard.services import load_weeks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="a database at the current schema, with a plan")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sort_kernel.sorted_ints(np.arange(10, dtype=np.int64)[::-1].copy())
    engine = db.make_engine(args.url)
    rows: list[list[object]] = []
    cpu: list[float] = []
    for i in range(args.runs):
        with db.session_factory(engine)() as session:
            session.connection()
            started = time.process_time()
            key = load_weeks._key(session)
            weeks = load_weeks.week_rows(session)
            load_weeks._store(session, key, weeks, 0.0)
            session.flush()
            cpu.append(time.process_time() - started)
            session.rollback()
        kept = [
            (w.work_center_id, w.monday.isoformat(), w.required, w.available, w.orders, w.top)
            for w in weeks
        ]
        digest = hashlib.sha256(json.dumps(kept).encode()).hexdigest()[:16]
        rows.append([f"run {i + 1}", cpu[-1], len(weeks), digest])
    rows.append(["median", median(cpu), "", ""])
    print_table(
        f"capacity summary: {load_weeks.__file__}",
        ["run", "CPU s", "weeks", "digest"],
        rows,
    )


if __name__ == "__main__":
    main()

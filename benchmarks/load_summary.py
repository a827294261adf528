"""Benchmark: the capacity summary the plan job works out after its commit.

    python benchmarks/load_summary.py DATABASE_URL [--runs 3]
    PYTHONPATH=/tmp/before/src python benchmarks/load_summary.py sqlite:////tmp/gen.db

Works the summary of the database's current plan out ``--runs`` times in one process
(``load_weeks.week_rows``, the whole backward load's weeks, then the body of ``_store``,
which writes them and deletes the summaries before the previous one) and rolls each
back, so the database is left as it was (checked: the summaries and weeks are counted
before and after). ``_store`` itself is ``@writes``, which runs it in a transaction of
its own and commits, so the benchmark calls the undecorated function (``__wrapped__``)
inside its own transaction; the figure leaves out the commit. Before the first run,
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
from sqlalchemy import Engine, func, select

from pegboard import db
from pegboard.engine import netting_kernel, sort_kernel  # noqa: F401 - loaded, as by a plan
from pegboard.model.capacity import LoadSummary, LoadWeek
from pegboard.services import load_weeks


def _kept(engine: Engine) -> tuple[int, int]:
    """How many summaries and weeks the database holds."""
    with db.session_factory(engine)() as session:
        summaries = session.scalar(select(func.count()).select_from(LoadSummary)) or 0
        weeks = session.scalar(select(func.count()).select_from(LoadWeek)) or 0
    return summaries, weeks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="a database at the current schema, with a plan")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sort_kernel.sorted_ints(np.arange(10, dtype=np.int64)[::-1].copy())
    engine = db.make_engine(args.url)
    store = load_weeks._store.__wrapped__  # type: ignore[attr-defined]  # not @writes' commit
    before = _kept(engine)
    rows: list[list[object]] = []
    cpu: list[float] = []
    for i in range(args.runs):
        with db.session_factory(engine)() as session:
            session.connection()
            started = time.process_time()
            key = load_weeks._key(session)
            weeks = load_weeks.week_rows(session)
            store(session, key, weeks, 0.0)
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
    after = _kept(engine)
    if after != before:
        raise SystemExit(f"the database was changed: (summaries, weeks) {before} -> {after}")


if __name__ == "__main__":
    main()

"""Benchmark: the planning engine alone, on a snapshot of an existing database.

    python benchmarks/engine_only.py benchmarks/data/bench-plan-1.0.db [--runs 3]
    python benchmarks/engine_only.py --input /tmp/plan_input.pkl
    python benchmarks/engine_only.py --shape reference   # the database benchmarks/plan.py left

Loads the snapshot once (from a copy of the database, which is never written),
runs ``pegboard.engine.plan`` once to warm up and then ``--runs`` times, and
prints wall seconds per phase for each run, their median, and the median CPU
seconds (user + system of this process: on a shared machine wall time is
noisy). The phases are timed from outside, by wrapping the engine's internal
functions (the engine itself reads no clock), so a phase is time spent in those
functions and "other" is the rest. The warm-up column is the first call in a
fresh process, as in ``pegboard plan``: it pays for first touching the memory
the run needs. Before it, the compiled netting loop is imported and loaded
from Numba's cache (or compiled, on a cold cache), and that time is printed.
``--python`` nets with the plain Python loop (``netting.py``) instead.

Each run is inside ``services._heap.arrays_reused`` as ``pegboard plan``'s is (big
arrays' memory reused, not mapped afresh); ``--default-malloc`` runs without it. The
CPU median is split into user and system time (system time is mostly page faults),
with the minor page faults counted.

Memory: a thread reads this process's resident size (``/proc/self/statm``) every
5 ms while each plan runs and the table prints the run's peak, in MiB, both as the
process's (the snapshot and the libraries included, as ``pegboard plan``'s engine
phase sees it) and above the resident size just before the run (what the engine
itself holds at its peak: its intermediates and its result). ``ru_maxrss`` at the
end is the process's peak over everything, the snapshot's load included.

``--save-input PATH`` pickles the loaded ``PlanInput`` for later ``--input``.
Target (issue 18, 2-core machine, full size, reference shape): engine <= 5 s.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import pickle
import resource
import shutil
import statistics
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from pegboard.engine import run
from pegboard.engine.planned import PlannedStore
from pegboard.engine.trace import TraceStore
from pegboard.engine.types import PlanInput
from pegboard.services._heap import arrays_reused

PHASES: list[tuple[str, object, str]] = [
    ("setup (levels, supply, BOM index)", run._Run, "__init__"),
    ("demand netting order", run, "netting_order"),
    ("demand netting order", run._Run, "_parent_rank"),
    ("netting: per-item loop", run._Run, "_net_loop"),
    ("netting: vectorised paths", run, "free_pool_run"),
    ("netting: vectorised paths", run, "net_without_supply"),
    ("netting: vectorised paths", run, "net_free_pool"),
    ("planned orders, pegging rows", PlannedStore, "append_level"),
    ("planned orders, pegging rows", run._Run, "_peg_columns"),
    ("tracing to sales orders", TraceStore, "add_level"),
    ("explosion", run, "explode"),
    ("earliest completion", PlannedStore, "earliest_completion"),
    ("pegging table", run, "build_pegging"),
    ("exceptions", run, "build_exceptions"),
]


def _instrument(spent: dict[str, float], cpu: dict[str, float]) -> None:
    for label, owner, name in PHASES:
        original: Callable[..., Any] = getattr(owner, name)

        def timed(
            *args: Any, _f: Callable[..., Any] = original, _l: str = label, **kwargs: Any
        ) -> Any:
            started = time.perf_counter()
            used = time.process_time()
            try:
                return _f(*args, **kwargs)
            finally:
                spent[_l] += time.perf_counter() - started
                cpu[_l] += time.process_time() - used

        setattr(owner, name, functools.wraps(original)(timed))


class PeakSampler:
    """The largest resident size of this process seen while a block runs (Linux:
    ``/proc/self/statm``, read every ``every`` seconds by a thread; elsewhere 0)."""

    def __init__(self, every: float = 0.005) -> None:
        self.every = every
        self.start = self.peak = _resident()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._done.wait(self.every):
            self.peak = max(self.peak, _resident())

    def __enter__(self) -> PeakSampler:
        self.start = self.peak = _resident()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()
        self.peak = max(self.peak, _resident())


def _resident() -> int:
    try:
        pages = Path("/proc/self/statm").read_text().split()[1]
        return int(pages) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def load_input(database: Path, today: date) -> PlanInput:
    from pegboard import db
    from pegboard.services.snapshot import load_snapshot

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / database.name
        shutil.copyfile(database, copy)
        engine = db.make_engine(f"sqlite:///{copy}")
        with engine.connect() as conn:
            snap = load_snapshot(conn, today=today)
        engine.dispose()
    return snap.input


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("database", nargs="?", type=Path, help="SQLite database to plan")
    parser.add_argument("--input", type=Path, help="a pickled PlanInput instead of a database")
    parser.add_argument("--save-input", type=Path, help="pickle the loaded PlanInput here")
    parser.add_argument(
        "--shape",
        choices=["reference", "generate"],
        help="plan the full-size database benchmarks/plan.py left for this shape",
    )
    parser.add_argument("--today", help="planning date (default 2026-01-05, reference 2027-01-04)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--python", action="store_true", help="net with the plain Python loop (netting.py)"
    )
    parser.add_argument(
        "--default-malloc",
        action="store_true",
        help="run without services._heap.arrays_reused (the allocator as the process starts)",
    )
    args = parser.parse_args()
    if args.shape and not args.database:
        name = "bench-plan-1.0.db" if args.shape == "generate" else "bench-plan-reference-1.0.db"
        args.database = Path(__file__).resolve().parent / "data" / name
    if args.today is None:
        args.today = "2027-01-04" if args.shape == "reference" else "2026-01-05"
    if args.input:
        with args.input.open("rb") as f:
            inp = pickle.load(f)
    elif args.database:
        started = time.perf_counter()
        inp = load_input(args.database, date.fromisoformat(args.today))
        print(f"snapshot loaded in {time.perf_counter() - started:.1f} s")
    else:
        parser.error("give a database or --input")
    if args.save_input:
        with args.save_input.open("wb") as f:
            pickle.dump(inp, f, protocol=pickle.HIGHEST_PROTOCOL)
    print(
        f"{len(inp.items)} items, {len(inp.bom)} BOM lines, {len(inp.demands)} sales lines, "
        f"{len(inp.stock) + len(inp.purchases) + len(inp.productions)} supply rows"
    )

    if not args.python:
        started = time.perf_counter()
        used = time.process_time()
        from pegboard.engine import netting_kernel

        netting_kernel.warm()
        print(
            f"compiled netting loop: import + compile or cache load "
            f"{time.perf_counter() - started:.2f} s wall, {time.process_time() - used:.2f} s CPU"
        )
    spent: dict[str, float] = defaultdict(float)
    spent_cpu: dict[str, float] = defaultdict(float)
    _instrument(spent, spent_cpu)
    columns: list[dict[str, float]] = []
    cpu_columns: list[dict[str, float]] = []
    usages: list[dict[str, float]] = []
    for _ in range(args.runs + 1):
        spent.clear()
        spent_cpu.clear()
        counts = ""  # a plan's peak holds one plan, not the previous run's too
        before = resource.getrusage(resource.RUSAGE_SELF)
        cpu = time.process_time()
        started = time.perf_counter()
        with (
            PeakSampler() as memory,
            contextlib.nullcontext() if args.default_malloc else arrays_reused(),
        ):
            result = run.execute(inp, compiled=not args.python)
            counts = (
                f"{len(result.planned)} planned orders, {len(result.pegging)} pegging rows, "
                f"{len(result.exceptions)} exceptions"
            )
            del result
        total = time.perf_counter() - started
        cpu = time.process_time() - cpu
        after = resource.getrusage(resource.RUSAGE_SELF)
        usages.append(
            {
                "user": after.ru_utime - before.ru_utime,
                "system": after.ru_stime - before.ru_stime,
                "minor faults (thousands)": (after.ru_minflt - before.ru_minflt) / 1000,
                "peak resident (MiB)": memory.peak / 2**20,
                "peak above the input (MiB)": (memory.peak - memory.start) / 2**20,
            }
        )
        column = {label: spent[label] for label, _, _ in PHASES}
        column["other"] = total - sum(spent.values())
        column["TOTAL"] = total
        columns.append(column)
        cpu_column = {label: spent_cpu[label] for label, _, _ in PHASES}
        cpu_column["other"] = cpu - sum(spent_cpu.values())
        cpu_column["TOTAL"] = cpu
        cpu_columns.append(cpu_column)

    names = ["warm-up", *(f"run {k}" for k in range(1, args.runs + 1))]
    if args.runs:
        # on a shared machine wall time is noisy: medians, and CPU beside them
        names += ["median", "CPU median"]
        columns.append({k: statistics.median(c[k] for c in columns[1:]) for k in columns[0]})
        columns.append({k: statistics.median(c[k] for c in cpu_columns[1:]) for k in columns[0]})
    width = max(len(label) for label in columns[0])
    print(f"\n{'phase (seconds)':<{width}}" + "".join(f"{n:>11}" for n in names))
    for label in columns[0]:
        print(f"{label:<{width}}" + "".join(f"{c[label]:>11.3f}" for c in columns))
    for label in usages[0]:
        values = [u[label] for u in usages]
        if args.runs:
            values += [statistics.median(values[1:])] * 2  # CPU and memory: no CPU variant
        print(f"{'  ' + label:<{width}}" + "".join(f"{v:>11.3f}" for v in values))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\n{counts}; peak RSS of this process {peak:.0f} MiB")


if __name__ == "__main__":
    main()

"""Benchmark: the load and the finite schedule on companies of `pegboard generate`.

    python benchmarks/schedule.py [--fractions 0.05,0.2,1] [--databases sqlite,postgresql]

Each bundle (``pegboard generate``: every make item with 1–4 operations over 10–200
work centers) is imported and planned once per database; then each measured command
runs as a process of its own: ``pegboard capacity load --csv`` (every open and planned
production order scheduled backward at infinite capacity, per work center and week)
and ``pegboard schedule --csv`` (every one of them placed forward at finite capacity,
stored, and the order lines projected from it). ``plan s`` is the plan without
``--finite`` (it does not schedule). Wall seconds, CPU seconds (user + system) and
peak resident memory per command.

``--planned-db FILE`` (SQLite) skips the import and the plan: each measured command
runs on a fresh copy of a company already imported and planned (the benchmark's own
``bench-schedule-<size>.db`` of an earlier run, or any planned ``pegboard generate``
company), so a full-size run does not wait for a full-size import and plan first.

Targets (issue 15, 2-core machine, full size): load <= 5 s, finite schedule <= 20 s,
peak <= 2 GB.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import sqlalchemy as sa
from _harness import DATA, PEGBOARD, bundle, postgres_url, print_table, run, scaled, sqlite_url


def _counts(url: str) -> dict[str, float]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        row = conn.execute(
            sa.text(
                "SELECT orders, operations, late_orders, late_lines, seconds "
                "FROM schedule_run ORDER BY id DESC LIMIT 1"
            )
        ).one()
        centers = conn.execute(sa.text("SELECT count(*) FROM work_center")).scalar_one()
    engine.dispose()
    return dict(row._mapping) | {"work_centers": centers}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--fractions", default="0.05,0.2")
    parser.add_argument("--databases", default="sqlite")
    parser.add_argument("--planned-db", type=Path, help="a planned SQLite company to copy")
    args = parser.parse_args()
    if args.planned_db is not None:
        print_table(TITLE, HEADER, [_measure(_copy(args.planned_db), "sqlite", "copy", None)])
        return
    wanted = args.databases.split(",")
    table = []
    for fraction in (float(f) for f in args.fractions.split(",")):
        source = bundle(scaled(fraction))
        databases = []
        if "sqlite" in wanted:
            databases.append(("sqlite", sqlite_url(f"schedule-{fraction}")))
        if "postgresql" in wanted and (pg := postgres_url()):
            databases.append(("postgresql", pg))
        for name, url in databases:
            env = {"PEGBOARD_DATABASE_URL": url}
            run([*PEGBOARD, "import", str(source)], env)
            planned = run([*PEGBOARD, "plan"], env)
            table.append(_measure(url, name, f"{fraction:g}", planned.seconds))
    print_table(TITLE, HEADER, table)


TITLE = "pegboard capacity load and pegboard schedule"
HEADER = [
    "size",
    "database",
    "work centers",
    "orders",
    "operations",
    "late orders",
    "plan s",
    "load s",
    "load CPU s",
    "load MiB",
    "schedule s",
    "in service s",
    "schedule CPU s",
    "schedule MiB",
]


def _copy(planned: Path) -> str:
    """A copy of ``planned`` to schedule (the schedule replaces its stored schedule and
    the plan lines' dates: the original stays as it was)."""
    target = DATA / "bench-schedule-copy.db"
    sqlite_url("schedule-copy")  # removes an earlier copy and its journal files
    shutil.copyfile(planned, target)
    url = f"sqlite:///{target}"
    run([*PEGBOARD, "db", "upgrade"], {"PEGBOARD_DATABASE_URL": url})
    return url


def _measure(url: str, name: str, size: str, plan_seconds: float | None) -> list[object]:
    env = {"PEGBOARD_DATABASE_URL": url}
    loaded = run([*PEGBOARD, "capacity", "load", "--csv"], env)
    scheduled = run([*PEGBOARD, "schedule", "--csv", "--limit", "20"], env)
    counts = _counts(url)
    return [
        size,
        name,
        int(counts["work_centers"]),
        int(counts["orders"]),
        int(counts["operations"]),
        int(counts["late_orders"]),
        "" if plan_seconds is None else plan_seconds,
        loaded.seconds,
        loaded.cpu,
        loaded.peak_mib,
        scheduled.seconds,
        float(counts["seconds"]),
        scheduled.cpu,
        scheduled.peak_mib,
    ]


if __name__ == "__main__":
    main()

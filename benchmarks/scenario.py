"""Benchmark: copying a whole company into a what-if scenario, and deleting the copy.

    python benchmarks/scenario.py [--fractions 1] [--databases sqlite,postgresql] [--runs 3]
                                  [--no-plan] [--compare] [--in-use]

A ``pegboard generate`` company (cached under benchmarks/data/) is imported and planned
once per database, so the copy holds what a planner copies: master data, orders, stock
and the current plan. Then ``pegboard scenario create`` and ``pegboard scenario delete``
each run ``--runs`` times as processes of their own: wall seconds (median, min, max),
the process's CPU seconds and peak memory, and the size of what was copied. With
``--compare``, ``pegboard scenario compare live COPY`` (lines, supply, the load of
both sides, the cost of up to 100 open orders) is timed once on the first copy, and
again with ``--no-load`` (what the web page does unless asked for the load). SQLite
copies with its online backup, PostgreSQL with ``CREATE DATABASE … TEMPLATE`` when nobody
else is connected; with ``--in-use`` a connection holds the live company open during
each copy (a running server), so PostgreSQL copies with ``pg_dump | psql``. The database
does the work, so the process's own CPU stays small.

Target (issue 17, 2-core machine): copying the full-size company takes <= 30 s on SQLite.
"""

from __future__ import annotations

import argparse
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from _harness import PEGBOARD, ROOT, bundle, median, print_table, run, scaled, sqlite_url

PG_DATABASE = "pegboard_bench_scenario"
"""A database of its own, so the other benchmarks' ``pegboard_bench`` is never dropped
while they run."""


def _postgres_url() -> str | None:
    """A fresh database on the throwaway cluster of scripts/pg (None: it cannot start)."""
    try:
        out = subprocess.run(
            [str(ROOT.parent / "scripts" / "pg"), "start"],
            capture_output=True,
            text=True,
            check=True,
        )
    except (subprocess.CalledProcessError, FileNotFoundError) as e:
        print(f"PostgreSQL not available, skipped: {e}")
        return None
    base = out.stdout.strip()
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        names = conn.execute(
            sa.text("SELECT datname FROM pg_database WHERE starts_with(datname, :p)"),
            {"p": PG_DATABASE},
        ).scalars()
        for name in list(names):
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f"CREATE DATABASE {PG_DATABASE}"))
    admin.dispose()
    return base.rsplit("/", 1)[0] + f"/{PG_DATABASE}"


def _size_mib(url: str) -> float:
    if url.startswith("sqlite"):
        path = Path(sa.make_url(url).database or "")
        return path.stat().st_size / 2**20
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        size = conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar_one()
    engine.dispose()
    return float(size) / 2**20


def _measure(name: str, url: str, runs: int, compare: bool, in_use: bool) -> list[object]:
    env = {"PEGBOARD_DATABASE_URL": url}
    copies, deletes = [], []
    compared = quick = None
    holder = sa.create_engine(url)
    for i in range(runs):
        with holder.connect() if in_use else _nothing() as held:
            if held is not None:
                held.execute(sa.text("SELECT 1"))
            copies.append(run([*PEGBOARD, "scenario", "create", f"bench-{i}"], env))
        if i == 0 and compare:  # everything is read on both sides, even when nothing differs
            args = ["scenario", "compare", "live", "bench-0", "--csv", "--part", "load"]
            compared = run([*PEGBOARD, *args], env)
            args = ["scenario", "compare", "live", "bench-0", "--csv", "--no-load"]
            quick = run([*PEGBOARD, *args], env)
        deletes.append(run([*PEGBOARD, "scenario", "delete", f"bench-{i}", "--yes"], env))
    holder.dispose()
    walls = [m.seconds for m in copies]
    return [
        name,
        _size_mib(url),
        median(walls),
        min(walls),
        max(walls),
        median([m.cpu for m in copies]),
        max(m.peak_mib for m in copies),
        median([m.seconds for m in deletes]),
        compared.seconds if compared else "-",
        compared.cpu if compared else "-",
        compared.peak_mib if compared else "-",
        quick.seconds if quick else "-",
        quick.cpu if quick else "-",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--fractions", default="1")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-plan", action="store_true", help="copy the company unplanned")
    parser.add_argument(
        "--compare", action="store_true", help="also time `scenario compare` of the first copy"
    )
    parser.add_argument(
        "--in-use", action="store_true", help="hold the live company open during each copy"
    )
    args = parser.parse_args()
    wanted = args.databases.split(",")
    table = []
    for fraction in (float(f) for f in args.fractions.split(",")):
        source = bundle(scaled(fraction))
        databases: list[tuple[str, str]] = []
        if "sqlite" in wanted:
            databases.append(("sqlite", sqlite_url(f"scenario-{fraction}")))
        if "postgresql" in wanted and (pg := _postgres_url()):
            databases.append(("postgresql", pg))
        for name, url in databases:
            env = {"PEGBOARD_DATABASE_URL": url}
            imported = run([*PEGBOARD, "import", str(source)], env)
            planned = None if args.no_plan else run([*PEGBOARD, "plan"], env)
            row = _measure(name, url, args.runs, args.compare, args.in_use)
            table.append(
                [
                    f"{fraction:g}",
                    *row[:1],
                    imported.seconds,
                    planned.seconds if planned else "-",
                    *row[1:],
                ]
            )
            print_table("so far", _HEADER, table)
    print_table("pegboard scenario create / delete (copy of the whole company)", _HEADER, table)


_HEADER = [
    "size",
    "database",
    "import s",
    "plan s",
    "company MiB",
    "copy s (median)",
    "copy min",
    "copy max",
    "copy CPU s",
    "copy MiB",
    "delete s",
    "compare s",
    "compare CPU s",
    "compare MiB",
    "no-load s",
    "no-load CPU s",
]


@contextmanager
def _nothing() -> Iterator[None]:
    yield None


if __name__ == "__main__":
    main()

"""Benchmark: import and export, on both shapes and both databases.

    python benchmarks/import_export.py [--shape reference|generate|both] [--fraction 1.0]
                                       [--databases sqlite,postgresql] [--runs 3]
                                       [--import-only] [--postgres-server URL]

Each run imports the bundle into an empty database, plans it (so that the export
writes the plan files too: planned_orders, pegging, exceptions, order_dates) and
exports it; the table shows medians of ``--runs``: wall seconds, the command's
user + system CPU seconds and its peak memory.

PostgreSQL runs on scripts/pg's throwaway cluster, or with ``--postgres-server`` on a
server you name (``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``): a scratch
database is created there for each run and dropped at the end.

Targets (issue 18, 2-core machine, full size, reference shape): import <= 30 s on
SQLite, <= 45 s on PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import shutil

import sqlalchemy as sa
from _harness import (
    DATA,
    PEGBOARD,
    Measured,
    count_rows,
    median,
    postgres_url,
    print_table,
    run,
    shape_bundle,
    shapes,
    sqlite_url,
)

SCRATCH = "pegboard_import_bench"


def _scratch(server: str, *, create: bool) -> str:
    """The scratch database on ``server`` (dropped, then created when ``create``)."""
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)"))
        if create:
            conn.execute(sa.text(f"CREATE DATABASE {SCRATCH}"))
    admin.dispose()
    return sa.make_url(server).set(database=SCRATCH).render_as_string(hide_password=False)


def _url(name: str, shape: str, server: str | None) -> str | None:
    if name == "sqlite":
        return sqlite_url(f"io-{shape}")
    return _scratch(server, create=True) if server else postgres_url()


TABLES = ("items", "bom", "stock", "purchase_orders", "production_orders", "sales_orders")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shape", default="both", choices=["reference", "generate", "both"])
    parser.add_argument("--fraction", type=float, default=1.0, help="share of the full size")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--postgres-server",
        help="a PostgreSQL server URL to make a scratch database on (default: scripts/pg)",
    )
    parser.add_argument(
        "--import-only",
        action="store_true",
        help="time the import alone (no plan, no export): the slow parts are not repeated",
    )
    args = parser.parse_args()
    wanted = args.databases.split(",")
    table = []
    for shape in shapes(args.shape):
        source = shape_bundle(shape, args.fraction)
        rows = sum(count_rows(source, n) for n in TABLES)
        print(
            f"{shape}: bundle {source.name}: {rows:,} rows "
            f"({count_rows(source, 'items'):,} items, {count_rows(source, 'bom'):,} BOM rows, "
            f"{count_rows(source, 'sales_orders'):,} order lines); {os.cpu_count()} cores"
        )
        for name in ("sqlite", "postgresql"):
            if name not in wanted:
                continue
            measured: dict[str, list[Measured]] = {"import": [], "export": []}
            for _ in range(args.runs):
                url = _url(name, shape, args.postgres_server)
                if url is None:
                    break
                env = {"PEGBOARD_DATABASE_URL": url}
                run([*PEGBOARD, "init"], env)
                measured["import"].append(run([*PEGBOARD, "import", str(source)], env))
                if args.import_only:
                    continue
                run([*PEGBOARD, "plan"], env)
                out = DATA / f"export-{shape}-{name}"
                shutil.rmtree(out, ignore_errors=True)
                measured["export"].append(run([*PEGBOARD, "export", str(out)], env))
            for phase, done in measured.items():
                if done:
                    table.append(
                        [
                            shape,
                            name,
                            phase,
                            rows,
                            median([m.seconds for m in done]),
                            median([m.cpu for m in done]),
                            median([m.peak_mib for m in done]),
                        ]
                    )
    if args.postgres_server and "postgresql" in wanted:
        _scratch(args.postgres_server, create=False)
    print_table(
        f"import / export (medians of {args.runs})",
        ["shape", "database", "phase", "rows", "seconds", "CPU s", "peak MiB"],
        table,
    )


if __name__ == "__main__":
    main()

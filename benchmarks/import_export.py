"""Benchmark: import and export of a large generated bundle on SQLite and PostgreSQL.

    python benchmarks/import_export.py [--fraction 1.0] [--no-postgres]

Targets (issue 2, 2-core machine, full size): import <= 60 s and export <= 30 s
on SQLite, peak memory <= 4 GiB.
"""

from __future__ import annotations

import argparse
import os
import shutil

from _harness import (
    DATA,
    PEGBOARD,
    bundle,
    count_rows,
    postgres_url,
    print_table,
    run,
    scaled,
    sqlite_url,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fraction", type=float, default=1.0, help="share of the full size")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    sizes = scaled(args.fraction)
    source = bundle(sizes)
    rows = sum(
        count_rows(source, n)
        for n in ("items", "bom", "stock", "purchase_orders", "production_orders", "sales_orders")
    )
    print(
        f"bundle {source.name}: {rows:,} rows ({count_rows(source, 'items'):,} items, "
        f"{count_rows(source, 'bom'):,} BOM rows, "
        f"{count_rows(source, 'sales_orders'):,} order lines); {os.cpu_count()} cores"
    )
    databases = [("sqlite", sqlite_url("io"))]
    if not args.no_postgres and (pg := postgres_url()):
        databases.append(("postgresql", pg))
    table = []
    for name, url in databases:
        env = {"PEGBOARD_DATABASE_URL": url}
        run([*PEGBOARD, "init"], env)
        imported = run([*PEGBOARD, "import", str(source)], env)
        out = DATA / f"export-{name}"
        shutil.rmtree(out, ignore_errors=True)
        exported = run([*PEGBOARD, "export", str(out)], env)
        table.append([name, "import", rows, imported.seconds, imported.peak_mib])
        table.append([name, "export", rows, exported.seconds, exported.peak_mib])
    print_table("import / export", ["database", "phase", "rows", "seconds", "peak MiB"], table)


if __name__ == "__main__":
    main()

"""Benchmark: `pegboard plan` end to end on generated bundles of growing size.

    python benchmarks/plan.py [--fractions 0.01,0.1,1] [--postgres]

Targets (issue 3, 2-core machine, full size): engine <= 3 s, plan end to end
<= 20 s on SQLite, peak memory <= 4 GiB, time no worse than linear in size.
"""

from __future__ import annotations

import argparse

import sqlalchemy as sa
from _harness import (
    PEGBOARD,
    bundle,
    count_rows,
    postgres_url,
    print_table,
    run,
    scaled,
    sqlite_url,
)


def _last_run(url: str) -> dict[str, float]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        row = conn.execute(
            sa.text(
                "SELECT items, demands, planned_orders, pegging_rows, exceptions, "
                "load_seconds, engine_seconds, store_seconds FROM plan_run ORDER BY id DESC LIMIT 1"
            )
        ).one()
    engine.dispose()
    return dict(row._mapping)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fractions", default="0.01,0.1,1")
    parser.add_argument("--postgres", action="store_true", help="also plan on PostgreSQL")
    args = parser.parse_args()
    table = []
    for fraction in (float(f) for f in args.fractions.split(",")):
        source = bundle(scaled(fraction))
        databases = [("sqlite", sqlite_url(f"plan-{fraction}"))]
        if args.postgres and (pg := postgres_url()):
            databases.append(("postgresql", pg))
        for name, url in databases:
            env = {"PEGBOARD_DATABASE_URL": url}
            run([*PEGBOARD, "import", str(source)], env)
            planned = run([*PEGBOARD, "plan"], env)
            stats = _last_run(url)
            table.append(
                [
                    f"{fraction:g}",
                    name,
                    int(stats["items"]),
                    count_rows(source, "bom"),
                    int(stats["demands"]),
                    int(stats["planned_orders"]),
                    int(stats["pegging_rows"]),
                    int(stats["exceptions"]),
                    float(stats["load_seconds"]),
                    float(stats["engine_seconds"]),
                    float(stats["store_seconds"]),
                    planned.seconds,
                    planned.peak_mib,
                ]
            )
    print_table(
        "pegboard plan",
        [
            "size",
            "database",
            "items",
            "BOM rows",
            "demands",
            "planned",
            "pegging",
            "exceptions",
            "load s",
            "engine s",
            "store s",
            "total s",
            "peak MiB",
        ],
        table,
    )


if __name__ == "__main__":
    main()

"""Benchmark: `pegboard plan` end to end, on both shapes and both databases.

    python benchmarks/plan.py [--shape reference|generate|both] [--fractions 0.2,1]
                              [--databases sqlite,postgresql] [--runs 3]

Each bundle is imported once per database, then planned ``--runs`` times (each a fresh
process, which replaces the previous plan as a planner's re-run does); the table shows
medians. ``load``, ``engine`` and ``store`` are the phases ``plan_run`` records (wall),
``total`` the whole command (wall), ``CPU`` its user + system seconds, ``peak`` its
maximum resident memory. Shapes: ``reference`` (``shared/bench/reference_bundle.py``,
about 22 planned orders per order line) and ``generate`` (``pegboard generate``).

Targets (issue 18, 2-core machine, full size, reference shape): plan <= 25 s on SQLite,
<= 35 s on PostgreSQL, peak <= 1.5 GB; generate shape: plan <= 8 s.
"""

from __future__ import annotations

import argparse

import sqlalchemy as sa
from _harness import (
    PEGBOARD,
    count_rows,
    median,
    postgres_url,
    print_table,
    run,
    shape_bundle,
    shapes,
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
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shape", default="both", choices=["reference", "generate", "both"])
    parser.add_argument("--fractions", default="1")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--runs", type=int, default=3, help="plan runs per bundle (medians)")
    args = parser.parse_args()
    wanted = args.databases.split(",")
    table = []
    for shape in shapes(args.shape):
        for fraction in (float(f) for f in args.fractions.split(",")):
            source = shape_bundle(shape, fraction)
            databases = []
            if "sqlite" in wanted:
                # the generate shape's database stays bench-plan-<fraction>.db, which
                # the other benchmarks (policy, promise, web pages) read
                tag = f"plan-{fraction}" if shape == "generate" else f"plan-{shape}-{fraction}"
                databases.append(("sqlite", sqlite_url(tag)))
            if "postgresql" in wanted and (pg := postgres_url()):
                databases.append(("postgresql", pg))
            for name, url in databases:
                env = {"PEGBOARD_DATABASE_URL": url}
                run([*PEGBOARD, "import", str(source)], env)
                runs = []
                for _ in range(args.runs):
                    planned = run([*PEGBOARD, "plan"], env)
                    runs.append((planned, _last_run(url)))
                stats = runs[-1][1]
                phases = {
                    key: median([float(r[1][key]) for r in runs])
                    for key in ("load_seconds", "engine_seconds", "store_seconds")
                }
                table.append(
                    [
                        shape,
                        f"{fraction:g}",
                        name,
                        int(stats["items"]),
                        count_rows(source, "bom"),
                        int(stats["demands"]),
                        int(stats["planned_orders"]),
                        int(stats["pegging_rows"]),
                        int(stats["exceptions"]),
                        phases["load_seconds"],
                        phases["engine_seconds"],
                        phases["store_seconds"],
                        median([r[0].seconds for r in runs]),
                        median([r[0].cpu for r in runs]),
                        median([r[0].peak_mib for r in runs]),
                    ]
                )
    print_table(
        f"pegboard plan (medians of {args.runs})",
        [
            "shape",
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
            "CPU s",
            "peak MiB",
        ],
        table,
    )


if __name__ == "__main__":
    main()

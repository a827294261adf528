"""Benchmark: order promising on the largest generated company.

    python benchmarks/promise.py [--db benchmarks/data/bench-plan-1.0.db] [--repeat 5]

Target (issue 8, 2-core machine): <= 200 ms per promise on the full-size bundle
(~285 000 items, 2.2 M pegging rows), planned. Run ``benchmarks/plan.py
--fractions 1`` first: it leaves that database behind. A copy is used (and
removed afterwards), so the benchmark never changes it. A database planned
before migration 0005 gets that migration's index (``ix_pegging_supply`` on
``(supply_ref, item_id)``) in the copy.

Items promised, several quantities each (1, 10, 250):

* deep made: order-specific items with the most BOM levels (and nodes);
* made, master BOM: made-to-stock items with the largest engineering BOMs;
* made of common parts: made items using the most-used components;
* common component: the most-used components themselves (most pegging rows);
* bought: bought items with free stock or open purchase lines.

Each promise is timed in process (service call: reads, configuration, search),
after one warm-up call per item; the median, 95th percentile and slowest per
kind are shown.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import time
from pathlib import Path

from _harness import DATA, print_table
from sqlalchemy import Engine, text

from pegboard import db
from pegboard.services import promise as promising

TARGET_MS = 200.0
QTYS = (1.0, 10.0, 250.0)

PICKS = {
    "deep made": """
        WITH RECURSIVE e(p, c) AS (
            SELECT b.item_id, l.component_id FROM bom_line l JOIN bom b ON b.id = l.bom_id
        ),
        tops(t) AS (SELECT DISTINCT item_id FROM sales_order_line),
        d(top, item, lvl) AS (
            SELECT t, t, 0 FROM tops
            UNION ALL SELECT d.top, e.c, d.lvl + 1 FROM d JOIN e ON e.p = d.item WHERE d.lvl < 30
        )
        SELECT i.code FROM d JOIN item i ON i.id = d.top
        GROUP BY d.top ORDER BY max(d.lvl) DESC, count(*) DESC, i.code LIMIT 6
    """,
    "made, master BOM": """
        SELECT i.code FROM bom b JOIN bom_line l ON l.bom_id = b.id JOIN item i ON i.id = b.item_id
        WHERE b.kind = 'engineering'
        GROUP BY i.code ORDER BY count(*) DESC, i.code LIMIT 4
    """,
    "made of common parts": """
        WITH used AS (
            SELECT component_id FROM bom_line GROUP BY component_id ORDER BY count(*) DESC LIMIT 3
        )
        SELECT DISTINCT i.code FROM bom_line l JOIN bom b ON b.id = l.bom_id
        JOIN item i ON i.id = b.item_id
        WHERE l.component_id IN (SELECT component_id FROM used) AND b.kind = 'engineering'
        ORDER BY i.code LIMIT 4
    """,
    "common component": """
        SELECT i.code FROM bom_line l JOIN item i ON i.id = l.component_id
        GROUP BY i.code ORDER BY count(*) DESC, i.code LIMIT 3
    """,
    "bought": """
        SELECT code FROM (
            SELECT i.code FROM stock_balance s JOIN item i ON i.id = s.item_id
            WHERE i.type = 'buy' AND s.sales_order_id IS NULL AND s.qty > 0
            GROUP BY i.code ORDER BY i.code LIMIT 2
        ) UNION SELECT code FROM (
            SELECT i.code FROM purchase_order_line p JOIN item i ON i.id = p.item_id
            WHERE p.sales_order_id IS NULL AND p.status IN ('open', 'in_transit')
            GROUP BY i.code ORDER BY i.code LIMIT 2
        )
    """,
}


def prepare(source: Path) -> Engine:
    copy = DATA / "bench-promise.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
    shutil.copy(source, copy)
    engine = db.make_engine(f"sqlite:///{copy}")
    with engine.begin() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        if version == "0004":  # planned before 0005: give the copy 0005's index
            conn.execute(text("DROP INDEX IF EXISTS ix_pegging_supply"))
            conn.execute(text("CREATE INDEX ix_pegging_supply ON pegging (supply_ref, item_id)"))
            conn.execute(text("UPDATE alembic_version SET version_num = '0005'"))
    return engine


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=str(DATA / "bench-plan-1.0.db"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    source = Path(args.db)
    if not source.exists():
        raise SystemExit(f"{source} is missing: run benchmarks/plan.py --fractions 1 first")
    engine = prepare(source)
    with engine.connect() as conn:
        picks = {kind: [str(r[0]) for r in conn.execute(text(sql))] for kind, sql in PICKS.items()}
    times: dict[str, list[float]] = {kind: [] for kind in picks}
    detail = []
    with db.session_factory(engine)() as session:
        for kind, items in picks.items():
            for code in items:
                for qty in QTYS:
                    promising.promise(session, code, qty)  # warm-up
                    session.rollback()
                    runs = []
                    for _ in range(args.repeat):
                        started = time.perf_counter()
                        result = promising.promise(session, code, qty)
                        runs.append((time.perf_counter() - started) * 1000)
                        session.rollback()  # end the read transaction, as a request would
                    times[kind].extend(runs)
                    detail.append(
                        [
                            kind,
                            code,
                            f"{qty:g}",
                            len(result.lines),
                            len(result.critical_path),
                            len(result.orders),
                            result.promised.isoformat(),
                            f"{statistics.median(runs):,.1f}",
                            f"{max(runs):,.1f}",
                        ]
                    )
    engine.dispose()
    for suffix in ("", "-wal", "-shm"):  # the copy is 600 MB at full size
        Path(f"{DATA / 'bench-promise.db'}{suffix}").unlink(missing_ok=True)
    print_table(
        f"Promises on {source.name}, per item and quantity (ms)",
        ["kind", "item", "qty", "nodes", "path", "orders", "promised", "median", "slowest"],
        detail,
    )
    rows = []
    everything = [t for ts in times.values() for t in ts]
    for kind, ts in [*times.items(), ("all", everything)]:
        if not ts:
            continue
        rows.append(
            [
                kind,
                len(ts),
                f"{statistics.median(ts):,.1f}",
                f"{p95(ts):,.1f}",
                f"{max(ts):,.1f}",
                "yes" if max(ts) <= TARGET_MS else "NO",
            ]
        )
    print_table(
        f"Promise latency on {source.name} in ms (target {TARGET_MS:g} per promise)",
        ["kind", "promises", "median", "p95", "slowest", "≤ target"],
        rows,
    )


if __name__ == "__main__":
    main()

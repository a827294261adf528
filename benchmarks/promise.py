"""Benchmark: order promising on the largest generated company.

    python benchmarks/promise.py [--db benchmarks/data/bench-plan-1.0.db] [--repeat 5]
                                 [--work-dir /tmp]

Target (issue 8, 2-core machine): <= 200 ms per promise on the full-size bundle
(~285 000 items, 2.2 M pegging rows), planned. Run ``benchmarks/plan.py
--fractions 1`` first: it leaves that database behind. A copy in ``--work-dir`` is
used (and removed afterwards), so the benchmark never changes it; the copy is
brought to the newest migration (a database planned before 0005 gets its index,
``ix_pegging_supply`` on ``(supply_ref, item_id)``).

With a finite schedule of the current plan stored in it (``pegboard schedule``,
``benchmarks/schedule.py``), each promise also places its production orders into
the schedule's free hours (issue 15, item 5): the ``capacity`` column says what set
the date (a full work center) or that capacity was counted and changed nothing
(``free hours``), ``not counted`` without a stored schedule, ``nothing made`` when the
promise makes nothing.

Items promised, several quantities each (1, 10, 250):

* deep made: order-specific items with the most BOM levels (and nodes);
* made, master BOM: made-to-stock items with the largest engineering BOMs;
* made of common parts: made items using the most-used components;
* common component: the most-used components themselves (most pegging rows);
* bought: bought items with free stock or open purchase lines.

Each promise is timed in process (service call: reads, configuration, search, the
free hours), after one warm-up call per item; the median, 95th percentile and slowest
per kind are shown, in wall time and in CPU time of the process (on a loaded machine
the CPU time is the figure to compare).
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


def prepare(source: Path, work_dir: Path) -> Engine:
    copy = work_dir / "bench-promise.db"
    _remove(copy)
    shutil.copy(source, copy)
    engine = db.make_engine(f"sqlite:///{copy}")
    with engine.begin() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        if version == "0004":  # planned before 0005: give the copy 0005's index
            conn.execute(text("DROP INDEX IF EXISTS ix_pegging_supply"))
            conn.execute(text("CREATE INDEX ix_pegging_supply ON pegging (supply_ref, item_id)"))
            conn.execute(text("UPDATE alembic_version SET version_num = '0005'"))
    db.upgrade(engine)
    return engine


def _remove(copy: Path) -> None:
    for suffix in ("", "-wal", "-shm"):  # the copy is 600 MB at full size
        Path(f"{copy}{suffix}").unlink(missing_ok=True)


def _capacity(result: promising.Promise) -> str:
    if result.capacity:
        return result.capacity
    if "Capacity not counted" in result.note:
        return "not counted"
    return "free hours" if "Capacity:" in result.note else "nothing made"


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=str(DATA / "bench-plan-1.0.db"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--work-dir", default="/tmp", help="where the copy is made")
    parser.add_argument("--per-kind", type=int, default=0, help="items per kind (0: all)")
    parser.add_argument("--qtys", default=",".join(f"{q:g}" for q in QTYS))
    args = parser.parse_args()
    qtys = [float(q) for q in args.qtys.split(",")]
    source = Path(args.db)
    if not source.exists():
        raise SystemExit(f"{source} is missing: run benchmarks/plan.py --fractions 1 first")
    engine = prepare(source, Path(args.work_dir))
    with engine.connect() as conn:
        picks = {kind: [str(r[0]) for r in conn.execute(text(sql))] for kind, sql in PICKS.items()}
        if args.per_kind:
            picks = {kind: codes[: args.per_kind] for kind, codes in picks.items()}
        stored = conn.execute(
            text("SELECT orders, operations FROM schedule_run ORDER BY id DESC LIMIT 1")
        ).first()
    times: dict[str, list[float]] = {kind: [] for kind in picks}
    cpu: dict[str, list[float]] = {kind: [] for kind in picks}
    detail = []
    with db.session_factory(engine)() as session:
        for kind, items in picks.items():
            for code in items:
                for qty in qtys:
                    promising.promise(session, code, qty)  # warm-up
                    session.rollback()
                    runs, cpus = [], []
                    for _ in range(args.repeat):
                        started, started_cpu = time.perf_counter(), time.process_time()
                        result = promising.promise(session, code, qty)
                        runs.append((time.perf_counter() - started) * 1000)
                        cpus.append((time.process_time() - started_cpu) * 1000)
                        session.rollback()  # end the read transaction, as a request would
                    times[kind].extend(runs)
                    cpu[kind].extend(cpus)
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
                            f"{statistics.median(cpus):,.1f}",
                            f"{max(runs):,.1f}",
                            _capacity(result),
                        ]
                    )
    engine.dispose()
    _remove(Path(args.work_dir) / "bench-promise.db")
    schedule = (
        f"stored schedule: {stored[0]:,} orders, {stored[1]:,} operations"
        if stored is not None
        else "no stored schedule: capacity not counted"
    )
    print_table(
        f"Promises on {source.name}, per item and quantity (ms; {schedule})",
        [
            "kind",
            "item",
            "qty",
            "nodes",
            "path",
            "orders",
            "promised",
            "median",
            "CPU median",
            "slowest",
            "capacity",
        ],
        detail,
    )
    rows = []
    everything = [t for ts in times.values() for t in ts]
    every_cpu = [t for ts in cpu.values() for t in ts]
    kinds = [*times.items(), ("all", everything)]
    for (kind, ts), cs in zip(kinds, [*cpu.values(), every_cpu], strict=True):
        if not ts:
            continue
        rows.append(
            [
                kind,
                len(ts),
                f"{statistics.median(ts):,.1f}",
                f"{p95(ts):,.1f}",
                f"{max(ts):,.1f}",
                f"{statistics.median(cs):,.1f}",
                f"{p95(cs):,.1f}",
                "yes" if max(ts) <= TARGET_MS else "NO",
            ]
        )
    print_table(
        f"Promise latency on {source.name} in ms (target {TARGET_MS:g} per promise)",
        ["kind", "promises", "median", "p95", "slowest", "CPU median", "CPU p95", "≤ target"],
        rows,
    )


if __name__ == "__main__":
    main()

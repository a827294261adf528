"""Benchmark: stock transactions per second under concurrent workers.

    python benchmarks/stock_moves.py [--workers 1,4,8] [--ops 300] [--postgres]
                                     [--fraction 0.1]

Each worker thread runs its own session and posts ledger transactions against
a few shared items (receipts and issues, as in the concurrency tests), then the
ledger is checked against the cached balances. With ``--fraction`` the database
first holds a generated company of that size, so indexes are as big as in use.
"""

from __future__ import annotations

import argparse
import random
import threading
import time
from datetime import date

from _harness import bundle, postgres_url, print_table, scaled, sqlite_url
from sqlalchemy import Engine

from pegboard import db
from pegboard.bundle.importer import read_bundle
from pegboard.errors import PegboardError
from pegboard.services import company_data, purchasing, stock
from pegboard.services.dataset import Dataset, ItemRow, StockRow

HOT_ITEMS = [f"HOT-{n}" for n in range(4)]


def _hot_items() -> list[ItemRow]:
    return [
        ItemRow(code, "benchmark item", "buy", "mts", "ea", 1, "lfl", None, None, 0, 0, 0, 1, "S")
        for code in HOT_ITEMS
    ]


def _prepare(engine: Engine, fraction: float | None) -> None:
    db.upgrade(engine)
    data = read_bundle(bundle(scaled(fraction))) if fraction else Dataset()
    data.items += _hot_items()
    data.stock += [StockRow(code, 50.0, "main", "") for code in HOT_ITEMS]
    with db.session_scope(engine) as s:
        company_data.replace_company(s, data, author="bench")


def _worker(
    engine: Engine, seed: int, ops: int, barrier: threading.Barrier, out: list[int]
) -> None:
    rng = random.Random(seed)
    factory = db.session_factory(engine)
    done = refused = 0
    barrier.wait()
    with factory() as s:
        for _ in range(ops):
            qty = rng.choice([1, 2, 3, -1, -2, -3, -4])
            try:
                stock.adjust_stock(
                    s, item=rng.choice(HOT_ITEMS), qty=qty, reason="bench", author=f"w{seed}"
                )
                done += 1
            except PegboardError:
                refused += 1
    out.extend([done, refused])


def _receive_po(engine: Engine) -> float:
    """Seconds for one 20-line purchase order: create, confirm, receive."""
    lines = [purchasing.NewLine(HOT_ITEMS[n % 4], 5, date(2030, 1, 1)) for n in range(20)]
    with db.session_scope(engine) as s:
        started = time.perf_counter()
        number = purchasing.create_purchase(s, supplier="S", lines=lines, author="bench")
        purchasing.confirm_purchase(s, number, author="bench")
        purchasing.receive_purchase(s, number, author="bench")
        return time.perf_counter() - started


def measure(url: str, label: str, workers: int, ops: int, fraction: float | None) -> list[str]:
    engine = db.make_engine(url)
    _prepare(engine, fraction)
    barrier = threading.Barrier(workers)
    results: list[list[int]] = [[] for _ in range(workers)]
    threads = [
        threading.Thread(target=_worker, args=(engine, k, ops, barrier, results[k]))
        for k in range(workers)
    ]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    done = sum(r[0] for r in results)
    refused = sum(r[1] for r in results)
    po_seconds = _receive_po(engine)
    with db.session_scope(engine) as s:
        ok = not stock.check_ledger(s)
    engine.dispose()
    return [
        label,
        str(workers),
        f"{done + refused:,}",
        f"{refused:,}",
        f"{seconds:.2f}",
        f"{(done + refused) / seconds:,.0f}",
        f"{po_seconds * 1000:.0f} ms",
        "yes" if ok else "NO",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", default="1,4,8")
    parser.add_argument("--ops", type=int, default=300, help="transactions per worker")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--fraction", type=float, default=None)
    args = parser.parse_args()
    rows = []
    for workers in (int(w) for w in args.workers.split(",")):
        rows.append(measure(sqlite_url("stock"), "sqlite", workers, args.ops, args.fraction))
        pg = postgres_url() if args.postgres else None
        if pg is not None:
            rows.append(measure(pg, "postgresql", workers, args.ops, args.fraction))
    print_table(
        "Stock transactions (adjust +/-), concurrent workers; then one 20-line PO received",
        [
            "db",
            "workers",
            "transactions",
            "refused",
            "seconds",
            "tx/s",
            "20-line receipt",
            "ledger = balances",
        ],
        rows,
    )


if __name__ == "__main__":
    main()

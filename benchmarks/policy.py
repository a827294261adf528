"""Time ``pegboard policy`` on the full-size benchmark company: a stored policy run
(``services.policy.runs.run_policy``: snapshot load, vectorised compute, store) and the
server time of the policy pages and API list on its result.

Runs on a copy of ``data/bench-plan-1.0.db`` (left untouched) and prints two tables.
Pages are timed in process with a signed-in ``TestClient`` (like ``web_pages.py``).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from rich.console import Console
from rich.table import Table

from pegboard import db
from pegboard.api import create_app
from pegboard.services import users
from pegboard.services.policy import runs as policy_runs
from pegboard.services.policy import stored as policy_stored

DATA = Path(__file__).resolve().parent / "data"
TARGET_MS = 300.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=str(DATA / "bench-plan-1.0.db"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    console = Console()
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "bench.db"
        shutil.copy(args.db, copy)
        engine = db.make_engine(f"sqlite:///{copy}")
        db.upgrade(engine)
        with db.session_factory(engine)() as s:
            started = time.perf_counter()
            summary = policy_runs.run_policy(s, author="bench")
            total = time.perf_counter() - started
            users.create_user(s, name="bench", password="bench-password", role="admin", author="b")
            first = policy_stored.policy_page(s, below_only=True, limit=1).rows
            item = first[0].item if first else policy_stored.policy_page(s, limit=1).rows[0].item
        run = Table(title="pegboard policy run (full-size company)", title_justify="left")
        for name in ("MTS items", "to order", "load (s)", "compute (s)", "store (s)", "total (s)"):
            run.add_column(name, justify="right")
        run.add_row(
            f"{summary.items:,}",
            f"{summary.below:,}",
            f"{summary.load_seconds:.2f}",
            f"{summary.compute_seconds:.2f}",
            f"{summary.store_seconds:.2f}",
            f"{total:.2f}",
        )
        console.print(run)
        pages = [
            ("policy page 1", "/policy"),
            ("below only", "/policy?below=1"),
            ("page 100", "/policy?offset=4950"),
            ("search", "/policy?q=00"),
            ("sorted by ADU", "/policy?sort=-adu"),
            ("one item", f"/policy/{item}"),
            ("API list", "/api/policy?limit=50"),
            ("API one item", f"/api/policy/{item}"),
        ]
        table = Table(
            title=f"Policy pages: server time in ms (target {TARGET_MS:g})", title_justify="left"
        )
        for name in ("page", "url", "status", "median", "slowest", "≤ target"):
            table.add_column(name, justify="left" if name in ("page", "url") else "right")
        with TestClient(create_app(engine)) as client:
            login = client.post("/login", data={"name": "bench", "password": "bench-password"})
            assert login.status_code in (200, 303), login.text[:200]
            api_login = client.post(
                "/api/auth/login", json={"name": "bench", "password": "bench-password"}
            )
            assert api_login.status_code == 200, api_login.text[:200]
            for label, url in pages:
                client.get(url)  # warm-up
                times = []
                status = 0
                for _ in range(args.repeat):
                    t = time.perf_counter()
                    response = client.get(url)
                    times.append((time.perf_counter() - t) * 1000)
                    status = response.status_code
                median = statistics.median(times)
                table.add_row(
                    label,
                    url[:50],
                    str(status),
                    f"{median:,.0f}",
                    f"{max(times):,.0f}",
                    "yes" if median <= TARGET_MS else "NO",
                )
        engine.dispose()
    console.print(table)


if __name__ == "__main__":
    main()

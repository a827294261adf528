"""Benchmark: the API under load from concurrent clients on loopback.

    python benchmarks/api_load.py [--clients 16] [--seconds 60] [--workers 2] [--sqlite]
    python benchmarks/api_load.py --hammer [--clients 4] [--seconds 30] [--workers 2] [--repeats 3]

Starts `pegboard serve` (PostgreSQL from scripts/pg by default, with several
worker processes) on the sample lighting company, then N client threads drive
a realistic mix for the given time: reads (orders, items, reports, stock,
planned orders), configuring new sales orders, stock adjustments, and plan
runs. Expected refusals (stock not there, a plan already running) are counted
apart from errors; an error is a 5xx, a failed connection, or any other
unexpected status. At the end the ledger must agree with every balance and
the stock of the hot items must equal the opening stock plus the adjustments
that went through.

``--hammer`` asks whether one client can slow everyone else down (issue #20, item 1):
the N clients only read, first alone, then while one more client sends
``POST /api/promise`` back to back for the heaviest configurable product the
formula limits allow (``_worst_template``: each line with a quantity formula and a
condition of as many parts as a formula may have, as many lines as one
configuration's formula budget allows). It prints the readers' p50/p99 in both
phases and the machine's load average; the bar is a p99 within 20 %. The server
computes promises in its worker processes (``PEGBOARD_PROMISE_WORKERS``, passed
through from the environment: 0 measures promising in the serving process).
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import httpx2 as httpx
from _harness import postgres_url, print_table, sqlite_url

from pegboard import db
from pegboard.bundle.importer import read_bundle
from pegboard.demo import demo_path
from pegboard.services import company_data, planning, templates, users
from pegboard.services.configurator import MAX_FORMULA_PARTS
from pegboard.services.dataset import ItemRow
from pegboard.services.formula import Formula, FormulaError

HOT_ITEMS = ["CAP-7040-W", "BRK-MNT-7040", "LBL-CE-RATING", "PKG-CTN-2500"]
READS = [
    "/api/sales-orders?limit=20&sort=-number",
    "/api/items?q=LED&limit=20",
    "/api/reports/late",
    "/api/plan/planned-orders?limit=50",
    "/api/plan/exceptions?limit=50",
    "/api/production-orders?limit=50",
    "/api/purchase-orders?limit=50",
    "/api/sales-orders/SO-1005",
    "/api/stock/CAP-7040-W",
]


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    refused: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    errors: list[str] = field(default_factory=list)
    adjusted: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def timed(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


WORST = "BENCH-WORST"
TEMPLATE_LINES = 1000
"""The most lines a template may have (``POST /api/templates``)."""


def _largest_formula(term: str, join: str, wrap: str) -> str:
    """``wrap`` around as many ``term``s joined by ``join`` as one formula may hold."""
    parts = [term]
    while True:
        try:
            Formula.parse(wrap.format(join.join([*parts, term])))
        except FormulaError:
            return wrap.format(join.join(parts))
        parts.append(term)


def _worst_template() -> tuple[dict[str, object], list[ItemRow]]:
    """The heaviest template the limits allow, and the bought items its lines use: every
    line has its own component, a quantity formula and a condition each as long as a
    formula may be, of powers with fractional exponents (the dearest operation), within
    the bounds the save-time worst case accepts, and as many lines as fit in one
    configuration's formula budget (``MAX_FORMULA_PARTS``) and in a template."""
    lines = []
    parts: list[ItemRow] = []
    used = 0
    for n in range(TEMPLATE_LINES):
        k = f"{1 + n / 1000:g}"  # a different formula on each line: no cache helps
        qty = _largest_formula(f"max(x,{k})**1.5", "+", "ceil({})")
        condition = _largest_formula(f"max(x,{k})**0.5", "+", "{}>=0")
        used += Formula.parse(qty).parts + Formula.parse(condition).parts
        if used > MAX_FORMULA_PARTS:
            break
        code = f"BENCH-P{n:04d}"
        parts.append(
            ItemRow(code, "", "buy", "mts", "ea", 5, "lfl", None, None, 0, 0, 0, 1.0, "bench")
        )
        lines.append({"component": code, "qty": qty, "condition": condition})
    template = {
        "item": WORST,
        "parameters": [{"name": "x", "kind": "number", "min": 0, "max": 100, "default": "50"}],
        "lines": lines,
    }
    return template, parts


def _prepare(url: str, hammer: bool = False) -> dict[str, str]:
    """Load the sample company (with the worst template for ``hammer``), plan it, and
    make a token per role."""
    engine = db.make_engine(url)
    db.upgrade(engine)
    factory = db.session_factory(engine)
    data = read_bundle(demo_path("lighting"))
    template, parts = _worst_template()
    if hammer:
        worst = ItemRow(WORST, "", "make", "mto", "ea", 2, "lfl", None, None, 0, 0, 0, 1.0, "")
        data.items = [*data.items, worst, *parts]
    with factory() as s:
        company_data.replace_company(s, data, author="bench")
    if hammer:
        with factory() as s:
            templates.define_template(s, template, author="bench")
    with factory() as s:
        planning.run_plan(s, author="bench")
    tokens = {}
    with factory() as s:
        for role in ("planner", "buyer", "shopfloor", "viewer"):
            users.create_user(
                s, name=f"bench-{role}", password="bench-password", role=role, author="bench"
            )
            _, tokens[role] = users.create_token(
                s, user=f"bench-{role}", name="bench", author="bench"
            )
    engine.dispose()
    return tokens


def _start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PEGBOARD_DATABASE_URL": url}
    log = (Path(__file__).resolve().parent / "data" / "api_load-server.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "pegboard", "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 240  # a loaded machine imports slowly
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("the server did not start")


def _call(
    client: httpx.Client,
    tally: Tally,
    kind: str,
    method: str,
    path: str,
    expected: tuple[int, ...],
    refusals: tuple[int, ...] = (),
    **kwargs: object,
) -> httpx.Response | None:
    started = time.perf_counter()
    try:
        response = client.request(method, path, **kwargs)  # type: ignore[arg-type]
    except httpx.HTTPError as error:
        with tally.lock:
            tally.errors.append(f"{kind} {method} {path}: {error!r}")
        return None
    tally.timed(kind, time.perf_counter() - started)
    if response.status_code in refusals:
        with tally.lock:
            tally.refused[kind] += 1
    elif response.status_code not in expected:
        with tally.lock:
            tally.errors.append(
                f"{kind} {method} {path}: {response.status_code} {response.text[:200]}"
            )
        return None
    return response


def _configure(client: httpx.Client, tally: Tally, rng: random.Random) -> None:
    made = _call(
        client,
        tally,
        "configure",
        "POST",
        "/api/sales-orders",
        (201,),
        json={"customer": "Hartwell Construction", "project": "Riverside Tower lobby"},
    )
    if made is None:
        return
    number = made.json()["number"]
    due = (date(2026, 11, 23) + timedelta(days=rng.randint(40, 90))).isoformat()
    line = _call(
        client,
        tally,
        "configure",
        "POST",
        f"/api/sales-orders/{number}/lines",
        (201,),
        json={"item": "LR-7040", "qty": rng.randint(1, 6), "due": due},
    )
    if line is None:
        return
    params = {
        "length_m": f"{rng.uniform(2, 20):.2f}",
        "finish": rng.choice(["black", "white"]),
        "control": "dali",
        "emergency": rng.choice(["yes", "no"]),
    }
    _call(
        client,
        tally,
        "configure",
        "POST",
        f"/api/sales-orders/{number}/lines/1/configure",
        (200, 201),
        json={"params": params},
    )
    _call(
        client,
        tally,
        "configure",
        "POST",
        f"/api/sales-orders/{number}/status",
        (200,),
        json={"status": "confirmed"},
    )


def _adjust(client: httpx.Client, tally: Tally, rng: random.Random) -> None:
    item = rng.choice(HOT_ITEMS)
    qty = rng.choice([1, 2, 3, -1, -2, -3, -5])
    response = _call(
        client,
        tally,
        "stock move",
        "POST",
        "/api/stock/adjust",
        (200, 201),
        (409,),
        json={"item": item, "qty": qty, "reason": "load test"},
    )
    if response is not None and response.status_code in (200, 201):
        with tally.lock:
            tally.adjusted[item] += qty


def _client(base: str, tokens: dict[str, str], seed: int, until: float, tally: Tally) -> None:
    rng = random.Random(seed)
    clients = {
        role: httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120)
        for role, token in tokens.items()
    }
    try:
        while time.monotonic() < until:
            roll = rng.random()
            if roll < 0.62:
                _call(clients["viewer"], tally, "read", "GET", rng.choice(READS), (200,))
            elif roll < 0.77:
                _configure(clients["planner"], tally, rng)
            elif roll < 0.98:
                _adjust(clients[rng.choice(["buyer", "shopfloor"])], tally, rng)
            else:
                _call(
                    clients["planner"],
                    tally,
                    "plan run",
                    "POST",
                    "/api/plan/runs",
                    (202,),
                    (409,),
                    json={},
                )
    finally:
        for c in clients.values():
            c.close()


def _reader(base: str, token: str, seed: int, until: float, tally: Tally) -> None:
    rng = random.Random(seed)
    with httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120
    ) as c:
        while time.monotonic() < until:
            _call(c, tally, "read", "GET", rng.choice(READS), (200,))


def _hammer(base: str, token: str, until: float, tally: Tally) -> None:
    body = {"item": WORST, "qty": 1, "params": {"x": 99.5}}
    with httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=600
    ) as c:
        while time.monotonic() < until:
            _call(
                c,
                tally,
                "promise (worst)",
                "POST",
                "/api/promise",
                (200,),
                (422, 429),  # past the time limit, or every worker busy: refusals by design
                json=body,
            )


def _hammer_phase(
    base: str, tokens: dict[str, str], clients: int, seconds: float, hammering: bool
) -> tuple[Tally, float]:
    """One phase: the readers, alone or beside one client hammering the worst promise."""
    tally = Tally()
    started = time.monotonic()
    until = started + seconds
    threads = [
        threading.Thread(target=_reader, args=(base, tokens["viewer"], k, until, tally))
        for k in range(clients)
    ]
    if hammering:
        threads.append(
            threading.Thread(target=_hammer, args=(base, tokens["viewer"], until, tally))
        )
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 600)
    return tally, time.monotonic() - started


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def _hammer_phases(
    base: str, tokens: dict[str, str], clients: int, seconds: float, repeats: int, lines: int
) -> None:
    """The readers' latencies alone, then with one client hammering the worst promise,
    ``repeats`` times interleaved (the machine's load changes: the change reported is
    that of the medians of the phases' p99s)."""
    rows = []
    errors: list[str] = []
    p99s: dict[bool, list[float]] = {False: [], True: []}
    for round_ in range(1, repeats + 1):
        for hammering in (False, True):
            tally, elapsed = _hammer_phase(base, tokens, clients, seconds, hammering)
            load = os.getloadavg()[0]
            phase = "with the hammer" if hammering else "alone"
            reads = tally.latencies["read"]
            rows.append([*_row(f"{round_}: reads, {phase}", reads, elapsed, 0), f"{load:.1f}"])
            p99s[hammering].append(_p99(reads))
            if hammering:
                worst = tally.latencies["promise (worst)"]
                rows.append([*_row(f"{round_}: promise (worst)", worst, elapsed, 0), ""])
            errors += tally.errors
    alone, hammered = statistics.median(p99s[False]), statistics.median(p99s[True])
    change = (hammered / alone - 1) * 100
    workers = os.environ.get("PEGBOARD_PROMISE_WORKERS", "2 (default)")
    print_table(
        f"One client hammering POST /api/promise on {WORST} ({lines} lines, formulas at the "
        f"size limit) beside {clients} readers, {seconds:g} s a phase, {repeats} round(s); "
        f"promise workers: {workers}; readers' median p99 alone {alone * 1000:,.1f} ms, with "
        f"the hammer {hammered * 1000:,.1f} ms: {change:+.0f} % (bar: within 20 %); "
        f"errors: {len(errors)}",
        ["kind", "requests", "req/s", "p50 ms", "p99 ms", "refused (expected)", "load 1 min"],
        rows,
    )
    for error in errors[:20]:
        print(error)


def _check(base: str, token: str, opening: dict[str, float], tally: Tally) -> str:
    with httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120
    ) as c:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            running = [
                j
                for j in c.get("/api/jobs?limit=20").json()
                if j["status"] in ("queued", "running")
            ]
            if not running:
                break
            time.sleep(0.5)
        check = c.get("/api/stock-check")
        ledger_ok = check.status_code == 200 and check.json()["ok"]
        stock_ok = all(
            abs(
                c.get(f"/api/stock/{item}").json()["on_hand"]
                - (opening[item] + tally.adjusted[item])
            )
            < 1e-6
            for item in HOT_ITEMS
        )
    return "yes" if ledger_ok and stock_ok else f"NO (ledger {ledger_ok}, stock {stock_ok})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sqlite", action="store_true", help="SQLite, one server process")
    parser.add_argument(
        "--hammer", action="store_true", help="readers alone, then beside a promise hammer"
    )
    parser.add_argument(
        "--repeats", type=int, default=1, help="--hammer: rounds of both phases, interleaved"
    )
    args = parser.parse_args()
    url = sqlite_url("api-load") if args.sqlite else postgres_url()
    if url is None:
        raise SystemExit("PostgreSQL is not available (scripts/pg start)")
    tokens = _prepare(url, hammer=args.hammer)
    port = _free_port()
    server = _start_server(url, port, 1 if args.sqlite else args.workers)
    base = f"http://127.0.0.1:{port}"
    if args.hammer:
        try:
            lines = len(_worst_template()[1])
            _hammer_phases(base, tokens, args.clients, args.seconds, args.repeats, lines)
        finally:
            server.terminate()
            server.wait(30)
        return
    try:
        with httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {tokens['viewer']}"}
        ) as c:
            opening = {item: c.get(f"/api/stock/{item}").json()["on_hand"] for item in HOT_ITEMS}
        tally = Tally()
        started = time.monotonic()
        until = started + args.seconds
        threads = [
            threading.Thread(target=_client, args=(base, tokens, k, until, tally))
            for k in range(args.clients)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(args.seconds + 180)
        elapsed = time.monotonic() - started
        consistent = _check(base, tokens["viewer"], opening, tally)
    finally:
        server.terminate()
        server.wait(30)
    rows = []
    every: list[float] = []
    for kind, values in sorted(tally.latencies.items()):
        every += values
        rows.append(_row(kind, values, elapsed, tally.refused[kind]))
    rows.append(_row("all", every, elapsed, sum(tally.refused.values())))
    db_name = "SQLite" if args.sqlite else f"PostgreSQL, {args.workers} server processes"
    print_table(
        f"API load: {args.clients} clients for {args.seconds:g} s on loopback ({db_name}); "
        f"errors: {len(tally.errors)}; stock consistent: {consistent}",
        ["kind", "requests", "req/s", "p50 ms", "p99 ms", "refused (expected)"],
        rows,
    )
    for error in tally.errors[:20]:
        print(error)
    if tally.errors or not consistent.startswith("yes"):
        raise SystemExit(1)


def _row(kind: str, values: list[float], elapsed: float, refused: int) -> list[object]:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else 0.0
    return [
        kind,
        len(values),
        f"{len(values) / elapsed:,.1f}",
        f"{statistics.median(values) * 1000:,.1f}" if values else "",
        f"{p99 * 1000:,.1f}",
        refused,
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()

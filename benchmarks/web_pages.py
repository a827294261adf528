"""Benchmark: server time of the web pages on the largest generated company.

    python benchmarks/web_pages.py [--db benchmarks/data/bench-plan-1.0.db] [--repeat 5]

Every page a planner uses is timed: the lists and records, the plan's pages, the
board and its checks, and the master-data editors (items, BOM editor, templates,
customers, suppliers, locations, work centers, routings), capacity, the master
schedule, policy, scenarios and the cost tabs (``master_data``). A page that needs a
record the company has none of (a template, a routing) is left out. Run it on both
full-size shapes: ``--db benchmarks/data/bench-web.db`` (``pegboard generate``) and
``--db benchmarks/data/bench-plan-reference-1.0.db`` (the reference shape), each with
``--copy /tmp/...`` so that two runs never share a copy.

Target (issue 7, 2-core machine): every page <= 300 ms of server time on the
full-size bundle (~285 000 items, 75 000 order lines), planned. Run
``benchmarks/plan.py --fractions 1`` first: it leaves that database behind. A
copy is used, so the benchmark never changes it. Pages are requested in
process (no network), signed in as an admin; each is fetched once to warm up,
then ``--repeat`` times, and the median and the slowest are shown, with the median CPU
time of the process (the server's work; on a loaded machine wall time means little).
"""

from __future__ import annotations

import argparse
import contextlib
import re
import shutil
import statistics
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

from _harness import DATA, print_table
from fastapi.testclient import TestClient
from sqlalchemy import text

from pegboard import db
from pegboard.api import create_app
from pegboard.errors import ConflictError
from pegboard.services import users

TARGET_MS = 300.0


def _refs(engine: object) -> dict[str, str]:
    """Real numbers to open: a late order, a PO, an MO, a much-used component."""
    queries = {
        "late": (
            "SELECT demand_ref FROM plan_line WHERE late_days > 0 ORDER BY late_days DESC LIMIT 1"
        ),
        "order": "SELECT number FROM sales_order ORDER BY number DESC LIMIT 1",
        "po": "SELECT number FROM purchase_order ORDER BY id LIMIT 1",
        "mo": "SELECT number FROM production_order ORDER BY id LIMIT 1",
        "planned_mo": (
            "SELECT number FROM production_order WHERE status = 'planned' ORDER BY number LIMIT 1"
        ),
        "planned_due": (
            "SELECT due_date FROM production_order WHERE status = 'planned' ORDER BY number LIMIT 1"
        ),
        "component": (
            "SELECT i.code FROM bom_line b JOIN item i ON i.id = b.component_id "
            "GROUP BY i.code ORDER BY count(*) DESC LIMIT 1"
        ),
        "made": "SELECT code FROM item WHERE type = 'make' ORDER BY code LIMIT 1",
        "assembly": (
            "SELECT i.code FROM bom b JOIN bom_line l ON l.bom_id = b.id "
            "JOIN item i ON i.id = b.item_id WHERE b.kind = 'engineering' "
            "GROUP BY i.code ORDER BY count(*) DESC LIMIT 1"
        ),
        "customer": "SELECT code FROM customer ORDER BY code LIMIT 1",
        "project": (
            "SELECT c.code || '/' || p.code FROM project p "
            "JOIN customer c ON c.id = p.customer_id ORDER BY p.id LIMIT 1"
        ),
        "template": (
            "SELECT i.code FROM bom_parameter p JOIN bom b ON b.id = p.bom_id "
            "JOIN item i ON i.id = b.item_id ORDER BY i.code LIMIT 1"
        ),
        "supplier": (
            "SELECT supplier FROM item WHERE supplier <> '' "
            "GROUP BY supplier ORDER BY count(*) DESC, supplier LIMIT 1"
        ),
        "location": "SELECT code FROM location ORDER BY code LIMIT 1",
        "work_center": (
            "SELECT w.code FROM routing_operation o JOIN work_center w ON w.id = o.work_center_id "
            "GROUP BY w.code ORDER BY count(*) DESC LIMIT 1"
        ),
        "routed": (
            "SELECT i.code FROM routing r JOIN item i ON i.id = r.item_id "
            "WHERE r.bom_id IS NULL ORDER BY i.code LIMIT 1"
        ),
        "mps_item": "SELECT code FROM item WHERE mps ORDER BY code LIMIT 1",
        "routed_mo": (  # number|sequence|due of a planned order's first operation
            "SELECT p.number || '|' || o.sequence || '|' || p.due_date FROM production_order p "
            "JOIN routing r ON r.item_id = p.item_id JOIN routing_operation o "
            "ON o.routing_id = r.id WHERE p.status = 'planned' AND r.bom_id IS NULL "
            "ORDER BY p.number, o.sequence LIMIT 1"
        ),
    }
    out = {}
    with engine.connect() as conn:  # type: ignore[attr-defined]
        for name, sql in queries.items():
            found = conn.execute(text(sql)).scalar()
            if found is not None:  # a company with no planned production order has no board
                out[name] = str(found)
    out["late"] = out["late"].split("/")[0]
    return out


def _week_later(day: str) -> str:
    return (date.fromisoformat(day[:10]) + timedelta(days=7)).isoformat()


def _board(r: dict[str, str]) -> list[tuple[str, str]]:
    """The board's pages of the first planned production order (none without one)."""
    if "planned_mo" not in r:
        return []
    return [
        ("board: an order and its operations", f"/board/move/{r['planned_mo']}"),
        (
            "board: an order's check, a week later",
            f"/board/move/{r['planned_mo']}?finish={_week_later(r['planned_due'])}",
        ),
    ]


def _operation_check(r: dict[str, str]) -> list[tuple[str, str]]:
    """The board's check of moving a planned order's first operation a week later."""
    if "routed_mo" not in r:
        return []
    number, sequence, due = r["routed_mo"].split("|")
    return [
        (
            "board: an operation's check, a week later",
            f"/board/move/{number}/operation?sequence={sequence}&start={_week_later(due)}",
        )
    ]


def _when(r: dict[str, str], key: str, pages: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Pages that need a record the company may not have (a template, a routing...)."""
    return pages if key in r else []


def master_data(r: dict[str, str]) -> list[tuple[str, str]]:
    """The master-data editors (issue #19 item 1) and the other pages a planner uses."""
    customer, _, project = r.get("project", "").partition("/")
    return [
        ("new item form", "/item/new"),
        ("item form (much used component)", f"/items/{r['component']}/edit"),
        ("item lookup (type-ahead)", f"/lookup/items?item={r['component'][:3]}"),
        ("templates", "/templates"),
        ("templates: search", "/templates?q=a"),
        ("new template form", "/templates/new"),
        *_when(r, "template", [("template editor", f"/templates/{r.get('template')}")]),
        ("new customer form", "/customer/new"),
        ("customers: search", f"/customers?q={r['customer'][:4]}"),
        ("suppliers", "/suppliers"),
        *_when(r, "supplier", [("supplier (most items)", f"/suppliers/{r.get('supplier')}")]),
        ("locations", "/admin/locations"),
        *_when(r, "location", [("location form", f"/admin/locations/{r.get('location')}")]),
        ("work centers", "/work-centers"),
        ("new work center form", "/work-centers/new"),
        *_when(
            r,
            "work_center",
            [
                ("work center form (most used)", f"/work-centers/{r.get('work_center')}"),
                ("capacity: work center's Gantt", f"/capacity/{r.get('work_center')}"),
            ],
        ),
        ("routings", "/routings"),
        ("routings: search", "/routings?q=a"),
        *_when(r, "routed", [("routing editor", f"/routings/{r.get('routed')}")]),
        ("capacity", "/capacity"),
        ("calendar", "/calendar"),
        ("mps", "/mps"),
        *_when(r, "mps_item", [("mps: an item", f"/mps/{r.get('mps_item')}")]),
        ("mps: the much-used component", f"/mps/{r['component']}"),
        ("policy", "/policy"),
        ("policy: below", "/policy?below=yes"),
        ("policy: the much-used component", f"/policy/{r['component']}"),
        ("scenarios", "/scenarios"),
        ("cost tab: the late order", f"/orders/{r['late']}/cost"),
        ("cost tab: the last order", f"/orders/{r['order']}/cost"),
        *_when(
            r,
            "project",
            [("cost tab: a project", f"/customers/{customer}/projects/{project}/cost")],
        ),
        ("firmed planned orders", "/plan/firmed"),
        ("pegging explorer", "/pegging"),
        ("pegging: purchase order up", f"/pegging/purchase-orders/{r['po']}"),
        ("admin", "/admin"),
        ("admin: bundle", "/admin/bundle"),
        ("admin: tokens", "/admin/tokens"),
    ]


def pages(r: dict[str, str]) -> list[tuple[str, str]]:
    owner = r["project"].split("/", 1)[0] if r.get("project") else r["customer"]
    typed = r["customer"][:2]
    return [
        ("dashboard", "/"),
        ("orders", "/orders"),
        ("orders: search", f"/orders?q={r['order'][:6]}"),
        ("orders: filter + sort", "/orders?status=confirmed&sort=-due"),
        ("orders: customer", f"/orders?customer={r['customer']}"),
        ("orders: last page", "/orders?offset=49950"),
        ("order", f"/orders/{r['late']}"),
        ("new sales order form", "/orders/new"),
        ("customer lookup (type-ahead)", "/lookup/customers?" + urlencode({"c": typed})),
        ("project lookup (type-ahead)", "/lookup/projects?" + urlencode({"customer": owner})),
        ("plan", "/plan"),
        ("planned orders", "/plan/planned-orders"),
        ("planned orders: make, page 100", "/plan/planned-orders?type=make&offset=5000"),
        ("exceptions", "/plan/exceptions"),
        ("exceptions: shortages", "/plan/exceptions?kind=shortage&offset=20000"),
        ("exceptions: a sales order's", f"/plan/exceptions?sales_order={r['late']}"),
        (
            "exceptions: a sales order's shortages",
            f"/plan/exceptions?kind=shortage&sales_order={r['late']}",
        ),
        ("purchasing", "/purchasing"),
        ("purchase order", f"/purchasing/{r['po']}"),
        ("production", "/production"),
        (
            "production: all, chart zoomed to days, page 2",
            "/production?show=all&zoom=days&offset=60",
        ),
        ("production order", f"/production/{r['mo']}"),
        *_board(r),
        *_operation_check(r),
        ("item (much used; its chart inline)", f"/items/{r['component']}"),
        ("item (made)", f"/items/{r['made']}"),
        ("item and its BOM editor (the biggest BOM tree)", f"/items/{r['assembly']}"),
        ("item form", f"/items/{r['made']}/edit"),
        ("items", "/items"),
        ("items: search", f"/items?q={r['component'][:4]}"),
        ("items: make, mto, by lead time", "/items?type=make&strategy=mto&sort=-lead_time_days"),
        ("items: below their policy", "/items?below=yes"),
        ("items: last page", "/items?page=5700"),
        ("items: search, page 2", "/items?q=a&page=2"),
        ("customers", "/customers"),
        ("customer", f"/customers/{r['customer']}"),
        ("promise: a made item", f"/promise?item={r['made']}&qty=5"),
        ("promise: the much-used component", f"/promise?item={r['component']}&qty=500"),
        ("pegging: order down", f"/pegging/orders/{r['late']}"),
        ("pegging: item up", f"/pegging/items/{r['component']}"),
        ("audit log", "/admin/audit"),
        ("users", "/admin/users"),
        *master_data(r),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=str(DATA / "bench-plan-1.0.db"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", default="", help="pages whose label contains this text")
    parser.add_argument(
        "--copy",
        default=str(DATA / "bench-web.db"),
        help="where the copy goes (e.g. /tmp, away from another run's copy)",
    )
    args = parser.parse_args()
    source = Path(args.db)
    if not source.exists():
        raise SystemExit(f"{source} is missing: run benchmarks/plan.py --fractions 1 first")
    copy = Path(args.copy)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
    shutil.copy(source, copy)
    engine = db.make_engine(f"sqlite:///{copy}")
    db.upgrade(engine)
    # a database an earlier run left behind (e.g. its copy, timed again) has the user
    with db.session_factory(engine)() as s, contextlib.suppress(ConflictError):
        users.create_user(s, name="bench", password="bench-password", role="admin", author="b")
    refs = _refs(engine)
    rows = []
    slowest = 0.0
    # a page that fails is timed and shown with its status (500), not the end of the run
    with TestClient(create_app(engine), raise_server_exceptions=False) as client:
        form = client.get("/login").text  # the login form's own token, as a browser sends it
        token = re.search(r'name="login_token" value="([^"]+)"', form)
        login = client.post(
            "/login",
            data={
                "name": "bench",
                "password": "bench-password",
                "login_token": token.group(1) if token else "",
            },
        )
        assert login.status_code in (200, 303), login.text[:200]
        for label, url in pages(refs):
            if args.only not in label:
                continue
            client.get(url)  # warm-up: first query plans, template compile
            times, cpu = [], []
            status = 0
            for _ in range(args.repeat):
                started, used = time.perf_counter(), time.process_time()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - used) * 1000)
                status = response.status_code
            median, worst = statistics.median(times), max(times)
            slowest = max(slowest, median)
            rows.append(
                [
                    label,
                    url[:60],
                    status,
                    f"{median:,.0f}",
                    f"{worst:,.0f}",
                    f"{statistics.median(cpu):,.0f}",
                    "yes" if median <= TARGET_MS else "NO",
                ]
            )
    engine.dispose()
    print_table(
        f"Web pages on {source.name}: server time in ms (target {TARGET_MS:g})",
        ["page", "url", "status", "median", "slowest", "CPU median", "≤ target"],
        rows,
    )
    print(f"slowest median: {slowest:,.0f} ms")


if __name__ == "__main__":
    main()

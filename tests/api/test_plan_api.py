"""Plan runs as background jobs, and the current plan and its reports, through the API.

The lighting sample (``pegboard.demo``) is the data: planning date 2026-11-23,
SO-1005 and SO-1008 late, PO-31015 to expedite, PO-31020 to cancel, PO-31021 to defer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, func, select

from pegboard import db
from pegboard.bundle.importer import read_bundle
from pegboard.demo import demo_path
from pegboard.model import Bom, BomKind, BomLine, Item, Job
from pegboard.services.company_data import replace_company
from pegboard.services.jobs import records as job_records
from pegboard.services.planning import run_plan

Headers = dict[str, str]


@pytest.fixture(autouse=True)
def _join_jobs() -> Iterator[None]:
    """No background job outlives its test (the next test empties the database)."""
    yield
    for thread in threading.enumerate():
        if thread.name.startswith("job-"):
            thread.join(30)


def wait_for(api: TestClient, headers: Headers, job_id: int, seconds: float = 30) -> dict[str, Any]:
    """Poll the job until it is done or failed."""
    deadline = time.monotonic() + seconds
    while True:
        job: dict[str, Any] = api.get(f"/api/jobs/{job_id}", headers=headers).json()
        if job["status"] in ("done", "failed"):
            return job
        assert time.monotonic() < deadline, f"job {job_id} still {job['status']}: {job}"
        time.sleep(0.05)


@pytest.fixture
def lighting(engine: Engine) -> Engine:
    with db.session_scope(engine) as s:
        replace_company(s, read_bundle(demo_path("lighting")), author="test")
    return engine


@pytest.fixture
def planned(lighting: Engine) -> Engine:
    with db.session_scope(lighting) as s:
        run_plan(s, author="test")
    return lighting


def _jobs(engine: Engine) -> int:
    with db.session_scope(engine) as s:
        return s.scalar(select(func.count()).select_from(Job)) or 0


# --- plan runs ---------------------------------------------------------------------------


def test_plan_run_as_a_background_job(
    api: TestClient, as_role: Callable[[str], Headers], lighting: Engine
) -> None:
    planner = as_role("planner")
    response = api.post("/api/plan/runs", headers=planner, json={})
    assert response.status_code == 202, response.text
    job = response.json()
    assert job["kind"] == "plan" and job["author"] == "planner"
    assert response.headers["location"] == f"/api/jobs/{job['id']}"
    job = wait_for(api, planner, job["id"])
    assert job["status"] == "done", job
    result = job["result"]
    assert result["planning_date"] == "2026-11-23"
    assert result["planned_orders"] > 0 and result["exceptions"] > 0

    viewer = as_role("viewer")
    current = api.get("/api/plan/runs/current", headers=viewer).json()
    assert current["id"] == result["run_id"]
    assert current["author"] == "planner" and current["status"] == "done"
    assert current["planned_orders"] == result["planned_orders"]
    assert current["planned_buy"] + current["planned_make"] == result["planned_orders"]
    assert current["late_lines"] >= 2
    assert sum(current["exceptions_by_kind"].values()) == result["exceptions"]
    assert current["exceptions_by_kind"]["cancel"] >= 1
    assert current["load_seconds"] >= 0 and current["finished_at"] is not None

    orders = api.get("/api/plan/planned-orders", headers=viewer).json()
    assert orders["total"] == result["planned_orders"]
    assert api.get("/api/plan/pegging", headers=viewer).json()["total"] == result["pegging_rows"]
    assert api.get("/api/plan/exceptions", headers=viewer).json()["total"] == result["exceptions"]


def test_planning_date_in_the_body(
    api: TestClient, as_role: Callable[[str], Headers], lighting: Engine
) -> None:
    planner = as_role("planner")
    job = api.post("/api/plan/runs", headers=planner, json={"planning_date": "2026-12-01"}).json()
    assert wait_for(api, planner, job["id"])["result"]["planning_date"] == "2026-12-01"
    bad = api.post("/api/plan/runs", headers=planner, json={"planning_date": "soon"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "planning_date"


def test_run_history_is_paged_newest_first(
    api: TestClient, as_role: Callable[[str], Headers], lighting: Engine
) -> None:
    planner = as_role("planner")
    for _ in range(3):
        job = api.post("/api/plan/runs", headers=planner).json()
        assert wait_for(api, planner, job["id"])["status"] == "done"
    page = api.get("/api/plan/runs?limit=2", headers=planner).json()
    assert page["total"] == 3 and page["limit"] == 2
    ids = [r["id"] for r in page["items"]]
    assert ids == sorted(ids, reverse=True)
    rest = api.get("/api/plan/runs?limit=2&offset=2", headers=planner).json()["items"]
    assert len(rest) == 1 and rest[0]["id"] < ids[-1]


def test_a_second_plan_while_one_runs_is_409(
    api: TestClient, as_role: Callable[[str], Headers], lighting: Engine
) -> None:
    with db.session_scope(lighting) as s:
        running = job_records.start_job(s, "plan", author="someone")
    response = api.post("/api/plan/runs", headers=as_role("planner"))
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "conflict"
    assert f"a plan (job {running}, by someone) is still running" in error["message"]
    assert error["params"]["job"] == running
    assert _jobs(lighting) == 1


def test_a_viewer_cannot_start_a_plan(
    api: TestClient, as_role: Callable[[str], Headers], lighting: Engine
) -> None:
    response = api.post("/api/plan/runs", headers=as_role("viewer"))
    assert response.status_code == 403
    assert response.json()["error"]["params"]["permission"] == "plan"
    assert api.post("/api/plan/runs").status_code == 401
    assert _jobs(lighting) == 0


def test_a_failed_plan_run_ends_the_job_failed(
    api: TestClient, as_role: Callable[[str], Headers], lighting: Engine
) -> None:
    """A BOM that holds its own parent (written past the services, which refuse it) makes
    the plan fail; the job ends failed with the cycle, and the lock is free again."""
    tray = "SA-DRVTRAY-40D"
    with db.session_scope(lighting) as s, s.begin():
        item_id = s.scalars(select(Item.id).where(Item.code == tray)).one()
        bom_id = s.scalars(
            select(Bom.id).where(Bom.item_id == item_id, Bom.kind == BomKind.ENGINEERING)
        ).one()
        loop = BomLine(bom_id=bom_id, position=99, component_id=item_id, qty_per=1.0)
        s.add(loop)
    admin = as_role("admin")
    job = api.post("/api/plan/runs", headers=admin).json()
    job = wait_for(api, admin, job["id"])
    assert job["status"] == "failed"
    assert job["message"] == f"the BOM has a cycle: {tray} -> {tray}"
    assert job["result"] == {"code": "planning_error"}
    with db.session_scope(lighting) as s, s.begin():
        s.execute(delete(BomLine).where(BomLine.id == loop.id))
    job = api.post("/api/plan/runs", headers=admin).json()  # the lock is free again
    assert wait_for(api, admin, job["id"])["status"] == "done"


def test_reads_before_any_plan_are_404(
    api: TestClient, as_role: Callable[[str], Headers], lighting: Engine
) -> None:
    viewer = as_role("viewer")
    for path in (
        "/api/plan/runs/current",
        "/api/plan/planned-orders",
        "/api/plan/pegging",
        "/api/plan/exceptions",
        "/api/plan/sales-orders/SO-1005/pegging",
        "/api/reports/late",
        "/api/reports/buy",
        "/api/reports/where-used-supply/LED-RND-48V-120",
    ):
        response = api.get(path, headers=viewer)
        assert response.status_code == 404, path
        assert "no plan yet" in response.json()["error"]["message"], path
    assert api.get("/api/plan/runs", headers=viewer).json()["total"] == 0


# --- the current plan --------------------------------------------------------------------


def _all(api: TestClient, headers: Headers, path: str) -> list[dict[str, Any]]:
    sep = "&" if "?" in path else "?"
    page = api.get(f"{path}{sep}limit=500", headers=headers).json()
    assert page["total"] == len(page["items"]), "raise the limit"
    items: list[dict[str, Any]] = page["items"]
    return items


def test_planned_orders_filter_sort_and_page(
    api: TestClient, as_role: Callable[[str], Headers], planned: Engine
) -> None:
    viewer = as_role("viewer")
    every = _all(api, viewer, "/api/plan/planned-orders")
    assert len(every) > 4
    first = every[0]
    assert set(first) >= {"number", "item", "type", "qty", "release_date", "due_date", "late"}
    assert [o["release_date"] for o in every] == sorted(o["release_date"] for o in every)

    buys = _all(api, viewer, "/api/plan/planned-orders?type=buy")
    makes = _all(api, viewer, "/api/plan/planned-orders?type=make")
    assert buys and makes and len(buys) + len(makes) == len(every)
    assert {o["type"] for o in buys} == {"buy"}

    item = buys[0]["item"]
    by_item = _all(api, viewer, f"/api/plan/planned-orders?item={item}")
    assert by_item and all(o["item"] == item for o in by_item)

    with_so = [o for o in every if o["sales_order"]]
    so = with_so[0]["sales_order"]
    for_so = _all(api, viewer, f"/api/plan/planned-orders?sales_order={so}")
    assert {o["number"] for o in for_so} == {o["number"] for o in every if o["sales_order"] == so}

    until = "2026-11-30"
    early = _all(api, viewer, f"/api/plan/planned-orders?until={until}")
    expected = {o["number"] for o in every if o["release_date"] <= until}
    assert early and {o["number"] for o in early} == expected

    late = _all(api, viewer, "/api/plan/planned-orders?late=true")
    assert late and {o["number"] for o in late} == {o["number"] for o in every if o["late"]}
    assert len(_all(api, viewer, "/api/plan/planned-orders?firmed=false")) == len(every)
    assert _all(api, viewer, "/api/plan/planned-orders?firmed=true") == []

    by_qty = _all(api, viewer, "/api/plan/planned-orders?sort=-qty,number")
    assert [o["qty"] for o in by_qty] == sorted((o["qty"] for o in every), reverse=True)

    page = api.get("/api/plan/planned-orders?limit=3&offset=2", headers=viewer).json()
    assert page["total"] == len(every)
    assert [o["number"] for o in page["items"]] == [o["number"] for o in every[2:5]]

    bad = api.get("/api/plan/planned-orders?sort=drop table", headers=viewer)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "sort"
    assert api.get("/api/plan/planned-orders?type=lease", headers=viewer).status_code == 422
    assert api.get("/api/plan/planned-orders?limit=501", headers=viewer).status_code == 422


def test_pegging_filters(
    api: TestClient, as_role: Callable[[str], Headers], planned: Engine
) -> None:
    viewer = as_role("viewer")
    every = _all(api, viewer, "/api/plan/pegging")
    rows = _all(api, viewer, "/api/plan/pegging?sales_order=SO-1005")
    assert rows and all(r["demand"].startswith("SO-1005/") for r in rows)
    assert all(r["demand_type"] == "sales_order" for r in rows)
    assert rows == [
        r for r in every if r["demand_type"] == "sales_order" and r["demand"].startswith("SO-1005/")
    ]
    supply = rows[0]["supply"]
    by_supply = _all(api, viewer, f"/api/plan/pegging?supply={supply}")
    assert {r["supply"] for r in by_supply} == {supply}
    assert len(by_supply) == sum(r["supply"] == supply for r in every)
    by_demand = _all(api, viewer, "/api/plan/pegging?demand=SO-1005/1")
    assert by_demand and {r["demand"] for r in by_demand} == {"SO-1005/1"}
    by_item = _all(api, viewer, "/api/plan/pegging?item=LED-RND-48V-120")
    assert by_item and {r["item"] for r in by_item} == {"LED-RND-48V-120"}
    sorted_rows = _all(api, viewer, "/api/plan/pegging?sort=-qty")
    assert [r["qty"] for r in sorted_rows] == sorted((r["qty"] for r in every), reverse=True)
    # refs sort byte by byte on both databases (the order of their indexes, #18)
    for sort, field in (("supply", "supply"), ("-demand", "demand")):
        refs = [r[field] for r in _all(api, viewer, f"/api/plan/pegging?sort={sort}")]
        expected = sorted((r[field] for r in every), key=str.encode)
        assert refs == (expected[::-1] if sort.startswith("-") else expected)
    assert _all(api, viewer, "/api/plan/pegging?sales_order=SO-100") == []  # no prefix match


def test_sales_order_pegging_tree(
    api: TestClient, as_role: Callable[[str], Headers], planned: Engine
) -> None:
    viewer = as_role("viewer")
    lines = api.get("/api/plan/sales-orders/SO-1005/pegging", headers=viewer).json()
    assert lines and lines[0]["demand"].startswith("SO-1005/")
    late = [line for line in lines if line["late_days"] > 0]
    assert late, lines
    line = late[0]
    assert line["projected"] > line["due"]
    assert line["chain"] and line["chain"][-1]["item"] == "LED-RND-48V-120"

    def items(nodes: list[dict[str, Any]]) -> set[str]:
        return {n["item"] for n in nodes} | {i for n in nodes for i in items(n["children"])}

    assert "LED-RND-48V-120" in items(line["supplies"])
    missing = api.get("/api/plan/sales-orders/SO-9999/pegging", headers=viewer)
    assert missing.status_code == 404 and "SO-9999" in missing.json()["error"]["message"]


def test_exceptions_filters(
    api: TestClient, as_role: Callable[[str], Headers], planned: Engine
) -> None:
    viewer = as_role("viewer")
    every = _all(api, viewer, "/api/plan/exceptions")
    assert {"late", "expedite", "defer", "cancel", "shortage"} <= {e["kind"] for e in every}
    expedite = _all(api, viewer, "/api/plan/exceptions?kind=expedite")
    assert {e["kind"] for e in expedite} == {"expedite"}
    assert any(e["order"].startswith("PO-31015") for e in expedite)
    cancels = _all(api, viewer, "/api/plan/exceptions?kind=cancel&item=" + expedite[0]["item"])
    assert all(e["item"] == expedite[0]["item"] for e in cancels)
    for_so = _all(api, viewer, "/api/plan/exceptions?sales_order=SO-1005")
    assert for_so and {e["sales_order"] for e in for_so} == {"SO-1005"}
    by_date = _all(api, viewer, "/api/plan/exceptions?sort=date")
    assert [e["date"] for e in by_date] == sorted(e["date"] for e in every)
    assert api.get("/api/plan/exceptions?kind=panic", headers=viewer).status_code == 422


# --- reports -----------------------------------------------------------------------------


def test_reports(api: TestClient, as_role: Callable[[str], Headers], planned: Engine) -> None:
    viewer = as_role("viewer")
    late = api.get("/api/reports/late", headers=viewer).json()
    demands = {line["demand"].split("/")[0] for line in late["items"]}
    assert {"SO-1005", "SO-1008"} <= demands and late["total"] == len(late["items"])
    assert all(line["late_days"] > 0 and line["chain"] for line in late["items"])
    second = api.get("/api/reports/late?limit=1&offset=1", headers=viewer).json()
    assert second["items"][0]["demand"] == late["items"][1]["demand"]

    shortages = api.get("/api/reports/shortages?limit=500", headers=viewer).json()
    assert shortages["total"] == len(shortages["items"]) > 0
    assert {s["kind"] for s in shortages["items"]} == {"shortage"}
    so = next(s["sales_order"] for s in shortages["items"] if s["sales_order"])
    one = api.get(f"/api/reports/shortages?sales_order={so}", headers=viewer).json()
    assert one["total"] == len(one["items"]) > 0
    assert {s["sales_order"] for s in one["items"]} == {so}

    buy = api.get("/api/reports/buy?limit=500", headers=viewer).json()
    assert buy["total"] == len(buy["items"]) > 0 and all(b["supplier"] for b in buy["items"])
    soon = api.get("/api/reports/buy?until=2026-11-30&limit=500", headers=viewer).json()
    assert soon["total"] == len(soon["items"]) < buy["total"]
    assert all(b["release"] <= "2026-11-30" for b in soon["items"])
    make = api.get("/api/reports/make?limit=2", headers=viewer).json()
    assert make["total"] > 2 and len(make["items"]) == 2

    actions = api.get("/api/reports/actions", headers=viewer).json()
    orders: dict[str, list[str]] = {}
    for a in actions["items"]:
        orders.setdefault(a["kind"], []).append(a["order"].split("/")[0])
    # the master schedule's first and last weeks add a defer and a cancel of their own
    assert "PO-31020" in orders["cancel"] and "PO-31021" in orders["defer"]
    assert "PO-31015" in orders["expedite"]

    uses = api.get("/api/reports/where-used-supply/LED-RND-48V-120", headers=viewer).json()
    assert any(u["supply"].startswith("PO-31015") for u in uses)

    def reaches_so(nodes: list[dict[str, Any]]) -> bool:
        return any(n["demand_type"] == "sales_order" or reaches_so(n["parents"]) for n in nodes)

    assert all(reaches_so(u["uses"]) for u in uses if u["uses"])
    missing = api.get("/api/reports/where-used-supply/NOPE", headers=viewer)
    assert missing.status_code == 404
    assert api.get("/api/reports/late").status_code == 401

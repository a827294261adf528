"""Sales orders, lines, configuring and order BOMs through the API, on both databases.

The ``lighting`` demo company is loaded (SO-1001 … SO-1008 and the ``LR-7040``
template of ``templates.json``); Hartwell Construction orders four 14.56 m black
DALI runs with an emergency kit, as in ``tests/services/test_mto_story.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from pegboard import clock, db
from pegboard.bundle.importer import read_bundle
from pegboard.demo import demo_path
from pegboard.model import AuditEntry, Base
from pegboard.services.company_data import replace_company
from pegboard.services.planning import run_plan

Headers = dict[str, str]
AsRole = Callable[[str], Headers]

CUSTOMER = "Hartwell Construction"
PROJECT = "Riverside Tower lobby"
NUMBER = "SO-1009"
"""The demo holds SO-1001 … SO-1008."""
RUN = {"length_m": 14.56, "finish": "black", "control": "dali", "emergency": True}
TOP_COMPONENTS = [
    "BODY-7040-SO-1009-1.1",
    "SA-LEDMOD-2240",
    "SA-DRVTRAY-40D",
    "DIF-OPAL-7040",
    "CAP-7040-W",
    "BRK-MNT-7040",
    "SA-EMG-KIT-3H",
    "PKG-CTN-2500",
]


@pytest.fixture
def lighting(engine: Engine) -> Engine:
    with db.session_factory(engine)() as s:
        replace_company(s, read_bundle(demo_path("lighting")), author="import")
    return engine


def _due(days: int = 60) -> str:
    return (clock.today() + timedelta(days=days)).isoformat()


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    return error


def _rows(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
            for t in Base.metadata.sorted_tables
        }


def _order(api: TestClient, headers: Headers) -> None:
    """SO-1009: line 1 the configurable run, line 2 a plain end cap; confirmed."""
    made = api.post(
        "/api/sales-orders", json={"customer": CUSTOMER, "project": PROJECT}, headers=headers
    )
    assert made.status_code == 201, made.text
    for item, qty in [("LR-7040", 4), ("CAP-7040-W", 10)]:
        line = {"item": item, "qty": qty, "due": _due()}
        assert api.post(f"/api/sales-orders/{NUMBER}/lines", json=line, headers=headers).is_success
    status = {"status": "confirmed"}
    assert api.post(f"/api/sales-orders/{NUMBER}/status", json=status, headers=headers).is_success


def test_an_order_is_entered_confirmed_configured_edited_changed_and_cancelled(
    api: TestClient, as_role: AsRole, lighting: Engine
) -> None:
    planner, viewer = as_role("planner"), as_role("viewer")
    made = api.post(
        "/api/sales-orders", json={"customer": CUSTOMER, "project": PROJECT}, headers=planner
    )
    assert made.status_code == 201
    assert made.json()["number"] == NUMBER and made.json()["status"] == "draft"
    assert made.json()["lines"] == [] and made.json()["project"] == PROJECT

    first = api.post(
        f"/api/sales-orders/{NUMBER}/lines",
        json={"item": "LR-7040", "qty": 4, "due": _due(), "priority": 50},
        headers=planner,
    )
    assert first.status_code == 201
    assert first.json() | {"projected": None} == {
        "line": 1,
        "item": "LR-7040",
        "qty": 4.0,
        "shipped_qty": 0.0,
        "due": _due(),
        "priority": 50,
        "status": "draft",
        "projected": None,
        "late_days": 0,
        "bom": None,
        "unit_price": None,
        "discount_pct": "0.00",
        "amount": None,
    }
    api.post(
        f"/api/sales-orders/{NUMBER}/lines",
        json={"item": "CAP-7040-W", "qty": 10, "due": _due()},
        headers=planner,
    )
    confirmed = api.post(
        f"/api/sales-orders/{NUMBER}/status", json={"status": "confirmed"}, headers=planner
    )
    assert confirmed.json()["status"] == "confirmed"
    assert {line["status"] for line in confirmed.json()["lines"]} == {"confirmed"}
    back = api.post(f"/api/sales-orders/{NUMBER}/status", json={"status": "draft"}, headers=planner)
    assert _error(back, 409)["params"]["wanted"] == "draft"

    # configure line 1: the order BOM tree and production orders
    tree = api.post(
        f"/api/sales-orders/{NUMBER}/lines/1/configure", json={"params": RUN}, headers=planner
    )
    assert tree.status_code == 200, tree.text
    line = tree.json()
    assert line["ref"] == f"{NUMBER}/1" and line["item"] == "LR-7040-SO-1009-1"
    bom = line["bom"]
    assert bom["number"] == "BOM-SO-1009-1"
    assert bom["configuration"]["emergency"] == "yes"
    assert [ln["component"] for ln in bom["lines"]] == TOP_COMPONENTS
    assert [ln["qty_per"] for ln in bom["lines"]][1:3] == [7.0, 7.0]
    assert bom["lines"][0]["child"]["number"] == "BOM-SO-1009-1.1"
    assert [p["number"] for p in line["production_orders"]] == ["MO-1009-1", "MO-1009-1.1"]
    assert line["production_orders"][1]["parent"] == "MO-1009-1"

    whole = api.get(f"/api/sales-orders/{NUMBER}/tree", headers=viewer).json()
    assert [t["ref"] for t in whole] == [f"{NUMBER}/1", f"{NUMBER}/2"]
    assert whole[0] == line and whole[1]["bom"] is None
    order = api.get(f"/api/sales-orders/{NUMBER}", headers=viewer).json()
    assert [ln["bom"] for ln in order["lines"]] == ["BOM-SO-1009-1", None]
    assert api.get("/api/boms/BOM-SO-1009-1", headers=viewer).json() == bom

    # edit the order BOM by hand: a quantity, an added line, removals
    edited = api.patch("/api/boms/BOM-SO-1009-1/lines/2", json={"qty_per": 8}, headers=planner)
    assert edited.status_code == 200 and edited.json()["lines"][1]["qty_per"] == 8.0
    added = api.post(
        "/api/boms/BOM-SO-1009-1/lines",
        json={"component": "CAP-7040-W", "qty_per": 1, "scrap_pct": 2},
        headers=planner,
    )
    assert added.status_code == 201 and added.json()["lines"][-1]["position"] == 9
    assert api.delete("/api/boms/BOM-SO-1009-1/lines/9", headers=planner).status_code == 204
    removed = api.patch(
        "/api/boms/BOM-SO-1009-1/lines/7", json={"remove": True}, headers=planner
    ).json()
    assert "SA-EMG-KIT-3H" not in [ln["component"] for ln in removed["lines"]]
    sub = api.patch("/api/boms/BOM-SO-1009-1/lines/1", json={"remove": True}, headers=planner)
    assert "sub-assembly" in _error(sub, 409)["message"]
    engineering = api.patch("/api/boms/BOM-LR-7040/lines/1", json={"qty_per": 2}, headers=planner)
    assert _error(engineering, 409)
    assert _error(api.get("/api/boms/BOM-LR-7040", headers=viewer), 409)

    # copy the edited structure to a new line, keep it as a new product
    api.post(
        f"/api/sales-orders/{NUMBER}/lines",
        json={"item": "LR-7040", "qty": 2, "due": _due(70)},
        headers=planner,
    )
    copied = api.post(
        "/api/boms/BOM-SO-1009-1/copy",
        json={"to_sales_order": NUMBER, "to_line": 3},
        headers=planner,
    )
    assert copied.status_code == 201, copied.text
    assert copied.json()["bom"]["number"] == "BOM-SO-1009-3"
    assert [ln["qty_per"] for ln in copied.json()["bom"]["lines"]] == [
        ln["qty_per"] for ln in removed["lines"]
    ]
    saved = api.post(
        "/api/boms/BOM-SO-1009-1/save-template",
        json={"item": "LR-7040-ROOF", "description": "Roof terrace run"},
        headers=planner,
    )
    assert saved.status_code == 201 and saved.json() == {
        "item": "LR-7040-ROOF",
        "bom": "BOM-LR-7040-ROOF",
    }
    assert api.get("/api/items/LR-7040-ROOF", headers=viewer).json()["type"] == "make"
    master = api.get("/api/templates/LR-7040-ROOF", headers=viewer).json()
    assert master["parameters"] == [] and master["lines"][0]["component"] == "LR-7040-ROOF-1"

    # change the quantity: the production orders follow, the order BOM keeps its hand edits
    changed = api.patch(f"/api/sales-orders/{NUMBER}/lines/1", json={"qty": 6}, headers=planner)
    assert changed.status_code == 200, changed.text
    assert changed.json()["flagged"] == [] and changed.json()["line"]["qty"] == 6.0
    again = api.get(f"/api/sales-orders/{NUMBER}/tree", headers=viewer).json()[0]
    assert [p["qty"] for p in again["production_orders"]] == [6.0, 6.0]
    assert again["bom"]["lines"] == removed["lines"]

    # re-configuring would drop those hand edits: refused, naming them, unless told to
    redo = f"/api/sales-orders/{NUMBER}/lines/1/configure"
    refused = _error(api.post(redo, json={"params": RUN}, headers=planner), 409)
    assert "SA-EMG-KIT-3H × 1 removed" in refused["message"]
    assert {e["component"] for e in refused["params"]["hand_edits"]} == {
        "SA-LEDMOD-2240",
        "SA-EMG-KIT-3H",
    }
    rebuilt = api.post(redo, json={"params": RUN, "discard_edits": True}, headers=planner)
    assert rebuilt.status_code == 200, rebuilt.text
    assert [ln["component"] for ln in rebuilt.json()["bom"]["lines"]] == TOP_COMPONENTS
    moved = api.patch(
        f"/api/sales-orders/{NUMBER}/lines/2", json={"due": _due(80)}, headers=planner
    )
    assert moved.json()["line"]["due"] == _due(80) and moved.json()["line"]["qty"] == 10.0

    # cancel line 2: it stays, cancelled; the order stays open
    assert api.delete(f"/api/sales-orders/{NUMBER}/lines/2", headers=planner).status_code == 204
    after = api.get(f"/api/sales-orders/{NUMBER}", headers=viewer).json()
    assert [ln["status"] for ln in after["lines"]] == ["confirmed", "cancelled", "confirmed"]
    assert after["status"] == "confirmed"
    twice = api.delete(f"/api/sales-orders/{NUMBER}/lines/2", headers=planner)
    assert _error(twice, 409)

    history = api.get(f"/api/sales-orders/{NUMBER}/history?limit=500", headers=viewer).json()
    assert {e["author"] for e in history} == {"planner"}
    assert [(e["ref"], e["action"]) for e in reversed(history)][:5] == [
        (NUMBER, "create"),
        (f"{NUMBER}/1", "create"),
        (f"{NUMBER}/2", "create"),
        (NUMBER, "status"),
        (f"{NUMBER}/1", "configure"),
    ]
    actions = {(e["ref"], e["action"]) for e in history}
    assert {
        ("BOM-SO-1009-1", "change_line"),
        ("BOM-SO-1009-1", "add_line"),
        ("BOM-SO-1009-1", "remove_line"),
        ("BOM-SO-1009-1", "save_as_template"),
        (f"{NUMBER}/3", "copy_bom"),
        (f"{NUMBER}/1", "change"),
    } <= actions
    page = api.get(f"/api/sales-orders/{NUMBER}/history?limit=2&offset=1", headers=viewer).json()
    assert page == history[1:3]


def test_orders_are_listed_a_page_at_a_time_filtered_and_sorted(
    api: TestClient, as_role: AsRole, lighting: Engine
) -> None:
    viewer = as_role("viewer")
    _order(api, as_role("planner"))
    everything = api.get("/api/sales-orders", headers=viewer).json()
    numbers = [o["number"] for o in everything["items"]]
    assert everything["total"] == 9 and numbers == [f"SO-100{n}" for n in range(1, 10)]
    assert everything["items"][-1] | {"created_at": None} == {
        "number": NUMBER,
        "customer": CUSTOMER,
        "project": PROJECT,
        "status": "confirmed",
        "lines": 2,
        "due": _due(),
        "created_at": None,
    }
    page = api.get("/api/sales-orders?sort=-number&limit=3&offset=1", headers=viewer).json()
    assert page["total"] == 9 and [o["number"] for o in page["items"]] == [
        "SO-1008",
        "SO-1007",
        "SO-1006",
    ]
    by_due = api.get("/api/sales-orders?sort=due", headers=viewer).json()["items"]
    dues = [o["due"] for o in by_due]
    assert dues == sorted(dues)
    lobby = api.get(
        "/api/sales-orders", params={"customer": CUSTOMER, "project": PROJECT}, headers=viewer
    ).json()
    assert NUMBER in [o["number"] for o in lobby["items"]]
    assert {(o["customer"], o["project"]) for o in lobby["items"]} == {(CUSTOMER, PROJECT)}
    assert lobby["total"] < 9
    assert api.get("/api/sales-orders?q=1009", headers=viewer).json()["total"] == 1
    assert api.get("/api/sales-orders?status=draft", headers=viewer).json()["total"] == 0
    confirmed = api.get("/api/sales-orders?status=confirmed&sort=-customer", headers=viewer)
    customers = [o["customer"] for o in confirmed.json()["items"]]
    assert customers == sorted(customers, reverse=True)
    bad = _error(api.get("/api/sales-orders?sort=amount", headers=viewer), 422)
    assert bad["field"] == "sort"
    assert _error(api.get("/api/sales-orders?status=lost", headers=viewer), 422)["field"] == (
        "status"
    )


def test_an_order_shows_the_dates_the_plan_projects(
    api: TestClient, as_role: AsRole, lighting: Engine
) -> None:
    viewer = as_role("viewer")
    with db.session_factory(lighting)() as s:
        run_plan(s, author="test")
    late = api.get("/api/sales-orders/SO-1005", headers=viewer).json()
    (line,) = late["lines"]
    assert line["projected"] is not None and line["late_days"] > 0
    assert date.fromisoformat(line["projected"]) > date.fromisoformat(line["due"])
    overview = api.get(f"/api/customers/{CUSTOMER}/projects/{PROJECT}", headers=viewer).json()
    assert all(o["projected"] is not None for o in overview["orders"])
    assert any(o["late_days"] > 0 for o in overview["orders"])  # SO-1008 is overdue
    worst = max(overview["orders"], key=lambda o: o["late_days"])
    rolled = overview["dates"]  # the project is late when one of its orders is
    assert (rolled["most_late"], rolled["late_days"]) == (worst["number"], worst["late_days"])
    assert rolled["projected"] == max(o["projected"] for o in overview["orders"])


BAD = [
    ("POST", "/lines", {"item": "LR-7040", "qty": 0, "due": "2027-01-04"}, "qty"),
    ("POST", "/lines", {"item": "LR-7040", "qty": 1e13, "due": "2027-01-04"}, "qty"),
    ("POST", "/lines", {"item": "LR-7040", "qty": 1, "due": "2027-13-01"}, "due"),
    ("POST", "/lines", {"qty": 1, "due": "2027-01-04"}, "item"),
    ("POST", "/lines", {"item": "LR-7040", "qty": 1, "due": "2027-01-04", "colour": 1}, "colour"),
    ("PATCH", "/lines/1", {"qty": -1}, "qty"),
    ("PATCH", "/lines/0", {"qty": 1}, "line"),
    ("POST", "/status", {"status": "lost"}, "status"),
    ("POST", "/lines/1/configure", {"params": {"length_m": "x" * 201}}, "params.length_m"),
]


def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(
    api: TestClient, as_role: AsRole, lighting: Engine
) -> None:
    planner = as_role("planner")
    _order(api, planner)
    before = _rows(lighting)
    for method, path, body, field in BAD:
        response = api.request(
            method, f"/api/sales-orders/{NUMBER}{path}", json=body, headers=planner
        )
        assert _error(response, 422)["field"] == field, (path, body)
    nan = api.post(
        f"/api/sales-orders/{NUMBER}/lines",
        content='{"item": "LR-7040", "qty": NaN, "due": "2027-01-04"}',
        headers={**planner, "content-type": "application/json"},
    )
    assert _error(nan, 422)["field"] == "qty"
    too_long = api.post(
        f"/api/sales-orders/{NUMBER}/lines/1/configure",
        json={"params": {**RUN, "length_m": 99}},
        headers=planner,
    )
    assert "length_m" in _error(too_long, 422)["message"]
    unknown = api.post(
        f"/api/sales-orders/{NUMBER}/lines/1/configure",
        json={"params": {"colour": "red"}},
        headers=planner,
    )
    assert "colour" in _error(unknown, 422)["message"]
    assert _rows(lighting) == before

    api.post(f"/api/sales-orders/{NUMBER}/lines/1/configure", json={"params": RUN}, headers=planner)
    before = _rows(lighting)
    for path, body, field in [
        ("/lines/2", {"qty_per": 0}, "qty_per"),
        ("/lines/2", {"scrap_pct": -1}, "scrap_pct"),
        ("/lines/0", {"qty_per": 1}, "position"),
        ("/lines", {"component": "CAP-7040-W"}, "qty_per"),
        ("/copy", {"to_sales_order": NUMBER, "to_line": 0}, "to_line"),
        ("/save-template", {"item": ""}, "item"),
    ]:
        method = "PATCH" if path.startswith("/lines/") else "POST"
        response = api.request(method, f"/api/boms/BOM-SO-1009-1{path}", json=body, headers=planner)
        assert _error(response, 422)["field"] == field, (path, body)
    ghost = api.post(
        "/api/boms/BOM-SO-1009-1/lines", json={"component": "GHOST", "qty_per": 1}, headers=planner
    )
    assert _error(ghost, 404)["params"] == {"item": "GHOST"}
    assert _rows(lighting) == before


def test_unknown_orders_lines_and_boms_are_404(
    api: TestClient, as_role: AsRole, lighting: Engine
) -> None:
    viewer, planner = as_role("viewer"), as_role("planner")
    for path in [
        "/api/sales-orders/SO-9999",
        "/api/sales-orders/SO-9999/tree",
        "/api/sales-orders/SO-9999/history",
        "/api/boms/BOM-SO-9999-1",
    ]:
        assert _error(api.get(path, headers=viewer), 404)["code"] == "not_found", path
    line = {"item": "LR-7040", "qty": 1, "due": "2027-01-04"}
    for method, path, body in [
        ("POST", "/api/sales-orders/SO-9999/lines", line),
        ("PATCH", "/api/sales-orders/SO-1001/lines/99", {"qty": 1}),
        ("DELETE", "/api/sales-orders/SO-1001/lines/99", None),
        ("POST", "/api/sales-orders/SO-9999/status", {"status": "confirmed"}),
        ("POST", "/api/sales-orders/SO-1001/lines/99/configure", {"params": {}}),
        ("PATCH", "/api/boms/BOM-SO-9999-1/lines/1", {"qty_per": 1}),
        ("PATCH", "/api/boms/BOM-SO-1001-1/lines/99", {"qty_per": 1}),
        ("POST", "/api/boms/BOM-SO-9999-1/copy", {"to_sales_order": "SO-1001", "to_line": 1}),
        ("POST", "/api/boms/BOM-SO-1001-1/copy", {"to_sales_order": "SO-9999", "to_line": 1}),
        ("POST", "/api/sales-orders", {"customer": "Nobody"}),
        ("POST", "/api/sales-orders", {"customer": CUSTOMER, "project": "Nowhere"}),
    ]:
        response = api.request(method, path, json=body, headers=planner)
        assert _error(response, 404)["code"] == "not_found", (method, path)


def test_a_viewer_reads_orders_and_boms_and_is_refused_every_change(
    api: TestClient, as_role: AsRole, lighting: Engine
) -> None:
    planner, viewer = as_role("planner"), as_role("viewer")
    _order(api, planner)
    api.post(f"/api/sales-orders/{NUMBER}/lines/1/configure", json={"params": RUN}, headers=planner)
    for path in [
        "/api/sales-orders",
        f"/api/sales-orders/{NUMBER}",
        f"/api/sales-orders/{NUMBER}/tree",
        f"/api/sales-orders/{NUMBER}/history",
        "/api/boms/BOM-SO-1009-1",
    ]:
        assert api.get(path, headers=viewer).status_code == 200, path
    with db.session_factory(lighting)() as s:
        audit_before = s.scalar(select(func.count()).select_from(AuditEntry))
    before = _rows(lighting)
    changes: list[tuple[str, str, Any, str]] = [
        ("POST", "/api/sales-orders", {"customer": CUSTOMER}, "sales"),
        (
            "POST",
            f"/api/sales-orders/{NUMBER}/lines",
            {"item": "X", "qty": 1, "due": _due()},
            "sales",
        ),
        ("PATCH", f"/api/sales-orders/{NUMBER}/lines/1", {"qty": 5}, "sales"),
        ("DELETE", f"/api/sales-orders/{NUMBER}/lines/2", None, "sales"),
        ("POST", f"/api/sales-orders/{NUMBER}/status", {"status": "cancelled"}, "sales"),
        ("POST", f"/api/sales-orders/{NUMBER}/lines/1/configure", {"params": RUN}, "sales"),
        ("PATCH", "/api/boms/BOM-SO-1009-1/lines/2", {"qty_per": 9}, "sales"),
        ("DELETE", "/api/boms/BOM-SO-1009-1/lines/2", None, "sales"),
        (
            "POST",
            "/api/boms/BOM-SO-1009-1/lines",
            {"component": "CAP-7040-W", "qty_per": 1},
            "sales",
        ),
        ("POST", "/api/boms/BOM-SO-1009-1/copy", {"to_sales_order": NUMBER, "to_line": 2}, "sales"),
        ("POST", "/api/boms/BOM-SO-1009-1/save-template", {"item": "NEW"}, "master_data"),
    ]
    for method, path, body, permission in changes:
        refused = api.request(method, path, json=body, headers=viewer)
        assert _error(refused, 403)["params"]["permission"] == permission, (method, path)
    with db.session_factory(lighting)() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == audit_before
    assert _rows(lighting) == before

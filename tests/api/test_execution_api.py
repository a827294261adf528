"""Execution through the API on the lighting sample: purchase orders, production orders,
stock and shipments, as the buyer, the planner and the shop floor do it, on SQLite and
PostgreSQL. Also who may do what, bad input, and the list endpoints' paging, filters and
sorting."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Protocol

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from pegboard import db
from pegboard.bundle.importer import read_bundle
from pegboard.demo import demo_path
from pegboard.model import AuditEntry, Item, PlannedOrder, StockMove
from pegboard.services.company_data import replace_company
from pegboard.services.dataset import Dataset
from pegboard.services.planning import current_run, run_plan

Headers = dict[str, str]
AsRole = Callable[[str], Headers]


class Response(Protocol):
    """What the tests read of a test client's response."""

    @property
    def status_code(self) -> int: ...
    @property
    def text(self) -> str: ...
    def json(self) -> Any: ...


@functools.cache
def _lighting() -> Dataset:
    return read_bundle(demo_path("lighting"))


@pytest.fixture
def lighting(engine: Engine) -> Engine:
    """The lighting sample company, planned (planning date 2026-11-23)."""
    with db.session_factory(engine)() as s:
        replace_company(s, _lighting(), author="import")
        run_plan(s, author="planner")
    return engine


def ok(response: Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def error(response: Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()["error"]
    return body


def planned(engine: Engine, item: str) -> list[str]:
    """The unfirmed planned orders of ``item`` in the current plan."""
    with db.session_factory(engine)() as s:
        run = current_run(s)
        assert run is not None
        return list(
            s.scalars(
                select(PlannedOrder.number)
                .join(Item, Item.id == PlannedOrder.item_id)
                .where(
                    PlannedOrder.plan_run_id == run.id,
                    Item.code == item,
                    PlannedOrder.firmed_as.is_(None),
                )
                .order_by(PlannedOrder.number)
            )
        )


def counts(engine: Engine) -> tuple[int, int]:
    """Audit rows and stock moves: what any change leaves behind."""
    with engine.connect() as conn:
        audit = conn.scalar(select(func.count()).select_from(AuditEntry))
        moves = conn.scalar(select(func.count()).select_from(StockMove))
    return int(audit or 0), int(moves or 0)


# --- the loop --------------------------------------------------------------------------------


def test_the_loop_from_plan_to_delivery(api: TestClient, lighting: Engine, as_role: AsRole) -> None:
    buyer, planner, floor = as_role("buyer"), as_role("planner"), as_role("shopfloor")

    # Buy: the canopy SO-1001 and SO-1005 need before the end of the week.
    (canopy,) = planned(lighting, "SUS-CAN-300")
    firm = api.post("/api/purchase-orders/firm", json={"until": "2026-11-30"}, headers=buyer)
    (po,) = ok(firm, 201)["created"]
    view = ok(api.get(f"/api/purchase-orders/{po}", headers=buyer))
    assert (view["supplier"], view["status"]) == ("Kessler Metallbau", "draft")
    (line,) = view["lines"]
    # due when the canopy CAN-SO-1001-2 is released: 3 working days before Tuesday
    # 2026-12-15, when the pendant PC-SO-1001-2 starts (4 working days before Monday the 21st)
    assert (line["item"], line["qty"], line["due_date"], line["open_qty"]) == (
        "SUS-CAN-300",
        3,
        "2026-12-10",
        3,
    )
    again = api.post("/api/purchase-orders/firm", json={"planned": [canopy]}, headers=buyer)
    assert f"{canopy} was firmed already as {po}/1" in error(again, 409)["message"]
    dates = {"ship_date": "2026-11-24", "arrival": "2026-11-27"}
    early = api.post(f"/api/purchase-orders/{po}/ship", json=dates, headers=buyer)
    assert (
        error(early, 409)["message"]
        == f"{po} is draft: cannot mark it in transit; confirm it first"
    )

    assert (
        ok(api.post(f"/api/purchase-orders/{po}/confirm", headers=buyer))["status"] == "confirmed"
    )
    shipped = api.post(f"/api/purchase-orders/{po}/ship", json=dates, headers=buyer)
    (line,) = ok(shipped)["lines"]
    assert (line["status"], line["due_date"], line["ship_date"]) == (
        "in_transit",
        "2026-11-27",
        "2026-11-24",
    )
    assert ok(api.get("/api/stock/SUS-CAN-300", headers=buyer))["in_transit"] == 3

    part = api.post(
        f"/api/purchase-orders/{po}/receive",
        json={"lines": {"1": 2}, "location": "goods-in"},
        headers=buyer,
    )
    receipt = ok(part)
    assert receipt["received"] == {"1": 2}
    assert receipt["purchase_order"]["status"] == "confirmed"
    assert receipt["purchase_order"]["lines"][0]["received_qty"] == 2
    rest = ok(api.post(f"/api/purchase-orders/{po}/receive", headers=buyer))
    assert rest["received"] == {"1": 1}
    assert rest["purchase_order"]["status"] == "closed"
    assert rest["purchase_order"]["lines"][0]["status"] == "received"

    # Make: the late lobby change order SO-1008, its body first.
    (body,), (fixture,) = planned(lighting, "BODY-SO-1008-1"), planned(lighting, "FX-SO-1008-1")
    made = api.post(
        "/api/production-orders/firm", json={"planned": [fixture, body]}, headers=planner
    )
    assert len(ok(made, 201)["created"]) == 2
    mos = ok(api.get("/api/production-orders?sales_order=SO-1008", headers=floor))
    assert mos["total"] == 2
    by_item = {m["item"]: m for m in mos["items"]}
    assert {m["status"] for m in mos["items"]} == {"planned"}
    mo_body, mo_fx = by_item["BODY-SO-1008-1"]["number"], by_item["FX-SO-1008-1"]["number"]
    assert by_item["BODY-SO-1008-1"]["parent"] == mo_fx

    view = ok(api.get(f"/api/production-orders/{mo_body}", headers=floor))
    assert (view["status"], view["sales_order"], view["parent"]) == ("planned", "SO-1008", mo_fx)
    profile = next(c for c in view["components"] if c["item"] == "EXT-AL-7040")
    # 2.4 m of profile per body, +3 % scrap, for two bodies.
    assert profile["required"] == pytest.approx(4.944)
    assert profile["outstanding"] == pytest.approx(4.944)

    # The fixture is released first: everything is there but its body, which is short.
    released = ok(api.post(f"/api/production-orders/{mo_fx}/release", headers=floor))
    assert released["production_order"]["status"] == "released"
    assert released["shortages"] == [{"item": "BODY-SO-1008-1", "qty": 2}]
    ok(api.post(f"/api/production-orders/{mo_body}/release", headers=floor))
    issued = ok(api.post(f"/api/production-orders/{mo_body}/issue", headers=floor))
    assert issued["issued"]["EXT-AL-7040"] == pytest.approx(4.944)
    assert issued["production_order"]["status"] == "in_progress"
    done = api.post(f"/api/production-orders/{mo_body}/complete", json={"qty": 2}, headers=floor)
    assert (ok(done)["status"], ok(done)["completed"]) == ("done", 2)
    # The bodies went straight to the released fixture order.
    view = ok(api.get(f"/api/production-orders/{mo_fx}", headers=floor))
    bodies = next(c for c in view["components"] if c["item"] == "BODY-SO-1008-1")
    assert (bodies["reserved"], bodies["short"]) == (2, 0)

    part_issue = api.post(
        f"/api/production-orders/{mo_fx}/issue",
        json={"quantities": {"SA-LEDMOD-2240": 1}},
        headers=floor,
    )
    assert ok(part_issue)["issued"] == {"SA-LEDMOD-2240": 1}
    done = ok(api.post(f"/api/production-orders/{mo_fx}/complete", json={"qty": 2}, headers=floor))
    assert done["status"] == "done"
    assert all(c["outstanding"] == 0 for c in done["components"])  # backflushed
    fx = ok(api.get("/api/stock/FX-SO-1008-1", headers=floor))
    assert fx["buckets"] == [{"location": "main", "holder": "SO-1008", "qty": 2}]
    assert fx["demand"] == 2

    # Ship and deliver.
    sent = api.post(
        "/api/shipments",
        json={
            "sales_order": "SO-1008",
            "line": 1,
            "qty": 2,
            "ship_date": "2026-11-24",
            "tracking": "DHL123",
        },
        headers=floor,
    )
    shipment = ok(sent, 201)
    number = shipment["number"]
    assert shipment == {
        "number": number,
        "sales_order": "SO-1008",
        "line": 1,
        "item": "FX-SO-1008-1",
        "qty": 2,
        "status": "in_transit",
        "ship_date": "2026-11-24",
        "delivered_on": None,
        "tracking": "DHL123",
    }
    listed = ok(api.get("/api/shipments?sales_order=SO-1008", headers=floor))
    assert [s["number"] for s in listed["items"]] == [number]
    delivered = api.post(
        f"/api/shipments/{number}/deliver", json={"delivered_on": "2026-11-26"}, headers=floor
    )
    assert (ok(delivered)["status"], ok(delivered)["delivered_on"]) == ("delivered", "2026-11-26")
    twice = api.post(f"/api/shipments/{number}/deliver", headers=floor)
    assert error(twice, 409)["message"] == f"{number} is delivered already"

    # The stock agrees with its ledger and tells the story.
    assert ok(api.get("/api/stock-check", headers=floor)) == {"ok": True, "mismatches": []}
    fx = ok(api.get("/api/stock/FX-SO-1008-1", headers=floor))
    assert (fx["on_hand"], fx["in_production"], fx["demand"], fx["buckets"]) == (0, 0, 0, [])
    moves = ok(api.get("/api/stock/FX-SO-1008-1/moves", headers=floor))
    assert [(m["kind"], m["qty"], m["reference"]) for m in moves["items"]] == [
        ("shipment", -2, number),
        ("completion", 2, mo_fx),
    ]
    can = ok(api.get("/api/stock/SUS-CAN-300", headers=buyer))
    assert (can["on_hand"], can["on_order"], can["in_transit"]) == (7, 0, 0)
    assert can["buckets"] == [
        {"location": "goods-in", "holder": "", "qty": 2},
        {"location": "main", "holder": "", "qty": 5},
    ]
    projection = ok(api.get("/api/stock/SUS-CAN-300/projection", headers=buyer))
    assert (projection["plan_run"], projection["planning_date"]) == (1, "2026-11-23")
    assert projection["on_hand"] == 7
    assert all(f"{po}/1" not in row["refs"] for row in projection["rows"])

    # Each change is in the audit trail under the name of who made it.
    def authors(ref: str) -> set[str]:
        return {a["author"] for a in ok(api.get(f"/api/audit?ref={ref}", headers=floor))}

    assert authors(po) == {"buyer"}
    assert authors(mo_fx) == {"planner", "shopfloor"}
    assert authors(number) == {"shopfloor"}


# --- who may do what ---------------------------------------------------------------------------

CHANGES: list[tuple[str, dict[str, Any] | None]] = [
    ("/api/purchase-orders/firm", {"until": "2026-11-30"}),
    (
        "/api/purchase-orders",
        {
            "supplier": "Polymer Parts Ltd",
            "lines": [{"item": "CAP-7040-W", "qty": 5, "due_date": "2026-12-10"}],
        },
    ),
    ("/api/purchase-orders/PO-31020/confirm", None),
    ("/api/purchase-orders/PO-31015/ship", {"arrival": "2026-12-01"}),
    ("/api/purchase-orders/PO-31012/receive", None),
    ("/api/purchase-orders/PO-31015/cancel", None),
    ("/api/production-orders/firm", {"until": "2026-11-30"}),
    ("/api/production-orders/MO-2201/release", None),
    ("/api/production-orders/MO-2201/issue", None),
    ("/api/production-orders/MO-2201/complete", {"qty": 1}),
    ("/api/production-orders/MO-2201/scrap", {"qty": 1, "reason": "dropped"}),
    ("/api/production-orders/MO-2202/close", None),
    ("/api/production-orders/MO-2202/cancel", None),
    ("/api/stock/adjust", {"item": "CAP-7040-W", "qty": -1, "reason": "count"}),
    (
        "/api/stock/transfer",
        {"item": "CAP-7040-W", "qty": 1, "from_location": "main", "to_location": "van"},
    ),
    ("/api/stock/reserve", {"item": "CAP-7040-W", "qty": 1, "sales_order": "SO-1001"}),
    ("/api/stock/unreserve", {"item": "CAP-7040-W", "sales_order": "SO-1001"}),
    ("/api/shipments", {"sales_order": "SO-1001", "line": 1, "qty": 1}),
    ("/api/shipments/SH-000001/deliver", None),
]

READS = [
    "/api/purchase-orders",
    "/api/purchase-orders/PO-31012",
    "/api/production-orders",
    "/api/production-orders/MO-2201",
    "/api/stock/CAP-7040-W",
    "/api/stock/CAP-7040-W/projection",
    "/api/stock/CAP-7040-W/moves",
    "/api/stock-check",
    "/api/shipments",
]


def test_each_role_is_refused_what_it_may_not_do(
    api: TestClient, lighting: Engine, as_role: AsRole
) -> None:
    buyer, floor, viewer = as_role("buyer"), as_role("shopfloor"), as_role("viewer")
    before = counts(lighting)
    refused = error(api.post("/api/production-orders/MO-2201/release", headers=buyer), 403)
    assert refused["code"] == "forbidden"
    assert refused["message"] == "the role buyer may not do this (needs production)"
    refused = error(api.post("/api/purchase-orders/PO-31012/receive", headers=floor), 403)
    assert refused["message"] == "the role shopfloor may not do this (needs purchase)"
    firm = api.post("/api/production-orders/firm", json={"until": "2026-11-30"}, headers=buyer)
    assert error(firm, 403)["params"] == {"role": "buyer", "permission": "plan"}
    firm = api.post("/api/purchase-orders/firm", json={"until": "2026-11-30"}, headers=floor)
    assert error(firm, 403)["params"] == {"role": "shopfloor", "permission": "purchase"}
    assert counts(lighting) == before

    # The viewer reads everything and changes nothing.
    for path in READS:
        ok(api.get(path, headers=viewer))
    for path, body in CHANGES:
        assert error(api.post(path, json=body, headers=viewer), 403)["code"] == "forbidden", path
    assert counts(lighting) == before
    assert ok(api.get("/api/purchase-orders?status=draft", headers=viewer))["total"] == 0

    # What a role may do, it does: the buyer moves stock (the stock permission).
    adjust = api.post(
        "/api/stock/adjust",
        json={"item": "CAP-7040-W", "qty": -5, "reason": "count"},
        headers=buyer,
    )
    assert ok(adjust)["balance"] == 55
    assert ok(adjust)["position"]["on_hand"] == 55
    assert counts(lighting)[1] == before[1] + 1


# --- bad input -----------------------------------------------------------------------------------


def test_bad_purchase_input_is_refused_with_the_rule(
    api: TestClient, lighting: Engine, as_role: AsRole
) -> None:
    buyer = as_role("buyer")
    before = counts(lighting)

    def receive(lines: Any) -> Response:
        return api.post(
            "/api/purchase-orders/PO-31015/receive", json={"lines": lines}, headers=buyer
        )

    for qty in (0, -3, 1e12, True, "2"):
        assert error(receive({"1": qty}), 422)["field"] == "lines.1", qty
    nan = api.post(
        "/api/purchase-orders/PO-31015/receive",
        content=b'{"lines": {"1": NaN}}',
        headers={**buyer, "Content-Type": "application/json"},
    )
    assert error(nan, 422)["field"] == "lines.1"
    assert error(receive({}), 422)["field"] == "lines"
    over = error(receive({"1": 40}), 422)
    assert over["code"] == "invalid"
    assert "makes 40 of 20 ordered, over the 5% tolerance (at most 21 more)" in over["message"]
    assert over["params"]["rule"] == "over_receipt"
    assert error(receive({"2": 1}), 404)["message"] == "PO-31015 has no line 2"
    # A misspelt field is an error, not "receive everything".
    typo = api.post("/api/purchase-orders/PO-31015/receive", json={"line": {"1": 1}}, headers=buyer)
    assert error(typo, 422)["field"] == "line"
    assert counts(lighting) == before

    missing = error(api.get("/api/purchase-orders/PO-9999", headers=buyer), 404)
    assert missing == {
        "code": "not_found",
        "message": "no purchase order 'PO-9999'",
        "field": None,
        "params": {"purchase_order": "PO-9999"},
    }
    assert error(api.post("/api/purchase-orders/PO-9999/receive", headers=buyer), 404)
    ship = api.post(
        "/api/purchase-orders/PO-31015/ship",
        json={"ship_date": "2026-12-01", "arrival": "2026-11-30"},
        headers=buyer,
    )
    assert error(ship, 422)["field"] == "arrival"
    both = api.post(
        "/api/purchase-orders/firm",
        json={"planned": ["PL-000043"], "until": "2026-11-30"},
        headers=buyer,
    )
    assert error(both, 422)["field"] == "until"
    make = api.post(
        "/api/purchase-orders",
        json={
            "supplier": "X",
            "lines": [{"item": "SA-DRVTRAY-40D", "qty": 1, "due_date": "2026-12-01"}],
        },
        headers=buyer,
    )
    assert "is a make item; it is not bought" in error(make, 422)["message"]

    # A cancelled purchase order receives nothing.
    new = api.post(
        "/api/purchase-orders",
        json={
            "supplier": "Polymer Parts Ltd",
            "lines": [
                {"item": "CAP-7040-W", "qty": 50, "due_date": "2026-12-10"},
                {
                    "item": "CAP-5035-W",
                    "qty": 25,
                    "due_date": "2026-12-12",
                    "sales_order": "SO-1001",
                },
            ],
        },
        headers=buyer,
    )
    created = ok(new, 201)
    po = created["number"]
    assert (created["status"], created["lines"][1]["sales_order"]) == ("draft", "SO-1001")
    cancelled = api.post(f"/api/purchase-orders/{po}/cancel", json={"lines": [2]}, headers=buyer)
    assert [line["status"] for line in ok(cancelled)["lines"]] == ["open", "cancelled"]
    assert ok(api.post(f"/api/purchase-orders/{po}/cancel", headers=buyer))["status"] == "cancelled"
    refused = error(api.post(f"/api/purchase-orders/{po}/receive", headers=buyer), 409)
    assert refused["message"] == f"{po} is cancelled: cannot receive goods"
    assert refused["params"]["status"] == "cancelled"


def test_bad_production_stock_and_shipping_input(
    api: TestClient, lighting: Engine, as_role: AsRole
) -> None:
    floor = as_role("shopfloor")
    before = counts(lighting)

    def post(path: str, body: Any = None) -> Response:
        return api.post(path, json=body, headers=floor)

    mo = "/api/production-orders/MO-2201"
    assert (
        "at most 20 more can be completed, not 50"
        in (error(post(f"{mo}/complete", {"qty": 50}), 422)["message"])
    )
    for qty in (0, -1, 2e9):
        assert error(post(f"{mo}/complete", {"qty": qty}), 422)["field"] == "qty"
    assert error(post(f"{mo}/scrap", {"qty": 1, "reason": ""}), 422)["field"] == "reason"
    assert error(post(f"{mo}/scrap", {"qty": 1, "reason": " "}), 422)["message"] == (
        "scrap needs a reason"
    )
    ghost = error(post(f"{mo}/issue", {"quantities": {"GHOST": 1}}), 422)
    assert ghost["message"] == "GHOST is not a component of MO-2201"
    assert error(post(f"{mo}/release"), 409)["message"] == "MO-2201 is released: cannot release it"
    assert error(api.get("/api/production-orders/MO-9", headers=floor), 404)["message"] == (
        "no production order 'MO-9'"
    )

    def adjust(qty: Any, reason: str = "count") -> Response:
        return post("/api/stock/adjust", {"item": "CAP-7040-W", "qty": qty, "reason": reason})

    for bad in (0, 0.0, 2e9, -2e9, None):
        assert error(adjust(bad), 422)["field"] == "qty", bad
    assert "a reason is required" in error(adjust(1, " "), 422)["message"]
    assert error(api.get("/api/stock/GHOST", headers=floor), 404)["message"] == "no item 'GHOST'"
    assert error(api.get("/api/stock/GHOST/moves", headers=floor), 404)
    reserve = post(
        "/api/stock/reserve", {"item": "CAP-7040-W", "qty": 1e6, "sales_order": "SO-1001"}
    )
    assert error(reserve, 409)["code"] == "insufficient_stock"
    same = post(
        "/api/stock/transfer",
        {"item": "CAP-7040-W", "qty": 1, "from_location": "main", "to_location": "main"},
    )
    assert error(same, 422)["field"] == "to_location"

    over = error(post("/api/shipments", {"sales_order": "SO-1008", "line": 1, "qty": 5}), 422)
    assert over["message"] == "SO-1008/1: 2 ordered, 0 shipped; cannot ship 5 (at most 2)"
    assert error(post("/api/shipments", {"sales_order": "SO-1008", "line": 1, "qty": 0}), 422)
    assert error(post("/api/shipments/SH-000009/deliver"), 404)["message"] == (
        "no shipment 'SH-000009'"
    )
    assert counts(lighting) == before


# --- lists ---------------------------------------------------------------------------------------


def numbers(page: dict[str, Any], key: str = "number") -> list[Any]:
    return [row[key] for row in page["items"]]


def test_purchase_and_production_lists_page_filter_and_sort(
    api: TestClient, lighting: Engine, as_role: AsRole
) -> None:
    viewer = as_role("viewer")

    def get(url: str) -> Any:
        return ok(api.get(url, headers=viewer))

    newest = get("/api/purchase-orders")
    assert (newest["total"], newest["limit"], newest["offset"]) == (8, 50, 0)
    assert numbers(newest)[:2] == ["PO-31024", "PO-31022"]
    first = next(r for r in newest["items"] if r["number"] == "PO-31012")
    assert (first["lines"], first["open_lines"], first["next_due"]) == (2, 2, "2026-11-24")

    page = get("/api/purchase-orders?sort=number&limit=3&offset=6")
    assert (page["total"], numbers(page)) == (8, ["PO-31022", "PO-31024"])
    assert numbers(get("/api/purchase-orders?sort=-number&limit=2")) == ["PO-31024", "PO-31022"]
    assert numbers(get("/api/purchase-orders?sort=next_due&limit=1")) == ["PO-31012"]
    hanmo = get("/api/purchase-orders?supplier=hanmo%20lighting&sort=number")
    assert numbers(hanmo) == ["PO-31015", "PO-31016"]
    assert numbers(get("/api/purchase-orders?item=DRV-DALI-75W")) == ["PO-31012"]
    assert get("/api/purchase-orders?status=draft")["total"] == 0
    assert get("/api/purchase-orders?supplier=%25")["total"] == 0  # no wildcards

    bad = error(api.get("/api/purchase-orders?sort=price", headers=viewer), 422)
    assert bad["field"] == "sort"
    assert error(api.get("/api/purchase-orders?status=open", headers=viewer), 422)["field"] == (
        "status"
    )
    assert error(api.get("/api/purchase-orders?limit=0", headers=viewer), 422)["field"] == "limit"

    mos = get("/api/production-orders")
    mps = [f"MPS-SA-DRVTRAY-60V-2027-W0{week}" for week in (1, 2, 3)]  # the master schedule
    assert numbers(mos) == ["MO-1007-1.1", "MO-2201", "MO-2202", *mps]  # by due date
    released = get("/api/production-orders?status=released&sort=-number")
    assert numbers(released) == ["MO-2202", "MO-2201"]
    assert numbers(get("/api/production-orders?item=SA-LEDMOD-2240")) == ["MO-2202"]
    second_largest = "/api/production-orders?status=released&sort=-qty&limit=1&offset=1"
    assert numbers(get(second_largest)) == ["MO-2202"]
    assert error(api.get("/api/production-orders?sort=due", headers=viewer), 422)["field"] == (
        "sort"
    )

    firm = api.post(
        "/api/production-orders/firm", json={"until": "2026-11-30"}, headers=as_role("planner")
    )
    assert len(ok(firm, 201)["created"]) == 6
    # the six firmed and the master schedule's three weeks (planned orders for stock)
    assert get("/api/production-orders?status=planned")["total"] == 6 + len(mps)
    assert get("/api/production-orders?sales_order=SO-1005&limit=1")["total"] == 2


def test_shipment_and_move_lists_page_filter_and_sort(
    api: TestClient, lighting: Engine, as_role: AsRole
) -> None:
    planner, viewer = as_role("planner"), as_role("viewer")

    def get(url: str) -> Any:
        return ok(api.get(url, headers=viewer))

    ok(api.post("/api/locations", json={"code": "van"}, headers=as_role("admin")), 201)
    for qty, location in ((2, "main"), (1, "van")):
        added = api.post(
            "/api/stock/adjust",
            json={"item": "FX-SO-1008-1", "qty": qty, "reason": "found", "location": location},
            headers=planner,
        )
        ok(added)
    shipments = []
    for part, location in ((1.0, "main"), (0.5, "main"), (0.5, "van")):
        sent = api.post(
            "/api/shipments",
            json={"sales_order": "SO-1008", "line": 1, "qty": part, "location": location},
            headers=planner,
        )
        shipments.append(ok(sent, 201)["number"])
    ok(api.post(f"/api/shipments/{shipments[0]}/deliver", headers=planner))

    listed = get("/api/shipments")
    assert (listed["total"], numbers(listed)) == (3, shipments[::-1])
    assert numbers(get("/api/shipments?sort=number&limit=2&offset=1")) == shipments[1:]
    assert numbers(get("/api/shipments?status=delivered")) == shipments[:1]
    assert numbers(get("/api/shipments?sort=qty,number&limit=2")) == shipments[1:]
    assert get("/api/shipments?item=FX-SO-1008-1&sales_order=SO-1008")["total"] == 3
    assert get("/api/shipments?sales_order=SO-1001")["total"] == 0
    assert ok(api.get(f"/api/shipments/{shipments[2]}", headers=viewer))["qty"] == 0.5
    assert error(api.get("/api/shipments?sort=tracking", headers=viewer), 422)["field"] == "sort"
    assert error(api.get("/api/shipments?status=lost", headers=viewer), 422)["field"] == "status"

    moves = get("/api/stock/FX-SO-1008-1/moves?limit=2")
    assert moves["total"] == 5
    assert [(m["kind"], m["qty"], m["location"]) for m in moves["items"]] == [
        ("shipment", -0.5, "van"),
        ("shipment", -0.5, "main"),
    ]
    adjustments = get("/api/stock/FX-SO-1008-1/moves?kind=adjustment&sort=qty")
    assert [(m["qty"], m["reason"], m["author"]) for m in adjustments["items"]] == [
        (1, "found", "planner"),
        (2, "found", "planner"),
    ]
    assert get("/api/stock/FX-SO-1008-1/moves?location=van")["total"] == 2
    bad = error(api.get("/api/stock/FX-SO-1008-1/moves?sort=id", headers=viewer), 422)
    assert bad["field"] == "sort"
    assert ok(api.get("/api/stock-check", headers=viewer))["ok"] is True

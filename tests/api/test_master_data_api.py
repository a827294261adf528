"""Items, templates, customers and projects through the API, on both databases."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from pegboard import db
from pegboard.bundle import schema
from pegboard.bundle.importer import read_bundle
from pegboard.demo import demo_path
from pegboard.errors import ValidationError
from pegboard.model import AuditEntry, Item
from pegboard.services import items
from pegboard.services.company_data import replace_company

Headers = dict[str, str]
AsRole = Callable[[str], Headers]

LAMP = {
    "item": "LAMP",
    "description": "Pendant lamp, to order",
    "parameters": [
        {"name": "drop_m", "kind": "number", "unit": "m", "min": 0.5, "max": 4, "default": "1.5"},
        {"name": "finish", "kind": "choice", "choices": ["white", "black"], "default": "white"},
    ],
    "lines": [
        {"component": "CABLE", "qty": "drop_m * 2", "scrap_pct": 5},
        {"choice": "finish", "options": {"white": "SHADE-W", "black": "SHADE-B"}, "qty": 1},
    ],
}


def _count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _lighting(engine: Engine) -> None:
    with db.session_factory(engine)() as s:
        replace_company(s, read_bundle(demo_path("lighting")), author="import")


def _lamp_parts(api: TestClient, headers: Headers) -> None:
    for code, kind in [("LAMP", "make"), ("CABLE", "buy"), ("SHADE-W", "buy"), ("SHADE-B", "buy")]:
        body = {"code": code, "type": kind, "strategy": "mto" if kind == "make" else "mts"}
        assert api.post("/api/items", json=body, headers=headers).status_code == 201


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    return error


# --------------------------------------------------------------------------- items


def test_an_item_is_created_with_the_bundle_defaults_changed_and_audited(
    api: TestClient, as_role: AsRole, engine: Engine
) -> None:
    planner = as_role("planner")
    made = api.post(
        "/api/items",
        json={"code": "BRK-1", "description": "Bracket", "lead_time_days": 5, "unit_cost": 1.5},
        headers=planner,
    )
    assert made.status_code == 201
    assert made.json() == {
        "code": "BRK-1",
        "description": "Bracket",
        "type": "buy",
        "strategy": "mts",
        "uom": "ea",
        "lead_time_days": 5,
        "lot_rule": "lfl",
        "lot_qty": None,
        "period_days": None,
        "min_qty": 0.0,
        "multiple": 0.0,
        "safety_stock": 0.0,
        "unit_cost": 1.5,
        "supplier": "",
        "decimals": 0,  # counted in pieces (ea): whole units
        "mps": False,
    }
    fractional = api.patch("/api/items/BRK-1", json={"multiple": 0.5}, headers=planner)
    assert _error(fractional, 422)["field"] == "multiple"
    again = api.post("/api/items", json={"code": "BRK-1"}, headers=planner)
    assert _error(again, 409)["field"] == "code"

    foq = api.patch("/api/items/BRK-1", json={"lot_rule": "foq"}, headers=planner)
    assert _error(foq, 422)["field"] == "lot_qty"
    changed = api.patch(
        "/api/items/BRK-1",
        json={"lot_rule": "foq", "lot_qty": 50, "supplier": "Acme"},
        headers=planner,
    )
    assert changed.status_code == 200
    assert changed.json()["lot_qty"] == 50 and changed.json()["supplier"] == "Acme"
    cleared = api.patch(
        "/api/items/BRK-1", json={"lot_rule": "lfl", "lot_qty": None}, headers=planner
    )
    assert cleared.json()["lot_qty"] is None and cleared.json()["supplier"] == "Acme"
    blank = api.patch("/api/items/BRK-1", json={"description": None}, headers=planner)
    assert _error(blank, 422)["field"] == "description"
    assert api.get("/api/items/BRK-1", headers=as_role("viewer")).json() == cleared.json()

    trail = api.get("/api/audit?entity=item&ref=BRK-1", headers=planner).json()
    assert [(e["action"], e["author"]) for e in trail] == [
        ("update", "planner"),
        ("update", "planner"),
        ("create", "planner"),
    ]
    assert trail[1]["before"] == {"lot_rule": "lfl", "lot_qty": None, "supplier": ""}
    assert trail[1]["after"] == {"lot_rule": "foq", "lot_qty": 50.0, "supplier": "Acme"}
    assert trail[2]["after"]["lead_time_days"] == 5


def test_the_master_schedule_flag_is_set_in_the_item_editor_by_the_rule_of_services_mps(
    api: TestClient, as_role: AsRole, engine: Engine
) -> None:
    planner = as_role("planner")
    bought = api.post("/api/items", json={"code": "NUT", "mps": True}, headers=planner)
    error = _error(bought, 422)
    assert error["field"] == "mps" and "only made items" in error["message"]
    made = api.post("/api/items", json={"code": "TRAY", "type": "make"}, headers=planner)
    assert made.json()["mps"] is False
    on = api.patch("/api/items/TRAY", json={"mps": True}, headers=planner)
    assert on.status_code == 200 and on.json()["mps"] is True
    # a scheduled item must stay made: the type change is refused, naming the type
    to_buy = _error(api.patch("/api/items/TRAY", json={"type": "buy"}, headers=planner), 422)
    assert to_buy["field"] == "type" and "master schedule" in to_buy["message"]
    off_and_buy = api.patch("/api/items/TRAY", json={"mps": False, "type": "buy"}, headers=planner)
    assert off_and_buy.json()["mps"] is False and off_and_buy.json()["type"] == "buy"
    assert (
        _error(api.patch("/api/items/TRAY", json={"mps": 2}, headers=planner), 422)["field"]
        == "mps"
    )
    # the same rule from the CLI's service and from the editor's
    with db.session_factory(engine)() as s, pytest.raises(ValidationError, match="only made"):
        items.update_item(s, "TRAY", {"mps": "true"}, author="ann")
    trail = api.get("/api/audit?entity=item&ref=TRAY", headers=planner).json()
    assert [(e["action"], e["before"], e["after"]) for e in trail[:2]] == [
        ("update", {"type": "make", "mps": True}, {"type": "buy", "mps": False}),
        ("update", {"mps": False}, {"mps": True}),
    ]


BAD_ITEMS = [
    ({"code": ""}, "code"),
    ({"code": "X", "lead_time_days": -1}, "lead_time_days"),
    ({"code": "X", "lead_time_days": 1.5}, "lead_time_days"),
    ({"code": "X", "type": "rent"}, "type"),
    ({"code": "X", "uom": "u" * 21}, "uom"),
    ({"code": "X", "lot_qty": 0}, "lot_qty"),
    ({"code": "X", "lot_rule": "poq"}, "period_days"),
    ({"code": "X", "colour": "red"}, "colour"),
    ({"code": "X" * 101}, "code"),
    ({"code": "   "}, "code"),
]


def test_a_bad_item_is_refused_naming_the_field_and_nothing_is_written(
    api: TestClient, as_role: AsRole, engine: Engine
) -> None:
    planner = as_role("planner")
    before = _count(engine, AuditEntry)
    for body, field in BAD_ITEMS:
        assert _error(api.post("/api/items", json=body, headers=planner), 422)["field"] == field
    nan = api.post(
        "/api/items",
        content='{"code": "X", "unit_cost": NaN}',
        headers={**planner, "content-type": "application/json"},
    )
    assert _error(nan, 422)["field"] == "unit_cost"
    assert _count(engine, Item) == 0
    assert _count(engine, AuditEntry) == before


def test_the_item_rules_are_those_of_items_csv() -> None:
    columns = {c.name: c for c in schema.ITEMS.columns}
    assert set(items.RULES) == set(columns) - {"item"}
    for name, rule in items.RULES.items():
        column = columns[name]
        default = items.DEFAULTS[name]
        text = str(default).lower() if isinstance(default, bool) else str(default)
        assert (text if default is not None else "") in (column.default, "0.0"), name
        if column.kind is schema.Kind.TEXT:
            with pytest.raises(ValidationError, match="longer"):
                rule(name, "x" * (column.max_length + 1))
        if column.check is not schema.Check.NONE:
            with pytest.raises(
                ValidationError, match=r"greater than 0|0 or more|must not be negative"
            ):
                rule(name, -1)


def test_items_are_listed_a_page_at_a_time_filtered_and_sorted(
    api: TestClient, as_role: AsRole, engine: Engine
) -> None:
    _lighting(engine)
    viewer = as_role("viewer")
    total = _count(engine, Item)
    first = api.get("/api/items?limit=5", headers=viewer).json()
    assert first["total"] == total and first["limit"] == 5 and first["offset"] == 0
    codes = [i["code"] for i in first["items"]]
    assert codes == sorted(codes)
    second = api.get("/api/items?limit=5&offset=5", headers=viewer).json()
    assert second["items"][0]["code"] > codes[-1]

    made = api.get("/api/items?type=make&strategy=mto&limit=500", headers=viewer).json()
    assert made["total"] > 0
    assert all(i["type"] == "make" and i["strategy"] == "mto" for i in made["items"])
    drivers = api.get("/api/items?q=DRIVER", headers=viewer).json()["items"]
    assert drivers and all("driver" in i["description"].lower() for i in drivers)
    assert api.get("/api/items?q=%25", headers=viewer).json()["total"] == 0  # '%' is literal

    costly = api.get("/api/items?sort=-unit_cost,code&limit=500", headers=viewer).json()["items"]
    costs = [i["unit_cost"] for i in costly]
    assert costs == sorted(costs, reverse=True)
    bad = _error(api.get("/api/items?sort=price", headers=viewer), 422)
    assert bad["field"] == "sort" and "unit_cost" in bad["message"]
    assert _error(api.get("/api/items?type=rent", headers=viewer), 422)["field"] == "type"
    assert _error(api.get("/api/items?limit=0", headers=viewer), 422)["field"] == "limit"


# --------------------------------------------------------------------------- templates


def test_a_template_is_defined_read_listed_and_keeps_its_item_made(
    api: TestClient, as_role: AsRole, engine: Engine
) -> None:
    planner, viewer = as_role("planner"), as_role("viewer")
    _lamp_parts(api, planner)
    made = api.post("/api/templates", json=LAMP, headers=planner)
    assert made.status_code == 201, made.text
    body = made.json()
    assert [p["name"] for p in body["parameters"]] == ["drop_m", "finish"]
    assert body["parameters"][0]["min"] == 0.5 and body["parameters"][1]["choices"] == [
        "white",
        "black",
    ]
    assert body["lines"][0]["qty"] == "drop_m * 2" and body["lines"][0]["scrap_pct"] == 5
    assert body["lines"][1]["options"] == {"white": "SHADE-W", "black": "SHADE-B"}
    assert api.get("/api/templates/LAMP", headers=viewer).json() == body
    assert api.get("/api/items/LAMP", headers=viewer).json()["description"] == LAMP["description"]
    listed = api.get("/api/templates", headers=viewer).json()
    assert listed["total"] == 1 and listed["items"] == [body]

    # the definition read back is accepted again as it is (it round-trips)
    assert api.post("/api/templates", json=body, headers=planner).json() == body

    made_item = api.patch("/api/items/LAMP", json={"type": "buy"}, headers=planner)
    assert _error(made_item, 409)["field"] == "type"
    assert api.get("/api/templates/CABLE", headers=viewer).status_code == 404
    assert api.get("/api/templates/NOPE", headers=viewer).status_code == 404


def test_a_bad_template_is_refused_with_the_reason_and_nothing_written(
    api: TestClient, as_role: AsRole, engine: Engine
) -> None:
    planner = as_role("planner")
    _lamp_parts(api, planner)
    before = _count(engine, AuditEntry)
    formula = {**LAMP, "lines": [{"component": "CABLE", "qty": "drop_m * height"}]}
    refused = _error(api.post("/api/templates", json=formula, headers=planner), 422)
    assert "height" in refused["message"]
    typo = {**LAMP, "lines": [{"component": "CABLE", "qyt": 2}]}
    assert _error(api.post("/api/templates", json=typo, headers=planner), 422)["field"] == (
        "lines.0.qyt"
    )
    empty = {**LAMP, "lines": []}
    assert _error(api.post("/api/templates", json=empty, headers=planner), 422)["field"] == "lines"
    bought = {**LAMP, "item": "CABLE", "lines": [{"component": "SHADE-W"}]}
    assert (
        "bought" in _error(api.post("/api/templates", json=bought, headers=planner), 422)["message"]
    )
    unknown = {**LAMP, "lines": [{"component": "GHOST"}]}
    assert (
        "GHOST" in _error(api.post("/api/templates", json=unknown, headers=planner), 422)["message"]
    )
    assert _count(engine, AuditEntry) == before
    assert api.get("/api/templates", headers=planner).json()["total"] == 0


def test_the_demo_templates_read_as_templates_json_has_them(
    api: TestClient, as_role: AsRole, engine: Engine
) -> None:
    _lighting(engine)
    viewer = as_role("viewer")
    shipped = json.loads((demo_path("lighting") / "templates.json").read_text(encoding="utf-8"))
    listed = api.get("/api/templates?sort=-item", headers=viewer).json()
    assert [t["item"] for t in listed["items"]] == sorted(
        (t["item"] for t in shipped), reverse=True
    )
    one = api.get("/api/templates/LR-7040", headers=viewer).json()
    (source,) = [t for t in shipped if t["item"] == "LR-7040"]
    assert [p["name"] for p in one["parameters"]] == [p["name"] for p in source["parameters"]]
    assert [line.get("condition") for line in one["lines"]] == [
        line.get("condition") for line in source["lines"]
    ]
    assert api.get("/api/templates?q=body", headers=viewer).json()["total"] == 1


# --------------------------------------------------------------------------- customers


def test_customers_and_projects_are_added_listed_and_read(
    api: TestClient, as_role: AsRole, engine: Engine
) -> None:
    planner, viewer = as_role("planner"), as_role("viewer")
    for code, name in [("ACME", "Acme Corp"), ("BOLT", ""), ("ZED", "Zed & Sons")]:
        made = api.post("/api/customers", json={"code": code, "name": name}, headers=planner)
        assert made.status_code == 201
        assert made.json() == {"code": code, "name": name or code}
    assert _error(api.post("/api/customers", json={"code": "ACME"}, headers=planner), 409)
    assert _error(api.post("/api/customers", json={"code": ""}, headers=planner), 422)["field"] == (
        "code"
    )

    page = api.get("/api/customers?sort=-code&limit=2", headers=viewer).json()
    assert page["total"] == 3 and [c["code"] for c in page["items"]] == ["ZED", "BOLT"]
    assert [
        c["code"] for c in api.get("/api/customers?q=corp", headers=viewer).json()["items"]
    ] == ["ACME"]
    assert api.get("/api/customers/ZED", headers=viewer).json()["name"] == "Zed & Sons"
    assert _error(api.get("/api/customers?sort=city", headers=viewer), 422)["field"] == "sort"

    for code in ["Tower", "Garage"]:
        made = api.post(
            "/api/customers/ACME/projects",
            json={"code": code, "name": f"{code} job"},
            headers=planner,
        )
        assert made.status_code == 201
        assert made.json() == {"customer": "ACME", "code": code, "name": f"{code} job"}
    again = api.post("/api/customers/ACME/projects", json={"code": "Tower"}, headers=planner)
    assert _error(again, 409)
    projects = api.get("/api/customers/ACME/projects", headers=viewer).json()
    assert [p["code"] for p in projects["items"]] == ["Garage", "Tower"]
    assert api.get("/api/customers/BOLT/projects", headers=viewer).json()["total"] == 0

    order = api.post(
        "/api/sales-orders", json={"customer": "ACME", "project": "Tower"}, headers=planner
    ).json()
    overview = api.get("/api/customers/ACME/projects/Tower", headers=viewer).json()
    assert overview == {
        "customer": "ACME",
        "code": "Tower",
        "name": "Tower job",
        "orders": [
            {
                "number": order["number"],
                "status": "draft",
                "lines": 0,
                "due": None,
                "projected": None,
                "late_days": 0,
            }
        ],
        "dates": {
            "planned": 0,
            "due": None,
            "projected": None,
            "late_orders": 0,
            "late_days": 0,
            "most_late": None,
            "summary": "No order of the project is in the current plan.",
        },
    }


def test_unknown_master_data_is_404(api: TestClient, as_role: AsRole) -> None:
    viewer, planner = as_role("viewer"), as_role("planner")
    api.post("/api/customers", json={"code": "ACME"}, headers=planner)
    for path in [
        "/api/items/NOPE",
        "/api/templates/NOPE",
        "/api/customers/NOPE",
        "/api/customers/NOPE/projects",
        "/api/customers/NOPE/projects/Tower",
        "/api/customers/ACME/projects/Nowhere",
    ]:
        assert _error(api.get(path, headers=viewer), 404)["code"] == "not_found", path
    assert _error(api.patch("/api/items/NOPE", json={}, headers=planner), 404)
    assert _error(
        api.post("/api/customers/NOPE/projects", json={"code": "P"}, headers=planner), 404
    )


def test_a_viewer_reads_master_data_and_is_refused_every_change(
    api: TestClient, as_role: AsRole, engine: Engine
) -> None:
    planner, viewer = as_role("planner"), as_role("viewer")
    _lamp_parts(api, planner)
    api.post("/api/templates", json=LAMP, headers=planner)
    api.post("/api/customers", json={"code": "ACME"}, headers=planner)
    api.post("/api/customers/ACME/projects", json={"code": "Tower"}, headers=planner)
    for path in [
        "/api/items",
        "/api/items/LAMP",
        "/api/templates",
        "/api/templates/LAMP",
        "/api/customers",
        "/api/customers/ACME",
        "/api/customers/ACME/projects",
        "/api/customers/ACME/projects/Tower",
    ]:
        assert api.get(path, headers=viewer).status_code == 200, path
    before = _count(engine, AuditEntry)
    for method, path, body in [
        ("POST", "/api/items", {"code": "NEW"}),
        ("PATCH", "/api/items/LAMP", {"description": "mine"}),
        ("POST", "/api/templates", LAMP),
        ("POST", "/api/customers", {"code": "NEW"}),
        ("POST", "/api/customers/ACME/projects", {"code": "NEW"}),
    ]:
        refused = api.request(method, path, json=body, headers=viewer)
        assert _error(refused, 403)["params"]["permission"] == "master_data", path
    assert _count(engine, AuditEntry) == before
    assert api.get("/api/items/LAMP", headers=viewer).json()["description"] == LAMP["description"]

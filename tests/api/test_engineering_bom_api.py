"""Engineering BOMs line by line and customers renamed through the API (#19), the same
services as the browser's editors: the tree read back, a cycle answered 409 naming it,
a bad quantity 422 naming the field, moves, removal, the audit; both databases."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from pegboard import db
from pegboard.model import AuditEntry

Headers = dict[str, str]


def test_engineering_bom_lines(api: TestClient, as_role: Callable[[str], Headers]) -> None:
    planner = as_role("planner")
    for code, kind in (("BIKE", "make"), ("FRAME", "make"), ("TUBE", "make"), ("BOLT", "buy")):
        assert (
            api.post("/api/items", json={"code": code, "type": kind}, headers=planner).status_code
            == 201
        )
    assert api.get("/api/items/BIKE/bom", headers=planner).json()["number"] is None

    def add(parent: str, component: str, qty: float) -> dict[str, object]:
        done = api.post(
            f"/api/items/{parent}/bom/lines",
            json={"component": component, "qty_per": qty},
            headers=planner,
        )
        assert done.status_code == 201, done.text
        return dict(done.json())

    assert add("BIKE", "FRAME", 1) == {"item": "BIKE", "position": 1}
    add("BIKE", "BOLT", 4)
    add("FRAME", "TUBE", 2)
    cycle = api.post(
        "/api/items/TUBE/bom/lines", json={"component": "BIKE", "qty_per": 1}, headers=planner
    )
    assert cycle.status_code == 409
    assert cycle.json()["error"]["params"]["cycle"] == ["TUBE", "BIKE", "FRAME", "TUBE"]
    zero = api.post(
        "/api/items/BIKE/bom/lines", json={"component": "BOLT", "qty_per": 0}, headers=planner
    )
    assert zero.status_code == 422

    changed = api.patch(
        "/api/items/BIKE/bom/lines/2", json={"qty_per": 6, "scrap_pct": 1.5}, headers=planner
    )
    assert changed.status_code == 200, changed.text
    up = api.post("/api/items/BIKE/bom/lines/2/move", json={"direction": "up"}, headers=planner)
    assert up.json() == {"item": "BIKE", "position": 1}
    under = api.post(
        "/api/items/BIKE/bom/lines/1/move", json={"new_parent": "FRAME"}, headers=planner
    )
    assert under.json() == {"item": "FRAME", "position": 2}
    neither = api.post("/api/items/BIKE/bom/lines/2/move", json={}, headers=planner)
    assert neither.status_code == 422

    tree = api.get("/api/items/BIKE/bom", headers=planner).json()
    assert tree["number"] == "BOM-BIKE" and tree["nodes"] == 3 and not tree["template"]
    frame = tree["lines"][0]
    assert (frame["component"], frame["qty_per"]) == ("FRAME", 1.0)
    assert [(c["component"], c["qty_per"], c["scrap_pct"]) for c in frame["lines"]] == [
        ("TUBE", 2.0, 0.0),
        ("BOLT", 6.0, 1.5),
    ]
    assert api.delete("/api/items/FRAME/bom/lines/2", headers=planner).status_code == 204
    assert api.delete("/api/items/FRAME/bom/lines/2", headers=planner).status_code == 404
    viewer = as_role("viewer")
    assert api.get("/api/items/BIKE/bom", headers=viewer).status_code == 200
    refused = api.post(
        "/api/items/BIKE/bom/lines", json={"component": "BOLT", "qty_per": 1}, headers=viewer
    )
    assert refused.status_code == 403


def test_customer_and_project_renamed(
    api: TestClient, as_role: Callable[[str], Headers], engine: Engine
) -> None:
    planner = as_role("planner")
    api.post("/api/customers", json={"code": "ACME", "name": "Acme"}, headers=planner)
    api.post("/api/customers/ACME/projects", json={"code": "LOBBY"}, headers=planner)
    renamed = api.patch("/api/customers/ACME", json={"name": "Acme Ltd"}, headers=planner)
    assert renamed.json() == {"code": "ACME", "name": "Acme Ltd"}
    project = api.patch(
        "/api/customers/ACME/projects/LOBBY", json={"name": "Lobby"}, headers=planner
    )
    assert project.json() == {"customer": "ACME", "code": "LOBBY", "name": "Lobby"}
    assert api.get("/api/customers/ACME", headers=planner).json()["name"] == "Acme Ltd"
    assert api.patch("/api/customers/NOPE", json={"name": "x"}, headers=planner).status_code == 404
    assert (
        api.patch("/api/customers/ACME", json={"name": "x" * 201}, headers=planner).status_code
        == 422
    )
    assert (
        api.patch("/api/customers/ACME", json={"name": "y"}, headers=as_role("viewer")).status_code
        == 403
    )
    with db.session_factory(engine)() as s:
        refs = s.scalars(
            select(AuditEntry.entity_ref)
            .where(AuditEntry.action == "update")
            .order_by(AuditEntry.id)
        ).all()
    assert refs == ["ACME", "ACME/LOBBY"]

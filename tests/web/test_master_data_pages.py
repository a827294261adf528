"""Master data in the browser (#19): the items list with its filters (a whole page, and
the table alone for htmx), a new item and a changed one with errors beside the field,
the item page's stock policy and BOM tree editor (add, change, move, remove, a cycle
refused naming it), customers and projects; every change audited as the services do,
and refused to a role without master data."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from _login import post_login
from pegboard import db
from pegboard.model import AuditEntry, Role
from pegboard.services import bom_edit, items, sales

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
ROWS = re.compile(r'<th scope="row"><a href="/items/([^"]+)" hx-boost="false">')
FIELD_ERROR = re.compile(r'<p class="field-error" id="([a-z_-]+)-error"[^>]*>([^<]+)</p>')

ITEM = {
    "code": "LAMP-X",
    "description": "Desk lamp X",
    "type": "make",
    "strategy": "mto",
    "uom": "ea",
    "lot_rule": "lfl",
    "lead_time_days": "3",
    "lot_qty": "",
    "period_days": "",
    "min_qty": "0",
    "multiple": "0",
    "safety_stock": "0",
    "unit_cost": "12.5",
    "supplier": "",
    "decimals": "",
}


def _sign_in(web: TestClient, make_user: Callable[..., None], name: str, role: Role) -> str:
    make_user(name, role)
    page = post_login(web, {"name": name, "password": PASSWORD})
    assert page.status_code == 200, page.text
    found = CSRF.search(page.text)
    assert found
    return found.group(1)


def test_items_list_filters_and_htmx_table(
    web: TestClient, make_user: Callable[..., None], sample: None, engine: Engine
) -> None:
    _sign_in(web, make_user, "ann", Role.PLANNER)
    whole = web.get("/items", params={"type": "buy", "q": "drv"})
    assert whole.status_code == 200 and "<h1>Items</h1>" in whole.text
    found = [unescape(c) for c in ROWS.findall(whole.text)]
    with db.session_factory(engine)() as s:
        expected, total = items.item_page(s, q="drv", type=items.ItemType.BUY, limit=50, offset=0)
        on_mps, _n = items.item_page(s, mps=True, limit=50, offset=0)
    assert found == [v.code for v in expected] and total == len(found) > 0
    table = web.get("/items", params={"type": "buy", "q": "drv"}, headers={"HX-Request": "true"})
    assert table.text.startswith('<div id="item-table"') and "<html" not in table.text
    assert [unescape(c) for c in ROWS.findall(table.text)] == found
    mps = [unescape(c) for c in ROWS.findall(web.get("/items?mps=yes").text)]
    assert mps == [v.code for v in on_mps] and mps  # the sample schedules a driver tray
    sorted_desc = ROWS.findall(web.get("/items?sort=-code").text)
    assert sorted_desc == sorted(sorted_desc, reverse=True)
    second = web.get("/items?page=2")
    assert "Page 2 of" in second.text and 'rel="prev"' in second.text


def test_below_policy_filter_lists_the_items_to_order(
    web: TestClient, make_user: Callable[..., None], sample: None, engine: Engine
) -> None:
    from pegboard.services.policy import runs, stored

    with db.session_factory(engine)() as s:
        runs.run_policy(s, author="test")
        page = stored.policy_page(s, below_only=True, limit=1000)
    _sign_in(web, make_user, "ann", Role.PLANNER)
    listed = [unescape(c) for c in ROWS.findall(web.get("/items?below=yes").text)]
    assert sorted(listed) == sorted(p.item for p in page.rows)[:50]
    if listed:
        shown = web.get(f"/items/{listed[0]}").text
        assert "Reorder point" in shown and "below: order" in shown


def test_create_and_change_an_item_with_errors_beside_the_field(
    web: TestClient, make_user: Callable[..., None], engine: Engine
) -> None:
    csrf = _sign_in(web, make_user, "ann", Role.PLANNER)
    bad = web.post("/item/new", data=ITEM | {"csrf_token": csrf, "lead_time_days": "soon"})
    assert bad.status_code == 422
    assert FIELD_ERROR.findall(bad.text) == [
        ("lead_time_days", "lead_time_days must be a number, not &#39;soon&#39;.")
    ]
    assert 'value="Desk lamp X"' in bad.text  # what was typed is kept
    foq = web.post("/item/new", data=ITEM | {"csrf_token": csrf, "lot_rule": "foq"})
    assert FIELD_ERROR.findall(foq.text) == [("lot_qty", "lot_rule foq needs a lot_qty.")]
    made = web.post("/item/new", data=ITEM | {"csrf_token": csrf}, follow_redirects=False)
    assert made.status_code == 303 and made.headers["location"] == "/items/LAMP-X?saved=created"
    again = web.post("/item/new", data=ITEM | {"csrf_token": csrf})
    assert FIELD_ERROR.findall(again.text) == [("code", "item &#39;LAMP-X&#39; exists already.")]
    assert "Item created." in web.get(made.headers["location"]).text

    form = web.get("/items/LAMP-X/edit").text
    assert 'value="12.5000"' in form or 'value="12.5"' in form
    changed = web.post(
        "/items/LAMP-X/edit",
        data=ITEM | {"csrf_token": csrf, "lead_time_days": "5", "mps": "on"},
        follow_redirects=False,
    )
    assert changed.status_code == 303
    with db.session_factory(engine)() as s:
        view = items.get_item(s, "LAMP-X")
        assert view.lead_time_days == 5 and view.mps and view.unit_cost == 12.5
        trail = s.execute(
            select(AuditEntry.action, AuditEntry.author, AuditEntry.after).where(
                AuditEntry.entity == "item", AuditEntry.entity_ref == "LAMP-X"
            )
        ).all()
    assert [(a, who) for a, who, _after in trail] == [("create", "ann"), ("update", "ann")]
    assert trail[1].after == {"lead_time_days": 5, "mps": True}


def test_bom_tree_editor(web: TestClient, make_user: Callable[..., None], engine: Engine) -> None:
    with db.session_factory(engine)() as s:
        for code, kind in (("BIKE", "make"), ("FRAME", "make"), ("TUBE", "buy"), ("BOLT", "buy")):
            items.create_item(s, code, {"type": kind}, author="t")
    csrf = _sign_in(web, make_user, "ann", Role.PLANNER)

    def add(parent: str, component: str, qty: str) -> object:
        return web.post(
            f"/items/{parent}/bom/add",
            data={
                "csrf_token": csrf,
                "back": "BIKE",
                "parent": parent,
                "component": component,
                "qty_per": qty,
                "scrap_pct": "0",
            },
            follow_redirects=False,
        )

    assert add("BIKE", "FRAME", "1").headers["location"] == "/items/BIKE?saved=bom#bom"  # type: ignore[attr-defined]
    add("BIKE", "BOLT", "4")
    add("FRAME", "TUBE", "2")
    page = web.get("/items/BIKE?saved=bom").text
    assert "BOM saved." in page and "BOM-BIKE" in page and "3 lines in all levels" in page
    assert (
        page.index(">FRAME</a> × 1 ea")
        < page.index(">TUBE</a> × 2 ea")
        < page.index(">BOLT</a> × 4 ea")
    )

    bad = add("BIKE", "BOLT", "0")
    assert bad.status_code == 422  # type: ignore[attr-defined]
    assert "qty_per must be greater than 0" in bad.text  # type: ignore[attr-defined]
    with db.session_factory(engine)() as s:
        items.update_item(s, "TUBE", {"type": "make"}, author="t")
    cycle = add("TUBE", "BIKE", "1")
    assert cycle.status_code == 409  # type: ignore[attr-defined]
    assert "the BOM would have a cycle: TUBE -&gt; BIKE -&gt; FRAME -&gt; TUBE" in cycle.text  # type: ignore[attr-defined]

    def line(parent: str, position: int, **data: str) -> None:
        done = web.post(
            f"/items/{parent}/bom/{position}",
            data={"csrf_token": csrf, "back": "BIKE"} | data,
            follow_redirects=False,
        )
        assert done.status_code == 303, done.text

    line("BIKE", 2, action="save", qty_per="6", scrap_pct="2")
    line("BIKE", 2, action="up")
    line("FRAME", 1, action="save", qty_per="3", scrap_pct="0")  # a line one level down
    line("BIKE", 1, action="move", new_parent="FRAME")
    with db.session_factory(engine)() as s:
        tree = bom_edit.bom_tree(s, "BIKE")
    frame = tree.lines[0]
    assert [(ln.component, ln.qty_per) for ln in tree.lines] == [("FRAME", 1.0)]
    assert [(c.component, c.qty_per, c.scrap_pct) for c in frame.children] == [
        ("TUBE", 3.0, 0.0),
        ("BOLT", 6.0, 2.0),
    ]
    asked = web.post(
        "/items/FRAME/bom/2", data={"csrf_token": csrf, "back": "BIKE", "action": "remove"}
    )
    assert asked.status_code == 200  # a question first: nothing removed yet
    assert "Remove BOLT from FRAME?" in asked.text and "6 ea of BOLT" in asked.text
    assert 'name="confirm" value="yes"' in asked.text and 'href="/items/BIKE#bom"' in asked.text
    with db.session_factory(engine)() as s:
        assert len(bom_edit.bom_tree(s, "BIKE").lines[0].children) == 2
    line("FRAME", 2, action="remove", confirm="yes")
    with db.session_factory(engine)() as s:
        actions = s.scalars(
            select(AuditEntry.action).where(AuditEntry.entity == "bom").order_by(AuditEntry.id)
        ).all()
    assert actions == ["add_line"] * 3 + [
        "change_line",
        "move_line",
        "change_line",
        "remove_line",
        "add_line",
        "remove_line",
    ]


def test_customers_and_projects(
    web: TestClient, make_user: Callable[..., None], engine: Engine
) -> None:
    csrf = _sign_in(web, make_user, "ann", Role.PLANNER)
    made = web.post(
        "/customer/new",
        data={"csrf_token": csrf, "code": "ZED", "name": "Zed"},
        follow_redirects=False,
    )
    assert made.headers["location"] == "/customers/ZED?saved=created"
    bad = web.post("/customer/new", data={"csrf_token": csrf, "code": "A/B", "name": ""})
    assert bad.status_code == 422 and 'id="code-error"' in bad.text and 'value="A/B"' in bad.text
    web.post("/customers/ZED", data={"csrf_token": csrf, "name": "Zed Ltd"})
    web.post("/customers/ZED/projects", data={"csrf_token": csrf, "code": "LOBBY", "name": ""})
    web.post("/customers/ZED/projects/LOBBY", data={"csrf_token": csrf, "name": "The lobby"})
    long = web.post("/customers/ZED/projects/LOBBY", data={"csrf_token": csrf, "name": "x" * 250})
    assert long.status_code == 422 and "name is longer than 200 characters" in long.text.lower()
    with db.session_factory(engine)() as s:
        assert sales.get_customer(s, "ZED").name == "Zed Ltd"
        assert sales.get_project(s, "ZED", "LOBBY").name == "The lobby"
    listed = web.get("/customers", params={"q": "zed"}, headers={"HX-Request": "true"})
    assert listed.text.startswith('<div id="customer-table"') and ">ZED</a>" in listed.text
    page = web.get("/customers/ZED").text
    assert "The lobby" in page and "Zed Ltd" in page


def test_a_viewer_sees_but_may_not_change(
    web: TestClient, make_user: Callable[..., None], engine: Engine
) -> None:
    with db.session_factory(engine)() as s:
        items.create_item(s, "BIKE", {"type": "make"}, author="t")
        sales.create_customer(s, code="ZED", author="t")
    csrf = _sign_in(web, make_user, "vic", Role.VIEWER)
    page = web.get("/items/BIKE").text
    assert "Change item" not in page and "Add a line" not in page
    assert web.get("/item/new").status_code == 403
    refused = web.post(
        "/items/BIKE/bom/add", data={"csrf_token": csrf, "component": "BIKE", "qty_per": "1"}
    )
    assert refused.status_code == 403
    assert web.post("/customers/ZED", data={"csrf_token": csrf, "name": "x"}).status_code == 403

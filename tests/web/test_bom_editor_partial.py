"""The BOM tree editor's htmx path (#19 item 2): each change posted with ``HX-Request``
answers with the BOM section alone (no page around it, no inline script), the tree as
the change left it and a message saying what was done; a refusal answers with the
section showing why beside what was typed (422 a bad field, 409 a cycle); removing asks
its question in the section, and "No, keep the line" fetches the tree back. The same
service calls and audit entries as the plain posts of test_master_data_pages.py."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from _login import post_login
from pegboard import db
from pegboard.model import AuditEntry, Role
from pegboard.services import bom_edit, items

PASSWORD = "correct horse battery"
HX = {"HX-Request": "true"}
SECTION = '<section id="bom" aria-labelledby="bom-h" tabindex="-1" hx-target="this"'
STATUS = re.compile(r'<p class="message notice" role="status">([^<]+)</p>')


def _done(answer: Any) -> str:
    """The section's message, after checking it is the section alone."""
    assert answer.status_code == 200, answer.text
    text = answer.text.strip()
    assert text.startswith(SECTION) and text.endswith("</section>"), text[:200]
    assert "<html" not in text and "<script" not in text
    found = STATUS.search(text)
    assert found, text
    return unescape(found.group(1))


def test_each_change_answers_with_the_section_and_what_was_done(
    web: TestClient, log_in: Callable[[str], str], engine: Engine
) -> None:
    with db.session_factory(engine)() as s:
        for code, kind in (("BIKE", "make"), ("FRAME", "make"), ("TUBE", "buy"), ("BOLT", "buy")):
            items.create_item(s, code, {"type": kind}, author="t")
    csrf = log_in("ann")

    def add(parent: str, component: str, qty: str) -> Any:
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
            headers=HX,
        )

    def line(parent: str, position: int, **data: str) -> Any:
        return web.post(
            f"/items/{parent}/bom/{position}",
            data={"csrf_token": csrf, "back": "BIKE"} | data,
            headers=HX,
        )

    first = add("BIKE", "FRAME", "1")
    assert _done(first) == "FRAME × 1 added to BIKE."
    assert ">FRAME</a> × 1 ea" in first.text and 'hx-post="/items/BIKE/bom/1"' in first.text
    assert _done(add("BIKE", "BOLT", "4")) == "BOLT × 4 added to BIKE."
    deep = add("FRAME", "TUBE", "2.5")
    assert _done(deep) == "TUBE × 2.5 added to FRAME."
    assert "3 lines in all levels" in deep.text  # the whole tree of the page's item

    bad = add("BIKE", "BOLT", "0")
    assert bad.status_code == 422 and bad.text.startswith(SECTION)
    assert 'id="bom-qty-error" role="alert">qty_per must be greater than 0, not 0.' in bad.text
    assert 'id="bom-component" name="component" value="BOLT"' in bad.text  # kept as typed
    with db.session_factory(engine)() as s:
        items.update_item(s, "TUBE", {"type": "make"}, author="t")
    cycle = add("TUBE", "BIKE", "1")
    assert cycle.status_code == 409 and cycle.text.startswith(SECTION)
    assert "cycle: TUBE -&gt; BIKE -&gt; FRAME -&gt; TUBE" in cycle.text
    not_there = line("BIKE", 7, action="up")
    assert not_there.status_code == 422 and not_there.text.startswith(SECTION)
    assert "Not saved:" in not_there.text

    assert _done(line("BIKE", 2, action="save", qty_per="6", scrap_pct="2")) == (
        "BOLT in BIKE saved: 6 per unit, 2 % scrap."
    )
    assert _done(line("BIKE", 2, action="up")) == "BOLT moved up in BIKE."
    assert _done(line("BIKE", 2, action="down")) == (
        "FRAME is the last line of BIKE already: nothing moved."
    )
    assert _done(line("BIKE", 1, action="move", new_parent="BIKE")) == (
        "BOLT is in BIKE already: nothing moved."
    )
    moved = line("BIKE", 1, action="move", new_parent="FRAME")
    assert _done(moved) == "BOLT moved from BIKE to FRAME."
    with db.session_factory(engine)() as s:
        tree = bom_edit.bom_tree(s, "BIKE")
    assert [(ln.component, [c.component for c in ln.children]) for ln in tree.lines] == [
        ("FRAME", ["TUBE", "BOLT"])
    ]

    # removing: the question in the section, nothing removed; "no" puts the tree back
    asked = line("FRAME", 2, action="remove")
    assert asked.status_code == 200 and asked.text.startswith(SECTION)
    assert "Remove BOLT from FRAME?" in asked.text and "6 ea of BOLT" in asked.text
    assert 'hx-post="/items/FRAME/bom/2"' in asked.text
    assert 'href="/items/BIKE#bom" hx-get="/items/BIKE/bom"' in asked.text
    again = web.get("/items/BIKE/bom", headers=HX)
    assert again.status_code == 200 and again.text.startswith(SECTION)
    assert ">BOLT</a> × 6 ea" in again.text and 'role="status"' not in again.text
    plain = web.get("/items/BIKE/bom", follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"] == "/items/BIKE#bom"
    removed = line("FRAME", 2, action="remove", confirm="yes")
    assert _done(removed) == "BOLT removed from FRAME."
    assert ">BOLT</a>" not in removed.text

    with db.session_factory(engine)() as s:
        actions = s.scalars(
            select(AuditEntry.action).where(AuditEntry.entity == "bom").order_by(AuditEntry.id)
        ).all()
    assert actions == ["add_line"] * 3 + [
        "change_line",
        "move_line",
        "remove_line",  # moved under FRAME: out of BIKE's BOM, into FRAME's
        "add_line",
        "remove_line",
    ]


def test_the_item_page_loads_the_editor_script_and_no_inline_one(
    web: TestClient, log_in: Callable[[str], str], engine: Engine
) -> None:
    with db.session_factory(engine)() as s:
        items.create_item(s, "DESK", {"type": "make"}, author="t")
        items.create_item(s, "LEG", {"type": "buy"}, author="t")
        bom_edit.add_line(s, "DESK", component="LEG", qty_per=4, scrap_pct=0, author="t")
    log_in("ann")
    page = web.get("/items/DESK")
    assert page.status_code == 200
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page.text, re.S)
    assert ' src="/static/bom_editor.js" defer' in [attrs for attrs, _ in scripts]
    assert all("src=" in attrs and not body.strip() for attrs, body in scripts)
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert web.get("/static/bom_editor.js").status_code == 200
    # a BOM of its own: the link that makes it a configurable template
    assert '<a href="/templates/DESK">Make DESK configurable</a>' in page.text


def test_a_viewer_is_refused_the_change_and_the_section_is_read_only(
    web: TestClient, make_user: Callable[..., None], engine: Engine
) -> None:
    with db.session_factory(engine)() as s:
        items.create_item(s, "DESK", {"type": "make"}, author="t")
        items.create_item(s, "LEG", {"type": "buy"}, author="t")
        bom_edit.add_line(s, "DESK", component="LEG", qty_per=4, scrap_pct=0, author="t")
    make_user("vic", Role.VIEWER)
    signed = post_login(web, {"name": "vic", "password": PASSWORD})
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', signed.text)
    assert csrf
    section = web.get("/items/DESK/bom", headers=HX)
    assert section.status_code == 200 and "hx-post" not in section.text
    assert "Make DESK configurable" not in section.text
    refused = web.post(
        "/items/DESK/bom/1",
        data={"csrf_token": csrf.group(1), "action": "remove", "confirm": "yes"},
        headers=HX,
    )
    assert refused.status_code == 403
    with db.session_factory(engine)() as s:
        assert len(bom_edit.bom_tree(s, "DESK").lines) == 1

"""The item type-ahead (issue #19 item 8): ``/lookup/items`` answers the matching items
as ``<option>`` elements for a field's ``<datalist>``, codes starting with what was
typed first; every field that takes an item code asks it (htmx) and still works as a
plain text field without a script. On both databases, over the sample company."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

OPTION = re.compile(r'<option value="([^"]+)">')


def test_the_lookup_offers_matching_items_starting_ones_first(
    web: TestClient, log_in: Callable[[str], str], sample: None
) -> None:
    assert web.get("/lookup/items?item=LED", follow_redirects=False).status_code in (303, 401)
    log_in("petra")
    got = web.get("/lookup/items?item=led-brd")
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/html")
    codes = OPTION.findall(got.text)
    assert codes and all(c.startswith("LED-BRD") for c in codes)
    assert codes == sorted(codes)
    assert "LED board 24 V 560 mm" in got.text  # the description beside the code

    # a word of the description finds the items too, after those whose code starts so
    board = OPTION.findall(web.get("/lookup/items?component=board").text)
    assert "LED-BRD-24V-560" in board
    assert len(OPTION.findall(web.get("/lookup/items?q=-").text)) == 20  # at most 20
    assert OPTION.findall(web.get("/lookup/items?item=%20").text) == []
    assert OPTION.findall(web.get("/lookup/items?item=%25").text) == []  # % is text
    odd = web.get("/lookup/items?item=<script>").text
    assert "<script>" not in odd


def test_every_item_field_asks_the_lookup(
    web: TestClient, log_in: Callable[[str], str], sample: None
) -> None:
    log_in("petra")
    pages = {
        "/orders/SO-1001": ("line-item", "comp-"),
        "/promise": ("q-item",),
        "/pegging": ("item",),
        "/plan/planned-orders": ("f-item",),
        "/plan/exceptions": ("f-item",),
        "/items/SA-DRVTRAY-60V": ("bom-component",),
        "/routings": ("routing-item",),
    }
    for path, ids in pages.items():
        text = web.get(path).text
        for field in ids:
            found = re.search(rf'id="({re.escape(field)}[^"]*)"[^>]*list="([^"]+)"', text)
            assert found, f"{path} {field}"
            field_id, listed = found.groups()
            assert listed == f"{field_id}-list"
            assert f'<datalist id="{listed}"></datalist>' in text
            assert 'hx-get="/lookup/items"' in text

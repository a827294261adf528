"""Every unknown address outside ``/api`` is the styled "Not found" page (issue #19
item 8), whether or not signed in: a path no router knows, a file missing under
``/static``, an address under a page's prefix, an unknown record of a known page."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

PATHS = (
    "/nothing",
    "/static/nothing.css",
    "/static/vendor/nothing.js",
    "/orders.xlsx",
    "/lookup/nothing",
    "/plan/planned-orders/extra",
    "/docs/x",
)


def _styled_404(web: TestClient, path: str) -> str:
    got = web.get(path, follow_redirects=False)
    assert got.status_code == 404, path
    assert got.headers["content-type"].startswith("text/html"), path
    assert 'href="/static/pegboard.css"' in got.text and "Not found" in got.text, path
    return got.text


def test_unknown_addresses_are_the_styled_404(
    web: TestClient, log_in: Callable[[str], str]
) -> None:
    for path in PATHS:
        _styled_404(web, path)
    log_in("petra")
    for path in (*PATHS, "/orders/SO-NONE", "/orders/SO-NONE/lines/1/edit", "/items/NOPE"):
        assert "Signed in as <strong>petra</strong>" in _styled_404(web, path)
    assert web.get("/api/nothing").json()["error"]["code"] == "not_found"

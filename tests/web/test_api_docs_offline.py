"""``/docs`` and ``/redoc`` render with no internet: every request the browser makes goes
to pegboard itself (anything else is blocked and fails the test), and no script runs
inline (the content-security policy allows scripts from this server only)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from _live import live_server
from fastapi.testclient import TestClient

from pegboard import db
from pegboard.api import create_app

CHROMIUM = Path(os.environ.get("PLAYWRIGHT_CHROMIUM", "/usr/bin/chromium"))


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    if not CHROMIUM.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"no Chromium at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    engine = db.make_engine(f"sqlite:///{tmp_path / 'pegboard.db'}")
    db.upgrade(engine)
    with live_server(engine) as url:
        yield url
    engine.dispose()


def test_swagger_ui_and_redoc_render_offline(server: str) -> None:
    from playwright.sync_api import Route, expect, sync_playwright

    outside: list[str] = []
    problems: list[str] = []

    def only_here(route: Route) -> None:
        if route.request.url.startswith(server):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM))
        try:
            page = browser.new_page()
            page.set_default_timeout(20_000)
            page.route("**/*", only_here)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)

            page.goto(server + "/docs")
            expect(page.locator(".swagger-ui .info .title")).to_contain_text(
                "pegboard", timeout=30_000
            )
            expect(page.locator(".opblock").first).to_be_visible()
            assert page.locator(".opblock").count() > 20

            page.goto(server + "/redoc")
            # ReDoc lays the whole document out before it shows anything: give it time
            expect(page.locator("redoc h1").first).to_contain_text("pegboard", timeout=60_000)
            expect(page.get_by_text("/api/reports/late").first).to_be_attached()
        finally:
            browser.close()
    assert outside == []
    # ReDoc's "by Redocly" badge points at their CDN; the policy blocks it, nothing else
    assert [p for p in problems if "cdn.redoc.ly/redoc/logo-mini.svg" not in p] == []


def test_docs_pages_have_a_strict_policy_and_no_inline_script(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'pegboard.db'}")
    db.upgrade(engine)
    with TestClient(create_app(engine)) as client:
        for path in ("/docs", "/redoc"):
            page = client.get(path)
            assert page.status_code == 200
            policy = page.headers["content-security-policy"]
            assert "script-src 'self';" in policy and "unsafe-eval" not in policy
            assert "<script>" not in page.text  # every script has a src on this server
            assert "cdn" not in page.text.lower()
        assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200
        assert client.get("/docs-assets/redoc.standalone.js").status_code == 200
    engine.dispose()

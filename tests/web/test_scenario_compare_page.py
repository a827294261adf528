"""The comparison page: what a scenario's plan changes against the live one, as tables
whose rows link to their pages and one SVG chart whose rows link to their orders, the
axis saying the year (both databases)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from _login import post_login
from pegboard import db
from pegboard.api import create_app
from pegboard.cli import app as cli
from pegboard.model import Role
from pegboard.services import scenarios, users

BASIC = Path(__file__).parents[1] / "scenarios" / "basic" / "bundle"
PASSWORD = "correct horse battery"


def _pegboard(*args: str) -> None:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output


def _section(html: str, heading_id: str) -> str:
    start = html.find(f'id="{heading_id}"')
    assert start >= 0, heading_id
    end = html.find("</section>", start)
    return html[start:end]


def test_the_comparison_page(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEGBOARD_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.delenv("PEGBOARD_SCENARIO", raising=False)
    _pegboard("import", str(BASIC))
    _pegboard("capacity", "work-center", "ASM", "--hours", "8")
    _pegboard("capacity", "routing", "set", "FA", "--op", "10:ASM:1:2")
    _pegboard("plan")
    engine.dispose()  # PostgreSQL copies a database nobody is connected to
    scenarios.create("rush", author="test")
    try:
        _pegboard("--scenario", "rush", "order", "change", "SO-1", "1", "--due", "2026-11-25")
        _pegboard("--scenario", "rush", "capacity", "work-center", "ASM", "--hours", "16")
        _pegboard("--scenario", "rush", "plan")
        with db.session_factory(engine)() as s:
            users.create_user(s, name="vi", password=PASSWORD, role=Role.VIEWER, author="t")
        with TestClient(create_app(engine), raise_server_exceptions=False) as web:
            assert post_login(web, {"name": "vi", "password": PASSWORD}).status_code in (200, 303)
            home = web.get("/")
            assert 'href="/scenarios"' in home.text  # from the scenario bar

            listed = web.get("/scenarios")
            assert listed.status_code == 200
            assert "rush" in listed.text and "/scenarios/compare?a=live&amp;b=rush" in listed.text

            page = web.get("/scenarios/compare", params={"a": "live", "b": "rush"})
            assert page.status_code == 200, page.text
            html = page.text
            late = _section(html, "late-h")
            assert 'href="/orders/SO-1"' in late and "SO-1/1" in late and "2026-12-10" in late
            assert "SO-2/1" not in _section(html, "lines-h")
            # the load (a schedule of each side) only when asked: a link asks
            assert 'id="load-h"' not in html and "not compared" in html
            link = "/scenarios/compare?a=live&amp;b=rush&amp;cost=true&amp;load=true"
            assert f'href="{link}"' in html
            loaded = web.get(link.replace("&amp;", "&"))
            assert loaded.status_code == 200 and "ASM" in _section(loaded.text, "load-h")
            assert "not compared" not in loaded.text
            assert "FA" in _section(html, "supply-h")
            assert "The same for every open order" in _section(html, "cost-h")

            chart = html[html.find("<svg xmlns") : html.find("</svg>")]
            assert '<a href="/orders/SO-1">' in chart and "SO-1/1" in chart
            assert re.search(r">(Nov|Dec) 2026<", chart)  # the year on the axis
            assert "<title>SO-1/1: due 2026-11-25, projected 2026-12-10 in live" in chart
            assert "<script" not in chart

            without = web.get(
                "/scenarios/compare", params={"a": "live", "b": "rush", "cost": "false"}
            )
            assert without.status_code == 200 and 'id="cost-h"' not in without.text
            missing = web.get("/scenarios/compare", params={"a": "live", "b": "ghost"})
            assert missing.status_code == 404 and "rush" in missing.text
            assert web.get("/scenarios/compare", params={"a": "live"}).status_code == 422
    finally:
        engine.dispose()
        for name in scenarios.names():
            scenarios.delete(name)

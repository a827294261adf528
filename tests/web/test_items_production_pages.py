"""The item page with its projected stock chart, the production Gantt chart and list,
and one production order with its shop-floor forms."""

from __future__ import annotations

import re
from collections.abc import Callable

from _inline_svg import SVG_NS, inline_svg
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from _login import post_login
from pegboard import db
from pegboard.model import AuditEntry, ProductionOrder, Role, StockMove
from pegboard.services import production, stock

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _sign_in(web: TestClient, make_user: Callable[..., None], name: str, role: Role) -> str:
    make_user(name, role)
    page = post_login(web, {"name": name, "password": PASSWORD})
    assert page.status_code == 200, page.text
    found = CSRF.search(page.text)
    assert found
    return found.group(1)


def _firm_without_shortage(engine: Engine) -> str:
    """A firm (planned) production order whose components are all in stock."""
    with db.session_scope(engine) as s:
        numbers = production.firm_productions(s, author="test")
    with db.session_factory(engine)() as s:
        for number in numbers:
            view = production.production_view(s, number)
            if view.components and all(c.available >= c.outstanding for c in view.components):
                return number
    raise AssertionError("the sample has an order that can be made from stock")


def _counts(engine: Engine) -> tuple[int, int, str]:
    with db.session_factory(engine)() as s:
        moves = s.scalar(select(func.count()).select_from(StockMove)) or 0
        audit = s.scalar(select(func.count()).select_from(AuditEntry)) or 0
        status = s.scalars(select(ProductionOrder.status).order_by(ProductionOrder.number))
        return moves, audit, ",".join(v.value for v in status)


def test_item_page_shows_position_projection_and_chart(
    web: TestClient, sample: None, log_in: Callable[[str], str]
) -> None:
    log_in("ann")
    page = web.get("/items/LED-BRD-24V-560")
    assert page.status_code == 200, page.text
    for label in ("On hand", "Reserved", "Free", "On order", "In transit", "Safety stock"):
        assert label in page.text
    assert "goods-in" in page.text  # stock by location
    assert page.text.count("<time datetime=") > 1  # projection rows
    assert "/static/shop.css" in page.text
    assert "SA-LEDMOD-2240" in page.text  # where used: a parent in a BOM

    chart = inline_svg(page.text, "projection")  # inline, no image to fetch
    assert "<img" not in page.text.split('id="proj-h"')[1].split("</section>")[0]
    marks = [(a.get("href") or "", "".join(a.itertext())) for a in chart.iter(f"{SVG_NS}a")]
    assert marks, "each receipt and requirement is a mark"
    assert all(href.startswith("/") and tip[:4].isdigit() for href, tip in marks)
    assert any("requirement of" in tip for _, tip in marks)
    assert "safety stock" in page.text
    assert web.get("/items/LED-BRD-24V-560/projection.svg").status_code == 404  # gone

    assert web.get("/items/NO-SUCH-ITEM").status_code == 404
    assert web.get("/items/NO-SUCH-ITEM/projection.svg").status_code == 404
    escaped = web.get("/items/%3Cscript%3E")
    assert escaped.status_code == 404 and "<script>" not in escaped.text


def test_production_gantt_and_list(
    web: TestClient, sample: None, log_in: Callable[[str], str]
) -> None:
    log_in("ann")
    page = web.get("/production")
    assert page.status_code == 200
    for number in ("MO-2201", "MO-2202", "MO-1007-1.1"):
        assert f'href="/production/{number}"' in page.text

    chart = inline_svg(page.text, "gantt")
    hrefs = {a.get("href") for a in chart.iter(f"{SVG_NS}a")}
    for number in ("MO-2201", "MO-2202", "MO-1007-1.1"):
        assert f"/production/{number}" in hrefs
    assert any(line.get("class") == "today" for line in chart.iter(f"{SVG_NS}line"))

    only = inline_svg(web.get("/production", params={"sales_order": "SO-1007"}).text, "gantt")
    drawn = {a.get("href") for a in only.iter(f"{SVG_NS}a")}
    assert "/production/MO-1007-1.1" in drawn and "/production/MO-2201" not in drawn
    filtered = web.get("/production", params={"status": "in_progress"})
    assert "MO-1007-1.1" in filtered.text and 'href="/production/MO-2201"' not in filtered.text
    assert 'href="/production?status=in_progress&amp;zoom=days#gantt"' in filtered.text
    assert web.get("/production", params={"status": "bogus"}).status_code == 422
    assert web.get("/production/gantt.svg").status_code == 404  # drawn in the page now


def test_shopfloor_releases_and_completes_through_the_forms(
    web: TestClient, engine: Engine, sample: None, make_user: Callable[..., None]
) -> None:
    number = _firm_without_shortage(engine)
    token = _sign_in(web, make_user, "sam", Role.SHOPFLOOR)
    page = web.get(f"/production/{number}")
    assert page.status_code == 200
    assert f'action="/production/{number}/release"' in page.text
    before = _counts(engine)[0]

    done = web.post(
        f"/production/{number}/release", data={"csrf_token": token}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == f"/production/{number}"
    page = web.get(f"/production/{number}")
    assert "released" in page.text and f'action="/production/{number}/complete"' in page.text

    bad = web.post(f"/production/{number}/complete", data={"csrf_token": token, "qty": "x"})
    assert bad.status_code == 422 and "number" in bad.text

    done = web.post(
        f"/production/{number}/complete",
        data={"csrf_token": token, "qty": "1"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    with db.session_factory(engine)() as s:
        view = production.production_view(s, number)
        assert view.completed == 1 and view.status == "in_progress"
        assert stock.check_ledger(s) == []
    assert _counts(engine)[0] > before  # stock moved

    closed = web.post(f"/production/{number}/close", data={"csrf_token": token})
    assert closed.status_code == 200  # followed back to the page
    with db.session_factory(engine)() as s:
        assert production.production_view(s, number).status == "closed"
        assert stock.check_ledger(s) == []
    again = web.post(f"/production/{number}/release", data={"csrf_token": token})
    assert again.status_code == 409 and "Not done" in again.text


def test_viewer_sees_no_buttons_and_forged_posts_are_refused(
    web: TestClient, engine: Engine, sample: None, make_user: Callable[..., None]
) -> None:
    number = _firm_without_shortage(engine)
    token = _sign_in(web, make_user, "vic", Role.VIEWER)
    page = web.get(f"/production/{number}")
    assert page.status_code == 200
    assert "/release" not in page.text and "Shop-floor actions" not in page.text
    before = _counts(engine)
    forged = web.post(f"/production/{number}/release", data={"csrf_token": token})
    assert forged.status_code == 403
    assert _counts(engine) == before


def test_post_without_csrf_token_is_refused(
    web: TestClient, engine: Engine, sample: None, make_user: Callable[..., None]
) -> None:
    number = _firm_without_shortage(engine)
    _sign_in(web, make_user, "sam", Role.SHOPFLOOR)
    before = _counts(engine)
    assert web.post(f"/production/{number}/release").status_code == 403
    assert web.post(f"/production/{number}/release", data={"csrf_token": "x"}).status_code == 403
    assert _counts(engine) == before

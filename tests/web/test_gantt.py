"""The production Gantt chart: open orders by default (a cancelled 2019 order no longer
squeezes every bar into a sliver), every month on the axis with its year, each bar a
link to its order with its dates in the tooltip.

The orders come from the services (``services/gantt.py``); the page and the chart only
draw them. On SQLite and PostgreSQL, on the sample company plus an order of 2019 that
was cancelled.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from _inline_svg import SVG_NS, inline_svg, texts
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from pegboard import clock, db
from pegboard.bundle.importer import read_bundle
from pegboard.demo import demo_path
from pegboard.services import gantt, production
from pegboard.services.company_data import replace_company

OLD = "MO-2019"
LogIn = Callable[[str], str]


@pytest.fixture
def with_old_order(engine: Engine, tmp_path: Path) -> None:
    """The sample company with a production order of 2019, cancelled since."""
    bundle = tmp_path / "lighting"
    shutil.copytree(demo_path("lighting"), bundle)
    with (bundle / "production_orders.csv").open("a", encoding="utf-8") as f:
        f.write(f"{OLD},SA-DRVTRAY-40D,5,2019-03-01,2019-02-20,released,false,\n")
    with db.session_factory(engine)() as s:
        replace_company(s, read_bundle(bundle), author="test")
        production.cancel_production(s, OLD, author="test")


def _rows(engine: Engine, **filters: object) -> list[gantt.OrderRow]:
    with db.session_factory(engine)() as s, s.begin():
        return gantt.order_rows(s, clock.today(), **filters)  # type: ignore[arg-type]


def test_open_orders_by_default_all_on_request(engine: Engine, with_old_order: None) -> None:
    default = _rows(engine)
    assert default and OLD not in {r.number for r in default}
    assert {r.status for r in default} <= {"planned", "released", "in_progress"}
    everything = _rows(engine, everything=True)
    assert OLD in {r.number for r in everything}
    asked = _rows(engine, status="cancelled")
    assert [r.number for r in asked] == [OLD]


def test_the_chart_spans_the_open_orders_and_says_the_year(
    web: TestClient, engine: Engine, with_old_order: None, log_in: LogIn
) -> None:
    log_in("ann")
    chart = inline_svg(web.get("/production").text, "gantt")
    drawn = texts(chart)
    assert OLD not in drawn and "2019" not in drawn
    assert "MO-2201" in drawn
    # the axis runs from the first start (or today) to the last due (or today)
    rows = _rows(engine)[:60]
    today = clock.today()
    first = min([r.start for r in rows] + [today])
    last = max([r.due for r in rows] + [today])
    months = [t.text or "" for t in chart.iter(f"{SVG_NS}text") if t.get("class") == "month"]
    assert months and all(re.fullmatch(r"[A-Z][a-z]{2} \d{4}", m) for m in months), months
    assert int(months[0][-4:]) in (first.year, first.year + 1)  # the first new month's
    assert {int(m[-4:]) for m in months} <= set(range(first.year, last.year + 1))
    everything = texts(inline_svg(web.get("/production", params={"show": "all"}).text, "gantt"))
    assert OLD in everything and "2019" in everything


def test_the_page_offers_finished_and_cancelled_orders_on_request(
    web: TestClient, with_old_order: None, log_in: LogIn
) -> None:
    log_in("ann")
    page = web.get("/production").text
    assert f'href="/production/{OLD}"' not in page
    assert 'name="show" value="all"' in page and "checked" not in page.split('name="show"')[1][:40]
    shown = web.get("/production", params={"show": "all"}).text
    assert f'href="/production/{OLD}"' in shown
    # the chart's zoom links keep the filter
    assert 'href="/production?show=all&amp;zoom=days#gantt"' in shown


def test_every_bar_links_to_its_order_with_its_dates(
    web: TestClient, engine: Engine, with_old_order: None, log_in: LogIn
) -> None:
    log_in("ann")
    page = web.get("/production", params={"show": "all", "zoom": "weeks"}).text
    chart = inline_svg(page, "gantt")
    bars = {a.get("href"): a.find(f"{SVG_NS}rect") for a in chart.iter(f"{SVG_NS}a")}
    rows = _rows(engine, everything=True)[:60]
    assert set(bars) == {f"/production/{r.number}" for r in rows}
    old = bars[f"/production/{OLD}"]
    assert old is not None and "done" in (old.get("class") or "")
    tip = "".join(old.itertext())
    assert "start 2019-02-20, due 2019-03-01" in tip and "cancelled" in tip
    assert '<strong aria-current="true">weeks</strong>' in page

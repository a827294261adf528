"""The production Gantt chart: open orders by default (a cancelled 2019 order no longer
squeezes every bar into a sliver), every date with its year, the legend outside the plot.

The orders come from the services (``services/gantt.py``); the page and the chart only
draw them. On SQLite and PostgreSQL, on the sample company plus an order of 2019 that
was cancelled.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from matplotlib.backends.backend_agg import FigureCanvasAgg
from sqlalchemy import Engine

from pegboard import clock, db
from pegboard.bundle.importer import read_bundle
from pegboard.demo import demo_path
from pegboard.services import gantt, production
from pegboard.services.company_data import replace_company
from pegboard.web import charts

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
    web: TestClient, with_old_order: None, log_in: LogIn
) -> None:
    log_in("ann")
    chart = web.get("/production/gantt.svg").text
    assert OLD not in chart and "2019" not in chart
    assert "MO-2201" in chart
    years = {str(clock.today().year), str(clock.today().year + 1)}
    assert any(f" {year}</text>" in chart or f" {year}<" in chart for year in years), chart[:500]
    everything = web.get("/production/gantt.svg", params={"show": "all"}).text
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
    assert 'src="/production/gantt.svg?show=all"' in shown


def _bars(n: int, first: date) -> list[charts.Bar]:
    return [
        charts.Bar(
            label=f"SO-{i} MO-{i}",
            group=f"SO-{i // 3}",
            start=date.fromordinal(first.toordinal() + i),
            due=date.fromordinal(first.toordinal() + i + 5),
            late=i % 4 == 0,
            done=False,
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("n", [1, 3, 12, 60])
def test_the_legend_is_outside_the_plot_and_every_tick_has_its_year(n: int) -> None:
    """Drawn for real (Agg): the legend's box and the plot's box do not overlap, whatever
    the number of rows, and every date label ends with its year."""
    fig = charts.gantt_figure(_bars(n, date(2026, 12, 28)), date(2026, 12, 24))
    FigureCanvasAgg(fig).draw()
    (ax,) = fig.axes
    (legend,) = fig.legends
    plot, box = ax.get_window_extent(), legend.get_window_extent()
    assert box.y1 <= plot.y0, (box, plot)  # under the plot
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels and all(label[-4:] in {"2026", "2027"} for label in labels), labels
    assert {label[-4:] for label in labels} == {"2026", "2027"}  # it crosses the year
    for tick in ax.get_xticklabels():  # the tick labels stay clear of the legend too
        assert not tick.get_window_extent().overlaps(box)

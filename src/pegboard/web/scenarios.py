"""The scenario pages: the what-if copies of the company, and what changes between two
plans (``pegboard scenario list`` and ``compare``).

The comparison page shows the same tables as the command, each order line, order,
item and work center a link to its page (the live company's pages, or the scenario's
once switched to it), and one summary chart drawn by the template from
``scenario_chart``: where each changed line's projected date went. Scenarios are made
from the command line (``pegboard scenario create``): PostgreSQL copies a database only
while nobody is connected to it, which a running server always is.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from pegboard import clock
from pegboard.services import scenario_compare, scenarios
from pegboard.web import scenario_chart
from pegboard.web.deps import Viewer
from pegboard.web.render import chrome, page

router = APIRouter(include_in_schema=False)

Name = Annotated[str, Query(min_length=1, max_length=40)]


def _live(request: Request) -> str:
    url: str = request.app.state.engine.url.render_as_string(hide_password=False)
    return url


@router.get("/scenarios")
def scenario_list(request: Request, who: Viewer) -> Response:
    """The scenarios, and a form to compare two plans."""
    listed = scenarios.list_all(live=_live(request))
    context = chrome(who, "scenarios") | {"title": "Scenarios", "listed": listed}
    return page(request, "scenarios.html", context)


@router.get("/scenarios/compare")
def scenario_compare_page(
    request: Request, who: Viewer, a: Name, b: Name, cost: bool = True
) -> Response:
    """What changes from A's plan to B's, as tables and one chart."""
    live = _live(request)
    result = scenario_compare.compare(a, b, costs=cost, live=live)
    context = chrome(who, "scenarios") | {
        "title": f"{a} → {b}",
        "r": result,
        "chart": scenario_chart.chart(result, clock.today()),
        "cost": cost,
        "names": [scenarios.LIVE, *scenarios.names(live=live)],
    }
    return page(request, "scenario_compare.html", context)

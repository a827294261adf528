"""The scenario pages: the what-if copies of the company, and what changes between two
plans (``pegboard scenario list`` and ``compare``).

The comparison page shows the same tables as the command, each order line, order,
item and work center a link to its page (the live company's pages, or the scenario's
once switched to it), and one summary chart drawn by the template from
``scenario_chart``: where each changed line's projected date went. A planner (or an
admin) creates a scenario here, from the live company or another scenario, and deletes
one, with the rules of ``pegboard scenario create`` and ``delete``.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response

from pegboard import clock
from pegboard.errors import PegboardError, http_status
from pegboard.services import scenario_compare, scenarios
from pegboard.services.permissions import Permission
from pegboard.web import auth, scenario_chart
from pegboard.web.deps import Viewer, may, require
from pegboard.web.errors import sentence
from pegboard.web.render import chrome, page, redirect

router = APIRouter(include_in_schema=False)

Name = Annotated[str, Query(min_length=1, max_length=40)]
Field = Annotated[str, Form(max_length=100)]
Planner = Annotated[
    auth.SignedIn,
    Depends(require(Permission.PLAN, "Your role may not create or delete scenarios.")),
]


def _live(request: Request) -> str:
    url: str = request.app.state.engine.url.render_as_string(hide_password=False)
    return url


def _list_page(
    request: Request,
    who: auth.SignedIn,
    *,
    error: str | None = None,
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    listed = scenarios.list_all(live=_live(request))
    context = chrome(who, "scenarios") | {
        "title": "Scenarios",
        "listed": listed,
        "may_edit": may(who, Permission.PLAN),
        "error": error,
        "typed": typed or {"name": "", "base": scenarios.LIVE},
    }
    return page(request, "scenarios.html", context, status_code=status)


@router.get("/scenarios")
def scenario_list(request: Request, who: Viewer) -> Response:
    """The scenarios, a form to make one and a form to compare two plans."""
    return _list_page(request, who)


@router.post("/scenarios")
def scenario_create(
    request: Request, who: Planner, name: Field = "", base: Field = scenarios.LIVE
) -> Response:
    """Copy the live company (or a scenario) into a new scenario: the copy takes as long
    as the database needs to copy the company (seconds for a small one)."""
    name, base = name.strip(), base.strip() or scenarios.LIVE
    try:
        made = scenarios.create(name, base=base, author=who.user.name, live=_live(request))
    except PegboardError as e:
        typed = {"name": name, "base": base}
        return _list_page(
            request, who, error=sentence(e.message), typed=typed, status=http_status(e)
        )
    origin = "the live company" if made.base == scenarios.LIVE else f"scenario {made.base}"
    return redirect("/scenarios", done=f"Scenario {made.name} created from {origin}.")


@router.post("/scenarios/{name}/delete")
def scenario_delete(request: Request, who: Planner, name: str) -> Response:
    """Remove a scenario and everything in it (never the live company)."""
    try:
        scenarios.delete(name, live=_live(request), cache=request.app.state.scenario_sessions)
    except PegboardError as e:
        return _list_page(request, who, error=sentence(e.message), status=http_status(e))
    return redirect("/scenarios", done=f"Scenario {name} deleted.")


@router.get("/scenarios/compare")
def scenario_compare_page(
    request: Request, who: Viewer, a: Name, b: Name, cost: bool = True, load: bool = False
) -> Response:
    """What changes from A's plan to B's, as tables and one chart. The load per work
    center (a schedule of each plan, most of the time a large company's comparison takes)
    only when asked for, so the page answers quickly; a link on it asks."""
    live = _live(request)
    result = scenario_compare.compare(a, b, costs=cost, loads=load, live=live)
    asked = {"a": a, "b": b, "cost": str(cost).lower(), "load": "true"}
    context = chrome(who, "scenarios") | {
        "title": f"{a} → {b}",
        "r": result,
        "chart": scenario_chart.chart(result, clock.today()),
        "cost": cost,
        "load": load,
        "load_url": f"/scenarios/compare?{urlencode(asked)}",
        "names": [scenarios.LIVE, *scenarios.names(live=live)],
    }
    return page(request, "scenario_compare.html", context)

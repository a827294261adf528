"""Issue #13's opening story, end to end: a configured LR-7040 due in a week waits for its
DALI drivers (35 days to buy), so every surface that says on time or late must call it
late, from the one projected date the plan stores, with the chain down to the drivers:
`report late`, `report pegging`, `order show` and `project show` on the command line, the
API's late report, order, pegging and project answers, and the dashboard, order, order
list (a project's view) and pegging pages. Before rule 9 each of them said "on time"."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from _clock import DEMO_DAY
from _sample_order import RUN
from pegboard import db
from pegboard.cli import app
from pegboard.model import SalesOrderStatus
from pegboard.services import order_bom, planning, sales

LogIn = Callable[[str], str]
CUSTOMER, PROJECT = "Hartwell Construction", "Riverside Tower lobby"
DUE = DEMO_DAY + timedelta(7)  # the sample's planning_date setting keeps its plans on DEMO_DAY


@pytest.fixture
def late_run(engine: Engine, sample: None) -> tuple[str, date]:
    """The sample company with the configured order entered, confirmed and planned: its
    number and the projected date the plan stores for its line."""
    with db.session_factory(engine)() as s:
        number = sales.create_order(s, customer=CUSTOMER, project=PROJECT, author="ann")
        sales.add_line(s, number, item="LR-7040", qty=4, due=DUE, author="ann")
        sales.set_status(s, number, SalesOrderStatus.CONFIRMED, author="ann")
        order_bom.configure_line(s, number, 1, RUN, author="ann", today=DEMO_DAY)
        planning.run_plan(s, author="ann")
        (line,) = sales.order_view(s, number).lines
    assert line.projected is not None
    # the drivers arrive 35 days after the planning date at the earliest
    assert line.projected > DEMO_DAY + timedelta(35)
    return number, line.projected


def _cli(engine: Engine, *args: str) -> str:
    url = engine.url.render_as_string(hide_password=False)
    env = {"PEGBOARD_DATABASE_URL": url, "COLUMNS": "250"}
    result = CliRunner().invoke(app, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_command_line_calls_it_late_with_its_chain(
    engine: Engine, late_run: tuple[str, date]
) -> None:
    number, projected = late_run
    days = (projected - DUE).days
    said = f"due {DUE}, projected {projected} ({days} days late)"

    late = _cli(engine, "report", "late")
    entry = late.split(f"{number}/1 ", 1)[1].split("\n├", 1)[0].split("\n└── SO-", 1)[0]
    assert said in " ".join(entry.split())
    assert "production order MO-" in entry and "DRV-DALI-40W" in entry

    pegging = " ".join(_cli(engine, "report", "pegging", number).split())
    assert f"due {DUE}, projected {projected} late" in pegging and "DRV-DALI-40W" in pegging

    shown = _cli(engine, "order", "show", number)
    assert f"projected {projected} ({days} days late)" in " ".join(shown.split())

    project = _cli(engine, "project", "show", CUSTOMER, PROJECT)
    row = next(r for r in project.splitlines() if r.strip("│ ").startswith(number))
    assert re.search(rf"{DUE}\W+{projected}\W+{days}\W", row), row
    rolled = next(r for r in project.splitlines() if r.startswith("Dates: "))
    assert f" late, {number} the most ({days} days): " in rolled  # the most late of all


def test_the_api_calls_it_late_with_its_chain(
    web: TestClient, log_in: LogIn, late_run: tuple[str, date]
) -> None:
    number, projected = late_run
    days = (projected - DUE).days
    log_in("ann")
    late = web.get("/api/reports/late", params={"limit": 200}).json()
    (line,) = (i for i in late["items"] if i["demand"] == f"{number}/1")
    assert (line["due"], line["projected"], line["late_days"]) == (
        DUE.isoformat(),
        projected.isoformat(),
        days,
    )
    chain = line["chain"]
    assert chain[0]["supply_type"] == "production_order" and chain[0]["supply"].startswith("MO-")
    assert chain[-1]["item"] == "DRV-DALI-40W"

    order = web.get(f"/api/sales-orders/{number}").json()
    assert [(x["projected"], x["late_days"]) for x in order["lines"]] == [
        (projected.isoformat(), days)
    ]
    (pegged,) = web.get(f"/api/plan/sales-orders/{number}/pegging").json()
    assert pegged["late_days"] == days and pegged["chain"][-1]["item"] == "DRV-DALI-40W"
    overview = web.get(f"/api/customers/{CUSTOMER}/projects/{PROJECT}").json()
    (mine,) = (o for o in overview["orders"] if o["number"] == number)
    assert (mine["projected"], mine["late_days"]) == (projected.isoformat(), days)
    rolled = overview["dates"]
    assert (rolled["most_late"], rolled["late_days"]) == (number, days)
    assert rolled["late_orders"] == sum(o["late_days"] > 0 for o in overview["orders"])


def test_the_pages_call_it_late_with_its_chain(
    web: TestClient, engine: Engine, log_in: LogIn, late_run: tuple[str, date]
) -> None:
    number, projected = late_run
    days = (projected - DUE).days
    log_in("ann")
    dashboard = web.get("/").text
    row = dashboard.split(f">{number}/1<", 1)[1].split("</tr>", 1)[0]
    assert f"{days} d late" in row and "DRV-DALI-40W" in row

    order = web.get(f"/orders/{number}").text
    assert f"{days} d late" in order

    # the order list, filtered to the project, is the project's view: each order's
    # projected date, and the project's rolled up
    listed = web.get("/orders", params={"customer": CUSTOMER, "project": PROJECT}).text
    row = listed.split(f">{number}</a>", 1)[1].split("</tr>", 1)[0]
    assert f"{projected.isoformat()}</time>" in row and f"{days} d late" in row
    rolled = listed.split('class="rollup"', 1)[1].split("</p>", 1)[0]
    assert f" late, {number} the most ({days} days): " in rolled
    with db.session_factory(engine)() as s:
        draft = sales.create_order(s, customer=CUSTOMER, author="ann")
    drafts = web.get("/orders", params={"status": "draft"}).text
    assert f">{draft}</a>" in drafts and "not planned" in drafts and "d late" not in drafts

    pegging = web.get(f"/pegging/orders/{number}").text
    assert f"{days} d late" in pegging
    chain = pegging.split('class="chain"', 1)[1].split("</p>", 1)[0]
    assert chain.index("LR-7040-") < chain.index("DRV-DALI-40W")

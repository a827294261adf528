"""A master schedule short inside the time fence is reported among the plan's exceptions
in their order, by kind (between ``late`` and ``shortage``) and order ref, not after them
(issue #17 item 3): in the report, the CLI's ``report exceptions``, and the plan's pages
of exceptions that the API and the web list (both databases)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from _clock import pin_today
from pegboard.bundle.importer import read_bundle
from pegboard.cli import app
from pegboard.model import CompanySetting, PlanRun
from pegboard.services import mps, plan_results, reports
from pegboard.services.company_data import replace_company
from pegboard.services.planning import run_plan

BASIC = Path(__file__).parents[1] / "scenarios" / "basic" / "bundle"
TODAY = date(2026, 11, 23)  # the basic company plans from Tuesday 2026-11-24
# the basic plan's own rows (tests/scenarios/basic/expected/exceptions.csv), and SUB's
# two weeks short inside a 28-day fence (as tests/services/test_mps_flags.py computes);
# the fence holds SUB's missing one back to its end (12-22), so SO-2's FA is late
EXPECTED_KINDS = [
    "cancel", "defer", "late", "mps_short", "mps_short", "shortage", "shortage", "shortage"
]  # fmt: skip
SHORT_WEEKS = ["MPS-SUB-2026-W51", "MPS-SUB-2026-W52"]


@pin_today(TODAY)
def test_mps_short_rows_sit_between_late_and_shortage(engine: Engine, session: Session) -> None:
    replace_company(session, read_bundle(BASIC), author="t")
    with session.begin():
        session.add(CompanySetting(key=mps.FENCE_KEY, value="28"))
    mps.set_mps_item(session, "SUB", True, author="t")
    run_plan(session, author="t")

    rows = reports.all_exceptions(session)
    assert [r.kind for r in rows] == EXPECTED_KINDS
    assert [r.order for r in rows if r.kind == "mps_short"] == SHORT_WEEKS
    # the shortage rows kept what they say, only their place moved
    assert [r.kind for r in reports.shortages(session)] == ["shortage"] * 3
    assert [r.kind for r in reports.actions(session)] == ["cancel", "defer", "mps_short",
                                                          "mps_short"]  # fmt: skip

    # the pages of the plan's exceptions (the API's and the web's lists), walked by id
    run = session.scalars(select(PlanRun)).one()
    page, total = plan_results.exception_page(session, run, limit=3, offset=3)
    assert total == 8
    assert [(r[0], r[2]) for r in page] == [
        ("mps_short", SHORT_WEEKS[0]),
        ("mps_short", SHORT_WEEKS[1]),
        ("shortage", rows[5].order),
    ]
    shorts, n = plan_results.exception_page(session, run, kind="mps_short", limit=10)
    assert n == 2 and [r[2] for r in shorts] == SHORT_WEEKS
    sorted_rows, _ = plan_results.sorted_exception_page(session, limit=10, offset=0)
    assert [r[0] for r in sorted_rows] == EXPECTED_KINDS

    url = engine.url.render_as_string(hide_password=False)
    session.close()
    shown = CliRunner().invoke(
        app, ["report", "exceptions", "--csv"], env={"PEGBOARD_DATABASE_URL": url}
    )
    assert shown.exit_code == 0, shown.output
    kinds = [line.split(",", 1)[0] for line in shown.output.splitlines()[1:] if line]
    assert kinds == EXPECTED_KINDS

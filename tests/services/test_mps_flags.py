"""The plan flags a master schedule short of the backlog inside the time fence, and one
far above it, computed by hand on the basic company (both databases)."""

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


@pin_today(TODAY)
def test_short_inside_the_fence_and_far_above_beyond_it(engine: Engine, session: Session) -> None:
    replace_company(session, read_bundle(BASIC), author="t")
    with session.begin():
        # a fence of 28 days from the planning date 11-24: the weeks up to 12-21 are in it
        session.add(CompanySetting(key=mps.FENCE_KEY, value="28"))
    mps.set_mps_item(session, "SUB", True, author="t")
    run_plan(session, author="t")

    # SUB's record: MO-1 (2, released) arrives in W49; SO-2's FA × 3 needs 3 SUB in W51,
    # inside the fence: the balance falls to 2 − 3 = −1 there, and stays −1 in W52, which
    # the fence (until 12-22) still holds
    # (the other actions, such as deferring MO-1 to 12-18, are the plan's as before)
    rows = [r for r in reports.actions(session) if r.kind == "mps_short"]
    assert [(r.kind, r.item, r.order, r.date, r.message) for r in rows] == [
        (
            "mps_short",
            "SUB",
            "MPS-SUB-2026-W51",
            date(2026, 12, 14),
            "1 short in 2026-W51: the master schedule does not cover the backlog inside the "
            "time fence (until 2026-12-22)",
        ),
        (
            "mps_short",
            "SUB",
            "MPS-SUB-2026-W52",
            date(2026, 12, 21),
            "1 short in 2026-W52: the master schedule does not cover the backlog inside the "
            "time fence (until 2026-12-22)",
        ),
    ]
    run = session.scalars(select(PlanRun)).one()
    assert run.counts["exceptions"]["mps_short"] == 2
    assert plan_results.exception_counts(session)["mps_short"] == 2

    # one more in W51 (inside the fence: forced) covers it; 5 in W53, beyond the fence
    # and needed by no order, is far above the backlog: the plan says "not needed"
    mps.set_mps(session, "SUB", date(2026, 12, 16), 1, author="t", force=True)
    mps.set_mps(session, "SUB", date(2026, 12, 30), 5, author="t")
    run_plan(session, author="t")
    rows = [r for r in reports.actions(session) if r.item == "SUB"]
    assert [(r.kind, r.order, r.message) for r in rows if r.order.startswith("MPS")] == [
        ("cancel", "MPS-SUB-2026-W53", "5 not needed")
    ]
    assert "mps_short" not in plan_results.exception_counts(session)

    # the same from the command line's report
    url = engine.url.render_as_string(hide_password=False)
    session.close()
    with session.begin():
        session.delete(session.get(CompanySetting, mps.FENCE_KEY))
    mps.set_mps(session, "SUB", date(2026, 12, 16), 0, author="t", force=True)
    result = CliRunner().invoke(app, ["plan"], env={"PEGBOARD_DATABASE_URL": url, "COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    # with the default fence (14 days: until 12-08) W51's shortfall is beyond it: the
    # plan's planned order covers it, and no "mps_short" is raised
    shown = CliRunner().invoke(
        app, ["report", "exceptions", "--csv"], env={"PEGBOARD_DATABASE_URL": url}
    )
    assert shown.exit_code == 0, shown.output
    assert "mps_short" not in shown.output and "MPS-SUB-2026-W53" in shown.output

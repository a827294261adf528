"""MRP respects the master schedule's planning time fence (issue #17 item 3), on the
basic company with SUB on the schedule (both databases).

The plan dates from Tuesday 2026-11-24; a fence of 28 days holds everything due before
2026-12-22. MO-1 is cancelled, so SUB's only supply is its schedule: 2 in W50 (inside
the fence) and 2 in W53 (beyond it). SO-2's three FA (due 12-20, made in 2 days) need 3
SUB on 12-18, inside the fence, where the schedule has 2: the plan adds no SUB there, so the
third comes from a planned order on the first day beyond the fence (12-22), a
suggestion, and SO-2 is late; ``mps_short`` says where the schedule is short. The W50
line is frozen: it is asked no change (without the fence it would be deferred). The
W53 line, beyond the fence and needed by nothing, is to cancel.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from _clock import pin_today
from pegboard.bundle.importer import read_bundle
from pegboard.cli import app
from pegboard.model import CompanySetting, Item, PlannedOrder
from pegboard.services import mps, reports
from pegboard.services.company_data import replace_company
from pegboard.services.planning import current_run, run_plan
from pegboard.services.production import cancel_production

BASIC = Path(__file__).parents[1] / "scenarios" / "basic" / "bundle"
TODAY = date(2026, 11, 23)  # the basic company plans from Tuesday 2026-11-24
FENCE_END = date(2026, 12, 22)  # planning date + 28 days


def _plan(session: Session, fence: int = 28) -> None:
    replace_company(session, read_bundle(BASIC), author="t")
    with session.begin():
        session.add(CompanySetting(key=mps.FENCE_KEY, value=str(fence)))
    cancel_production(session, "MO-1", author="t")
    mps.set_mps_item(session, "SUB", True, author="t")
    mps.set_mps(session, "SUB", date(2026, 12, 7), 2, author="t", force=True)
    mps.set_mps(session, "SUB", date(2026, 12, 28), 2, author="t", force=True)
    run_plan(session, author="t")


def _sub_orders(session: Session) -> list[tuple[date, date, float]]:
    run = current_run(session)
    assert run is not None
    return [
        (release, due, float(qty))
        for release, due, qty in session.execute(
            select(PlannedOrder.release_date, PlannedOrder.due_date, PlannedOrder.qty)
            .join(Item, Item.id == PlannedOrder.item_id)
            .where(PlannedOrder.plan_run_id == run.id, Item.code == "SUB")
            .order_by(PlannedOrder.due_date)
        )
    ]


def _asked(session: Session) -> list[tuple[str, str, str]]:
    """The changes the plan asks of SUB's orders."""
    return [
        (r.kind, r.order, r.message)
        for r in reports.actions(session)
        if r.item == "SUB" and r.kind in ("expedite", "defer", "cancel")
    ]


@pin_today(TODAY)
def test_the_plan_keeps_the_fence(engine: Engine, session: Session) -> None:
    _plan(session)
    # no SUB is added inside the fence: the third SUB is suggested on its first day
    # beyond (lead time 3 days: released 12-19; the company works every day)
    assert _sub_orders(session) == [(date(2026, 12, 19), FENCE_END, 1.0)]
    # the frozen W50 line is asked nothing; the W53 line beyond the fence is
    assert _asked(session) == [("cancel", "MPS-SUB-2026-W53", "2 not needed")]
    # where the schedule is short inside the fence: from W51, the week SO-2 needs it
    short = [(r.order, r.message) for r in reports.actions(session) if r.kind == "mps_short"]
    assert short == [
        (
            f"MPS-SUB-2026-W{week}",
            f"1 short in 2026-W{week}: the master schedule does not cover the backlog inside "
            "the time fence (until 2026-12-22)",
        )
        for week in (51, 52)
    ]
    # SO-2's line is late: its FA waits for the SUB of 12-22, and is made in 2 days
    # (12-24); its late chain ends at that planned SUB
    late = {line.demand: line for line in reports.late_orders(session)}
    assert list(late) == ["SO-2/1"]
    line = late["SO-2/1"]
    assert (line.due, line.projected) == (date(2026, 12, 20), date(2026, 12, 24))
    chain = reports.critical_chain(max(line.supplies, key=lambda s: (s.available, s.supply)))
    # (not at SUB's components: the fence sets its date), saying why
    assert [(n.supply_type, n.item, n.available, n.held) for n in chain] == [
        ("planned_order", "FA", date(2026, 12, 24), ""),
        (
            "planned_order",
            "SUB",
            FENCE_END,
            "no new SUB inside the master schedule's time fence (until 2026-12-22)",
        ),
    ]
    held_back = chain[1].supply
    # the planner reads the same from the command line's late report
    url = engine.url.render_as_string(hide_password=False)
    session.close()
    shown = CliRunner().invoke(
        app, ["report", "late"], env={"PEGBOARD_DATABASE_URL": url, "COLUMNS": "200"}
    )
    assert shown.exit_code == 0, shown.output
    text = " ".join(shown.output.split())
    assert "SO-2/1 FA × 3: due 2026-12-20, projected 2026-12-24 (4 days late)" in text
    assert (
        f"SUB ← planned order {held_back}, ready 2026-12-22 late: no new SUB inside the "
        "master schedule's time fence (until 2026-12-22)"
    ) in text


@pin_today(TODAY)
def test_without_the_fence_the_plan_adds_sub_when_needed(session: Session) -> None:
    _plan(session, fence=0)
    # the same company without a fence: the third SUB is planned for 12-18, SO-2 is on
    # time, and the W50 line, first needed on 12-18, is to defer like any supply
    assert _sub_orders(session) == [(date(2026, 12, 15), date(2026, 12, 18), 1.0)]
    assert reports.late_orders(session) == []
    assert _asked(session) == [
        ("cancel", "MPS-SUB-2026-W53", "2 not needed"),
        ("defer", "MPS-SUB-2026-W50", "due 2026-12-07, first needed on 2026-12-18"),
    ]

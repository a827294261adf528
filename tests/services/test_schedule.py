"""The finite schedule of a plan, stored and feeding the order lines' projected dates
(rule 10), computed by hand on the basic company (every day a working day; both
databases)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from pegboard.cli import app
from pegboard.errors import NotFoundError
from pegboard.model import PlanLine
from pegboard.services import capacity, reports, schedule
from pegboard.services.capacity import OperationIn
from pegboard.services.schedule_run import run_schedule

BASIC = Path(__file__).parents[1] / "scenarios" / "basic" / "bundle"


def _pegboard(engine: Engine, *args: str) -> str:
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(app, list(args), env={"PEGBOARD_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    return result.output


def _projected(session: Session) -> dict[str, tuple[date, int]]:
    with session.begin():
        rows = session.execute(
            select(PlanLine.demand_ref, PlanLine.projected_date, PlanLine.late_days)
        ).all()
    return {ref: (day, late) for ref, day, late in rows}


def _company(engine: Engine, session: Session, hours: float) -> None:
    """Both orders' final assemblies (FA, lead time 2 days) due on 2026-12-10, released
    on the 8th; each FA takes 1 h + 2 h a unit on ASM."""
    _pegboard(engine, "import", str(BASIC))
    _pegboard(engine, "order", "change", "SO-2", "1", "--due", "2026-12-10")
    capacity.save_work_center(session, code="ASM", hours_per_day=hours, author="ann")
    capacity.save_work_center(session, code="IDLE", hours_per_day=8, author="ann")
    capacity.set_routing(session, "FA", [OperationIn(10, "ASM", 1.0, 2.0)], author="ann")
    _pegboard(engine, "plan")


def test_a_full_work_center_makes_the_lower_priority_order_late(
    engine: Engine, session: Session
) -> None:
    _company(engine, session, hours=4)
    before = _projected(session)
    assert before == {"SO-1/1": (date(2026, 12, 10), 0), "SO-2/1": (date(2026, 12, 10), 0)}

    summary = run_schedule(session, author="ann")
    # SO-2 (priority 50) first: FA × 3 = 7 h, 4 on the 8th and 3 on the 9th, complete on
    # its lead time, the 10th. FA × 5 = 11 h finds 0 h free on the 8th and 1 h on the 9th
    # (held), then 4 on the 10th, 4 on the 11th, 2 on the 12th: complete on the 12th
    assert (summary.orders, summary.operations, summary.late_orders, summary.late_lines) == (
        4,  # the two FA and the two SUB (no routing: their lead time)
        2,
        1,
        1,
    )
    with session.begin():
        ops = schedule.scheduled_operations(session, "ASM")
        orders = {o.item + str(o.qty): o for o in schedule.scheduled_orders(session)}
        late = schedule.scheduled_orders(session, late_only=True)
    assert [(o.start, o.end, o.hours) for o in ops] == [
        (date(2026, 12, 8), date(2026, 12, 9), 7.0),
        (date(2026, 12, 9), date(2026, 12, 12), 11.0),
    ]
    assert (ops[1].ready, ops[1].held_from, ops[1].held_to) == (
        date(2026, 12, 8),
        date(2026, 12, 8),
        date(2026, 12, 9),
    )
    assert ops[0].rank < ops[1].rank
    assert orders["FA3.0"].completion == date(2026, 12, 10)
    assert orders["FA3.0"].cause is None
    (five,) = late
    assert (five.item, five.completion, five.cause, five.bottleneck) == (
        "FA",
        date(2026, 12, 12),
        "full",
        "ASM",
    )
    assert _projected(session) == {
        "SO-1/1": (date(2026, 12, 12), 2),
        "SO-2/1": (date(2026, 12, 10), 0),
    }
    with session.begin():
        (line,) = reports.late_orders(session)
        top = reports.critical_chain(line.supplies[0])[0]
        assert reports.count_late(session) == 1
    assert (line.demand, line.projected) == ("SO-1/1", date(2026, 12, 12))
    assert top.held == "ASM full 2026-12-08 … 2026-12-09"
    late_csv = _pegboard(engine, "report", "late", "--csv")
    assert "2026-12-12 (late: ASM full 2026-12-08 … 2026-12-09)" in late_csv
    with session.begin():
        assert schedule.scheduled_operations(session, "IDLE") == []
        with pytest.raises(NotFoundError, match="NOPE"):
            schedule.scheduled_operations(session, "NOPE")


def test_with_room_on_the_work_center_the_schedule_keeps_the_plan_dates(
    engine: Engine, session: Session
) -> None:
    _company(engine, session, hours=24)
    before = _projected(session)
    summary = run_schedule(session, author="ann")
    assert (summary.late_orders, summary.late_lines) == (0, 0)
    assert _projected(session) == before
    with session.begin():
        assert all(o.cause is None for o in schedule.scheduled_orders(session))


def test_a_new_plan_makes_the_schedule_stale_and_plan_finite_makes_a_new_one(
    engine: Engine, session: Session
) -> None:
    _company(engine, session, hours=4)
    run_schedule(session, author="ann")
    _pegboard(engine, "plan")
    with session.begin():
        assert schedule.current_schedule(session) is None
        assert schedule.scheduled_orders(session) == []
    assert _projected(session)["SO-1/1"] == (date(2026, 12, 10), 0)

    out = _pegboard(engine, "plan", "--finite")
    assert "Finite schedule of plan run" in out
    assert _projected(session)["SO-1/1"] == (date(2026, 12, 12), 2)
    rows = _pegboard(engine, "schedule", "--csv", "--work-center", "ASM").splitlines()
    assert rows[0] == "order,item,due,completion,late,why"
    assert rows[1].endswith(",FA,2026-12-10,2026-12-12,2,ASM full 2026-12-08 … 2026-12-09")
    assert rows[2] == "start,end,order,item,seq,hours,waited: full"
    assert rows[4].startswith("2026-12-09,2026-12-12,")


def test_scheduling_without_a_plan_says_what_to_do(session: Session) -> None:
    with pytest.raises(NotFoundError, match="pegboard plan"):
        run_schedule(session, author="ann")

"""The late chain reads the current plan run and its schedule once for the whole tree,
not once a level (issue #18, start-up: ``report late`` made 50 round trips on the demo),
and says the same (both databases)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from _statements import sent
from pegboard.cli import app
from pegboard.services import capacity, reports
from pegboard.services.capacity import OperationIn
from pegboard.services.schedule_run import run_schedule

BASIC = Path(__file__).parents[1] / "scenarios" / "basic" / "bundle"


def _pegboard(engine: Engine, *args: str) -> None:
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(app, list(args), env={"PEGBOARD_DATABASE_URL": url})
    assert result.exit_code == 0, result.output


def test_the_late_chain_reads_the_run_and_the_schedule_once(
    engine: Engine, session: Session
) -> None:
    """SO-1's final assembly waits for a full work center (the schedule's held note);
    its chain has two levels (FA, then its sub-assembly), each asked for availability,
    held notes and the time fence."""
    _pegboard(engine, "import", str(BASIC))
    _pegboard(engine, "order", "change", "SO-2", "1", "--due", "2026-12-10")
    capacity.save_work_center(session, code="ASM", hours_per_day=4, author="ann")
    capacity.set_routing(session, "FA", [OperationIn(10, "ASM", 1.0, 2.0)], author="ann")
    _pegboard(engine, "plan")
    run_schedule(session, author="ann")
    with session.begin(), sent(engine) as seen:
        (line,) = reports.late_orders(session)
    chain = reports.critical_chain(line.supplies[0])
    assert (line.demand, line.projected) == ("SO-1/1", date(2026, 12, 12))
    assert chain[0].held == "ASM full 2026-12-08 … 2026-12-09"
    assert any(n.children for n in line.supplies)  # more than one level was read
    assert sum("FROM plan_run" in sql for sql, _params in seen) == 1
    assert sum("FROM schedule_run" in sql for sql, _params in seen) == 1

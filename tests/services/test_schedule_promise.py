"""Promising with capacity (issue #15, item 5): the quote's production orders placed into
the free hours of the current finite schedule, computed by hand on the basic company
(every day a working day; both databases)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from pegboard.cli import app
from pegboard.services import capacity, schedule
from pegboard.services.capacity import OperationIn
from pegboard.services.promise import promise
from pegboard.services.schedule_run import run_schedule

BASIC = Path(__file__).parents[1] / "scenarios" / "basic" / "bundle"


def _pegboard(engine: Engine, *args: str) -> str:
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(app, list(args), env={"PEGBOARD_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    return result.output


def test_the_quote_waits_for_the_hours_the_schedule_leaves_and_names_the_work_center(
    engine: Engine, session: Session
) -> None:
    """FA takes 1 h + 2 h a unit on ASM (4 h a day). SO-2's FA × 3 (7 h) is scheduled on
    the 5th (4 h) and the 6th (3 h). A quote of FA × 4 (9 h) can start on the 4th (its
    SUB is made by then): 4 h that day, the 5th full, 1 h on the 6th, 4 h on the 7th:
    complete on the 7th instead of the 6th its material allows, set by ASM."""
    _pegboard(engine, "import", str(BASIC))
    _pegboard(engine, "order", "change", "SO-2", "1", "--due", "2026-12-06")
    capacity.save_work_center(session, code="ASM", hours_per_day=4, author="ann")
    capacity.set_routing(session, "FA", [OperationIn(10, "ASM", 1.0, 2.0)], author="ann")
    _pegboard(engine, "plan")
    with session.begin():
        material = promise(session, "FA", 4, wanted=date(2026, 12, 6))
    assert (material.promised, material.met, material.capacity) == (date(2026, 12, 6), True, "")

    run_schedule(session, author="ann")
    with session.begin():
        ops = schedule.scheduled_operations(session, "ASM")
        quoted = promise(session, "FA", 4, wanted=date(2026, 12, 6))
    assert (ops[0].start, ops[0].end, ops[0].hours) == (
        date(2026, 12, 5),
        date(2026, 12, 6),
        7.0,
    )
    assert (quoted.promised, quoted.met, quoted.late_days) == (date(2026, 12, 7), False, 1)
    assert quoted.capacity == "ASM full 2026-12-05 … 2026-12-06"
    assert quoted.summary == (
        "4 × FA can be complete on 2026-12-07, set by capacity: ASM full 2026-12-05 … "
        "2026-12-06 (wanted 2026-12-06: 1 day late)"
    )
    with session.begin():  # a quote that fits in the free hours keeps its material date
        small = promise(session, "FA", 1)
    assert (small.promised, small.capacity) == (date(2026, 12, 6), "")
    out = _pegboard(engine, "promise", "FA", "4")
    assert "set by capacity: ASM full 2026-12-05" in " ".join(out.split())

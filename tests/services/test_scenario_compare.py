"""Compare reports exactly what one hand-made change in a scenario moved: a due date
moves lines and supply, a shift added to a work center moves its hours available, a
price moves the cost of the orders that use the part; nothing else (both databases)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from pegboard import db
from pegboard.cli import app
from pegboard.services import items, scenario_compare, scenarios

BASIC = Path(__file__).parents[1] / "scenarios" / "basic" / "bundle"


def _pegboard(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result.output


@pytest.fixture
def live(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The basic company, with one work center (ASM, 8 h a day) on which FA takes 1 h
    setup and 2 h a piece, planned: the live company."""
    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("PEGBOARD_DATABASE_URL", url)
    monkeypatch.delenv("PEGBOARD_SCENARIO", raising=False)
    _pegboard("import", str(BASIC))
    _pegboard("capacity", "work-center", "ASM", "--hours", "8", "--description", "Assembly")
    _pegboard("capacity", "routing", "set", "FA", "--op", "10:ASM:1:2")
    _pegboard("plan")
    engine.dispose()  # PostgreSQL copies a database only while nobody is connected to it
    yield url
    engine.dispose()
    for name in scenarios.names():
        scenarios.delete(name)


def test_one_due_date_moved_gives_exactly_its_line_and_supply(live: str) -> None:
    scenarios.create("rush", author="test")
    _pegboard("--scenario", "rush", "order", "change", "SO-1", "1", "--due", "2026-11-25")
    _pegboard("--scenario", "rush", "plan")

    result = scenario_compare.compare("live", "rush")
    (moved,) = result.moved
    assert moved.demand == "SO-1/1" and moved.due == date(2026, 11, 25)
    assert moved.before == date(2026, 12, 10) and moved.after is not None
    assert moved.moved_days == (moved.after - moved.before).days < 0
    assert result.earlier == [moved] and result.later == []
    assert result.newly_late == [moved] and moved.late_before == 0 and moved.late_after > 0
    assert (result.no_longer_late, result.added, result.removed) == ([], [], [])
    assert {s.item for s in result.supply} <= {"FA", "SUB", "C1", "C2"}
    assert all(s.kind in ("added", "removed", "changed") for s in result.supply)
    # the same pieces, earlier: what moved out of one week moved into another
    fa = [s for s in result.supply if s.item == "FA"]
    assert sum(s.change for s in fa) == 0 and {s.kind for s in fa} == {"added", "removed"}
    # the hours FA asks of ASM move with it; nothing was priced differently
    (load,) = result.load
    assert load.work_center == "ASM" and load.required_before == load.required_after == 18
    assert result.costs == [] and result.costed and result.notes == []


def test_a_shift_added_to_a_work_center_shows_as_its_load_change_only(live: str) -> None:
    scenarios.create("shift", author="test")
    _pegboard("--scenario", "shift", "capacity", "work-center", "ASM", "--hours", "16")
    _pegboard("--scenario", "shift", "plan")

    result = scenario_compare.compare("live", "shift")
    assert result.capacity
    (asm,) = result.load
    assert asm.work_center == "ASM"
    # SO-1 (FA × 5: 1 + 10 h) and SO-2 (FA × 3: 1 + 6 h) ask the same hours of it
    assert asm.required_before == asm.required_after == 18
    assert asm.available_after == 2 * asm.available_before > 0
    assert asm.weeks and all(w.available_after == 2 * (w.available_before or 0) for w in asm.weeks)
    assert (result.moved, result.added, result.removed, result.supply) == ([], [], [], [])
    assert result.costs == []

    out = _pegboard("scenario", "compare", "live", "shift")
    assert "Load per work center that changes (1)" in out and "ASM" in out
    csv = _pegboard("scenario", "compare", "live", "shift", "--csv", "--part", "load")
    assert csv.splitlines()[1].startswith("ASM,18")

    # the load is the slow part at full size: left out when not asked for, and said so
    quick = scenario_compare.compare("live", "shift", loads=False)
    assert quick.capacity and not quick.loaded and quick.load == []
    assert result.loaded
    out = _pegboard("scenario", "compare", "live", "shift", "--no-load")
    assert "not compared (--load compares it)" in out and "ASM" not in out


def test_a_price_change_shows_as_the_cost_change_of_the_orders_using_the_part(
    live: str,
) -> None:
    scenarios.create("dear", author="test")
    engine = db.make_engine(scenarios.url_of("dear"))
    try:
        with db.session_factory(engine)() as session:
            items.update_item(session, "C1", {"unit_cost": "2.00"}, author="test")
    finally:
        engine.dispose()

    result = scenario_compare.compare("live", "dear")
    assert result.costed and result.currency
    # FA's master BOM takes 2 × C1 with 5 % scrap: SO-2 (FA × 3) needs 6.3 C1, each 0.75
    # dearer (1.25 → 2.00), no overhead on material in the basic company; SO-1's FA is
    # made from its order-specific BOM (C2 only), so its cost does not move
    (change,) = result.costs
    assert change.order == "SO-2"
    assert change.estimated_change == Decimal("4.725")
    assert change.estimated_before is not None and change.estimated_after is not None
    assert change.estimated_after - change.estimated_before == Decimal("4.725")
    assert change.actual_change == 0
    # the plan (copied, not re-planned) and the load are the same
    assert (result.moved, result.supply, result.load) == ([], [], [])

    out = _pegboard("scenario", "compare", "live", "dear")
    assert "Cost of open orders that changes" in out and "+4.73" in out
    assert "Cost" not in _pegboard("scenario", "compare", "live", "dear", "--no-cost")


def test_plans_made_differently_are_said_to_be(live: str) -> None:
    scenarios.create("finite", author="test")
    _pegboard("--scenario", "finite", "plan", "--finite")
    result = scenario_compare.compare("live", "finite")
    (note,) = result.notes
    assert "finite schedule" in note and "pegboard plan --finite" in note
    assert "note:" in _pegboard("scenario", "compare", "live", "finite")
    _pegboard("scenario", "compare", "live", "finite", "--csv", "--part", "nope", code=2)


def test_a_plan_older_than_its_changes_is_said_to_be(live: str) -> None:
    """A due date moved in the copy and not planned again: the copy's dates are its old
    plan's, and compare says so, naming the command that plans it again."""
    scenarios.create("moved", author="test")
    _pegboard("--scenario", "moved", "order", "change", "SO-1", "1", "--due", "2026-11-25")
    result = scenario_compare.compare("live", "moved")
    (note,) = result.notes
    assert note.startswith("moved's plan is older than its changes (1 change since it ran")
    assert "`pegboard --scenario moved plan`" in note and result.moved == []
    _pegboard("--scenario", "moved", "plan")
    assert scenario_compare.compare("live", "moved").notes == []

"""What-if scenarios: a copy of the whole company, changed and planned without touching the
live one; compare reports exactly what a change moved (both databases)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, select, update
from typer.testing import CliRunner

from pegboard.cli import app
from pegboard.errors import ConflictError, NotFoundError, ValidationError
from pegboard.model import Base, Item
from pegboard.services import scenario_compare, scenarios

BASIC = Path(__file__).parents[1] / "scenarios" / "basic" / "bundle"


@pytest.fixture
def live(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The planned basic company as the live one; scenarios left behind are removed."""
    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("PEGBOARD_DATABASE_URL", url)
    monkeypatch.delenv("PEGBOARD_SCENARIO", raising=False)
    _pegboard("import", str(BASIC))
    _pegboard("plan")
    # PostgreSQL copies a database only while nobody is connected to it
    engine.dispose()
    yield url
    engine.dispose()
    for name in scenarios.names():
        scenarios.delete(name)


def _pegboard(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result.output


def _checksum(engine: Engine) -> str:
    """Every row of every table, in a stable order."""
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = sorted(repr(tuple(row)) for row in conn.execute(select(table)))
            digest.update(repr((table.name, rows)).encode())
    engine.dispose()
    return digest.hexdigest()


def test_a_change_planned_in_a_scenario_leaves_the_live_company_untouched(
    live: str, engine: Engine
) -> None:
    before = _checksum(engine)
    assert "none" in _pegboard("report", "late")

    out = _pegboard("scenario", "create", "rush")
    assert "rush" in out and "live" in out
    _pegboard("--scenario", "rush", "order", "change", "SO-1", "1", "--due", "2026-11-25")
    _pegboard("--scenario", "rush", "plan")
    assert "SO-1/1" in _pegboard("--scenario", "rush", "report", "late")

    assert _checksum(engine) == before  # nothing written to the live company
    assert "none" in _pegboard("report", "late")

    result = scenario_compare.compare("live", "rush")
    assert [c.demand for c in result.newly_late] == ["SO-1/1"]
    assert [c.demand for c in result.moved] == ["SO-1/1"]
    assert result.no_longer_late == [] and result.added == [] and result.removed == []
    (moved,) = result.moved
    assert moved.late_before == 0 and moved.late_after > 0
    assert {s.item for s in result.supply} <= {"FA", "C1", "C2"}

    table = _pegboard("scenario", "compare", "live", "rush")
    assert "Newly late (1)" in table and "SO-1/1" in table
    assert "only in live" in table.lower()


def test_unchanged_copy_compares_equal_and_scenarios_chain(live: str) -> None:
    scenarios.create("same", author="test")
    # a plan is copied with the company: the copy compares equal before any change
    result = scenario_compare.compare("live", "same")
    assert (result.moved, result.newly_late, result.supply) == ([], [], [])

    scenarios.create("child", base="same", author="planner")
    listed = {s.name: s for s in scenarios.list_all()}
    assert set(listed) == {"same", "child"}
    assert listed["child"].base == "same" and listed["child"].author == "planner"
    assert listed["same"].base == "live" and listed["same"].planned_on is not None

    scenarios.delete("child")
    assert scenarios.names() == ["same"]
    assert "child" not in _pegboard("scenario", "list")


def test_refusals_are_clear(live: str) -> None:
    with pytest.raises(ValidationError, match="lowercase"):
        scenarios.create("../../etc", author="test")
    with pytest.raises(ValidationError, match="live company"):
        scenarios.create("live", author="test")
    with pytest.raises(NotFoundError, match="no scenario 'ghost'"):
        scenarios.create("x", base="ghost", author="test")
    scenarios.create("once", author="test")
    with pytest.raises(ConflictError, match="exists already"):
        scenarios.create("once", author="test")
    out = _pegboard("--scenario", "ghost", "report", "late", code=1)
    assert "no scenario 'ghost'" in out and "once" in out
    _pegboard("scenario", "create", "Not/A/Name", code=1)


def test_a_scenario_without_a_plan_cannot_be_compared(live: str) -> None:
    scenarios.create("fresh", author="test")
    _pegboard("--scenario", "fresh", "order", "change", "SO-1", "1", "--due", "2026-11-25")
    # its copied plan is still there: compare works and shows no moved line yet
    assert scenario_compare.compare("live", "fresh").moved == []
    with pytest.raises(NotFoundError):
        scenario_compare.compare("live", "nope")


def test_a_company_in_use_is_copied_all_the_same(live: str, engine: Engine) -> None:
    """A server keeps the live company open: the copy is made from one consistent
    snapshot while that connection stays (PostgreSQL cannot clone it by TEMPLATE)."""
    before = _checksum(engine)
    with engine.connect() as held:
        held.execute(select(1))
        scenarios.create("busy", author="planner")
        held.execute(select(1))
    copy = create_engine(scenarios.url_of("busy"))
    try:
        assert _checksum_without_audit(copy) == _checksum_without_audit(engine)
    finally:
        copy.dispose()
    assert _checksum(engine) == before
    assert scenarios.info("busy").author == "planner"
    _pegboard("--scenario", "busy", "plan")
    assert "none" in _pegboard("--scenario", "busy", "report", "late")


def test_a_copy_holds_what_is_committed_while_a_writer_works(live: str, engine: Engine) -> None:
    """Another session has a change on the way (not committed): the copy is made at once
    from what is committed, without that change; the writer then commits it, to the live
    company only."""
    with engine.connect() as writer:
        writer.execute(update(Item).where(Item.code == "C1").values(description="before"))
        writer.commit()
        writer.execute(update(Item).where(Item.code == "C1").values(description="on the way"))
        scenarios.create("mid", author="planner")
        writer.commit()
    copy = create_engine(scenarios.url_of("mid"))
    try:
        with copy.connect() as conn:
            described = conn.execute(select(Item.description).where(Item.code == "C1"))
            assert described.scalar_one() == "before"
    finally:
        copy.dispose()
    with engine.connect() as conn:
        described = conn.execute(select(Item.description).where(Item.code == "C1"))
        assert described.scalar_one() == "on the way"
    engine.dispose()


def _checksum_without_audit(engine: Engine) -> str:
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name != "audit_entry":
                rows = sorted(repr(tuple(row)) for row in conn.execute(select(table)))
                digest.update(repr((table.name, rows)).encode())
    return digest.hexdigest()

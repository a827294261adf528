"""Work centers and routings as master data, and the load the orders put on them, computed
by hand (both databases)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from pegboard.cli import app
from pegboard.errors import NotFoundError, ValidationError
from pegboard.model import AuditEntry, PlannedOrder
from pegboard.services import capacity, load, production
from pegboard.services.capacity import OperationIn

BASIC = Path(__file__).parents[1] / "scenarios" / "basic" / "bundle"


def _pegboard(engine: Engine, *args: str) -> str:
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(app, list(args), env={"PEGBOARD_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    return result.output


def test_work_centers_are_created_changed_and_refused_clearly(session: Session) -> None:
    made = capacity.save_work_center(
        session, code="SAW", hours_per_day=7.5, units=2, cost_rate="42.50", author="ann"
    )
    assert (made.hours_per_day, made.units, made.efficiency_pct) == (7.5, 2, 100.0)
    assert made.cost_rate == Decimal("42.50")
    changed = capacity.save_work_center(session, code="SAW", efficiency_pct=85, author="bob")
    assert (changed.hours_per_day, changed.units, changed.efficiency_pct) == (7.5, 2, 85.0)
    weekly = capacity.save_work_center(
        session,
        code="PAINT",
        weekday_hours=capacity.parse_weekday_hours("mon=8,tue=8,wed=8,thu=8,fri=4"),
        author="ann",
    )
    assert weekly.hours_text == "mon-thu 8, fri 4"
    capacity.add_closed_day(session, "PAINT", date(2027, 1, 15), "maintenance", author="ann")
    listed = {w.code: w for w in capacity.list_work_centers(session)}
    assert listed["PAINT"].closed_days == [date(2027, 1, 15)]
    capacity.remove_closed_day(session, "PAINT", date(2027, 1, 15), author="ann")
    assert capacity.list_work_centers(session)[0].closed_days == []

    for bad, message in (
        ({"code": "a/b", "hours_per_day": 8}, "may not hold any of /"),
        ({"code": "X", "hours_per_day": 30}, "between 0 and 24"),
        ({"code": "X", "hours_per_day": 0}, "some hours"),
        ({"code": "X", "hours_per_day": 8, "efficiency_pct": 0}, "above 0"),
        ({"code": "X", "hours_per_day": 8, "units": 0}, "whole number"),
        ({"code": "X", "hours_per_day": 8, "cost_rate": "1.234"}, "two decimals"),
        ({"code": "X", "hours_per_day": 8, "cost_rate": "lots"}, "not an amount"),
        ({"code": "X"}, "give its hours"),
    ):
        with pytest.raises(ValidationError, match=message):
            capacity.save_work_center(session, author="ann", **bad)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="mon, tue"):
        capacity.parse_weekday_hours("monday=8")
    assert "X" not in {w.code for w in capacity.list_work_centers(session)}
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity == "work_center").order_by(AuditEntry.id)
    ).all()
    assert actions == ["create", "change", "create", "add closed day", "remove closed day"]


def test_routings_name_known_work_centers_and_make_items(engine: Engine, session: Session) -> None:
    _pegboard(engine, "import", str(BASIC))
    capacity.save_work_center(session, code="ASM", hours_per_day=8, author="ann")
    routing = capacity.set_routing(
        session,
        "FA",
        [OperationIn(20, "ASM", 0.5, 2.0, queue_days=1), OperationIn(10, "ASM", 1.0, 0.25)],
        author="ann",
    )
    assert [o.sequence for o in routing.operations] == [10, 20]
    assert capacity.routing_of(session, "FA").number == "RT-FA"
    with pytest.raises(NotFoundError, match=r"no work center 'NOPE' \(known: ASM\)"):
        capacity.set_routing(session, "FA", [OperationIn(10, "NOPE")], author="ann")
    with pytest.raises(ValidationError, match="each once"):
        capacity.set_routing(
            session, "FA", [OperationIn(10, "ASM"), OperationIn(10, "ASM")], author="ann"
        )
    with pytest.raises(ValidationError, match="bought"):
        capacity.set_routing(session, "C1", [OperationIn(10, "ASM")], author="ann")
    with pytest.raises(NotFoundError, match="no routing"):
        capacity.routing_of(session, "SUB")
    assert len(capacity.routing_of(session, "FA").operations) == 2  # refusals changed nothing


def test_two_orders_on_one_day_overload_the_work_center(engine: Engine, session: Session) -> None:
    _pegboard(engine, "import", str(BASIC))
    # both sales orders' final assemblies due on 2026-12-10 (the basic calendar works
    # every day, so the dates are plain days)
    _pegboard(engine, "order", "change", "SO-2", "1", "--due", "2026-12-10")
    _pegboard(engine, "plan")
    capacity.save_work_center(session, code="ASM", hours_per_day=8, author="ann")
    capacity.save_work_center(session, code="IDLE", hours_per_day=8, author="ann")
    capacity.set_routing(session, "FA", [OperationIn(10, "ASM", 1.0, 2.0)], author="ann")
    planned = dict(
        session.execute(
            select(PlannedOrder.qty, PlannedOrder.number).where(PlannedOrder.type == "make")
        ).all()
    )
    five, three = planned[5.0], planned[3.0]

    report = load.capacity_load(session)
    by_day = {(p.work_center, p.start): p for p in report.days}
    # FA × 5: 1 + 5 × 2 = 11 h ending on the 10th: 8 h that day, 3 h on the 9th;
    # FA × 3: 1 + 3 × 2 = 7 h, all on the 10th
    assert by_day[("ASM", date(2026, 12, 10))].required == pytest.approx(15.0)
    assert by_day[("ASM", date(2026, 12, 9))].required == pytest.approx(3.0)
    assert set(by_day) == {("ASM", date(2026, 12, 10)), ("ASM", date(2026, 12, 9))}
    (over,) = report.overloaded_days
    assert (over.start, over.available, over.orders) == (
        date(2026, 12, 10),
        8.0,
        tuple(sorted([five, three])),
    )
    (week,) = report.weeks
    assert (week.label, week.required, week.available) == ("2026-W50", 18.0, 56.0)
    assert not week.over
    assert {(o.order, o.start, o.end) for o in report.operations} == {
        (five, date(2026, 12, 9), date(2026, 12, 10)),
        (three, date(2026, 12, 10), date(2026, 12, 10)),
    }
    assert load.capacity_load(session, work_center="IDLE").days == []

    rows = _pegboard(engine, "capacity", "load", "--days", "--overloaded", "--csv").splitlines()
    assert rows[1] == f'ASM,2026-12-10,15.0,8.0,188,"{five}, {three}"'
    assert len(rows) == 2


def _ops(report: load.LoadReport, orders: Collection[str]) -> list[tuple[object, ...]]:
    return sorted(
        (o.order, o.sequence, o.work_center, o.start, o.end, o.hours)
        for o in report.operations
        if o.order in orders
    )


def test_the_load_of_named_orders_is_theirs_of_the_whole_load(
    engine: Engine, session: Session
) -> None:
    # a production order's page asks the load of its own operations only: they are read
    # by number (few names) or kept from the whole load (many), the same either way
    _pegboard(engine, "import", str(BASIC))
    _pegboard(engine, "plan")
    capacity.save_work_center(session, code="ASM", hours_per_day=8, author="ann")
    capacity.set_routing(session, "FA", [OperationIn(10, "ASM", 1.0, 2.0)], author="ann")
    planned = sorted(
        session.scalars(select(PlannedOrder.number).where(PlannedOrder.type == "make"))
    )
    (firm,) = production.firm_productions(session, planned=planned[:1], author="ann")
    whole = load.capacity_load(session)
    loading = {o.order for o in whole.operations}
    assert firm in loading and len(loading) == 2  # a firm order and a planned one

    def named(orders: set[str]) -> list[tuple[object, ...]]:
        return _ops(load.capacity_load(session, orders=orders), orders)

    assert named({firm}) == named({firm, "MO-NONE"}) == _ops(whole, {firm}) != []
    many = loading | {f"PL-NONE-{i}" for i in range(load.NAMED_IN_QUERY)}
    assert named(many) == named(loading) == _ops(whole, loading)
    assert named(set()) == []

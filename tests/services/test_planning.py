"""The planning service on a real database: load, plan, store, replace, reports.

The small bundle in tests/scenarios/basic is computed by hand here:
FA (make, mto, LT 2) for SO-1 (5 on 12-10) and SO-2 (3 on 12-20); SO-1 has an
order-specific BOM (C2 x 4), SO-2 uses the master (SUB x 1, C1 x 2 + 5 % scrap).
MO-1 (2 SUB due 12-05, starts 12-02) pulls 6 C2 from PO-1 (50 C2 due 12-01).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from pegboard.bundle.importer import read_bundle
from pegboard.errors import NotFoundError, PlanningError
from pegboard.model import Bom, BomLine, Item, PlanLine, PlannedOrder, PlanRun
from pegboard.services import plan_results, reports
from pegboard.services.company_data import replace_company
from pegboard.services.planning import run_plan

BASIC = Path(__file__).parents[1] / "scenarios" / "basic" / "bundle"


@pytest.fixture
def basic(session: Session) -> Session:
    replace_company(session, read_bundle(BASIC), author="test")
    return session


def test_plan_basic_by_hand(basic: Session) -> None:
    summary = run_plan(basic, author="test")
    assert summary.planning_date == date(2026, 11, 24)
    with basic.begin():
        planned = plan_results.planned_order_rows(basic)
        exceptions = plan_results.exception_rows(basic)
    assert [(r[1], r[3], r[4], r[5], r[6]) for r in planned] == [
        ("FA", 5.0, date(2026, 12, 8), date(2026, 12, 10), "SO-1"),
        ("FA", 3.0, date(2026, 12, 18), date(2026, 12, 20), "SO-2"),
        ("SUB", 1.0, date(2026, 12, 15), date(2026, 12, 18), ""),
    ]
    kinds = sorted((r[0], r[1], r[2]) for r in exceptions)
    assert ("cancel", "C2", "PO-1/1") in kinds
    assert ("defer", "SUB", "MO-1") in kinds
    cancel = next(r for r in exceptions if r[0] == "cancel")
    assert "26" in cancel[5]


def test_plan_replaces_previous_plan_and_keeps_history(basic: Session) -> None:
    first = run_plan(basic, author="test")
    second = run_plan(basic, author="test")
    assert second.run_id > first.run_id
    with basic.begin():
        assert basic.scalar(select(func.count()).select_from(PlanRun)) == 2
        runs = set(basic.scalars(select(PlannedOrder.plan_run_id)))
    assert runs == {second.run_id}


def test_failed_plan_leaves_previous_plan(basic: Session) -> None:
    run_plan(basic, author="test")
    with basic.begin():
        before = plan_results.planned_order_rows(basic)
    with basic.begin():
        c2 = basic.scalar(select(Item.id).where(Item.code == "C2"))
        sub_bom = basic.scalar(
            select(Bom.id).join(Item, Item.id == Bom.item_id).where(Item.code == "SUB")
        )
        # make C2 a made item that contains SUB: SUB -> C2 -> SUB is a cycle
        basic.execute(Item.__table__.update().where(Item.id == c2).values(type="make"))
        cycle_bom = Bom(number="BOM-C2", kind="engineering", item_id=c2)
        basic.add(cycle_bom)
        basic.flush()
        sub = basic.scalar(select(Item.id).where(Item.code == "SUB"))
        basic.add(BomLine(bom_id=cycle_bom.id, position=1, component_id=sub, qty_per=1))
        assert sub_bom is not None
    with pytest.raises(PlanningError, match=r"cycle: .*SUB.*C2|cycle: .*C2.*SUB"):
        run_plan(basic, author="test")
    with basic.begin():
        assert plan_results.planned_order_rows(basic) == before


def test_reports_on_basic(basic: Session) -> None:
    run_plan(basic, author="test")
    with basic.begin():
        lines = reports.sales_order_pegging(basic, "SO-2")
        assert lines[0].demand == "SO-2/1"
        top = lines[0].supplies[0]
        assert (top.supply_type, top.item) == ("planned_order", "FA")
        children = {(c.item, c.supply) for c in top.children}
        assert ("SUB", "MO-1") in children
        assert ("C1", "main") in children
        sub_planned = next(c for c in top.children if c.item == "SUB" and c.supply.startswith("PL"))
        assert [(g.item, g.supply) for g in sub_planned.children] == [("C2", "PO-1/1")]
        assert reports.late_orders(basic) == []
        buy = reports.buy_list(basic, until=date(2026, 12, 31))
        assert buy == []
        make = reports.make_list(basic, until=date(2026, 12, 9))
        assert [r.number for r in make] == ["PL-000001"]
        assert {r.kind for r in reports.actions(basic)} == {"cancel", "defer"}
        short = reports.shortages(basic, sales_order="SO-2")
        assert {r.item for r in short} == {"FA", "SUB"}
        used = reports.where_used_supply(basic, "C2")
        po = next(u for u in used if u[1] == "PO-1/1")
        assert po[2] == pytest.approx(24.0)
        with pytest.raises(NotFoundError):
            reports.sales_order_pegging(basic, "SO-404")


def test_reports_need_a_plan(basic: Session) -> None:
    with basic.begin(), pytest.raises(NotFoundError, match="no plan"):
        reports.buy_list(basic)


def test_plan_date_override(engine: Engine, basic: Session) -> None:
    summary = run_plan(basic, author="test", planning_date=date(2026, 12, 9))
    assert summary.planning_date == date(2026, 12, 9)
    with basic.begin():
        late = {r[2] for r in plan_results.exception_rows(basic) if r[0] == "late"}
    assert "PL-000001" in late  # FA for SO-1 must start 12-08, before the planning date


def test_plan_lines_project_each_sales_line(basic: Session) -> None:
    run_plan(basic, author="test")
    with basic.begin():
        rows = basic.execute(
            select(
                PlanLine.demand_ref, PlanLine.due_date, PlanLine.projected_date, PlanLine.late_days
            ).order_by(PlanLine.demand_ref)
        ).all()
    assert [tuple(r) for r in rows] == [
        ("SO-1/1", date(2026, 12, 10), date(2026, 12, 10), 0),
        ("SO-2/1", date(2026, 12, 20), date(2026, 12, 20), 0),
    ]


def test_late_line_projection_and_report(basic: Session) -> None:
    # planning on 12-09: FA for SO-1 must start 12-08; its components are there
    # (stock, PO-1 due 12-01), so it can be done 12-09 + 2 days = 12-11, a day late.
    run_plan(basic, author="test", planning_date=date(2026, 12, 9))
    with basic.begin():
        late = reports.late_orders(basic)
        assert reports.count_late(basic) == 1
    assert [(x.demand, x.projected, x.late_days) for x in late] == [
        ("SO-1/1", date(2026, 12, 11), 1)
    ]
    chain = reports.critical_chain(late[0].supplies[0])
    assert [n.item for n in chain][:1] == ["FA"]


def test_counts_stored_with_the_run_equal_counting_the_rows(basic: Session) -> None:
    """The pages read counts stored with the run; they must equal counting its rows."""
    run_plan(basic, author="test", planning_date=date(2026, 12, 9))
    with basic.begin():
        run = basic.scalars(select(PlanRun).order_by(PlanRun.id.desc())).first()
        assert run is not None and run.counts is not None
        assert plan_results.run_exception_counts(basic, run) == plan_results.exception_counts(basic)
        late = basic.scalar(
            select(func.count()).select_from(PlanLine).where(PlanLine.late_days > 0)
        )
        assert plan_results.run_count_late(basic, run) == late == 1
        for kind in ("buy", "make"):
            for until in (None, date(2026, 12, 9), date(2026, 12, 15), date(2027, 1, 1)):
                stmt = (
                    select(func.count()).select_from(PlannedOrder).where(PlannedOrder.type == kind)
                )
                if until is not None:
                    stmt = stmt.where(PlannedOrder.release_date <= until)
                counted = basic.scalar(stmt)
                assert plan_results.run_count_planned(basic, run, kind, until=until) == counted


def test_plan_tables_have_statistics_when_stored(basic: Session) -> None:
    """PostgreSQL: the plan's new tables are analysed in the store's transaction, so a
    page's first lookup after a plan is planned on their real sizes, not a guess."""
    if basic.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite plans by its indexes, without statistics")
    run_plan(basic, author="test")
    with basic.begin():
        analysed = dict(
            basic.execute(
                text(
                    "SELECT relname, last_analyze IS NOT NULL FROM pg_stat_user_tables "
                    "WHERE relname IN ('pegging', 'planned_order', 'plan_exception')"
                )
            ).all()
        )
    assert analysed == {"pegging": True, "planned_order": True, "plan_exception": True}

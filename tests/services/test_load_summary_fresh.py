"""The capacity summary (``services.load_weeks``) holds while what the load reads is
unchanged: a stock move, a sales order's or a work center's cost, which the load never
reads, leave it current (though the plan is out of date); a routing, a work center's
hours, a holiday, a production order's progress or a new plan make it stale. The plan
job stores the new plan's summary as it ends, so the first view reads it and writes
nothing. Both databases."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from pegboard.bundle.importer import read_bundle
from pegboard.demo import demo_path
from pegboard.model import PlannedOrder
from pegboard.model.capacity import LoadSummary, LoadWeek
from pegboard.services import calendar, capacity, company_data, plan_inputs, planning, stock
from pegboard.services.jobs import kinds as job_kinds
from pegboard.services.jobs import records as job_records
from pegboard.services.jobs import running as job_running
from pegboard.services.load_weeks import current_summary, kept_summary, load_page, week_rows
from pegboard.services.plan_results import current_run
from pegboard.services.production import complete_production, firm_productions
from pegboard.services.purchasing import firm_purchases

TODAY = date(2026, 11, 23)


def _sample(session: Session) -> None:
    company_data.replace_company(session, read_bundle(demo_path("lighting")), author="test")
    planning.run_plan(session, author="test")


def fresh(session: Session) -> bool:
    """Whether the kept summary is the load's as it is now (the next view works nothing out)."""
    return kept_summary(session) is not None


def _planned(session: Session, kind: str) -> str:
    """The first unfirmed planned order of ``kind`` (make or buy) of the current plan."""
    return session.scalars(
        select(PlannedOrder.number)
        .where(PlannedOrder.type == kind, PlannedOrder.firmed_as.is_(None))
        .order_by(PlannedOrder.release_date, PlannedOrder.number)
        .limit(1)
    ).one()


def _summaries(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(LoadSummary)) or 0


def _kept_rows(session: Session, summary_id: int) -> list[tuple[int, date, float, float, int]]:
    return [
        (w.work_center_id, w.monday, round(w.required, 6), round(w.available, 6), w.orders)
        for w in session.scalars(
            select(LoadWeek)
            .where(LoadWeek.summary_id == summary_id)
            .order_by(LoadWeek.work_center_id, LoadWeek.monday)
        )
    ]


def _worked_out(session: Session) -> list[tuple[int, date, float, float, int]]:
    return sorted(
        (r.work_center_id, r.monday, round(r.required, 6), round(r.available, 6), r.orders)
        for r in week_rows(session)
    )


def test_the_work_days_setting_is_the_calendars() -> None:
    assert plan_inputs.WORK_DAYS_KEY == calendar.WORK_DAYS_KEY


def _stock_move(session: Session) -> None:
    stock.adjust_stock(session, item="LED-BRD-24V-560", qty=5, reason="count", author="ann")


def _cost_rate(session: Session) -> None:
    capacity.save_work_center(session, code="POWDER", cost_rate=Decimal("77.50"), author="ann")


def _purchase_firm(session: Session) -> None:
    # the load places planned make orders only: a buy order firmed takes nothing off it
    firm_purchases(session, planned=[_planned(session, "buy")], author="ann")
    session.commit()


@pytest.mark.parametrize(
    "change",
    [_stock_move, _cost_rate, _purchase_firm],
    ids=["stock move", "cost rate", "purchase firm"],
)
def test_what_the_load_does_not_read_leaves_the_summary_current(
    session: Session, change: Callable[[Session], None]
) -> None:
    _sample(session)
    kept = current_summary(session).id
    plan_before = plan_inputs.current(session)[plan_inputs.PLAN].revision
    change(session)
    now = plan_inputs.current(session)
    if change is _stock_move:  # the plan reads stock: it is out of date, the load is not
        assert now[plan_inputs.PLAN].revision == plan_before + 1
    assert fresh(session)
    load_page(session, today=TODAY)
    assert current_summary(session).id == kept
    assert _summaries(session) == 1
    assert _kept_rows(session, kept) == _worked_out(session)


def _routing(session: Session) -> None:
    view = capacity.routing_of(session, "SA-DRVTRAY-40D")
    slower = [replace(op, run_hours=op.run_hours + 1.0) for op in view.operations]
    capacity.set_routing(session, "SA-DRVTRAY-40D", slower, author="ann")


def _hours(session: Session) -> None:
    capacity.save_work_center(session, code="POWDER", units=4, author="ann")


def _holiday(session: Session) -> None:
    calendar.add_holiday(session, date(2026, 11, 25), "works outing", author="ann")


def _progress(session: Session) -> None:
    complete_production(session, "MO-2201", 5, backflush=False, author="ann")


def _production_firm(session: Session) -> None:
    firm_productions(session, planned=[_planned(session, "make")], author="ann")
    session.commit()


def _new_plan(session: Session) -> None:
    session.commit()  # the plan begins its own transactions
    planning.run_plan(session, author="ann")


@pytest.mark.parametrize(
    "change",
    [_routing, _hours, _holiday, _progress, _production_firm, _new_plan],
    ids=[
        "routing",
        "work center hours",
        "holiday",
        "production progress",
        "production firm",
        "new plan",
    ],
)
def test_what_the_load_reads_makes_the_summary_stale(
    session: Session, change: Callable[[Session], None]
) -> None:
    _sample(session)
    kept = current_summary(session).id
    before = _kept_rows(session, kept)
    change(session)
    assert not fresh(session)
    again = current_summary(session)
    assert again.id != kept and fresh(session)
    rows = _kept_rows(session, again.id)
    assert rows == _worked_out(session)
    if change is _new_plan:  # the same inputs planned again: the same hours, a new run's
        run = current_run(session)
        assert run is not None and again.plan_run_id == run.id and rows == before
    elif change is _production_firm:  # its operations now the production order's
        run = current_run(session)
        assert run is not None and again.plan_run_id == run.id
    else:
        assert rows != before  # each of these changes moves some hours


def test_the_plan_job_stores_the_new_plans_summary(engine: Engine, session: Session) -> None:
    company_data.replace_company(session, read_bundle(demo_path("lighting")), author="test")
    job_id = job_records.start_job(session, "plan", author="ann")
    session.commit()
    seen: list[tuple[str, int, int]] = []
    work = job_kinds.kind_of("plan").prepare(author="ann").work
    result = job_running.run_job(engine, job_id, work, reraise=True, also=lambda *a: seen.append(a))
    assert result is not None and isinstance(result["load_summary_seconds"], float)
    assert seen[-2:] == [("capacity summary", 3, 4), ("done", 4, 4)]
    assert [s for s, _, _ in seen if s != "done"][:3] == ["loading", "planning", "storing"]
    session.expire_all()
    run = current_run(session)
    assert run is not None
    assert fresh(session)
    kept = session.scalars(select(LoadSummary)).one()
    assert kept.plan_run_id == run.id
    assert _kept_rows(session, kept.id) == _worked_out(session) != []
    # the first view reads it: no summary worked out or written
    page = load_page(session, today=TODAY)
    assert page.computed_at == kept.computed_at
    assert _summaries(session) == 1 and current_summary(session).id == kept.id


def test_replacing_the_company_drops_its_summary(session: Session) -> None:
    # the new company's first plan run may take the old one's id: its summary must not
    # pass for the new load's
    _sample(session)
    current_summary(session)
    session.commit()
    company_data.replace_company(session, read_bundle(demo_path("lighting")), author="test")
    assert _summaries(session) == 0
    assert session.scalar(select(func.count()).select_from(LoadWeek)) == 0

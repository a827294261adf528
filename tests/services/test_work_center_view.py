"""services.work_center_view: a work center's page places the backward load once for
its chart and its dispatch list, and shows what each shows on its own (the chart's
proposed orders too, the list its open production orders only); with a finite schedule
both follow it. The lighting sample, planned, both databases."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.bundle.importer import read_bundle
from pegboard.demo import demo_path
from pegboard.model import WorkCenter
from pegboard.services import company_data, planning
from pegboard.services.dispatch import dispatch_list
from pegboard.services.work_center_gantt import BACKWARD, FINITE, work_center_gantt
from pegboard.services.work_center_view import work_center_view

TODAY = date(2026, 11, 23)


def _same_as_each_alone(session: Session, source: str) -> set[str]:
    """Every work center's page against its chart and list worked out apart, over a few
    windows; the order statuses its charts showed."""
    seen: set[str] = set()
    dispatched = 0
    codes = session.scalars(select(WorkCenter.code).order_by(WorkCenter.code)).all()
    assert codes
    for code in codes:
        for start, weeks in ((TODAY, 4), (TODAY + timedelta(weeks=4), 12), (TODAY, 1)):
            view = work_center_view(session, code, today=TODAY, start=start, weeks=weeks)
            alone = work_center_gantt(session, code, today=TODAY, start=start, weeks=weeks)
            assert view.window == alone
            assert view.window.source == source
            seen |= {op.order_status for op in view.window.operations}
        listed = dispatch_list(session, code, today=TODAY)
        assert view.listed == listed
        assert all(not r.order.startswith("PL-") for r in listed.rows)
        dispatched += len(listed.rows)
    assert dispatched > 0
    return seen


def test_one_placement_shows_what_the_chart_and_the_list_show(session: Session) -> None:
    company_data.replace_company(session, read_bundle(demo_path("lighting")), author="test")
    planning.run_plan(session, author="test")
    seen = _same_as_each_alone(session, BACKWARD)
    # the charts drew the plan's proposals and production orders; the lists only the latter
    assert "proposed" in seen and seen - {"proposed"}


def test_with_a_finite_schedule_both_follow_it(session: Session) -> None:
    from pegboard.services.schedule_run import run_schedule

    company_data.replace_company(session, read_bundle(demo_path("lighting")), author="test")
    planning.run_plan(session, author="test")
    run_schedule(session, author="test")
    _same_as_each_alone(session, FINITE)

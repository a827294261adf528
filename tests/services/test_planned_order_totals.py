"""The planned-orders list takes its totals from what the run stored (#18 speed): every
filter of type, release day and firmed state must give the total and the rows a plain
count and sort of the rows give, before and after firming (which changes the stored
release counts) and for a run stored before the counts."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import product
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pegboard.bundle.importer import read_bundle
from pegboard.demo import demo_path
from pegboard.model import ItemType, PlannedOrder, PlanRun
from pegboard.services import plan_results
from pegboard.services.company_data import replace_company
from pegboard.services.paging import sorted_page
from pegboard.services.planning import current_run, run_plan
from pegboard.services.production import firm_productions
from pegboard.services.purchasing import firm_purchases

KINDS = (None, ItemType.BUY, ItemType.MAKE)
FIRMED = (None, False, True)


@pytest.fixture
def planned(session: Session) -> Session:
    replace_company(session, read_bundle(demo_path("lighting")), author="import")
    run_plan(session, author="planner")
    return session


def _days(session: Session) -> list[date | None]:
    """No day, a day before the first release, the median release day, the last one."""
    with session.begin():
        days = sorted(session.scalars(select(PlannedOrder.release_date).distinct()))
    assert len(days) > 2
    return [None, days[0] - timedelta(days=1), days[len(days) // 2], days[-1]]


def _counted(session: Session, **filters: Any) -> tuple[list[Any], int]:
    """The page as any list counts and sorts it, without the run's stored totals."""
    stmt = plan_results.planned_order_query(**filters)
    return sorted_page(
        session,
        stmt,
        sort=None,
        sorts=plan_results.PLANNED_ORDER_SORT,
        tie=plan_results.PLANNED_ORDER_DEFAULT_ORDER,
        limit=7,
        offset=3,
    )


def _assert_every_filter_agrees(session: Session) -> None:
    """Every type, last and first release day (the page's release windows, #19) and
    firmed state."""
    days = _days(session)
    for kind, until, since, firmed in product(KINDS, days, days, FIRMED):
        with session.begin():
            page = plan_results.planned_order_page(
                session, kind=kind, until=until, since=since, firmed=firmed, limit=7, offset=3
            )
            expected = _counted(session, kind=kind, until=until, since=since, firmed=firmed)
        assert page == expected, (kind, until, since, firmed)


def test_every_total_and_page_is_the_rows_count_and_order(planned: Session) -> None:
    with planned.begin():
        assert plan_results.planned_order_page(planned, limit=5)[1] > 10
    _assert_every_filter_agrees(planned)


def test_totals_follow_firming(planned: Session) -> None:
    with planned.begin():
        buy, make = (
            planned.scalars(
                select(PlannedOrder.number)
                .where(PlannedOrder.type == kind)
                .order_by(PlannedOrder.release_date, PlannedOrder.number)
            ).first()
            for kind in (ItemType.BUY, ItemType.MAKE)
        )
    assert buy is not None and make is not None
    firm_purchases(planned, planned=[buy], author="buyer")
    firm_productions(planned, planned=[make], author="planner")
    with planned.begin():
        firmed, total = plan_results.planned_order_page(planned, firmed=True, limit=50)
    assert {r[0] for r in firmed} == {buy, make} and total == 2
    _assert_every_filter_agrees(planned)


def test_a_run_stored_before_the_counts_is_counted(planned: Session) -> None:
    with planned.begin():
        run = current_run(planned)
        assert run is not None
        planned.execute(update(PlanRun).where(PlanRun.id == run.id).values(counts=None))
    _assert_every_filter_agrees(planned)

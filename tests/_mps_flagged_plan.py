"""A planned company whose master schedule's flags renumber its shortages (the basic
company, SUB on the schedule, a 28-day fence), and what each of its sales orders reads
of the plan's exceptions: shared by tests/services/test_exception_sales_orders.py and
tests/cli/test_exception_sales_orders_upgrade.py."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.bundle.importer import read_bundle
from pegboard.model import CompanySetting, SalesOrder
from pegboard.services import mps, plan_results, reports
from pegboard.services.company_data import replace_company
from pegboard.services.planning import run_plan

BASIC = Path(__file__).parent / "scenarios" / "basic" / "bundle"
TODAY = date(2026, 11, 23)  # the basic company plans from Tuesday 2026-11-24


def plan_with_mps_flags(session: Session) -> None:
    """The basic company with SUB on the master schedule and a 28-day fence: the plan
    gets two ``mps_short`` rows, which take the ids of the first shortages (moved up)."""
    replace_company(session, read_bundle(BASIC), author="t")
    with session.begin():
        session.add(CompanySetting(key=mps.FENCE_KEY, value="28"))
    mps.set_mps_item(session, "SUB", True, author="t")
    run_plan(session, author="t")


def reads_by_sales_order(session: Session) -> dict[str, tuple[object, ...]]:
    """Per sales order: its shortages, their count, and the API's sorted page of all its
    exceptions (report order, and by item descending)."""
    out: dict[str, tuple[object, ...]] = {}
    run = plan_results.current_run(session)
    assert run is not None
    for number in session.scalars(select(SalesOrder.number).order_by(SalesOrder.number)):
        out[number] = (
            reports.shortages(session, sales_order=number),
            reports.count_exceptions(session, reports.SHORTAGE, sales_order=number),
            plan_results.sorted_exception_page(session, sales_order=number, limit=99, offset=0),
            plan_results.sorted_exception_page(
                session, sales_order=number, sort="-item", limit=99, offset=0
            ),
            plan_results.exception_page(session, run, sales_order=number, limit=99),
        )
    return out

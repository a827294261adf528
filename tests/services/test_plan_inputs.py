"""The plan is older than the changes made to what it was planned from (issue #19): each
kind of change marks it, a plan run clears it, a change rolled back or one the plan does
not read does not, and firming (which carries its orders into the plan) does not."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from _clock import DEMO_DAY
from pegboard.bundle.demo import demo_dataset
from pegboard.model import Item, PlannedOrder, StockBalance
from pegboard.services import (
    bom_edit,
    capacity,
    company_data,
    company_upsert,
    items,
    order_changes,
    planning,
    production,
    schedule_run,
    stock,
)
from pegboard.services.dataset import Dataset
from pegboard.services.plan_age import PlanAge, plan_age
from pegboard.services.upsert_diff import Places

Change = Callable[[Session], None]
PARENT = "SA-DRVTRAY-40D"  # its BOM's first line is TRAY-GEAR-560 x 1
BOUGHT = "LED-BRD-24V-560"


def _planned(session: Session) -> None:
    company_data.replace_company(session, demo_dataset("lighting", DEMO_DAY), author="test")
    planning.run_plan(session, author="test", today=DEMO_DAY)
    session.commit()


def _age(session: Session) -> PlanAge:
    session.rollback()  # a fresh read, as the next page does
    age = plan_age(session, DEMO_DAY)
    session.rollback()
    return age


def _upsert(session: Session) -> None:
    """A bundle that changes one item's lead time, upserted as the import does."""

    def read(company: Dataset) -> tuple[Dataset, Places]:
        rows = [
            r._replace(lead_time_days=r.lead_time_days + 3) if r.item == BOUGHT else r
            for r in company.items
        ]
        return dataclasses.replace(company, items=rows), {}

    session.rollback()
    company_upsert.upsert_company(session, read, author="ann")


def _order_qty(session: Session) -> None:
    order_changes.change_line(session, "SO-1001", 1, qty=15, author="ann", today=DEMO_DAY)
    session.commit()


def _order_due(session: Session) -> None:
    new_due = date(2026, 12, 28)
    order_changes.change_line(session, "SO-1001", 1, due=new_due, author="ann", today=DEMO_DAY)
    session.commit()


def _stock_count(session: Session) -> None:
    stock.adjust_stock(session, item=BOUGHT, qty=-7, reason="count", author="ann")
    session.commit()


CHANGES: dict[str, tuple[Change, str]] = {
    "BOM line": (
        lambda s: bom_edit.change_line(s, PARENT, 1, qty_per=2, author="ann"),
        "BOM line",
    ),
    "lead time": (
        lambda s: items.update_item(s, BOUGHT, {"lead_time_days": 30}, author="ann"),
        f"item {BOUGHT}: lead time days changed",
    ),
    "lot size": (
        lambda s: items.update_item(s, BOUGHT, {"multiple": 100}, author="ann"),
        f"item {BOUGHT}: multiple changed",
    ),
    "safety stock": (
        lambda s: items.update_item(s, BOUGHT, {"safety_stock": 80}, author="ann"),
        f"item {BOUGHT}: safety stock changed",
    ),
    "supplier": (
        lambda s: items.update_item(s, BOUGHT, {"supplier": "Another Ltd"}, author="ann"),
        f"item {BOUGHT}: supplier changed",
    ),
    "stock count": (_stock_count, "stock"),
    "order quantity": (_order_qty, "sales order line"),
    "order due date": (_order_due, "sales order line"),
    "bundle upsert": (_upsert, "bundle upsert by ann (items)"),
}


@pytest.mark.parametrize("kind", sorted(CHANGES))
def test_each_kind_of_change_marks_the_plan_and_planning_clears_it(
    session: Session, kind: str
) -> None:
    _planned(session)
    assert _age(session).changes == 0 and not _age(session).out_of_date
    change, words = CHANGES[kind]
    change(session)
    age = _age(session)
    assert age.changes == 1 and age.out_of_date and not age.stale
    assert age.last_change is not None and age.last_change.startswith(words), age.last_change
    assert age.last_changed_at is not None
    assert age.changes_sentence().startswith(
        "The plan is older than your changes (1 change since it ran, last: "
    )
    assert age.changes_sentence().endswith("UTC): re-plan.")

    planning.run_plan(session, author="test", today=DEMO_DAY)
    session.commit()
    assert _age(session).changes == 0 and _age(session).changes_sentence() == ""


def test_changes_are_counted_per_transaction(session: Session) -> None:
    _planned(session)
    items.update_item(session, BOUGHT, {"lead_time_days": 30, "safety_stock": 5}, author="a")
    with session.begin():  # two rows in one transaction: one change
        for code in (BOUGHT, "LED-BRD-24V-280"):
            item = session.scalars(select(Item).where(Item.code == code)).one()
            item.min_qty += 1
    age = _age(session)
    assert age.changes == 2
    assert age.last_change is not None and "min qty changed" in age.last_change


def test_a_change_rolled_back_does_not_mark_the_plan(session: Session) -> None:
    _planned(session)
    item = session.scalars(select(Item).where(Item.code == BOUGHT)).one()
    item.lead_time_days += 10
    session.flush()  # written in the transaction...
    session.rollback()  # ...and taken back with it
    assert _age(session).changes == 0
    # the revision is raised as the transaction commits, not before
    item = session.scalars(select(Item).where(Item.code == BOUGHT)).one()
    item.lead_time_days += 10
    session.flush()
    assert plan_age(session, DEMO_DAY).changes == 0
    session.commit()
    assert _age(session).changes == 1
    item = session.scalars(select(Item).where(Item.code == BOUGHT)).one()
    item.lead_time_days -= 10
    session.rollback()
    # a refused change (a rule of the service) leaves nothing either
    with pytest.raises(Exception, match="qty_per"):
        bom_edit.change_line(session, PARENT, 1, qty_per=-1, author="ann")
    assert _age(session).changes == 1


def test_changes_the_plan_does_not_read_do_not_mark_it(session: Session) -> None:
    _planned(session)
    items.update_item(session, BOUGHT, {"description": "renamed", "unit_cost": "11"}, author="a")
    items.create_item(session, "NEW-1", {"type": "buy"}, author="a")
    session.commit()
    assert _age(session).changes == 0


def test_firming_keeps_the_plan_as_current_as_it_was(session: Session) -> None:
    _planned(session)
    number = session.scalars(
        select(PlannedOrder.number)
        .where(PlannedOrder.type == "make")
        .order_by(PlannedOrder.number)
        .limit(1)
    ).one()
    session.rollback()
    production.firm_productions(session, planned=[number], author="ann")
    session.commit()
    assert _age(session).changes == 0
    _stock_count(session)  # a real change after it still counts
    assert _age(session).changes == 1


def test_routings_and_work_centers_count_once_the_plan_is_scheduled(session: Session) -> None:
    _planned(session)
    closed = DEMO_DAY + timedelta(days=9)
    capacity.add_closed_day(session, "SAW", closed, author="ann")
    session.commit()
    assert _age(session).changes == 0  # an infinite plan does not read capacity

    schedule_run.run_schedule(session, author="test")
    session.commit()
    assert _age(session).changes == 0
    capacity.remove_closed_day(session, "SAW", closed, author="ann")
    session.commit()
    age = _age(session)
    assert age.changes == 1
    assert age.last_change is not None and age.last_change.startswith("work center closed day")


def test_a_stock_count_changes_the_balance_the_plan_reads(session: Session) -> None:
    """The stock row the count changes is the one the plan reads (not a guess)."""
    _planned(session)
    before = session.scalars(select(StockBalance.qty)).all()
    _stock_count(session)
    assert session.scalars(select(StockBalance.qty)).all() != before
    assert _age(session).changes == 1

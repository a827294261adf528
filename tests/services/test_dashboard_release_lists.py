"""The dashboard's planned buys and makes to release (#19 speed): with many orders to
list (a plan months old has every one past) the first page is found item by item
(``reports._first_items``); it must be the very page the plain sort of every row gives,
on both databases, whatever the day, page and types."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard import clock
from pegboard.bundle.importer import read_bundle
from pegboard.model import Item, PlannedOrder
from pegboard.services import dashboard, items, reports
from pegboard.services.company_data import replace_company
from pegboard.services.planning import run_plan

DEMO = Path(__file__).parents[2] / "src" / "pegboard" / "demo" / "lighting"
MANY = 10**6
"""A count above ``reports.WALK_ITEMS_ABOVE``: the list takes the item-by-item way."""


def _planned(session: Session) -> None:
    replace_company(session, read_bundle(DEMO), author="test")
    run_plan(session, author="test")


def test_the_item_walk_gives_the_page_the_full_sort_gives(session: Session) -> None:
    _planned(session)
    today = clock.today()
    with session.begin():
        for listed in (reports.buy_list, reports.make_list):
            for until in (today - timedelta(days=30), today, today + timedelta(days=60), None):
                for limit, offset in ((20, 0), (3, 0), (3, 4), (50, 10)):
                    walked = listed(session, until=until, limit=limit, offset=offset, known=MANY)
                    sorted_all = listed(session, until=until, limit=limit, offset=offset)
                    assert walked == sorted_all, (listed.__name__, until, limit, offset)
        # the lists are not empty on the far day: the comparison compared rows
        assert len(reports.buy_list(session, until=None, limit=20, known=MANY)) > 10
        assert len(reports.make_list(session, until=None, limit=20, known=MANY)) > 3


def test_an_item_whose_type_changed_since_the_plan_keeps_its_planned_orders(
    session: Session,
) -> None:
    """The walk asks each item for planned orders of the list's type, not for items of
    that type: a bought item made since the plan still has its planned buys listed."""
    _planned(session)
    with session.begin():
        first = reports.buy_list(session, until=None, limit=1)[0]
    items.update_item(session, first.item, {"type": "make"}, author="test")
    with session.begin():
        walked = reports.buy_list(session, until=None, limit=20, known=MANY)
        assert walked[0] == first
        assert walked == reports.buy_list(session, until=None, limit=20)


def test_the_dashboard_lists_the_first_orders_and_counts_all(session: Session) -> None:
    _planned(session)
    far = clock.today() + timedelta(days=400)
    with session.begin():
        board = dashboard.build(session, far)
        for kind, section in (("buy", board.buy), ("make", board.make)):
            every = session.scalars(
                select(PlannedOrder.number)
                .join(Item, Item.id == PlannedOrder.item_id)
                .where(
                    PlannedOrder.type == kind,
                    PlannedOrder.firmed_as.is_(None),
                    PlannedOrder.release_date <= far,
                )
                .order_by(Item.supplier, Item.code, PlannedOrder.release_date, PlannedOrder.number)
            ).all()
            assert section.total == len(every) > 0
            assert [r.number for r in section.rows] == every[: dashboard.ROWS]

"""Projected stock of one item, read from the current plan, on a real database.

A company by hand: FA (make, mto, lead time 2) needs 4 BOLT (buy, mts, lead time
5) per unit. 30 sales orders want one FA each on 2026-12-10 and one wants 2 FA on
2026-12-20. BOLT has 100 in stock at ``main`` and 30 at ``side``, and PO-1 brings
50 on 2026-12-01. Planning on 2026-11-24:

* 30 planned FA orders release on 12-08 and need 30 x 4 = 120 BOLT that day;
  the later order's planned FA releases on 12-18 and needs 8.
* BOLT: 130 on hand; +50 on 12-01 -> 180; -120 on 12-08 -> 60; -8 on 12-18 -> 52.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pegboard.bundle.importer import read_bundle
from pegboard.model import Item, Pegging
from pegboard.services.company_data import replace_company
from pegboard.services.planning import run_plan
from pegboard.services.projection import REFS_LISTED, projected_stock

ORDERS = 30


def _write(folder: Path) -> Path:
    lines = [f"SO-{n:02d},1,ACME,,FA,1,,2026-12-10,10" for n in range(1, ORDERS + 1)]
    lines.append("SO-99,1,ACME,,FA,2,,2026-12-20,10")
    files = {
        "settings": "key,value\nplanning_date,2026-11-24\n",
        "items": (
            "item,type,strategy,lead_time_days\n"  # the rest take their defaults
            "FA,make,mto,2\n"
            "BOLT,buy,mts,5\n"
        ),
        "bom": "parent,component,qty_per\nFA,BOLT,4\n",
        "stock": "item,location,qty\nBOLT,main,100\nBOLT,side,30\n",
        "purchase_orders": (
            "purchase_order,line,item,qty,due_date,supplier\nPO-1,1,BOLT,50,2026-12-01,Acme\n"
        ),
        "sales_orders": (
            "sales_order,line,customer,project,item,qty,shipped_qty,due_date,priority\n"
            + "\n".join(lines)
            + "\n"
        ),
    }
    for name, text in files.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def planned(session: Session, tmp_path: Path) -> Session:
    replace_company(session, read_bundle(_write(tmp_path)), author="test")
    run_plan(session, author="test")
    return session


def test_projection_by_hand(planned: Session) -> None:
    with planned.begin():
        p = projected_stock(planned, "BOLT")
    assert p.on_hand == 130
    assert [(r.day, r.receipts, r.requirements, r.projected) for r in p.rows] == [
        (date(2026, 12, 1), 50.0, 0.0, 180.0),
        (date(2026, 12, 8), 0.0, 120.0, 60.0),
        (date(2026, 12, 18), 0.0, 8.0, 52.0),
    ]
    assert p.rows[0].refs == ["PO-1/1"]
    assert p.rows[0].more_refs == 0


def test_many_orders_of_a_day_are_counted_not_listed(planned: Session) -> None:
    with planned.begin():
        p = projected_stock(planned, "BOLT")
    busy = p.rows[1]
    # the planned parents of a day are summed in the database: the first is named
    assert busy.refs == ["PL-000001"]
    assert busy.more_refs == ORDERS - 1
    assert len(busy.refs) + busy.more_refs == ORDERS


def test_refs_of_a_day_are_listed_up_to_a_limit(planned: Session) -> None:
    with planned.begin():
        p = projected_stock(planned, "FA")
    # 30 sales lines of 12-10 need FA; 30 planned FA orders are due that day
    busy = next(r for r in p.rows if r.day == date(2026, 12, 10))
    assert len(busy.refs) == REFS_LISTED < 2 * ORDERS
    assert busy.refs == sorted(busy.refs)
    assert busy.more_refs == 2 * ORDERS - REFS_LISTED


def test_parent_needs_equal_every_pegging_row_of_the_item(planned: Session) -> None:
    """The needs are found through the item's supplies (stock at both locations, the
    PO, its planned orders); none of its pegging rows may be missed that way."""
    with planned.begin():
        p = projected_stock(planned, "BOLT")
        bolt = planned.scalar(select(Item.id).where(Item.code == "BOLT"))
        pegged = planned.scalar(
            select(func.sum(Pegging.qty)).where(
                Pegging.item_id == bolt, Pegging.demand_type == "planned_order"
            )
        )
        places = set(
            planned.scalars(
                select(Pegging.supply_ref).where(
                    Pegging.item_id == bolt, Pegging.supply_type == "stock"
                )
            )
        )
    assert places == {"main", "side"}
    assert sum(r.requirements for r in p.rows) == pytest.approx(pegged) == 128

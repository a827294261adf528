"""The page after firming (#19): every order the firm created is a link to its own page,
the production orders as the purchase orders, each with its item, quantity and due day."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from pegboard import db
from pegboard.model import Item, ItemType, PlannedOrder, ProductionOrder

LogIn = Callable[[str], str]


def _first_planned(engine: Engine, kind: ItemType, count: int) -> list[str]:
    with db.session_factory(engine)() as s:
        return list(
            s.scalars(
                select(PlannedOrder.number)
                .where(PlannedOrder.type == kind, PlannedOrder.firmed_as.is_(None))
                .order_by(PlannedOrder.id)
                .limit(count)
            )
        )


def test_the_production_orders_a_firm_created_are_links_to_their_pages(
    web: TestClient, engine: Engine, log_in: LogIn, sample: None
) -> None:
    token = log_in("pam")
    makes = _first_planned(engine, ItemType.MAKE, 2)
    buys = _first_planned(engine, ItemType.BUY, 1)
    done = web.post("/plan/firm", data={"csrf_token": token, "selected": makes + buys})
    assert done.status_code == 200, done.text
    made = done.text.split('id="mo-h"', 1)[1].split("</section>", 1)[0]
    linked = re.findall(r'<a href="/production/([^"]+)">([^<]+)</a>', made)
    assert len(linked) == 2 and all(href == shown for href, shown in linked)
    with db.session_factory(engine)() as s:
        for number, _ in linked:
            item, _qty, due = s.execute(
                select(Item.code, ProductionOrder.qty, ProductionOrder.due_date)
                .join(Item, Item.id == ProductionOrder.item_id)
                .where(ProductionOrder.number == number)
            ).one()
            assert f"{number}</a>: {item} × " in made
            assert f'datetime="{due.isoformat()}"' in made
            opened = web.get(f"/production/{number}")
            assert opened.status_code == 200 and item in opened.text
    assert re.findall(r'href="/purchasing/([^"]+)"', done.text)  # the purchase order too


def test_a_number_that_is_no_order_is_left_out(
    web: TestClient, engine: Engine, log_in: LogIn, sample: None
) -> None:
    log_in("ann")
    page = web.get("/plan/firmed", params={"mo": ["MO-NOPE-1", "<b>x</b>"]})
    assert page.status_code == 200
    assert "MO-NOPE-1" not in page.text and "<b>x</b>" not in page.text
    assert "Nothing was created." in page.text

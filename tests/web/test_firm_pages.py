"""Firming from the planned-orders page (#14, items 2 and 4): a mixed selection is firmed
all or none, with the service's rule on who may firm what, and a firmed order is no
longer offered to release."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from _login import post_login
from conftest import CSRF, PASSWORD
from pegboard import db
from pegboard.model import (
    ItemType,
    Pegging,
    PlannedOrder,
    ProductionOrder,
    PurchaseOrder,
    Role,
)
from pegboard.services.production import firm_productions

LogIn = Callable[[str], str]


def _planned(engine: Engine, kind: ItemType, demand_type: str) -> str:
    with db.session_factory(engine)() as s:
        return s.scalars(
            select(PlannedOrder.number)
            .join(Pegging, Pegging.supply_ref == PlannedOrder.number)
            .where(
                PlannedOrder.type == kind,
                PlannedOrder.firmed_as.is_(None),
                Pegging.demand_type == demand_type,
            )
            .order_by(PlannedOrder.id)
            .limit(1)
        ).one()


def _counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            int(conn.execute(select(func.count()).select_from(t)).scalar_one())
            for t in (PurchaseOrder.__table__, ProductionOrder.__table__)
        )


def test_a_mixed_firm_that_fails_on_the_makes_firms_no_buys(
    web: TestClient, engine: Engine, log_in: LogIn, sample: None
) -> None:
    token = log_in("pam")
    buy = _planned(engine, ItemType.BUY, "planned_order")
    make = _planned(engine, ItemType.MAKE, "sales_order")
    # another planner firmed the make a moment before this page was posted
    with db.session_factory(engine)() as s:
        firm_productions(s, planned=[make], author="other")
    before = _counts(engine)
    done = web.post(
        "/plan/firm", data={"csrf_token": token, "selected": [buy, make]}, follow_redirects=False
    )
    assert done.status_code == 409, done.text
    assert "Nothing was firmed" in done.text and "firmed already" in done.text
    assert _counts(engine) == before
    listing = web.get("/plan/planned-orders", params={"type": "buy"})
    assert f'name="selected" value="{buy}"' in listing.text


def test_a_buyer_is_refused_a_selection_with_makes(
    web: TestClient, engine: Engine, make_user: Callable[..., None], sample: None
) -> None:
    make_user("bo", Role.BUYER)
    signed = post_login(web, {"name": "bo", "password": PASSWORD})
    found = CSRF.search(signed.text)
    assert found
    buy = _planned(engine, ItemType.BUY, "planned_order")
    make = _planned(engine, ItemType.MAKE, "sales_order")
    before = _counts(engine)
    refused = web.post("/plan/firm", data={"csrf_token": found.group(1), "selected": [buy, make]})
    assert refused.status_code == 403
    assert "may not firm planned make orders" in refused.text
    assert _counts(engine) == before
    done = web.post("/plan/firm", data={"csrf_token": found.group(1), "selected": [buy]})
    assert done.status_code == 200 and "Purchase orders created" in done.text


def test_a_firmed_order_is_no_longer_offered_to_release(
    web: TestClient, engine: Engine, log_in: LogIn, sample: None
) -> None:
    token = log_in("pam")
    buy = _planned(engine, ItemType.BUY, "planned_order")
    make = _planned(engine, ItemType.MAKE, "sales_order")
    done = web.post("/plan/firm", data={"csrf_token": token, "selected": [buy, make]})
    assert done.status_code == 200, done.text
    (po,) = re.findall(r'href="/purchasing/([^"]+)"', done.text)
    listing = web.get("/plan/planned-orders")
    assert buy not in listing.text and make not in listing.text
    every = web.get("/plan/planned-orders", params={"firmed": "1"})
    assert buy in every.text and f"{po}/" in every.text

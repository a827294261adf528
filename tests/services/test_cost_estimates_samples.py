"""Stored line estimates against a fresh estimate on both sample companies (#16 item 3):
after each of a sequence of edits made through the services (a purchase at a new price,
a standard cost, a work center's rate, a line's quantity, a master BOM line, an item's
routing), every line's stored figures equal its estimate computed from scratch. The
edits pick their targets from the sample's own data, so the test follows the samples.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Row, Select, exists, select
from sqlalchemy.orm import Session

from _clock import DEMO_DAY, pin_today
from pegboard.bundle.importer import read_bundle
from pegboard.demo import demo_path
from pegboard.model import (
    Bom,
    BomKind,
    BomLine,
    BomParameter,
    Item,
    ItemType,
    Routing,
    RoutingOperation,
    SalesOrder,
    SalesOrderLine,
    SalesOrderStatus,
    WorkCenter,
)
from pegboard.services import (
    bom_edit,
    capacity,
    cost_estimates,
    costing,
    items,
    order_changes,
    purchasing,
)
from pegboard.services.company_data import replace_company
from pegboard.services.variance_split import unused_split

SIX = Decimal("0.000001")
Figures = dict[str, tuple[Decimal | None, ...]]


def _three(e: costing.Elements) -> tuple[Decimal, Decimal, Decimal]:
    return e.material, e.labour, e.overhead


def stored(session: Session) -> Figures:
    with session.begin():
        orders = session.scalars(select(SalesOrder).order_by(SalesOrder.number)).all()
        found = cost_estimates.orders_figures(session, orders)
    return {
        x.ref: (*_three(x.elements), x.scrap, x.premium_amount, *x.unused)
        for o in found
        for x in o.lines
    }


def fresh(session: Session) -> Figures:
    def six(v: Decimal | None) -> Decimal | None:
        return None if v is None else v.quantize(SIX)

    with session.begin():
        orders = session.scalars(select(SalesOrder).order_by(SalesOrder.number)).all()
        found = costing.orders_cost(session, orders)
    return {
        x.ref: tuple(
            six(v)
            for v in (
                *_three(x.tree.total),
                x.tree.scrap,
                x.premium_amount,
                *unused_split(x.tree),
            )
        )
        for o in found
        for x in o.lines
    }


def _first(session: Session, stmt: Select[Any]) -> Row[Any]:
    with session.begin():
        row = session.execute(stmt).first()
    assert row is not None, "the sample has one"
    return row


def new_price(s: Session) -> None:
    """A purchase of the first bought part of a master BOM, at a price of its own."""
    (code,) = _first(
        s,
        select(Item.code)
        .join(BomLine, BomLine.component_id == Item.id)
        .where(Item.type == ItemType.BUY)
        .order_by(Item.code),
    )
    line = purchasing.NewLine(code, 5, DEMO_DAY, unit_price="123.45")
    purchasing.create_purchase(s, supplier="Test", lines=[line], author="buyer")


def standard_cost(s: Session) -> None:
    (code,) = _first(
        s,
        select(Item.code)
        .join(BomLine, BomLine.component_id == Item.id)
        .where(Item.type == ItemType.BUY)
        .order_by(Item.code.desc()),
    )
    items.update_item(s, code, {"unit_cost": Decimal("77.7")}, author="a")


def rate(s: Session) -> None:
    (code,) = _first(s, select(WorkCenter.code).order_by(WorkCenter.code))
    capacity.save_work_center(s, code=code, cost_rate="99.5", author="a")


def quantity(s: Session) -> None:
    number, line, qty = _first(
        s,
        select(SalesOrder.number, SalesOrderLine.line, SalesOrderLine.qty)
        .join(SalesOrder, SalesOrder.id == SalesOrderLine.sales_order_id)
        .where(SalesOrderLine.status == SalesOrderStatus.CONFIRMED, SalesOrderLine.shipped_qty == 0)
        .order_by(SalesOrder.number, SalesOrderLine.line),
    )
    order_changes.change_line(s, number, line, qty=qty + 1, author="sales", today=DEMO_DAY)


def master_bom(s: Session) -> None:
    (code,) = _first(
        s,
        select(Item.code)
        .join(Bom, Bom.item_id == Item.id)
        .where(
            Bom.kind == BomKind.ENGINEERING,
            ~exists().where(BomParameter.bom_id == Bom.id),  # not a template
        )
        .order_by(Item.code),
    )
    bom_edit.change_line(s, code, 1, qty_per=3, author="engineer")


def routing(s: Session) -> None:
    code, work_center = _first(
        s,
        select(Item.code, WorkCenter.code)
        .join(Routing, Routing.item_id == Item.id)
        .join(RoutingOperation, RoutingOperation.routing_id == Routing.id)
        .join(WorkCenter, WorkCenter.id == RoutingOperation.work_center_id)
        .where(Routing.bom_id.is_(None))
        .order_by(Item.code),
    )
    operation = capacity.OperationIn(10, work_center, setup_hours=1.5, run_hours=0.75)
    capacity.set_routing(s, code, [operation], author="a")


EDITS: list[Callable[[Session], None]] = [
    new_price,
    standard_cost,
    rate,
    quantity,
    master_bom,
    routing,
]


@pytest.mark.parametrize("sample", ["lighting", "kitchens"])
def test_stored_equals_recomputed_after_each_edit(session: Session, sample: str) -> None:
    with pin_today(DEMO_DAY):
        replace_company(session, read_bundle(demo_path(sample)), author="t")
        first = stored(session)
        assert first == fresh(session)
        assert first, "the sample has lines"
        moved = []
        for edit in EDITS:
            before = stored(session)
            edit(session)
            after = stored(session)
            assert after == fresh(session), edit.__name__
            moved += [edit.__name__] if after != before else []
    assert "quantity" in moved and len(moved) >= 4, moved

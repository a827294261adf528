"""The rough cut reads only the structure of the scheduled items, level by level
(``mps_rough_cut._structure``), not every routing and BOM line of the company: each
scheduled item's bill of resources equals the bill from a plain read of them all."""

from __future__ import annotations

from collections import defaultdict

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from _clock import DEMO_DAY
from pegboard.bundle.demo import demo_dataset
from pegboard.model import Bom, BomKind, BomLine, Item, ItemType, Routing, RoutingOperation
from pegboard.services import company_data
from pegboard.services.mps_rough_cut import _bill, _structure

Routings = dict[int, list[tuple[int, float, float]]]
Components = dict[int, list[tuple[int, float]]]


def _everything(session: Session) -> tuple[Routings, Components]:
    """Every engineering routing and every plain made-component line of the company."""
    routings: Routings = defaultdict(list)
    for item, wc, setup, run in session.execute(
        select(Routing.item_id, RoutingOperation.work_center_id, RoutingOperation.setup_hours,
               RoutingOperation.run_hours)
        .join(RoutingOperation, RoutingOperation.routing_id == Routing.id)
        .where(Routing.bom_id.is_(None))
    ):  # fmt: skip
        routings[item].append((wc, float(setup), float(run)))
    components: Components = defaultdict(list)
    for parent, component, qty, scrap, kind, order, made, mps, plain in session.execute(
        select(Bom.item_id, BomLine.component_id, BomLine.qty_per, BomLine.scrap_pct, Bom.kind,
               Bom.sales_order_id, Item.type, Item.mps,
               BomLine.qty_formula.is_(None) & BomLine.condition.is_(None)
               & BomLine.choice_parameter.is_(None))
        .join(BomLine, BomLine.bom_id == Bom.id)
        .join(Item, Item.id == BomLine.component_id)
        .order_by(BomLine.id)
    ):  # fmt: skip
        own = kind is BomKind.ENGINEERING and order is None
        if own and made is ItemType.MAKE and not mps and plain:
            components[parent].append((component, float(qty) * (1 + float(scrap or 0) / 100)))
    return routings, components


@pytest.mark.parametrize("sample", ["lighting", "kitchens"])
def test_each_items_bill_equals_the_bill_from_every_routing_and_line(
    session: Session, sample: str
) -> None:
    company_data.replace_company(session, demo_dataset(sample, DEMO_DAY), author="test")
    # a made component scheduled itself: the walk stops there, as the plain read does
    first_made = select(BomLine.component_id).join(Item, Item.id == BomLine.component_id)
    scheduled = session.scalar(first_made.where(Item.type == ItemType.MAKE).limit(1))
    session.execute(update(Item).where(Item.id == scheduled).values(mps=True))
    session.flush()
    made = session.scalars(select(Item.id).where(Item.type == ItemType.MAKE)).all()
    assert len(made) > 10
    routings, components = _everything(session)
    compared = 0
    for item in made:
        mine = _bill(item, *_structure(session, [item]))
        plain = _bill(item, routings, components)
        assert dict(mine.setup) == pytest.approx(dict(plain.setup), rel=1e-12), item
        assert dict(mine.run) == pytest.approx(dict(plain.run), rel=1e-12), item
        compared += bool(plain.run)
    assert compared > 5  # bills with hours, not only empty ones
    # several items at once read the union of their structures
    several = _structure(session, list(made))
    for item in made[:20]:
        assert dict(_bill(item, *several).run) == pytest.approx(
            dict(_bill(item, routings, components).run), rel=1e-12
        )

"""Plan and shop floor read one definition of a production order's components (#14, 3).

A released production order imported without a component list used to show
"No components" on the shop floor (so completing it made finished stock from
nothing) while the plan exploded its BOM and pegged components to it. Now every
released order has its list, frozen from the BOM the engine explodes (at import
and at release), and what the shop floor calls outstanding is what the plan
demands.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pegboard.bundle.importer import read_bundle
from pegboard.demo import demo_path
from pegboard.model import Item, Pegging, ProductionComponent, StockMove, StockMoveKind
from pegboard.services import production
from pegboard.services.company_data import replace_company
from pegboard.services.dataset import BomRow, Dataset, ItemRow, ProductionRow, SalesRow, StockRow
from pegboard.services.planning import run_plan

PD = date(2026, 11, 23)


def item(code: str, type_: str, strategy: str) -> ItemRow:
    return ItemRow(code, "", type_, strategy, "ea", 2, "lfl", None, None, 0.0, 0.0, 0.0, 1.0, "")


def pegged(session: Session, demand: str) -> dict[str, float]:
    """What the plan pegs to ``demand``, per component."""
    with session.begin():
        rows = session.execute(
            select(Item.code, func.sum(Pegging.qty))
            .join(Item, Item.id == Pegging.item_id)
            .where(Pegging.demand_ref == demand)
            .group_by(Item.code)
        ).all()
    return {code: float(qty) for code, qty in rows}


def outstanding(session: Session, number: str) -> dict[str, float]:
    """What the shop floor says the order still needs, per component."""
    with session.begin():
        view = production.production_view(session, number)
    return {c.item: c.outstanding for c in view.components}


def test_an_imported_released_order_has_the_components_the_plan_pegs_to_it(
    session: Session,
) -> None:
    """MO-2202 of the lighting sample: 16 LED module sets, 4 boards each."""
    replace_company(session, read_bundle(demo_path("lighting")), author="import")
    run_plan(session, author="planner")
    needs = outstanding(session, "MO-2202")
    assert needs["LED-BRD-24V-560"] == pytest.approx(64.0)
    plan = pegged(session, "MO-2202")
    assert plan == pytest.approx(needs)
    # every released order of the sample: the shop floor's list is what the plan demands
    for number in ("MO-2201", "MO-2202"):
        wanted = {k: v for k, v in outstanding(session, number).items() if v > 1e-9}
        assert pegged(session, number) == pytest.approx(wanted), number


def test_completing_an_imported_order_takes_its_components(session: Session) -> None:
    """Finished stock never comes from nothing: completion backflushes the boards."""
    replace_company(session, read_bundle(demo_path("lighting")), author="import")
    production.complete_production(session, "MO-2202", 16, author="shop")
    with session.begin():
        issued = session.execute(
            select(Item.code, func.sum(StockMove.qty))
            .join(Item, Item.id == StockMove.item_id)
            .where(StockMove.kind == StockMoveKind.ISSUE)
            .group_by(Item.code)
        ).all()
    assert {code: -float(q) for code, q in issued}["LED-BRD-24V-560"] == pytest.approx(64.0)


def dataset(*, issued: bool) -> Dataset:
    """FA has a master BOM (2 × C) and, for SO-1, its own (3 × D): a released order of FA
    for SO-1 is made from SO-1's rows, as the engine explodes it."""
    return Dataset(
        settings={"planning_date": PD.isoformat()},
        items=[item("FA", "make", "mto"), item("C", "buy", "mts"), item("D", "buy", "mts")],
        bom=[BomRow("FA", "C", 2.0, 0.0, ""), BomRow("FA", "D", 3.0, 10.0, "SO-1")],
        stock=[StockRow("D", 100.0, "main", "")],
        sales=[SalesRow("SO-1", 1, "ACME", "", "FA", 5, 0, PD + timedelta(days=20), 100)],
        productions=[
            ProductionRow(
                "MO-1", "FA", 5, PD + timedelta(days=10), None, "released", issued, "SO-1"
            ),
            ProductionRow(
                "MO-2", "FA", 4, PD + timedelta(days=10), None, "in_progress", issued, ""
            ),
        ],
    )


def test_the_list_is_frozen_from_the_order_bom_else_the_master(session: Session) -> None:
    replace_company(session, dataset(issued=False), author="import")
    assert outstanding(session, "MO-1") == pytest.approx({"D": 5 * 3 * 1.1})
    assert outstanding(session, "MO-2") == pytest.approx({"C": 8.0})
    run_plan(session, author="planner")
    assert pegged(session, "MO-1") == pytest.approx({"D": 16.5})
    assert pegged(session, "MO-2") == pytest.approx({"C": 8.0})


def test_an_order_imported_with_its_components_issued_needs_nothing_more(
    session: Session,
) -> None:
    replace_company(session, dataset(issued=True), author="import")
    with session.begin():
        listed = session.scalar(select(func.count()).select_from(ProductionComponent))
    assert listed == 2
    assert outstanding(session, "MO-1") == {"D": 0.0}
    assert outstanding(session, "MO-2") == {"C": 0.0}
    run_plan(session, author="planner")
    assert pegged(session, "MO-1") == {}
    # completing takes nothing more: everything was issued
    production.complete_production(session, "MO-2", 4, author="shop")
    with session.begin():
        moves = session.scalar(
            select(func.count()).select_from(StockMove).where(StockMove.kind == StockMoveKind.ISSUE)
        )
    assert moves == 0

"""Production orders on the shop floor: firm, release, issue, complete, scrap, close, cancel.

The company, worked out by hand: FA (made to order in 5 days) is one SUB and 2 C1;
SUB (made to order in 3 days) is 3 C2. SO-A wants 4 FA on 2026-12-23; 5 C1 and
12 C2 are in stock. The plan makes 4 FA (PL-000001, start 12-18) and 4 SUB
(PL-000003, start 12-15, feeding PL-000001) and buys the 3 missing C1
(PL-000002). Firmed, they become MO-000001 (FA) and MO-000002 (SUB, its parent
MO-000001).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from _board_company import DUE, PD, dataset
from pegboard.errors import ConflictError, NotFoundError, ValidationError
from pegboard.model import (
    AuditEntry,
    Item,
    Pegging,
    PlannedOrder,
    ProductionComponent,
    ProductionOrder,
    SalesOrder,
    StockBalance,
    StockMove,
)
from pegboard.services import audit, locations, production, shipping, stock
from pegboard.services.company_data import replace_company
from pegboard.services.dataset import ProductionRow
from pegboard.services.inventory import InsufficientStockError
from pegboard.services.planning import run_plan

FA_MO, SUB_MO = "MO-000001", "MO-000002"
SHOP = "shop"


@pytest.fixture
def planned(session: Session) -> Session:
    replace_company(session, dataset(), author="import")
    run_plan(session, author="planner")
    return session


@pytest.fixture
def firm(planned: Session) -> Session:
    assert production.firm_productions(planned, author="planner") == [FA_MO, SUB_MO]
    return planned


# --------------------------------------------------------------------------- helpers

Key = tuple[str, str]  # item, holder ("" free, else the sales or production order)


def buckets(session: Session) -> dict[Key, float]:
    """Stock per (item, holder) from the balances, after checking them against the ledger."""
    with session.begin():
        assert stock.check_ledger(session) == []
        rows = session.execute(
            select(Item.code, SalesOrder.number, ProductionOrder.number, StockBalance.qty)
            .select_from(StockBalance)
            .join(Item, Item.id == StockBalance.item_id)
            .outerjoin(SalesOrder, SalesOrder.id == StockBalance.sales_order_id)
            .outerjoin(ProductionOrder, ProductionOrder.id == StockBalance.reserved_mo_id)
            .where(StockBalance.qty > 1e-9)
        ).all()
    out: dict[Key, float] = {}
    for code, so, mo, qty in rows:
        key = (code, mo or so or "")
        out[key] = out.get(key, 0.0) + qty
    return out


def view(session: Session, number: str) -> production.ProductionView:
    with session.begin():
        return production.production_view(session, number)


def components(session: Session, number: str) -> dict[str, tuple[float, ...]]:
    """item -> (required, issued, outstanding, reserved, short)."""
    return {
        c.item: (c.required, c.issued, c.outstanding, c.reserved, c.short)
        for c in view(session, number).components
    }


def state(session: Session) -> dict[str, Any]:
    with session.begin():
        return {
            "moves": session.scalar(select(func.count()).select_from(StockMove)),
            "balances": sorted(
                (i, so or 0, mo or 0, qty)
                for i, so, mo, qty in session.execute(
                    select(
                        StockBalance.item_id,
                        StockBalance.sales_order_id,
                        StockBalance.reserved_mo_id,
                        StockBalance.qty,
                    )
                )
            ),
            "orders": sorted(
                session.execute(
                    select(
                        ProductionOrder.number,
                        ProductionOrder.status,
                        ProductionOrder.completed_qty,
                        ProductionOrder.scrapped_qty,
                    )
                ).all()
            ),
            "issued": sorted(
                session.execute(
                    select(ProductionComponent.item_id, ProductionComponent.issued_qty)
                ).all()
            ),
            "audit": session.scalar(select(func.count()).select_from(AuditEntry)),
        }


def so_status(session: Session) -> str:
    with session.begin():
        return session.scalars(select(SalesOrder.status)).one().value


def component_demand(session: Session, order: str, item_code: str) -> float:
    """What the current plan pegs to ``order``'s demand for ``item_code``."""
    with session.begin():
        total = session.scalar(
            select(func.coalesce(func.sum(Pegging.qty), 0.0))
            .join(Item, Item.id == Pegging.item_id)
            .where(Pegging.demand_ref == order, Item.code == item_code)
        )
    return float(total or 0.0)


def planned_buys(session: Session) -> dict[str, float]:
    with session.begin():
        rows = session.execute(
            select(Item.code, PlannedOrder.qty)
            .join(Item, Item.id == PlannedOrder.item_id)
            .where(PlannedOrder.type == "buy")
        ).all()
    return {str(code): float(qty) for code, qty in rows}


# --------------------------------------------------------------------------- firm


def test_firming_planned_make_orders(firm: Session) -> None:
    fa, sub = view(firm, FA_MO), view(firm, SUB_MO)
    assert (fa.item, fa.qty, fa.status, fa.start_date, fa.due_date, fa.sales_order, fa.parent) == (
        "FA",
        4.0,
        "planned",
        date(2026, 12, 18),
        DUE,
        "SO-A",
        "",
    )
    assert (sub.item, sub.qty, sub.start_date, sub.due_date, sub.parent) == (
        "SUB",
        4.0,
        date(2026, 12, 15),
        date(2026, 12, 18),
        FA_MO,
    )
    # not released: the components shown are the BOM's, nothing reserved
    assert components(firm, FA_MO) == {
        "C1": (8.0, 0.0, 8.0, 0.0, 3.0),
        "SUB": (4.0, 0.0, 4.0, 0.0, 4.0),
    }
    with firm.begin():
        firmed = dict(firm.execute(select(PlannedOrder.number, PlannedOrder.firmed_as)).all())
        line_linked = firm.scalar(
            select(ProductionOrder.sales_order_line_id).where(ProductionOrder.number == FA_MO)
        )
    assert firmed == {"PL-000001": FA_MO, "PL-000002": None, "PL-000003": SUB_MO}
    assert line_linked is not None

    with pytest.raises(ConflictError, match="no planned make orders to firm"):
        production.firm_productions(firm, author="planner")
    with pytest.raises(ConflictError, match=f"PL-000001 was firmed already as {FA_MO}"):
        production.firm_productions(firm, planned=["PL-000001"], author="planner")
    with pytest.raises(ValidationError, match="PL-000002 is a planned buy order, not make"):
        production.firm_productions(firm, planned=["PL-000002"], author="planner")
    with pytest.raises(NotFoundError, match="no planned order 'PL-000009'"):
        production.firm_productions(firm, planned=["PL-000009"], author="planner")

    # the next plan makes nothing more; it still buys the 3 missing C1
    run_plan(firm, author="planner")
    with firm.begin():
        kinds = firm.scalars(select(PlannedOrder.type)).all()
    assert [k.value for k in kinds] == ["buy"]
    assert planned_buys(firm) == {"C1": 3.0}
    assert component_demand(firm, FA_MO, "SUB") == 4.0


# --------------------------------------------------------------------------- release


def test_release_reserves_what_is_there_and_reports_what_is_short(firm: Session) -> None:
    report = production.release_production(firm, FA_MO, author=SHOP)
    assert {c.item: (c.required, c.reserved, c.available, c.short) for c in report} == {
        "SUB": (4.0, 0.0, 0.0, 4.0),
        "C1": (8.0, 5.0, 5.0, 3.0),
    }
    assert view(firm, FA_MO).status == "released"
    assert so_status(firm) == "in_production"
    assert buckets(firm) == {("C1", FA_MO): 5.0, ("C2", ""): 12.0}
    with pytest.raises(ConflictError, match=f"{FA_MO} is released: cannot release it"):
        production.release_production(firm, FA_MO, author=SHOP)
    with firm.begin():
        (entry, *_) = audit.history(firm, entity="production_order", ref=FA_MO)
    assert (entry.action, (entry.after or {})["short"]) == ("release", {"SUB": 4.0, "C1": 3.0})

    report = production.release_production(firm, SUB_MO, author=SHOP)
    assert [(c.item, c.reserved, c.short) for c in report] == [("C2", 12.0, 0.0)]
    assert buckets(firm) == {("C1", FA_MO): 5.0, ("C2", SUB_MO): 12.0}

    # stock that arrives later is available to the order (free), though not reserved
    stock.adjust_stock(firm, item="C1", qty=3, reason="found", author="stores")
    assert components(firm, FA_MO)["C1"] == (8.0, 0.0, 8.0, 5.0, 0.0)
    with pytest.raises(NotFoundError, match="no production order 'MO-404'"):
        production.release_production(firm, "MO-404", author=SHOP)


# --------------------------------------------------------------------------- issue


def test_issue_explicit_then_everything_outstanding(firm: Session) -> None:
    with pytest.raises(ConflictError, match=f"{SUB_MO} is planned: cannot issue .*release it"):
        production.issue_components(firm, SUB_MO, author=SHOP)
    production.release_production(firm, SUB_MO, author=SHOP)

    assert production.issue_components(firm, SUB_MO, quantities={"C2": 5}, author=SHOP) == {
        "C2": 5.0
    }
    assert view(firm, SUB_MO).status == "in_progress"
    assert components(firm, SUB_MO) == {"C2": (12.0, 5.0, 7.0, 7.0, 0.0)}
    assert buckets(firm) == {("C1", ""): 5.0, ("C2", SUB_MO): 7.0}

    before = state(firm)
    for code in ("C1", "FA", "NOPE"):
        with pytest.raises(ValidationError, match=f"{code} is not a component of {SUB_MO}"):
            production.issue_components(firm, SUB_MO, quantities={code: 1}, author=SHOP)
    with pytest.raises(InsufficientStockError, match="C2 8 needed, 7 available"):
        production.issue_components(firm, SUB_MO, quantities={"C2": 8}, author=SHOP)
    with pytest.raises(ValidationError, match="C2 qty must be greater than 0"):
        production.issue_components(firm, SUB_MO, quantities={"C2": 0}, author=SHOP)
    with pytest.raises(ValidationError, match="name at least one component"):
        production.issue_components(firm, SUB_MO, quantities={}, author=SHOP)
    assert state(firm) == before

    assert production.issue_components(firm, SUB_MO, author=SHOP) == {"C2": 7.0}
    assert components(firm, SUB_MO) == {"C2": (12.0, 12.0, 0.0, 0.0, 0.0)}
    with firm.begin():
        issued_flag = firm.scalar(
            select(ProductionOrder.components_issued).where(ProductionOrder.number == SUB_MO)
        )
        moves = stock.moves(firm, "C2", limit=2)
    assert issued_flag is True
    assert [(m.kind, m.qty, m.reference, m.holder) for m in moves] == [
        ("issue", -7.0, SUB_MO, SUB_MO),
        ("issue", -5.0, SUB_MO, SUB_MO),
    ]
    with pytest.raises(ConflictError, match="nothing outstanding to issue"):
        production.issue_components(firm, SUB_MO, author=SHOP)
    assert buckets(firm) == {("C1", ""): 5.0}


# --------------------------------------------------------------------------- complete


def test_complete_partly_then_fully_with_backflush(firm: Session) -> None:
    locations.add_location(firm, "dock", author="admin")
    production.release_production(firm, FA_MO, author=SHOP)
    production.release_production(firm, SUB_MO, author=SHOP)

    # one SUB: its 3 C2 are backflushed, the SUB is reserved to the released parent
    assert production.complete_production(firm, SUB_MO, 1, author=SHOP) == 1.0
    assert components(firm, SUB_MO) == {"C2": (12.0, 3.0, 9.0, 9.0, 0.0)}
    assert buckets(firm) == {("C1", FA_MO): 5.0, ("C2", SUB_MO): 9.0, ("SUB", FA_MO): 1.0}
    assert view(firm, SUB_MO).status == "in_progress"

    before = state(firm)
    with pytest.raises(ValidationError, match=r"at most 3 more can be completed, not 3\.5"):
        production.complete_production(firm, SUB_MO, 3.5, author=SHOP)
    assert state(firm) == before

    assert production.complete_production(firm, SUB_MO, 3, author=SHOP) == 4.0
    sub = view(firm, SUB_MO)
    assert (sub.status, sub.completed) == ("done", 4.0)
    assert buckets(firm) == {("C1", FA_MO): 5.0, ("SUB", FA_MO): 4.0}
    with pytest.raises(ConflictError, match=f"{SUB_MO} is done: cannot report completion"):
        production.complete_production(firm, SUB_MO, 1, author=SHOP)

    # two FA: 2 SUB and 4 C1 backflushed from the order's reservations
    assert production.complete_production(firm, FA_MO, 2, author=SHOP) == 2.0
    assert components(firm, FA_MO) == {
        "C1": (8.0, 4.0, 4.0, 1.0, 3.0),
        "SUB": (4.0, 2.0, 2.0, 2.0, 0.0),
    }
    assert buckets(firm) == {("C1", FA_MO): 1.0, ("SUB", FA_MO): 2.0, ("FA", "SO-A"): 2.0}
    # the last two need 4 C1 and only 1 is there: nothing is completed
    before = state(firm)
    with pytest.raises(InsufficientStockError, match="C1 4 needed, 1 available"):
        production.complete_production(firm, FA_MO, 2, author=SHOP)
    assert state(firm) == before

    stock.adjust_stock(firm, item="C1", qty=3, reason="late delivery", author="stores")
    assert production.complete_production(firm, FA_MO, 2, location="dock", author=SHOP) == 4.0
    assert view(firm, FA_MO).status == "done"
    # the final assembly is reserved to its sales order, which can ship it
    with firm.begin():
        fa = stock.position(firm, "FA")
    assert {(b.location, b.holder): b.qty for b in fa.buckets} == {
        ("main", "SO-A"): 2.0,
        ("dock", "SO-A"): 2.0,
    }
    assert buckets(firm) == {("FA", "SO-A"): 4.0}
    shipping.ship_line(firm, "SO-A", 1, 4, author="shipping")
    assert buckets(firm) == {}


def test_a_sub_assembly_goes_to_the_sales_order_when_its_parent_is_not_released(
    firm: Session,
) -> None:
    production.release_production(firm, SUB_MO, author=SHOP)
    production.complete_production(firm, SUB_MO, 2, author=SHOP)
    assert buckets(firm) == {("C1", ""): 5.0, ("C2", SUB_MO): 6.0, ("SUB", "SO-A"): 2.0}
    # released later, the parent takes them from the sales order's pool
    report = production.release_production(firm, FA_MO, author=SHOP)
    assert {c.item: c.reserved for c in report} == {"SUB": 2.0, "C1": 5.0}
    assert buckets(firm) == {("C1", FA_MO): 5.0, ("C2", SUB_MO): 6.0, ("SUB", FA_MO): 2.0}


def test_completing_an_unreleased_order_is_refused(firm: Session) -> None:
    before = state(firm)
    with pytest.raises(ConflictError, match=f"{FA_MO} is planned: cannot report completion"):
        production.complete_production(firm, FA_MO, 1, author=SHOP)
    with pytest.raises(ConflictError, match="is planned: cannot scrap"):
        production.scrap_production(firm, FA_MO, 1, reason="dropped", author=SHOP)
    assert state(firm) == before


def test_without_backflush_completion_takes_no_components(firm: Session) -> None:
    production.release_production(firm, SUB_MO, author=SHOP)
    production.complete_production(firm, SUB_MO, 4, backflush=False, author=SHOP)
    assert view(firm, SUB_MO).status == "done"
    # the order is done: what was reserved for it goes back to its sales order's pool
    assert buckets(firm) == {("C1", ""): 5.0, ("C2", "SO-A"): 12.0, ("SUB", "SO-A"): 4.0}


# --------------------------------------------------------------------------- scrap


def test_scrap_needs_a_reason_and_consumes_components(firm: Session) -> None:
    production.release_production(firm, SUB_MO, author=SHOP)
    before = state(firm)
    for reason in ("", "  "):
        with pytest.raises(ValidationError, match="scrap needs a reason"):
            production.scrap_production(firm, SUB_MO, 1, reason=reason, author=SHOP)
    with pytest.raises(ValidationError, match="only 4 units are still in production"):
        production.scrap_production(firm, SUB_MO, 5, reason="dropped", author=SHOP)
    assert state(firm) == before

    assert production.scrap_production(firm, SUB_MO, 1, reason="dropped", author=SHOP) == 1.0
    sub = view(firm, SUB_MO)
    assert (sub.status, sub.scrapped, sub.completed) == ("in_progress", 1.0, 0.0)
    # the scrapped unit used 3 C2, and the 4 units still to make need 12 again
    assert components(firm, SUB_MO) == {"C2": (12.0, 3.0, 12.0, 9.0, 3.0)}
    assert buckets(firm) == {("C1", ""): 5.0, ("C2", SUB_MO): 9.0}
    with firm.begin():
        (entry, *_) = audit.history(firm, entity="production_order", ref=SUB_MO)
    assert (entry.action, entry.note) == ("scrap", "dropped")


# --------------------------------------------------------------------------- close and cancel


def test_close_gives_leftover_reservations_back(firm: Session) -> None:
    production.release_production(firm, FA_MO, author=SHOP)
    production.release_production(firm, SUB_MO, author=SHOP)
    production.complete_production(firm, SUB_MO, 1, author=SHOP)
    assert buckets(firm) == {("C1", FA_MO): 5.0, ("C2", SUB_MO): 9.0, ("SUB", FA_MO): 1.0}

    # short-closed after one unit: its 9 C2 go back to the sales order it served
    production.close_production(firm, SUB_MO, author=SHOP)
    assert view(firm, SUB_MO).status == "closed"
    assert buckets(firm) == {("C1", FA_MO): 5.0, ("C2", "SO-A"): 9.0, ("SUB", FA_MO): 1.0}
    with pytest.raises(ConflictError, match=f"{SUB_MO} is closed: cannot close it"):
        production.close_production(firm, SUB_MO, author=SHOP)
    production.close_production(firm, FA_MO, author=SHOP)
    assert buckets(firm) == {("C1", "SO-A"): 5.0, ("C2", "SO-A"): 9.0, ("SUB", "SO-A"): 1.0}


def test_an_order_without_a_sales_order_gives_its_reservations_back_to_free_stock(
    session: Session,
) -> None:
    start = PD + timedelta(days=1)
    data = dataset(productions=[ProductionRow("MO-S", "SUB", 2, DUE, start, "planned", False, "")])
    replace_company(session, data, author="import")
    production.release_production(session, "MO-S", author=SHOP)
    assert buckets(session) == {("C1", ""): 5.0, ("C2", "MO-S"): 6.0, ("C2", ""): 6.0}
    production.complete_production(session, "MO-S", 1, author=SHOP)
    assert buckets(session) == {
        ("C1", ""): 5.0,
        ("C2", "MO-S"): 3.0,
        ("C2", ""): 6.0,
        ("SUB", ""): 1.0,
    }
    production.close_production(session, "MO-S", author=SHOP)
    assert buckets(session) == {("C1", ""): 5.0, ("C2", ""): 9.0, ("SUB", ""): 1.0}


def test_cancel_only_while_nothing_is_issued(firm: Session) -> None:
    production.release_production(firm, SUB_MO, author=SHOP)
    production.cancel_production(firm, SUB_MO, author=SHOP)
    assert view(firm, SUB_MO).status == "cancelled"
    assert buckets(firm) == {("C1", ""): 5.0, ("C2", "SO-A"): 12.0}
    with pytest.raises(ConflictError, match="is cancelled: cannot cancel it"):
        production.cancel_production(firm, SUB_MO, author=SHOP)
    with pytest.raises(ConflictError, match="is cancelled: cannot release it"):
        production.release_production(firm, SUB_MO, author=SHOP)

    production.release_production(firm, FA_MO, author=SHOP)
    production.issue_components(firm, FA_MO, quantities={"C1": 1}, author=SHOP)
    before = state(firm)
    with pytest.raises(ConflictError, match=f"{FA_MO} is in_progress: cannot cancel it"):
        production.cancel_production(firm, FA_MO, author=SHOP)
    assert state(firm) == before
    production.close_production(firm, FA_MO, author=SHOP)
    assert buckets(firm) == {("C1", "SO-A"): 4.0, ("C2", "SO-A"): 12.0}


# --------------------------------------------------------------------------- the next plan


def test_the_plan_counts_only_what_a_released_order_still_needs(firm: Session) -> None:
    """SUB_MO needs 12 C2. Once released, the plan reads its component list; after half is
    issued it demands the other 6, not the BOM's 12 again (which would buy 6 C2)."""
    production.release_production(firm, SUB_MO, author=SHOP)
    run_plan(firm, author="planner")
    assert component_demand(firm, SUB_MO, "C2") == 12.0
    assert planned_buys(firm) == {"C1": 3.0}

    production.issue_components(firm, SUB_MO, quantities={"C2": 6}, author=SHOP)
    run_plan(firm, author="planner")
    assert component_demand(firm, SUB_MO, "C2") == 6.0
    assert planned_buys(firm) == {"C1": 3.0}
    with firm.begin():
        pegs = firm.execute(
            select(Pegging.supply_type, Pegging.qty)
            .join(Item, Item.id == Pegging.item_id)
            .where(Pegging.demand_ref == SUB_MO, Item.code == "C2")
        ).all()
    assert [tuple(p) for p in pegs] == [("stock", 6.0)]

    # a scrapped unit is made again: 4 units x 3, less the 3 issued for units in process
    production.scrap_production(firm, SUB_MO, 1, reason="cracked", author=SHOP)
    run_plan(firm, author="planner")
    assert component_demand(firm, SUB_MO, "C2") == 9.0
    assert planned_buys(firm) == {"C1": 3.0, "C2": 3.0}

    # two completed: they backflush 3 more; 2 units x 3 are still needed
    production.complete_production(firm, SUB_MO, 2, author=SHOP)
    run_plan(firm, author="planner")
    assert component_demand(firm, SUB_MO, "C2") == 6.0
    assert buckets(firm) == {("C1", ""): 5.0, ("C2", SUB_MO): 3.0, ("SUB", "SO-A"): 2.0}
    assert planned_buys(firm) == {"C1": 3.0, "C2": 3.0}
    # the parent's demand for SUB is covered by the 2 done and the 2 still to come
    assert component_demand(firm, FA_MO, "SUB") == 4.0


def test_listing_production_orders(firm: Session) -> None:
    production.release_production(firm, SUB_MO, author=SHOP)
    with firm.begin():
        everything = production.list_productions(firm)
        released = production.list_productions(firm, status="released")
        of_order = production.list_productions(firm, sales_order="SO-A")
    assert [(r.number, r.item, r.status) for r in everything] == [
        (SUB_MO, "SUB", "released"),
        (FA_MO, "FA", "planned"),
    ]
    assert [r.number for r in released] == [SUB_MO]
    assert len(of_order) == 2
    with pytest.raises(ValidationError, match="unknown status 'busy'"), firm.begin():
        production.list_productions(firm, status="busy")

"""Shipping sales-order lines: stock out, delivered, lines and orders shipped then closed.

SO-A wants 10 P (line 1) and 2 Q (line 2); SO-B wants 5 P. A shipment takes
the order's own reservation first, then free stock, never another order's
reservation. A line shipped in full is ``shipped``, ``closed`` once every
shipment of it is delivered; the order follows its lines, and closing it
gives back what is still reserved for it. The planner sees qty - shipped.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from _clock import pin_today
from pegboard.errors import ConflictError, NotFoundError, ValidationError
from pegboard.model import (
    Item,
    Pegging,
    PlanLine,
    PlannedOrder,
    SalesOrder,
    SalesOrderLine,
    SalesOrderStatus,
    Shipment,
    StockBalance,
    StockMove,
)
from pegboard.services import locations, sales, shipping, stock
from pegboard.services.company_data import replace_company
from pegboard.services.dataset import Dataset, ItemRow, SalesRow, StockRow
from pegboard.services.inventory import InsufficientStockError
from pegboard.services.planning import run_plan

PD = date(2026, 11, 23)
DUE = PD + timedelta(days=20)
SHIP = PD + timedelta(days=1)
WHO = "shipping"


def item(code: str) -> ItemRow:
    return ItemRow(code, "", "buy", "mts", "ea", 10, "lfl", None, None, 0.0, 0.0, 0.0, 1.0, "")


@pytest.fixture
def shop(session: Session) -> Session:
    replace_company(
        session,
        Dataset(
            settings={"planning_date": PD.isoformat()},
            items=[item("P"), item("Q")],
            stock=[StockRow("P", 20.0, "main", ""), StockRow("Q", 5.0, "main", "")],
            sales=[
                SalesRow("SO-A", 1, "ACME", "", "P", 10, 0, DUE, 100),
                SalesRow("SO-A", 2, "ACME", "", "Q", 2, 0, DUE, 100),
                SalesRow("SO-B", 1, "ACME", "", "P", 5, 0, DUE, 100),
            ],
        ),
        author="import",
    )
    return session


# --------------------------------------------------------------------------- helpers


def buckets(session: Session) -> dict[tuple[str, str], float]:
    """(item, sales order or "") -> qty at any location; checks the ledger first."""
    with session.begin():
        assert stock.check_ledger(session) == []
        rows = session.execute(
            select(Item.code, SalesOrder.number, func.sum(StockBalance.qty))
            .select_from(StockBalance)
            .join(Item, Item.id == StockBalance.item_id)
            .outerjoin(SalesOrder, SalesOrder.id == StockBalance.sales_order_id)
            .group_by(Item.code, SalesOrder.number)
        ).all()
    return {(code, so or ""): qty for code, so, qty in rows if qty > 1e-9}


def statuses(session: Session, number: str) -> tuple[str, list[tuple[float, str]]]:
    """The order's status and its lines' (shipped qty, status)."""
    with session.begin():
        order = sales.get_order(session, number)
        rows = session.execute(
            select(SalesOrderLine.shipped_qty, SalesOrderLine.status)
            .where(SalesOrderLine.sales_order_id == order.id)
            .order_by(SalesOrderLine.line)
        ).all()
        return order.status.value, [(q, s.value) for q, s in rows]


def state(session: Session) -> dict[str, Any]:
    with session.begin():
        return {
            "moves": session.scalar(select(func.count()).select_from(StockMove)),
            "shipments": session.scalar(select(func.count()).select_from(Shipment)),
            "balances": sorted(
                (i, loc, so or 0, q)
                for i, loc, so, q in session.execute(
                    select(
                        StockBalance.item_id,
                        StockBalance.location,
                        StockBalance.sales_order_id,
                        StockBalance.qty,
                    )
                )
            ),
            "lines": sorted(
                session.execute(
                    select(SalesOrderLine.id, SalesOrderLine.shipped_qty, SalesOrderLine.status)
                ).all()
            ),
            "orders": sorted(session.execute(select(SalesOrder.number, SalesOrder.status)).all()),
        }


def ship(session: Session, order: str, line: int, qty: float, **kw: Any) -> str:
    return shipping.ship_line(session, order, line, qty, ship_date=SHIP, author=WHO, **kw)


# --------------------------------------------------------------------------- ship


def test_ship_partly_then_fully_reservation_first_then_free_stock(shop: Session) -> None:
    stock.reserve_stock(shop, item="P", qty=4, sales_order="SO-A", author="stores")
    stock.reserve_stock(shop, item="P", qty=5, sales_order="SO-B", author="stores")

    assert ship(shop, "SO-A", 1, 6, tracking=" TRK-1 ") == "SH-000001"
    # SO-A's 4 first, then 2 free; SO-B's 5 are untouched
    assert buckets(shop) == {("P", ""): 9.0, ("P", "SO-B"): 5.0, ("Q", ""): 5.0}
    with shop.begin():
        rows = shop.execute(
            select(StockMove.qty, SalesOrder.number, StockMove.kind, StockMove.reference)
            .outerjoin(SalesOrder, SalesOrder.id == StockMove.sales_order_id)
            .where(StockMove.shipment_id.is_not(None))
            .order_by(StockMove.id)
        ).all()
    assert [(q, so, k.value, ref) for q, so, k, ref in rows] == [
        (-4.0, "SO-A", "shipment", "SH-000001"),
        (-2.0, None, "shipment", "SH-000001"),
    ]
    assert statuses(shop, "SO-A") == ("confirmed", [(6.0, "confirmed"), (0.0, "confirmed")])

    before = state(shop)
    with pytest.raises(ValidationError) as refused:
        ship(shop, "SO-A", 1, 5)
    assert str(refused.value) == "SO-A/1: 10 ordered, 6 shipped; cannot ship 5 (at most 4)"
    assert refused.value.params["rule"] == "over_shipment"
    with pytest.raises(NotFoundError, match="SO-A has no line 3"):
        ship(shop, "SO-A", 3, 1)
    with pytest.raises(NotFoundError, match="no sales order 'SO-Z'"):
        ship(shop, "SO-Z", 1, 1)
    assert state(shop) == before

    # the rest of line 1: the line is shipped, the order not yet (line 2 is open)
    assert ship(shop, "SO-A", 1, 4) == "SH-000002"
    assert statuses(shop, "SO-A") == ("confirmed", [(10.0, "shipped"), (0.0, "confirmed")])
    with pytest.raises(ConflictError, match="SO-A/1 is shipped: nothing more of it"):
        ship(shop, "SO-A", 1, 1)
    assert ship(shop, "SO-A", 2, 2) == "SH-000003"
    assert statuses(shop, "SO-A") == ("shipped", [(10.0, "shipped"), (2.0, "shipped")])
    assert buckets(shop) == {("P", ""): 5.0, ("P", "SO-B"): 5.0, ("Q", ""): 3.0}

    with shop.begin():
        listed = shipping.list_shipments(shop, sales_order="SO-A")
    assert [
        (r.number, r.line, r.item, r.qty, r.status, r.ship_date, r.tracking) for r in listed
    ] == [
        ("SH-000003", 2, "Q", 2.0, "in_transit", SHIP, ""),
        ("SH-000002", 1, "P", 4.0, "in_transit", SHIP, ""),
        ("SH-000001", 1, "P", 6.0, "in_transit", SHIP, "TRK-1"),
    ]


def test_shipping_needs_stock_and_never_takes_another_orders_reservation(shop: Session) -> None:
    locations.add_location(shop, "yard", author="admin")
    stock.reserve_stock(shop, item="P", qty=15, sales_order="SO-B", author="stores")
    before = state(shop)
    with pytest.raises(InsufficientStockError) as refused:
        ship(shop, "SO-A", 1, 6)
    assert str(refused.value) == (
        "not enough P: 6 needed, 5 available to SO-A/1 (20 on hand, 15 reserved for SO-B)"
    )
    assert state(shop) == before
    # from one location only
    stock.transfer_stock(
        shop, item="P", qty=2, from_location="main", to_location="yard", author="stores"
    )
    with pytest.raises(InsufficientStockError, match="not enough P at yard: 3 needed, 2 avail"):
        ship(shop, "SO-A", 1, 3, location="yard")
    assert ship(shop, "SO-A", 1, 2, location="yard") == "SH-000001"  # no number was lost
    with shop.begin():
        pos = stock.position(shop, "P")
    assert {(b.location, b.holder): b.qty for b in pos.buckets} == {
        ("main", ""): 3.0,
        ("main", "SO-B"): 15.0,
    }


def test_draft_and_cancelled_orders_are_not_shipped(shop: Session) -> None:
    draft = sales.create_order(shop, customer="ACME", number="SO-D", author="sales")
    sales.add_line(shop, draft, item="P", qty=1, due=DUE, author="sales")
    sales.set_status(shop, "SO-B", SalesOrderStatus.CANCELLED, author="sales")
    before = state(shop)
    with pytest.raises(ConflictError, match="SO-D is draft: nothing of it can be shipped"):
        ship(shop, "SO-D", 1, 1)
    with pytest.raises(ConflictError, match="SO-B is cancelled: nothing of it can be shipped"):
        ship(shop, "SO-B", 1, 1)
    assert state(shop) == before
    # once confirmed, the same order ships
    sales.set_status(shop, "SO-D", SalesOrderStatus.CONFIRMED, author="sales")
    assert ship(shop, "SO-D", 1, 1) == "SH-000001"


# --------------------------------------------------------------------------- deliver and close


@pin_today(SHIP + timedelta(days=2))  # delivered "today": after the ship date
def test_delivery_closes_lines_then_the_order_and_frees_its_reservations(shop: Session) -> None:
    stock.reserve_stock(shop, item="Q", qty=3, sales_order="SO-A", author="stores")
    first = ship(shop, "SO-A", 1, 6)
    with pytest.raises(ValidationError, match="before it was shipped"):
        shipping.deliver_shipment(shop, first, delivered_on=PD, author=WHO)
    # a partly shipped line stays open when what was shipped arrives
    shipping.deliver_shipment(shop, first, delivered_on=SHIP, author=WHO)
    assert statuses(shop, "SO-A") == ("confirmed", [(6.0, "confirmed"), (0.0, "confirmed")])
    with pytest.raises(ConflictError, match="SH-000001 is delivered already"):
        shipping.deliver_shipment(shop, first, author=WHO)
    with pytest.raises(NotFoundError, match="no shipment 'SH-404'"):
        shipping.deliver_shipment(shop, "SH-404", author=WHO)

    second, third = ship(shop, "SO-A", 1, 4), ship(shop, "SO-A", 2, 2)
    assert statuses(shop, "SO-A") == ("shipped", [(10.0, "shipped"), (2.0, "shipped")])
    shipping.deliver_shipment(shop, second, delivered_on=SHIP, author=WHO)
    assert statuses(shop, "SO-A") == ("shipped", [(10.0, "closed"), (2.0, "shipped")])
    # SO-A still holds 1 Q it did not ship
    assert buckets(shop) == {("P", ""): 10.0, ("Q", ""): 2.0, ("Q", "SO-A"): 1.0}

    shipping.deliver_shipment(shop, third, author=WHO)
    assert statuses(shop, "SO-A") == ("closed", [(10.0, "closed"), (2.0, "closed")])
    assert buckets(shop) == {("P", ""): 10.0, ("Q", ""): 3.0}
    with shop.begin():
        delivered = shipping.list_shipments(shop, status="delivered")
        in_transit = shipping.list_shipments(shop, status="in_transit")
    assert [r.number for r in delivered] == ["SH-000003", "SH-000002", "SH-000001"]
    assert (in_transit, delivered[-1].delivered_on) == ([], SHIP)
    with pytest.raises(ConflictError, match="SO-A is closed: nothing of it can be shipped"):
        ship(shop, "SO-A", 1, 1)
    with pytest.raises(ValidationError, match="unknown status 'lost'"), shop.begin():
        shipping.list_shipments(shop, status="lost")


@pin_today(SHIP + timedelta(days=2))  # delivered "today": after the ship date
def test_a_cancelled_line_does_not_keep_the_order_open(shop: Session) -> None:
    """SO-A: line 2 is cancelled (its reservation freed); shipping line 1 ships the order."""
    stock.reserve_stock(shop, item="Q", qty=2, sales_order="SO-A", author="stores")
    with shop.begin():
        row = shop.scalars(
            select(SalesOrderLine)
            .join(SalesOrder)
            .where(SalesOrder.number == "SO-A", SalesOrderLine.line == 2)
        ).one()
        row.status = SalesOrderStatus.CANCELLED  # test setup: the line was cancelled
    sh = ship(shop, "SO-A", 1, 10)
    assert statuses(shop, "SO-A") == ("shipped", [(10.0, "shipped"), (0.0, "cancelled")])
    shipping.deliver_shipment(shop, sh, author=WHO)
    assert statuses(shop, "SO-A")[0] == "closed"
    assert buckets(shop) == {("P", ""): 10.0, ("Q", ""): 5.0}


# --------------------------------------------------------------------------- the next plan


def plan_of_line(session: Session, ref: str) -> tuple[float, list[str]]:
    """What the current plan pegs to a sales-order line, and the plan lines it has."""
    with session.begin():
        pegged = session.scalar(
            select(func.coalesce(func.sum(Pegging.qty), 0.0)).where(Pegging.demand_ref == ref)
        )
        lines = session.scalars(select(PlanLine.demand_ref).where(PlanLine.demand_ref == ref))
        return float(pegged or 0.0), list(lines)


def planned_qty(session: Session, code: str) -> float:
    with session.begin():
        total = session.scalar(
            select(func.coalesce(func.sum(PlannedOrder.qty), 0.0))
            .join(Item, Item.id == PlannedOrder.item_id)
            .where(Item.code == code)
        )
    return float(total or 0.0)


def test_the_next_plan_sees_what_is_left_to_ship(shop: Session) -> None:
    """P: 20 in stock for SO-A (10) and SO-B (5). Q: 5 for SO-A's 2."""
    run_plan(shop, author="planner")
    assert plan_of_line(shop, "SO-A/1") == (10.0, ["SO-A/1"])
    assert planned_qty(shop, "P") == 0.0

    # take 12 P away: 8 left for 15 wanted, the plan buys 7
    stock.adjust_stock(shop, item="P", qty=-12, reason="water damage", author="stores")
    run_plan(shop, author="planner")
    assert planned_qty(shop, "P") == 7.0

    # 6 shipped to SO-A: 2 left in stock for 4 + 5 still wanted; still 7 to buy
    ship(shop, "SO-A", 1, 6)
    run_plan(shop, author="planner")
    assert plan_of_line(shop, "SO-A/1") == (4.0, ["SO-A/1"])
    assert planned_qty(shop, "P") == 7.0
    with shop.begin():
        pos = stock.position(shop, "P")
    assert (pos.on_hand, pos.demand) == (2.0, 9.0)

    # the rest shipped: the line is no demand at all any more
    stock.adjust_stock(shop, item="P", qty=2, reason="found", author="stores")
    ship(shop, "SO-A", 1, 4)
    run_plan(shop, author="planner")
    assert plan_of_line(shop, "SO-A/1") == (0.0, [])
    assert plan_of_line(shop, "SO-B/1") == (5.0, ["SO-B/1"])
    assert planned_qty(shop, "P") == 5.0

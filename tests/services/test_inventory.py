"""The stock ledger by hand: adjust, transfer, reserve, release; who may take what.

Every action is checked twice over: the cached balances against the ledger
(``stock.check_ledger``) and, independently, each bucket's balance against the
sum of its ``stock_move`` rows computed here. Stock reserved for one sales
order is out of reach of every other order, its shipments and its production
orders alike, and the refusal says who holds it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from pegboard.errors import NotFoundError, ValidationError
from pegboard.model import (
    Item,
    ProductionOrder,
    SalesOrder,
    SalesOrderLine,
    Shipment,
    StockBalance,
    StockMove,
    StockMoveKind,
)
from pegboard.services import locations, production, sales, shipping, stock
from pegboard.services.company_data import replace_company
from pegboard.services.dataset import BomRow, Dataset, ItemRow, ProductionRow, SalesRow
from pegboard.services.inventory import InsufficientStockError

PD = date(2026, 11, 23)
DUE = PD + timedelta(days=30)
WHO = "stores"


def item(code: str, type_: str, strategy: str = "mts", lead: int = 0) -> ItemRow:
    return ItemRow(code, "", type_, strategy, "ea", lead, "lfl", None, None, 0.0, 0.0, 0.0, 0.0, "")


@pytest.fixture
def shop(session: Session) -> Session:
    """W is bought; FA is made from one W. SO-A and SO-B both buy W (line 1) and FA
    (line 2); each has a firm, unreleased production order for its FA. No stock yet."""
    replace_company(
        session,
        Dataset(
            settings={"planning_date": PD.isoformat()},
            items=[item("W", "buy"), item("X", "buy"), item("FA", "make", "mto", 2)],
            bom=[BomRow("FA", "W", 1.0, 0.0, "")],
            sales=[
                SalesRow("SO-A", 1, "ACME", "", "W", 10, 0, DUE, 100),
                SalesRow("SO-A", 2, "ACME", "", "FA", 2, 0, DUE, 100),
                SalesRow("SO-B", 1, "ACME", "", "W", 10, 0, DUE, 100),
                SalesRow("SO-B", 2, "ACME", "", "FA", 2, 0, DUE, 100),
            ],
            productions=[
                ProductionRow(
                    "MO-A", "FA", 2, DUE, DUE - timedelta(days=2), "planned", False, "SO-A"
                ),
                ProductionRow(
                    "MO-B", "FA", 2, DUE, DUE - timedelta(days=2), "planned", False, "SO-B"
                ),
            ],
        ),
        author="import",
    )
    return session


# --------------------------------------------------------------------------- helpers

Key = tuple[str, str, str]  # item, location, holder ("" free, else SO or MO number)


def _holder(so: str | None, mo: str | None) -> str:
    return mo or so or ""


def balances(session: Session) -> dict[Key, float]:
    """Every non-empty bucket from the balance cache."""
    with session.begin():
        rows = session.execute(
            select(Item.code, StockBalance.location, SalesOrder.number, ProductionOrder.number)
            .add_columns(StockBalance.qty)
            .select_from(StockBalance)
            .join(Item, Item.id == StockBalance.item_id)
            .outerjoin(SalesOrder, SalesOrder.id == StockBalance.sales_order_id)
            .outerjoin(ProductionOrder, ProductionOrder.id == StockBalance.reserved_mo_id)
        ).all()
    out: dict[Key, float] = {}
    for code, loc, so, mo, qty in rows:
        if abs(qty) > 1e-9:
            key = (code, loc, _holder(so, mo))
            out[key] = out.get(key, 0.0) + float(qty)
    return out


def ledger_sums(session: Session) -> dict[Key, float]:
    """The same buckets summed from the stock_move rows, independently of the service."""
    with session.begin():
        rows = session.execute(
            select(Item.code, StockMove.location, SalesOrder.number, ProductionOrder.number)
            .add_columns(func.sum(StockMove.qty))
            .select_from(StockMove)
            .join(Item, Item.id == StockMove.item_id)
            .outerjoin(SalesOrder, SalesOrder.id == StockMove.sales_order_id)
            .outerjoin(ProductionOrder, ProductionOrder.id == StockMove.reserved_mo_id)
            .group_by(Item.code, StockMove.location, SalesOrder.number, ProductionOrder.number)
        ).all()
    return {
        (code, loc, _holder(so, mo)): float(qty)
        for code, loc, so, mo, qty in rows
        if abs(qty) > 1e-9
    }


def assert_ledger(session: Session) -> dict[Key, float]:
    """Balances and ledger agree (by the service's check and by our own sum); no bucket
    is negative. Returns the balances."""
    with session.begin():
        assert stock.check_ledger(session) == []
        lowest = session.scalar(select(func.min(StockBalance.qty)))
    assert lowest is None or lowest >= 0
    cached = balances(session)
    assert cached == pytest.approx(ledger_sums(session))
    return cached


def move_count(session: Session) -> int:
    with session.begin():
        return int(session.scalar(select(func.count()).select_from(StockMove)) or 0)


def free(qty: float, item_code: str = "W", location: str = "main") -> dict[Key, float]:
    return {(item_code, location, ""): qty}


# --------------------------------------------------------------------------- adjust


def test_adjust_adds_and_removes_with_a_reason_and_records_the_move(shop: Session) -> None:
    assert stock.adjust_stock(shop, item="W", qty=10, reason="count", author=WHO) == 10
    assert assert_ledger(shop) == free(10)
    assert stock.adjust_stock(shop, item="W", qty=-3.5, reason="damaged", author=WHO) == 6.5
    assert assert_ledger(shop) == free(6.5)
    with shop.begin():
        rows = stock.moves(shop, "W")
        pos = stock.position(shop, "W")
    assert [(r.kind, r.qty, r.reason, r.author, r.location) for r in rows] == [
        ("adjustment", -3.5, "damaged", WHO, "main"),
        ("adjustment", 10.0, "count", WHO, "main"),
    ]
    assert (pos.on_hand, pos.reserved, pos.free) == (6.5, 0.0, 6.5)
    # down to exactly zero is allowed, and leaves an empty bucket
    stock.adjust_stock(shop, item="W", qty=-6.5, reason="scrapped", author=WHO)
    assert assert_ledger(shop) == {}


def test_adjust_needs_a_reason(shop: Session) -> None:
    for reason in ("", "   "):
        with pytest.raises(ValidationError, match="reason is required") as refused:
            stock.adjust_stock(shop, item="W", qty=5, reason=reason, author=WHO)
        assert refused.value.params["field"] == "reason"
    assert move_count(shop) == 0
    assert assert_ledger(shop) == {}


def test_removing_more_than_is_there_is_refused_naming_item_location_and_stock(
    shop: Session,
) -> None:
    locations.add_location(shop, "yard", author=WHO)
    stock.adjust_stock(shop, item="W", qty=4, reason="count", author=WHO)
    stock.adjust_stock(shop, item="W", qty=7, location="yard", reason="count", author=WHO)
    before = move_count(shop)
    with pytest.raises(InsufficientStockError) as refused:
        stock.adjust_stock(shop, item="W", qty=-10, reason="lost", author=WHO)
    message = str(refused.value)
    assert message == "not enough W at main: 10 needed, 4 there"
    assert refused.value.params == {
        "item": "W",
        "location": "main",
        "needed": 10.0,
        "available": 4.0,
    }
    # an empty location: nothing there at all
    with pytest.raises(InsufficientStockError, match="not enough X at main: 1 needed, 0 there"):
        stock.adjust_stock(shop, item="X", qty=-1, reason="lost", author=WHO)
    assert move_count(shop) == before
    assert assert_ledger(shop) == {**free(4), **free(7, location="yard")}


def test_adjust_of_a_reserved_bucket_only_touches_that_bucket(shop: Session) -> None:
    stock.adjust_stock(shop, item="W", qty=5, reason="count", author=WHO)
    stock.adjust_stock(shop, item="W", qty=2, reason="found", sales_order="SO-A", author=WHO)
    assert assert_ledger(shop) == {("W", "main", ""): 5, ("W", "main", "SO-A"): 2}
    # the free 5 cannot cover taking 3 out of SO-A's 2
    with pytest.raises(InsufficientStockError, match="2 there"):
        stock.adjust_stock(shop, item="W", qty=-3, reason="x", sales_order="SO-A", author=WHO)
    with pytest.raises(NotFoundError, match="SO-NOPE"):
        stock.adjust_stock(shop, item="W", qty=1, reason="x", sales_order="SO-NOPE", author=WHO)
    assert assert_ledger(shop) == {("W", "main", ""): 5, ("W", "main", "SO-A"): 2}


# --------------------------------------------------------------------------- transfer


def test_transfer_moves_a_bucket_between_locations(shop: Session) -> None:
    locations.add_location(shop, "yard", author=WHO)
    stock.adjust_stock(shop, item="W", qty=10, reason="count", author=WHO)
    stock.transfer_stock(
        shop, item="W", qty=4, from_location="main", to_location="yard", author=WHO
    )
    assert assert_ledger(shop) == {("W", "main", ""): 6, ("W", "yard", ""): 4}
    with shop.begin():
        kinds = [(r.kind, r.location, r.qty) for r in stock.moves(shop, "W", limit=2)]
    assert sorted(kinds) == [("transfer", "main", -4.0), ("transfer", "yard", 4.0)]

    # a reserved bucket moves as itself and stays reserved
    stock.reserve_stock(shop, item="W", qty=3, sales_order="SO-A", author=WHO)
    stock.transfer_stock(
        shop,
        item="W",
        qty=2,
        from_location="main",
        to_location="yard",
        sales_order="SO-A",
        author=WHO,
    )
    assert assert_ledger(shop) == {
        ("W", "main", ""): 3,
        ("W", "main", "SO-A"): 1,
        ("W", "yard", ""): 4,
        ("W", "yard", "SO-A"): 2,
    }
    with shop.begin():
        pos = stock.position(shop, "W")
    assert (pos.on_hand, pos.reserved, pos.free) == (10, 3, 7)


def test_transfer_refusals_write_nothing(shop: Session) -> None:
    stock.adjust_stock(shop, item="W", qty=3, reason="count", author=WHO)
    before = move_count(shop)
    with pytest.raises(InsufficientStockError, match="not enough W at main: 5 needed, 3 there"):
        stock.transfer_stock(
            shop, item="W", qty=5, from_location="main", to_location="yard", author=WHO
        )
    with pytest.raises(ValidationError, match="both 'main'"):
        stock.transfer_stock(
            shop, item="W", qty=1, from_location="main", to_location=" main ", author=WHO
        )
    with pytest.raises(ValidationError, match="location must not be blank"):
        stock.transfer_stock(
            shop, item="W", qty=1, from_location="main", to_location="  ", author=WHO
        )
    # free stock is not the reserved bucket: SO-A holds nothing at main
    with pytest.raises(InsufficientStockError, match="0 there"):
        stock.transfer_stock(
            shop,
            item="W",
            qty=1,
            from_location="main",
            to_location="yard",
            sales_order="SO-A",
            author=WHO,
        )
    assert move_count(shop) == before
    assert assert_ledger(shop) == free(3)


# --------------------------------------------------------------------------- reserve


def test_reserve_and_unreserve(shop: Session) -> None:
    locations.add_location(shop, "yard", author=WHO)
    stock.adjust_stock(shop, item="W", qty=6, reason="count", author=WHO)
    stock.adjust_stock(shop, item="W", qty=4, location="yard", reason="count", author=WHO)
    # taken from the locations in order: all of main, then some of the yard
    stock.reserve_stock(shop, item="W", qty=8, sales_order="SO-A", author=WHO)
    assert assert_ledger(shop) == {
        ("W", "main", "SO-A"): 6,
        ("W", "yard", ""): 2,
        ("W", "yard", "SO-A"): 2,
    }
    with shop.begin():
        pos = stock.position(shop, "W")
    assert (pos.on_hand, pos.reserved, pos.free) == (10, 8, 2)
    assert {(b.location, b.holder): b.qty for b in pos.buckets} == {
        ("main", "SO-A"): 6,
        ("yard", ""): 2,
        ("yard", "SO-A"): 2,
    }

    # more than is free: refused whole, with what is there and who holds the rest
    before = move_count(shop)
    with pytest.raises(InsufficientStockError) as refused:
        stock.reserve_stock(shop, item="W", qty=3, sales_order="SO-B", author=WHO)
    assert "3 needed, 2 available" in str(refused.value)
    assert "8 reserved for SO-A" in str(refused.value)
    assert move_count(shop) == before

    assert stock.unreserve_stock(shop, item="W", sales_order="SO-A", qty=5, author=WHO) == 5
    assert assert_ledger(shop) == {
        ("W", "main", ""): 5,
        ("W", "main", "SO-A"): 1,
        ("W", "yard", ""): 2,
        ("W", "yard", "SO-A"): 2,
    }
    with pytest.raises(InsufficientStockError, match="SO-A holds 3 of W; cannot release 4"):
        stock.unreserve_stock(shop, item="W", sales_order="SO-A", qty=4, author=WHO)
    with pytest.raises(InsufficientStockError, match="SO-B holds 0 of W"):
        stock.unreserve_stock(shop, item="W", sales_order="SO-B", author=WHO)
    # all of it
    assert stock.unreserve_stock(shop, item="W", sales_order="SO-A", author=WHO) == 3
    assert assert_ledger(shop) == {("W", "main", ""): 6, ("W", "yard", ""): 4}
    with shop.begin():
        kinds = {r.kind for r in stock.moves(shop, "W", limit=100)}
    assert kinds == {"adjustment", "reservation", "release"}


def test_stock_is_reserved_only_for_open_orders(shop: Session) -> None:
    stock.adjust_stock(shop, item="W", qty=6, reason="count", author=WHO)
    draft = sales.create_order(shop, customer="ACME", number="SO-DRAFT", author="sales")
    sales.add_line(shop, draft, item="W", qty=1, due=DUE, author="sales")
    with pytest.raises(ValidationError, match="SO-DRAFT is draft"):
        stock.reserve_stock(shop, item="W", qty=1, sales_order=draft, author=WHO)
    with pytest.raises(NotFoundError, match="SO-NOPE"):
        stock.reserve_stock(shop, item="W", qty=1, sales_order="SO-NOPE", author=WHO)
    assert assert_ledger(shop) == free(6)


# --------------------------------------------------------------------------- who may take what


def test_stock_reserved_for_one_order_is_out_of_reach_of_another(shop: Session) -> None:
    stock.adjust_stock(shop, item="W", qty=10, reason="count", author=WHO)
    stock.reserve_stock(shop, item="W", qty=10, sales_order="SO-A", author=WHO)
    before = move_count(shop)

    # SO-B cannot ship it ...
    with pytest.raises(InsufficientStockError) as refused:
        shipping.ship_line(shop, "SO-B", 1, 1, author="shipping")
    assert "reserved for SO-A" in str(refused.value)
    assert "1 needed, 0 available" in str(refused.value)

    # ... nor can SO-B's production order reserve, issue or backflush it
    report = production.release_production(shop, "MO-B", author="shop")
    assert [(c.item, c.reserved, c.short) for c in report] == [("W", 0.0, 2.0)]
    with pytest.raises(InsufficientStockError) as refused:
        production.issue_components(shop, "MO-B", quantities={"W": 1}, author="shop")
    assert "MO-B" in str(refused.value)
    assert "reserved for SO-A" in str(refused.value)
    with pytest.raises(InsufficientStockError, match="reserved for SO-A"):
        production.complete_production(shop, "MO-B", 1, author="shop")
    assert move_count(shop) == before
    with shop.begin():
        shipped = shop.scalar(select(func.count()).select_from(Shipment))
        completed = shop.scalar(
            select(ProductionOrder.completed_qty).where(ProductionOrder.number == "MO-B")
        )
    assert (shipped, completed) == (0, 0.0)
    assert assert_ledger(shop) == {("W", "main", "SO-A"): 10}

    # SO-A itself can: its shipment and its production order take the reservation
    shipping.ship_line(shop, "SO-A", 1, 3, author="shipping")
    assert assert_ledger(shop) == {("W", "main", "SO-A"): 7}
    report = production.release_production(shop, "MO-A", author="shop")
    assert [(c.item, c.reserved, c.short) for c in report] == [("W", 2.0, 0.0)]
    assert assert_ledger(shop) == {("W", "main", "SO-A"): 5, ("W", "main", "MO-A"): 2}
    production.issue_components(shop, "MO-A", author="shop")
    assert assert_ledger(shop) == {("W", "main", "SO-A"): 5}

    # what SO-A does not need any more is free for everyone again
    stock.unreserve_stock(shop, item="W", sales_order="SO-A", author=WHO)
    assert assert_ledger(shop) == free(5)
    production.issue_components(shop, "MO-B", quantities={"W": 1}, author="shop")
    assert assert_ledger(shop) == free(4)


def test_a_production_reservation_is_only_for_that_order(shop: Session) -> None:
    stock.adjust_stock(shop, item="W", qty=2, reason="count", author=WHO)
    production.release_production(shop, "MO-A", author="shop")
    assert assert_ledger(shop) == {("W", "main", "MO-A"): 2}
    # neither SO-A's own shipment nor another order can take MO-A's components
    for order in ("SO-A", "SO-B"):
        with pytest.raises(InsufficientStockError, match="2 reserved for MO-A"):
            shipping.ship_line(shop, order, 1, 1, author="shipping")
    production.release_production(shop, "MO-B", author="shop")
    with pytest.raises(InsufficientStockError, match="reserved for MO-A"):
        production.issue_components(shop, "MO-B", author="shop")
    assert assert_ledger(shop) == {("W", "main", "MO-A"): 2}


# --------------------------------------------------------------------------- the ledger itself


def test_stock_moves_cannot_be_updated(shop: Session, engine: Engine) -> None:
    stock.adjust_stock(shop, item="W", qty=10, reason="count", author=WHO)
    for statement in (
        "UPDATE stock_move SET qty = 999",
        "UPDATE stock_move SET reason = 'rewritten'",
    ):
        with pytest.raises(DBAPIError, match="immutable"), engine.begin() as conn:
            conn.execute(text(statement))
    with shop.begin():
        rows = shop.execute(select(StockMove.qty, StockMove.reason)).all()
    assert [tuple(r) for r in rows] == [(10.0, "count")]
    # the ORM cannot either
    with pytest.raises(DBAPIError, match="immutable"), shop.begin():
        shop.execute(update(StockMove).values(qty=1.0))
    assert assert_ledger(shop) == free(10)


def test_check_ledger_finds_a_balance_that_disagrees(shop: Session, engine: Engine) -> None:
    stock.adjust_stock(shop, item="W", qty=10, reason="count", author=WHO)
    with engine.begin() as conn:
        conn.execute(text("UPDATE stock_balance SET qty = 7"))
    with shop.begin():
        wrong = stock.check_ledger(shop)
    assert [(m.item, m.location, m.holder, m.ledger, m.balance) for m in wrong] == [
        ("W", "main", "", 10.0, 7.0)
    ]


BAD_QUANTITIES: list[object] = [0, -1, math.nan, math.inf, -math.inf, 1e12, "3", None, True]


def test_bad_quantities_are_refused_naming_the_field(shop: Session) -> None:
    stock.adjust_stock(shop, item="W", qty=5, reason="count", author=WHO)
    stock.reserve_stock(shop, item="W", qty=2, sales_order="SO-A", author=WHO)
    before = move_count(shop)
    actions: dict[str, Callable[[Any], object]] = {
        "adjust": lambda q: stock.adjust_stock(shop, item="W", qty=q, reason="r", author=WHO),
        "transfer": lambda q: stock.transfer_stock(
            shop, item="W", qty=q, from_location="main", to_location="yard", author=WHO
        ),
        "reserve": lambda q: stock.reserve_stock(
            shop, item="W", qty=q, sales_order="SO-A", author=WHO
        ),
        "unreserve": lambda q: stock.unreserve_stock(
            shop, item="W", qty=q, sales_order="SO-A", author=WHO
        ),
        "ship": lambda q: shipping.ship_line(shop, "SO-A", 1, q, author=WHO),
    }
    for name, action in actions.items():
        for value in BAD_QUANTITIES:
            if name == "adjust" and value == -1:
                continue  # an adjustment may remove stock
            if name == "unreserve" and value is None:
                continue  # None releases all of it
            with pytest.raises(ValidationError) as refused:
                action(value)
            assert refused.value.params["field"] == "qty", (name, value)
            assert str(refused.value).startswith("qty "), (name, value)
    assert move_count(shop) == before
    assert assert_ledger(shop) == {("W", "main", ""): 3, ("W", "main", "SO-A"): 2}
    # the limit is a limit, not a typo trap for ordinary numbers
    stock.adjust_stock(shop, item="W", qty=1e9, reason="big delivery", author=WHO)


def test_unknown_items_are_not_found(shop: Session) -> None:
    calls: list[Callable[[], object]] = [
        lambda: stock.adjust_stock(shop, item="NOPE", qty=1, reason="r", author=WHO),
        lambda: stock.transfer_stock(
            shop, item="NOPE", qty=1, from_location="main", to_location="yard", author=WHO
        ),
        lambda: stock.reserve_stock(shop, item="NOPE", qty=1, sales_order="SO-A", author=WHO),
        lambda: stock.unreserve_stock(shop, item="NOPE", sales_order="SO-A", author=WHO),
        lambda: stock.position(shop, "NOPE"),
        lambda: stock.moves(shop, "NOPE"),
    ]
    for call in calls:
        with pytest.raises(NotFoundError, match="no item 'NOPE'") as refused:
            call()
        assert refused.value.params == {"item": "NOPE"}
        if shop.in_transaction():
            shop.rollback()
    assert move_count(shop) == 0


def test_position_counts_supply_and_demand(shop: Session) -> None:
    stock.adjust_stock(shop, item="W", qty=4, reason="count", author=WHO)
    stock.reserve_stock(shop, item="W", qty=1, sales_order="SO-B", author=WHO)
    with shop.begin():
        pos = stock.position(shop, "W")
        fa = stock.position(shop, "FA")
    # W: 10 + 10 on sales lines; FA: two firm orders of 2 each, and 2 + 2 on sales lines
    assert (pos.on_hand, pos.reserved, pos.free, pos.demand) == (4, 1, 3, 20)
    assert (fa.on_hand, fa.in_production, fa.demand) == (0, 4, 4)
    # a shipment lowers the demand
    shipping.ship_line(shop, "SO-B", 1, 1, author="shipping")
    with shop.begin():
        pos = stock.position(shop, "W")
        line = shop.scalar(
            select(SalesOrderLine.shipped_qty)
            .join(SalesOrder)
            .where(SalesOrder.number == "SO-B", SalesOrderLine.line == 1)
        )
    assert (pos.on_hand, pos.reserved, pos.demand, line) == (3, 0, 19, 1.0)
    assert assert_ledger(shop) == free(3)
    with shop.begin():
        kinds = [k for (k,) in shop.execute(select(StockMove.kind).order_by(StockMove.id))]
    assert kinds[-1] is StockMoveKind.SHIPMENT

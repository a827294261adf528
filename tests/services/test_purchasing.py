"""Purchase orders: firmed from the plan, confirmed, shipped, received, cancelled.

The numbers are worked out by hand from a small company: FA is made to order
from 2 C1 (Acme), 3 C2 (Bolt) and 1 C3 (Acme, bought for the order); SO-A
wants 4 FA and there is 1 C1 in stock, so the plan buys 7 C1, 12 C2 and 4 C3.
A receipt is all or nothing: a 20-line receipt with one bad line, or a database
failure in the middle of it, writes nothing at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from pegboard.errors import ConflictError, NotFoundError, ValidationError
from pegboard.model import (
    AuditEntry,
    CompanySetting,
    Item,
    Pegging,
    PlannedOrder,
    PurchaseOrder,
    PurchaseOrderLine,
    SalesOrder,
    SalesOrderStatus,
    StockBalance,
    StockMove,
    StockMoveKind,
)
from pegboard.services import locations, purchasing, sales, stock
from pegboard.services.company_data import replace_company
from pegboard.services.dataset import BomRow, Dataset, ItemRow, SalesRow, StockRow
from pegboard.services.planning import run_plan
from pegboard.services.purchasing import NewLine

PD = date(2026, 11, 23)
DUE = PD + timedelta(days=40)  # 2027-01-02
NEEDED = date(2026, 12, 28)  # FA starts 5 days before DUE: the components are due then
BUYER = "buyer"


def item(code: str, type_: str, strategy: str, lead: int, supplier: str = "") -> ItemRow:
    return ItemRow(
        code, "", type_, strategy, "ea", lead, "lfl", None, None, 0.0, 0.0, 0.0, 1.5, supplier
    )


@pytest.fixture
def shop(session: Session) -> Session:
    replace_company(
        session,
        Dataset(
            settings={"planning_date": PD.isoformat()},
            items=[
                item("FA", "make", "mto", 5),
                item("C1", "buy", "mts", 10, "Acme"),
                item("C2", "buy", "mts", 7, "Bolt"),
                item("C3", "buy", "mto", 14, "Acme"),
            ],
            bom=[
                BomRow("FA", "C1", 2.0, 0.0, ""),
                BomRow("FA", "C2", 3.0, 0.0, ""),
                BomRow("FA", "C3", 1.0, 0.0, ""),
            ],
            stock=[StockRow("C1", 1.0, "main", "")],
            sales=[
                SalesRow("SO-A", 1, "ACME", "", "FA", 4, 0, DUE, 100),
                SalesRow("SO-B", 1, "ACME", "", "C3", 1, 0, DUE, 100),
            ],
        ),
        author="import",
    )
    return session


@pytest.fixture
def planned(shop: Session) -> Session:
    run_plan(shop, author="planner")
    return shop


# --------------------------------------------------------------------------- helpers


def planned_orders(session: Session) -> dict[str, tuple[str, str, float, str | None]]:
    """number -> (item, type, qty, firmed_as) of the current plan."""
    with session.begin():
        rows = session.execute(
            select(PlannedOrder.number, Item.code, PlannedOrder.type)
            .add_columns(PlannedOrder.qty, PlannedOrder.firmed_as)
            .join(Item, Item.id == PlannedOrder.item_id)
        ).all()
    return {n: (code, t.value, qty, firmed) for n, code, t, qty, firmed in rows}


def lines(session: Session, number: str) -> list[tuple[Any, ...]]:
    """(line, item, qty, received, status, sales order, due) of a purchase order."""
    with session.begin():
        view = purchasing.purchase_view(session, number)
    return [
        (v.line, v.item, v.qty, v.received_qty, v.status, v.sales_order, v.due_date)
        for v in view.lines
    ]


def po_status(session: Session, number: str) -> str:
    with session.begin():
        return purchasing.purchase_view(session, number).status


def buckets(session: Session) -> dict[tuple[str, str, str], float]:
    """(item, location, sales order or "") -> qty, from the balances; checks the ledger."""
    with session.begin():
        assert stock.check_ledger(session) == []
        rows = session.execute(
            select(Item.code, StockBalance.location, SalesOrder.number, StockBalance.qty)
            .join(Item, Item.id == StockBalance.item_id)
            .outerjoin(SalesOrder, SalesOrder.id == StockBalance.sales_order_id)
            .where(StockBalance.qty > 0)
        ).all()
    return {(code, loc, so or ""): qty for code, loc, so, qty in rows}


def state(session: Session) -> dict[str, Any]:
    """Everything a receipt may write: moves, balances, lines, orders, audit."""
    with session.begin():
        return {
            "moves": session.scalar(select(func.count()).select_from(StockMove)),
            "balances": sorted(
                session.execute(
                    select(StockBalance.item_id, StockBalance.location, StockBalance.qty)
                ).all()
            ),
            "lines": sorted(
                session.execute(
                    select(
                        PurchaseOrderLine.id,
                        PurchaseOrderLine.received_qty,
                        PurchaseOrderLine.status,
                    )
                ).all()
            ),
            "orders": sorted(session.execute(select(PurchaseOrder.number, PurchaseOrder.status))),
            "audit": session.scalar(select(func.count()).select_from(AuditEntry)),
        }


def new_po(session: Session, *items: tuple[str, float], confirm: bool = True, **kw: Any) -> str:
    number = purchasing.create_purchase(
        session,
        supplier="Acme",
        lines=[NewLine(code, qty, NEEDED, **kw) for code, qty in items],
        author=BUYER,
    )
    if confirm:
        purchasing.confirm_purchase(session, number, author=BUYER)
    return number


def pegs(session: Session, item_code: str) -> list[tuple[str, str, float, str]]:
    """The current plan's pegging of an item: (supply type, supply, qty, demand)."""
    with session.begin():
        rows = session.execute(
            select(Pegging.supply_type, Pegging.supply_ref, Pegging.qty, Pegging.demand_ref)
            .join(Item, Item.id == Pegging.item_id)
            .where(Item.code == item_code)
            .order_by(Pegging.supply_type, Pegging.supply_ref)
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


# --------------------------------------------------------------------------- firming


def test_firming_makes_one_draft_order_per_supplier(planned: Session) -> None:
    assert planned_orders(planned) == {
        "PL-000001": ("FA", "make", 4.0, None),
        "PL-000002": ("C1", "buy", 7.0, None),  # 8 needed, 1 in stock
        "PL-000003": ("C2", "buy", 12.0, None),
        "PL-000004": ("C3", "buy", 4.0, None),  # bought for SO-A (made to order) ...
        "PL-000005": ("C3", "buy", 1.0, None),  # ... and for SO-B, separately
    }
    assert purchasing.firm_purchases(planned, author=BUYER) == ["PO-000001", "PO-000002"]

    with planned.begin():
        acme = purchasing.purchase_view(planned, "PO-000001")
        bolt = purchasing.purchase_view(planned, "PO-000002")
    assert (acme.supplier, acme.status, bolt.supplier, bolt.status) == (
        "Acme",
        "draft",
        "Bolt",
        "draft",
    )
    assert lines(planned, "PO-000001") == [
        (1, "C1", 7.0, 0.0, "open", "", NEEDED),
        (2, "C3", 4.0, 0.0, "open", "SO-A", NEEDED),
        (3, "C3", 1.0, 0.0, "open", "SO-B", DUE),
    ]
    assert lines(planned, "PO-000002") == [(1, "C2", 12.0, 0.0, "open", "", NEEDED)]
    assert [v.unit_price for v in acme.lines] == [1.5, 1.5, 1.5]
    with planned.begin():
        refs = planned.scalars(
            select(PurchaseOrderLine.planned_ref).order_by(PurchaseOrderLine.id)
        ).all()
    assert [str(r).split("/")[1] for r in refs] == [
        "PL-000002",
        "PL-000004",
        "PL-000005",
        "PL-000003",
    ]
    # each planned order knows what it became; the make order is left alone
    assert {n: p[3] for n, p in planned_orders(planned).items()} == {
        "PL-000001": None,
        "PL-000002": "PO-000001/1",
        "PL-000003": "PO-000002/1",
        "PL-000004": "PO-000001/2",
        "PL-000005": "PO-000001/3",
    }

    # the next plan buys nothing more: the drafts are supply already
    run_plan(planned, author="planner")
    assert [p[:3] for p in planned_orders(planned).values()] == [("FA", "make", 4.0)]
    assert pegs(planned, "C2") == [("purchase_order", "PO-000002/1", 12.0, "PL-000001")]


def test_firming_twice_or_the_wrong_order_is_refused(planned: Session) -> None:
    assert purchasing.firm_purchases(planned, planned=["PL-000002"], author=BUYER) == ["PO-000001"]
    before = state(planned)
    with pytest.raises(ConflictError, match="PL-000002 was firmed already as PO-000001/1"):
        purchasing.firm_purchases(planned, planned=["PL-000003", "PL-000002"], author=BUYER)
    with pytest.raises(NotFoundError, match="no planned order 'PL-999999' in the current plan"):
        purchasing.firm_purchases(planned, planned=["PL-999999"], author=BUYER)
    with pytest.raises(ValidationError, match="PL-000001 is a planned make order, not buy"):
        purchasing.firm_purchases(planned, planned=["PL-000001"], author=BUYER)
    with pytest.raises(ValidationError, match="name at least one planned order"):
        purchasing.firm_purchases(planned, planned=[], author=BUYER)
    assert state(planned) == before
    assert planned_orders(planned)["PL-000003"][3] is None

    # the rest, then nothing is left to firm
    assert purchasing.firm_purchases(planned, author=BUYER) == ["PO-000002", "PO-000003"]
    with pytest.raises(ConflictError, match="no planned buy orders to firm"):
        purchasing.firm_purchases(planned, author=BUYER)
    with planned.begin():
        count = planned.scalar(select(func.count()).select_from(PurchaseOrderLine))
    assert count == 4


def test_firming_until_a_release_date_and_without_a_plan(shop: Session) -> None:
    with pytest.raises(ConflictError, match="there is no plan yet"):
        purchasing.firm_purchases(shop, author=BUYER)
    run_plan(shop, author="planner")
    # C3 takes 14 days: it must be ordered on 2026-12-14, C1 on 12-18, C2 on 12-21
    assert purchasing.firm_purchases(shop, until=date(2026, 12, 14), author=BUYER) == ["PO-000001"]
    assert lines(shop, "PO-000001") == [(1, "C3", 4.0, 0.0, "open", "SO-A", NEEDED)]


# --------------------------------------------------------------------------- the life of an order


def test_create_confirm_ship_receive_partly_then_fully(shop: Session) -> None:
    locations.add_location(shop, "yard", author="admin")
    number = new_po(shop, ("C1", 10), ("C2", 5), confirm=False)
    assert (number, po_status(shop, number)) == ("PO-000001", "draft")

    with pytest.raises(ConflictError, match="PO-000001 is draft: cannot receive goods; confirm"):
        purchasing.receive_purchase(shop, number, author="stores")
    with pytest.raises(ConflictError, match="is draft: cannot mark it in transit"):
        purchasing.ship_purchase(shop, number, ship_date=PD, arrival=PD, author=BUYER)
    purchasing.confirm_purchase(shop, number, author=BUYER)
    with pytest.raises(ConflictError, match="is confirmed: cannot confirm it"):
        purchasing.confirm_purchase(shop, number, author=BUYER)

    # the supplier ships line 1: in transit, due on arrival
    arrival = PD + timedelta(days=6)
    with pytest.raises(ValidationError, match="before the ship date"):
        purchasing.ship_purchase(shop, number, ship_date=PD, arrival=PD - timedelta(1), author="b")
    with pytest.raises(NotFoundError, match="PO-000001 has no line 3"):
        purchasing.ship_purchase(shop, number, ship_date=PD, arrival=arrival, lines=[3], author="b")
    assert purchasing.ship_purchase(
        shop, number, ship_date=PD, arrival=arrival, lines=[1], author=BUYER
    ) == [1]
    with shop.begin():
        view = purchasing.purchase_view(shop, number)
    assert [(v.status, v.due_date, v.ship_date) for v in view.lines] == [
        ("in_transit", arrival, PD),
        ("open", NEEDED, None),
    ]
    with shop.begin():
        pos = stock.position(shop, "C1")
    assert (pos.on_hand, pos.on_order, pos.in_transit) == (1.0, 0.0, 10.0)

    # part of line 1 arrives
    assert purchasing.receive_purchase(shop, number, quantities={1: 4}, author="stores") == {1: 4}
    assert lines(shop, number)[0][:5] == (1, "C1", 10.0, 4.0, "in_transit")
    assert buckets(shop) == {("C1", "main", ""): 5.0}
    assert po_status(shop, number) == "confirmed"
    with shop.begin():
        (move,) = stock.moves(shop, "C1", limit=1)
    assert (move.kind, move.qty, move.reference, move.author) == (
        "receipt",
        4.0,
        "PO-000001/1",
        "stores",
    )

    # everything still open, at another location: the PO closes
    assert purchasing.receive_purchase(shop, number, location="yard", author="stores") == {
        1: 6.0,
        2: 5.0,
    }
    assert [r[3:5] for r in lines(shop, number)] == [(10.0, "received"), (5.0, "received")]
    assert po_status(shop, number) == "closed"
    assert buckets(shop) == {
        ("C1", "main", ""): 5.0,
        ("C1", "yard", ""): 6.0,
        ("C2", "yard", ""): 5.0,
    }
    with shop.begin():
        (row,) = purchasing.list_purchases(shop, status="closed")
    assert (row.number, row.lines, row.open_lines, row.next_due) == (number, 2, 0, None)
    with pytest.raises(ConflictError, match="PO-000001 is closed: cannot receive goods"):
        purchasing.receive_purchase(shop, number, quantities={1: 1}, author="stores")


def test_receiving_beyond_the_tolerance_is_refused(shop: Session) -> None:
    number = new_po(shop, ("C1", 100), ("C2", 100), ("C2", 100))
    before = state(shop)
    with pytest.raises(ValidationError) as refused:
        purchasing.receive_purchase(shop, number, quantities={2: 105.5}, author="stores")
    assert str(refused.value) == (
        "PO-000001/2: receiving 105.5 makes 105.5 of 100 ordered, over the 5% tolerance "
        "(at most 105 more)"
    )
    assert refused.value.params["rule"] == "over_receipt"
    assert state(shop) == before

    # up to 5 % over is accepted, and closes the line
    purchasing.receive_purchase(shop, number, quantities={1: 105}, author="stores")
    assert lines(shop, number)[0][3:5] == (105.0, "received")
    # over in two steps
    purchasing.receive_purchase(shop, number, quantities={3: 60}, author="stores")
    with pytest.raises(ValidationError, match="over the 5% tolerance \\(at most 45 more\\)"):
        purchasing.receive_purchase(shop, number, quantities={3: 46}, author="stores")
    # the company may allow none at all
    with shop.begin():
        shop.add(CompanySetting(key="receipt_tolerance_pct", value="0"))
    with pytest.raises(ValidationError, match="over the 0% tolerance \\(at most 100 more\\)"):
        purchasing.receive_purchase(shop, number, quantities={2: 100.5}, author="stores")
    purchasing.receive_purchase(shop, number, quantities={2: 100}, author="stores")
    assert buckets(shop) == {("C1", "main", ""): 106.0, ("C2", "main", ""): 160.0}


def test_bad_receipts_are_refused_with_the_rule(shop: Session) -> None:
    number = new_po(shop, ("C1", 10), ("C2", 10))
    before = state(shop)
    for qty in (0, -1, float("nan"), float("inf"), 1e12, "3"):
        with pytest.raises(ValidationError) as refused:
            quantities: dict[int, Any] = {1: qty}
            purchasing.receive_purchase(shop, number, quantities=quantities, author="stores")
        assert refused.value.params["field"] == "PO-000001/1 qty", qty
    with pytest.raises(ValidationError, match="give at least one line"):
        purchasing.receive_purchase(shop, number, quantities={}, author="stores")
    with pytest.raises(NotFoundError, match="PO-000001 has no line 7"):
        purchasing.receive_purchase(shop, number, quantities={1: 1, 7: 1}, author="stores")
    with pytest.raises(NotFoundError, match="no purchase order 'PO-404'"):
        purchasing.receive_purchase(shop, "PO-404", author="stores")
    with pytest.raises(ValidationError, match="location must not be blank"):
        purchasing.receive_purchase(shop, number, location=" ", author="stores")
    assert state(shop) == before

    # a cancelled order takes no goods
    purchasing.cancel_purchase(shop, number, author=BUYER)
    assert po_status(shop, number) == "cancelled"
    with pytest.raises(ConflictError, match="PO-000001 is cancelled: cannot receive goods"):
        purchasing.receive_purchase(shop, number, author="stores")
    with pytest.raises(ConflictError, match="is cancelled: cannot cancel lines"):
        purchasing.cancel_purchase(shop, number, author=BUYER)


def test_create_purchase_refusals(shop: Session) -> None:
    with pytest.raises(ValidationError, match="FA is a make item"):
        new_po(shop, ("C1", 1), ("FA", 1))
    with pytest.raises(ValidationError, match="line 2 qty must be greater than 0"):
        new_po(shop, ("C1", 1), ("C2", 0))
    with pytest.raises(NotFoundError, match="no item 'NOPE'"):
        new_po(shop, ("NOPE", 1))
    with pytest.raises(ValidationError, match="at least one line"):
        purchasing.create_purchase(shop, supplier="Acme", lines=[], author=BUYER)
    refusals = {
        -1.0: "must not be negative",
        float("nan"): "is not a unit cost",
        float("inf"): "is not a unit cost",
        "3.1234567891": "at most 4 decimals",
        "three": "is not a unit cost",
    }
    for price, why in refusals.items():
        with pytest.raises(ValidationError, match=f"line 1 unit_price .*{why}"):
            new_po(shop, ("C1", 1), unit_price=price)
    with shop.begin():
        assert shop.scalar(select(func.count()).select_from(PurchaseOrder)) == 0
    # the refused attempts used no number; the price is the item's cost unless given
    assert new_po(shop, ("C1", 1)) == "PO-000001"
    assert new_po(shop, ("C1", 1), unit_price=0) == "PO-000002"
    with shop.begin():
        prices = shop.scalars(select(PurchaseOrderLine.unit_price).order_by(PurchaseOrderLine.id))
        assert list(prices) == [1.5, 0.0]


# --------------------------------------------------------------------------- all or nothing


@pytest.fixture
def twenty(shop: Session) -> Iterator[tuple[Session, str]]:
    """A confirmed 20-line order: 10 of C1 on odd lines, 10 of C2 on even lines."""
    number = new_po(shop, *[("C1" if n % 2 else "C2", 10.0) for n in range(1, 21)])
    yield shop, number


ALL_TWENTY = dict.fromkeys(range(1, 21), 10.0)


def test_a_twenty_line_receipt_with_an_over_receipt_on_line_13_writes_nothing(
    twenty: tuple[Session, str],
) -> None:
    shop, number = twenty
    before = state(shop)
    with pytest.raises(ValidationError, match="PO-000001/13: receiving 11 makes 11 of 10"):
        purchasing.receive_purchase(
            shop, number, quantities={**ALL_TWENTY, 13: 11.0}, author="stores"
        )
    assert state(shop) == before
    assert buckets(shop) == {("C1", "main", ""): 1.0}


def test_a_twenty_line_receipt_with_a_cancelled_line_13_writes_nothing(
    twenty: tuple[Session, str],
) -> None:
    shop, number = twenty
    purchasing.cancel_purchase(shop, number, lines=[13], author=BUYER)
    before = state(shop)
    with pytest.raises(ConflictError, match="PO-000001/13 is cancelled: cannot receive goods"):
        purchasing.receive_purchase(shop, number, quantities=ALL_TWENTY, author="stores")
    assert state(shop) == before
    # without line 13 it goes through, and the order closes
    received = purchasing.receive_purchase(shop, number, author="stores")
    assert sorted(received) == [n for n in range(1, 21) if n != 13]
    assert po_status(shop, number) == "closed"
    assert buckets(shop) == {("C1", "main", ""): 91.0, ("C2", "main", ""): 100.0}


def test_a_database_failure_on_line_13_of_a_receipt_writes_nothing(
    twenty: tuple[Session, str], engine: Engine
) -> None:
    """Lines before 13 are already posted when the database refuses line 13's move: the
    whole receipt is rolled back, not lines 1-12."""
    shop, number = twenty
    with shop.begin():
        line_id = shop.scalar(select(PurchaseOrderLine.id).where(PurchaseOrderLine.line == 13))
    before = state(shop)
    with refuse_moves_of_line(engine, line_id):
        with pytest.raises(DBAPIError, match="refused by the test"):
            purchasing.receive_purchase(shop, number, author="stores")
        shop.rollback()
        assert state(shop) == before
    # once the database takes it again, the same receipt goes through whole
    assert purchasing.receive_purchase(shop, number, author="stores") == ALL_TWENTY
    assert buckets(shop) == {("C1", "main", ""): 101.0, ("C2", "main", ""): 100.0}


@contextmanager
def refuse_moves_of_line(engine: Engine, line_id: int | None) -> Iterator[None]:
    """A real trigger that makes the database refuse stock moves of one purchase line."""
    pg = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        if pg:
            conn.execute(
                text(
                    "CREATE FUNCTION test_refuse_move() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$"
                )
            )
            conn.execute(
                text(
                    "CREATE TRIGGER test_refuse_move BEFORE INSERT ON stock_move FOR EACH ROW "
                    f"WHEN (NEW.purchase_order_line_id = {int(line_id or 0)}) "
                    "EXECUTE FUNCTION test_refuse_move()"
                )
            )
        else:
            conn.execute(
                text(
                    "CREATE TRIGGER test_refuse_move BEFORE INSERT ON stock_move "
                    f"WHEN NEW.purchase_order_line_id = {int(line_id or 0)} "
                    "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
                )
            )
    try:
        yield
    finally:
        with engine.begin() as conn:
            if pg:
                conn.execute(text("DROP TRIGGER IF EXISTS test_refuse_move ON stock_move"))
                conn.execute(text("DROP FUNCTION IF EXISTS test_refuse_move()"))
            else:
                conn.execute(text("DROP TRIGGER IF EXISTS test_refuse_move"))


# --------------------------------------------------------------------------- orders and plans


def test_a_line_bought_for_a_sales_order_is_received_into_its_reservation(
    shop: Session,
) -> None:
    number = new_po(shop, ("C3", 4), sales_order="SO-A")
    other = new_po(shop, ("C3", 1), sales_order="SO-B")
    purchasing.receive_purchase(shop, number, author="stores")
    assert buckets(shop) == {("C1", "main", ""): 1.0, ("C3", "main", "SO-A"): 4.0}
    with shop.begin():
        pos = stock.position(shop, "C3")
    assert (pos.on_hand, pos.reserved, pos.free) == (4.0, 4.0, 0.0)
    # an order that is no longer open gets nothing reserved: the goods are free stock
    sales.set_status(shop, "SO-B", SalesOrderStatus.CANCELLED, author="sales")
    purchasing.receive_purchase(shop, other, author="stores")
    assert buckets(shop) == {
        ("C1", "main", ""): 1.0,
        ("C3", "main", "SO-A"): 4.0,
        ("C3", "main", ""): 1.0,
    }


def test_cancelling_the_rest_closes_the_order(shop: Session) -> None:
    number = new_po(shop, ("C1", 10), ("C2", 5))
    purchasing.receive_purchase(shop, number, quantities={1: 4}, author="stores")
    assert purchasing.cancel_purchase(shop, number, lines=[1], author=BUYER) == [1]
    assert po_status(shop, number) == "confirmed"  # line 2 is still open
    with pytest.raises(ConflictError, match="PO-000001/1 is cancelled: cannot cancel it"):
        purchasing.cancel_purchase(shop, number, lines=[1], author=BUYER)
    with shop.begin():
        view = purchasing.purchase_view(shop, number)
    assert [(v.received_qty, v.status, v.open_qty) for v in view.lines] == [
        (4.0, "cancelled", 0.0),
        (0.0, "open", 5.0),
    ]
    purchasing.receive_purchase(shop, number, author="stores")  # all that is still open: line 2
    assert [r[3:5] for r in lines(shop, number)] == [(4.0, "cancelled"), (5.0, "received")]
    assert po_status(shop, number) == "closed"
    # a draft with nothing received is cancelled as a whole
    draft = new_po(shop, ("C1", 3), ("C2", 3), confirm=False)
    assert purchasing.cancel_purchase(shop, draft, author=BUYER) == [1, 2]
    assert po_status(shop, draft) == "cancelled"
    assert buckets(shop) == {("C1", "main", ""): 5.0, ("C2", "main", ""): 5.0}


def test_the_next_plan_sees_received_stock_and_only_what_is_still_coming(
    planned: Session,
) -> None:
    """SO-A needs 8 C1 on 2026-12-28; 1 is in stock and PO-000001/1 brings the other 7."""
    purchasing.firm_purchases(planned, planned=["PL-000002"], author=BUYER)
    purchasing.confirm_purchase(planned, "PO-000001", author=BUYER)
    run_plan(planned, author="planner")
    assert pegs(planned, "C1") == [
        ("purchase_order", "PO-000001/1", 7.0, "PL-000001"),
        ("stock", "main", 1.0, "PL-000001"),
    ]

    purchasing.receive_purchase(planned, "PO-000001", quantities={1: 3}, author="stores")
    run_plan(planned, author="planner")
    assert pegs(planned, "C1") == [
        ("purchase_order", "PO-000001/1", 4.0, "PL-000001"),
        ("stock", "main", 4.0, "PL-000001"),
    ]
    assert "C1" not in {p[0] for p in planned_orders(planned).values()}

    purchasing.receive_purchase(planned, "PO-000001", author="stores")
    run_plan(planned, author="planner")
    assert pegs(planned, "C1") == [("stock", "main", 8.0, "PL-000001")]
    assert "C1" not in {p[0] for p in planned_orders(planned).values()}
    with planned.begin():
        pos = stock.position(planned, "C1")
        kinds = planned.scalars(select(StockMove.kind).order_by(StockMove.id)).all()
    assert (pos.on_hand, pos.on_order, pos.in_transit) == (8.0, 0.0, 0.0)
    assert kinds == [StockMoveKind.OPENING, StockMoveKind.RECEIPT, StockMoveKind.RECEIPT]


def test_a_cancelled_line_is_no_longer_supply(planned: Session) -> None:
    purchasing.firm_purchases(planned, planned=["PL-000002"], author=BUYER)
    purchasing.cancel_purchase(planned, "PO-000001", author=BUYER)
    run_plan(planned, author="planner")
    assert [p[:3] for p in planned_orders(planned).values() if p[0] == "C1"] == [("C1", "buy", 7.0)]

"""Order promising on a real database: hand-computed promise dates.

The company (planning date pd = 2026-11-23):

* S  buy, lead 10, 5 in stock                          -> stock-only and lead-time-bound
* T  buy, lead 20, PO-1/1: 6 in transit due pd+4;      -> in-transit-only
      PO-2/1: 10 due pd+1 but for SO-1 (not ATP)
* P  buy, lead 15, 10 in stock; SO-1 (priority 1) wants 7 on pd+5, so the plan pegs 7 of
      the stock to SO-1/1 first and 3 are left to promise
* A  make, lead 2 <- B make, lead 3 <- C buy, lead 5   -> multi-level make: pd+10
* M  make, lead 9 <- C; MO-1: 2 M due pd+3 (no sales order)
* R  buy, lead 10: 4 in stock reserved for SO-1 (which wants 4) and 3 free, same location
* LAMP configurable (make, mto, lead 2): ceil(length_m / 2) LED (buy, lead 5, 3 in stock)
      and 2 CAP (buy, lead 1, 100 in stock)
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.errors import NotFoundError, ValidationError
from pegboard.model import (
    AuditEntry,
    Item,
    Pegging,
    PlannedOrder,
    SalesOrder,
    SalesOrderLine,
    SalesOrderStatus,
)
from pegboard.services import promise as sp
from pegboard.services import sales
from pegboard.services.company_data import replace_company
from pegboard.services.dataset import (
    BomRow,
    Dataset,
    ItemRow,
    ProductionRow,
    PurchaseRow,
    SalesRow,
    StockRow,
)
from pegboard.services.planning import run_plan

PD = date(2026, 11, 23)


def day(n: int) -> date:
    return PD + timedelta(days=n)


def item(code: str, type_: str, strategy: str, lead: int) -> ItemRow:
    return ItemRow(
        code, code.lower(), type_, strategy, "ea", lead, "lfl", None, None, 0, 0, 0, 1, ""
    )


LAMP = {
    "item": "LAMP",
    "parameters": [
        {"name": "length_m", "kind": "number", "unit": "m", "min": 0.5, "max": 10, "default": "2"}
    ],
    "lines": [
        {"component": "LED", "qty": "ceil(length_m / 2)"},
        {"component": "CAP", "qty": 2},
    ],
}


def company() -> Dataset:
    return Dataset(
        settings={"planning_date": PD.isoformat()},
        items=[
            item("S", "buy", "mts", 10),
            item("R", "buy", "mts", 10),
            item("T", "buy", "mts", 20),
            item("P", "buy", "mts", 15),
            item("A", "make", "mts", 2),
            item("B", "make", "mts", 3),
            item("C", "buy", "mts", 5),
            item("M", "make", "mts", 9),
            item("LAMP", "make", "mto", 2),
            item("LED", "buy", "mts", 5),
            item("CAP", "buy", "mts", 1),
        ],
        bom=[
            BomRow("A", "B", 1.0, 0.0, ""),
            BomRow("B", "C", 1.0, 0.0, ""),
            BomRow("M", "C", 1.0, 0.0, ""),
        ],
        stock=[
            StockRow("S", 5.0, "main", ""),
            StockRow("R", 4.0, "main", "SO-1"),
            StockRow("R", 3.0, "main", ""),
            StockRow("P", 10.0, "main", ""),
            StockRow("LED", 3.0, "main", ""),
            StockRow("CAP", 100.0, "main", ""),
        ],
        purchases=[
            PurchaseRow("PO-1", 1, "T", 6.0, day(4), "in_transit", "", "Acme"),
            PurchaseRow("PO-2", 1, "T", 10.0, day(1), "open", "SO-1", "Acme"),
        ],
        productions=[ProductionRow("MO-1", "M", 2.0, day(3), None, "released", False, "")],
        sales=[
            SalesRow("SO-1", 1, "ACME", "", "P", 7, 0, day(5), 1),
            SalesRow("SO-1", 2, "ACME", "", "T", 10, 0, day(30), 1),
            SalesRow("SO-1", 3, "ACME", "", "R", 4, 0, day(2), 100),
        ],
        templates=[LAMP],
    )


@pytest.fixture
def shop(session: Session) -> Session:
    replace_company(session, company(), author="import")
    run_plan(session, author="planner", today=PD)
    return session


def test_stock_only(shop: Session) -> None:
    # 5 S in stock, nothing pegged: 3 come from stock today
    p = sp.promise(shop, "S", 3)
    assert p.promised == PD
    assert p.orders == ()
    assert [(u.item, u.source, u.date, u.qty) for u in p.atp] == [("S", "stock", PD, 3.0)]
    assert [s.reason for s in p.critical_path] == ["stock"]
    assert p.planning_date == PD and p.plan_as_of is not None


def test_buy_lead_time_bound(shop: Session) -> None:
    # 8 S: 5 from stock, 3 bought today, lead 10 -> pd+10 = 2026-12-03
    p = sp.promise(shop, "S", 8)
    assert p.promised == day(10) == date(2026, 12, 3)
    (order,) = p.orders
    assert (order.item, order.kind, order.qty, order.order_by, order.today) == (
        "S",
        "buy",
        3.0,
        PD,
        True,
    )
    assert [s.reason for s in p.critical_path] == ["buy: lead time 10 d"]


def test_in_transit_only(shop: Session) -> None:
    # no T in stock; PO-1/1 brings 6 on pd+4 (buying takes 20 days); PO-2/1 is SO-1's
    p = sp.promise(shop, "T", 5)
    assert p.promised == day(4)
    assert p.orders == ()
    assert [(u.source, u.date, u.qty) for u in p.atp] == [("PO-1/1", day(4), 5.0)]
    assert p.critical_path[0].reason == f"PO-1/1 due {day(4).isoformat()}"


def test_multi_level_make(shop: Session) -> None:
    # C bought today: pd+5; B made in 3: pd+8; A made in 2: pd+10
    p = sp.promise(shop, "A", 4)
    assert p.promised == day(10)
    assert [(s.item, s.date) for s in p.critical_path] == [
        ("A", day(10)),
        ("B", day(8)),
        ("C", day(5)),
    ]
    assert {o.item: (o.kind, o.qty, o.order_by, o.due) for o in p.orders} == {
        "C": ("buy", 4.0, PD, day(5)),
        "B": ("make", 4.0, day(5), day(8)),
        "A": ("make", 4.0, day(8), day(10)),
    }
    assert [(ln.position, ln.item, ln.depth) for ln in p.lines] == [
        ("1", "A", 0),
        ("1.1", "B", 1),
        ("1.1.1", "C", 2),
    ]


def test_open_production_order_is_atp(shop: Session) -> None:
    # MO-1 completes 2 M on pd+3; a third M takes C (pd+5) + 9 = pd+14
    assert sp.promise(shop, "M", 2).promised == day(3)
    assert sp.promise(shop, "M", 3).promised == day(14)


def test_higher_priority_order_takes_the_stock_first(shop: Session) -> None:
    # 10 P in stock; the plan pegs 7 to SO-1/1 (due pd+5, priority 1): 3 are left
    with shop.begin():
        pegged = shop.scalar(
            select(Pegging.qty)
            .join(Item, Item.id == Pegging.item_id)
            .where(Item.code == "P", Pegging.demand_ref == "SO-1/1")
        )
    assert pegged == 7.0
    assert sp.promise(shop, "P", 3).promised == PD
    p = sp.promise(shop, "P", 5)  # 3 from stock, 2 bought: lead 15
    assert p.promised == day(15)
    assert [(u.source, u.qty) for u in p.atp] == [("stock", 3.0)]
    assert [(o.item, o.qty) for o in p.orders] == [("P", 2.0)]


def test_stock_reserved_for_an_order_at_the_same_location_is_not_promised(shop: Session) -> None:
    # "main" holds 4 R for SO-1 and 3 free; the plan pegs SO-1's own 4 to SO-1/3, so the
    # pegging of location "main" (4) is taken from the reserved stock: 3 free are left
    assert sp.promise(shop, "R", 3).promised == PD
    p = sp.promise(shop, "R", 4)  # 3 from stock, 1 bought: lead 10
    assert p.promised == day(10)
    assert [(u.source, u.qty) for u in p.atp] == [("stock", 3.0)]


def test_configured_item_follows_its_parameters(shop: Session) -> None:
    # length 1 m: ceil(1/2) = 1 LED per lamp, 2 lamps need 2 LED (3 in stock), 4 CAP: pd+2
    short = sp.promise(shop, "LAMP", 2, params={"length_m": "1"})
    assert short.promised == day(2) and short.configured
    # length 3 m: ceil(3/2) = 2 LED per lamp, 4 needed: 3 from stock, 1 bought (pd+5); +2
    long = sp.promise(shop, "LAMP", 2, params={"length_m": "3"})
    assert long.promised == day(7)
    assert [(o.item, o.qty, o.order_by) for o in long.orders] == [
        ("LED", 1.0, PD),
        ("LAMP", 2.0, day(5)),
    ]
    assert [s.item for s in long.critical_path] == ["LAMP", "LED"]
    assert long.params == (("length_m", "3"),)


def test_lighting_demo_template(session: Session) -> None:
    from pegboard.bundle.importer import read_bundle
    from pegboard.demo import demo_path

    replace_company(session, read_bundle(demo_path("lighting")), author="import")
    run_plan(session, author="planner")
    run = {"length_m": "14.56", "finish": "black", "control": "dali", "emergency": "yes"}
    p = sp.promise(session, "LR-7040", 4, params=run)
    assert p.configured and p.promised >= p.planning_date
    assert p.critical_path and p.critical_path[0].item == "LR-7040"
    items = {ln.item for ln in p.lines}
    assert {"LR-7040", "BODY-7040"} <= items  # configured nodes appear as their template item


def test_wanted_date_met(shop: Session) -> None:
    # A by pd+12: met; backward from pd+12, C must be ordered by pd+2
    p = sp.promise(shop, "A", 4, wanted=day(12))
    assert (p.promised, p.met, p.late_days, p.due) == (day(10), True, 0, day(12))
    by_item = {o.item: o for o in p.orders}
    assert by_item["C"].order_by_wanted == day(2)
    assert by_item["A"].order_by_wanted == day(10)
    assert "met" in p.summary


def test_wanted_date_not_met(shop: Session) -> None:
    p = sp.promise(shop, "A", 4, wanted=day(8))
    assert (p.promised, p.met, p.late_days, p.due) == (day(10), False, 2, day(10))
    assert all(o.order_by_wanted is None for o in p.orders)
    assert p.summary.endswith("(wanted 2026-12-01: 2 days late)")


def test_reserve_creates_a_confirmed_order_the_next_plan_sees(shop: Session) -> None:
    p, number = sp.reserve(shop, "S", 8, customer="ACME", author="sales")
    assert p.promised == day(10)
    with shop.begin():
        order = shop.scalars(select(SalesOrder).where(SalesOrder.number == number)).one()
        line = shop.scalars(
            select(SalesOrderLine).where(SalesOrderLine.sales_order_id == order.id)
        ).one()
        assert order.status is SalesOrderStatus.CONFIRMED
        assert (line.qty, line.due_date, line.status) == (8.0, day(10), SalesOrderStatus.CONFIRMED)
        actions = shop.scalars(
            select(AuditEntry.action).where(AuditEntry.entity_ref.like(f"{number}%"))
        ).all()
    assert {"create", "status", "promise"} <= set(actions)
    run_plan(shop, author="planner", today=PD)
    with shop.begin():
        demands = set(shop.scalars(select(Pegging.demand_ref)).all())
    assert f"{number}/1" in demands
    # the stock is now pegged to the new order: another 3 S must be bought
    assert sp.promise(shop, "S", 3).promised == day(10)


def test_reserve_uses_the_wanted_date_when_met(shop: Session) -> None:
    _p, number = sp.reserve(shop, "A", 4, customer="ACME", wanted=day(12), author="sales")
    with shop.begin():
        due = shop.scalar(
            select(SalesOrderLine.due_date).join(SalesOrder).where(SalesOrder.number == number)
        )
    assert due == day(12)


def test_reserve_configures_the_line(shop: Session) -> None:
    p, number = sp.reserve(
        shop, "LAMP", 2, params={"length_m": "3"}, customer="ACME", author="sales"
    )
    assert p.promised == day(7)
    with shop.begin():
        code = shop.scalar(
            select(Item.code)
            .join(SalesOrderLine, SalesOrderLine.item_id == Item.id)
            .join(SalesOrder)
            .where(SalesOrder.number == number)
        )
    assert code == f"LAMP-{number}-1"


def test_reserve_writes_nothing_when_a_step_fails(shop: Session) -> None:
    with shop.begin():
        before = len(shop.scalars(select(SalesOrder.id)).all())
    with pytest.raises(NotFoundError):
        sp.reserve(shop, "S", 1, customer="NOBODY", author="sales")
    with pytest.raises(ValidationError):  # a bad configuration: refused before anything is written
        sp.reserve(shop, "LAMP", 1, params={"length_m": "99"}, customer="ACME", author="sales")
    with shop.begin():
        assert len(shop.scalars(select(SalesOrder.id)).all()) == before


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"item": "S", "qty": 0}, "qty"),
        ({"item": "S", "qty": -2}, "qty"),
        ({"item": "S", "qty": math.nan}, "qty"),
        ({"item": " ", "qty": 1}, "item"),
        ({"item": "S", "qty": 1, "wanted": PD - timedelta(days=1)}, "wanted"),
        ({"item": "S", "qty": 1, "params": {"length_m": "2"}}, "params"),
    ],
)
def test_bad_input_names_the_field(shop: Session, kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        sp.promise(shop, **kwargs)  # type: ignore[arg-type]
    assert caught.value.params.get("field") == field


def test_unknown_item_and_bad_parameter(shop: Session) -> None:
    with pytest.raises(NotFoundError) as missing:
        sp.promise(shop, "NOPE", 1)
    assert missing.value.params["item"] == "NOPE"
    with pytest.raises(ValidationError) as bad:
        sp.promise(shop, "LAMP", 1, params={"length_m": "abc"})
    assert bad.value.params["parameter"] == "length_m"


def test_no_plan_yet(session: Session) -> None:
    replace_company(session, company(), author="import")
    with pytest.raises(NotFoundError, match="pegboard plan"):
        sp.promise(session, "S", 1)


def test_what_to_order_is_sized_as_the_plan_sizes_it(session: Session) -> None:
    """KIT (make, mto, lead 1) = 1.5 BOLT (pieces, min 50, multiple 25) + 0.35 m WIRE (3
    decimals); 3 KIT need 4.5 BOLT (told as 5), ordered as the plan orders them: 50; and
    1.05 m WIRE."""

    def row(code: str, type_: str, uom: str, lead: int, min_qty: float, multiple: float) -> ItemRow:
        strategy = "mto" if type_ == "make" else "mts"
        return ItemRow(
            code, code.lower(), type_, strategy, uom, lead, "lfl", None, None, min_qty, multiple,
            0, 1, "",
        )  # fmt: skip

    data = Dataset(
        settings={"planning_date": PD.isoformat()},
        items=[
            row("KIT", "make", "ea", 1, 0, 0),
            row("BOLT", "buy", "ea", 4, 50, 25),
            row("WIRE", "buy", "m", 2, 0, 0),
        ],
        bom=[BomRow("KIT", "BOLT", 1.5, 0.0, ""), BomRow("KIT", "WIRE", 0.35, 0.0, "")],
    )
    replace_company(session, data, author="import")
    run_plan(session, author="planner", today=PD)
    p = sp.promise(session, "KIT", 3)
    orders = {o.item: (o.qty, o.requirement) for o in p.orders}
    assert orders["KIT"] == (3, 3)
    assert orders["BOLT"] == (50, 5)  # 4.5 needed: told in whole pieces
    assert orders["WIRE"] == (1.05, 1.05)
    assert p.promised == day(5)  # BOLT in 4 days, KIT 1 more
    sales.create_customer(session, code="ACME", author="sales")
    sp.reserve(session, "KIT", 3, customer="ACME", author="sales")
    run_plan(session, author="planner", today=PD)
    with session.begin():
        planned = dict(
            session.execute(
                select(Item.code, PlannedOrder.qty).join(Item, Item.id == PlannedOrder.item_id)
            ).all()
        )
    # the plan orders what the promise said: the same lot of BOLT, the same length of WIRE
    assert planned["BOLT"] == orders["BOLT"][0] and planned["WIRE"] == orders["WIRE"][0]
    assert "KIT" in planned and planned["KIT"] == 3

"""Actual cost and variance of a configured line, by hand, on both databases (#16 items
5-6), on the costing shop of tests/services/test_costing.py.

Stock before the order runs (each row valued as the ledger values it):

* counted in (adjustments, at the unit cost while there is none in stock): LED 10 ×
  1.50 = 15.00, PAINT-B 5 × 6.00 = 30.00, SENSOR 3 × 20.00 = 60.00, DRIVER 2 × 2.00 =
  4.00 (the driver is made to stock; its standard cost is 2.00);
* PROFILE received on PO-000001 (10 × 5.50) and PO-000002 (10 × 6.00): 20 m worth
  115.00, a moving average of 5.75 (its standard is 5.00);
* two sensors bought for SO-1 at 22.00 (PO-000004): 44.00, reserved for the order.

The estimate now prices the sensor at its latest purchase, 22.00: LAMP material 12.00 +
44.00 = 56.00, overhead 10.00 + 5.60 = 15.60; the line is 110.40 material + 71.00
labour + 30.04 overhead = 211.44 (207.04 + 4.40 for the dearer sensors).

Execution, by hand:

* body MO-1-1.1 (2 bodies): released (4.4 m of profile reserved at 5.75 = 25.30, 2 kg of
  black powder 12.00); 5 m of profile issued (0.6 m over: 3.45 more); one body scrapped
  (its 2.2 m and 1 kg backflushed); two completed (the rest backflushed). It used 6.6 m
  × 5.75 = 37.95 and 3 kg × 6.00 = 18.00: 55.95 material (scrap 12.65 + 6.00 = 18.65),
  no hours (the shop floor confirms none yet), overhead 10 % × 55.95 = 5.595; the two
  bodies go into stock at 61.545;
* lamp MO-1-1 (2 lamps): released; 10 LEDs issued (2 over: 8 reserved at 1.50 and 2 free
  at 1.50 = 15.00); completed, backflushing the 2 drivers (4.00), the 2 sensors bought
  for the order (at their purchase price 44.00, not the free sensors' 20.00) and the 2
  bodies (61.545). Own material 63.00, overhead 6.30; the lamps go into stock at 130.845
  and are shipped at that value.

Actual: material 55.95 + 63.00 = 118.95, labour 0, overhead 11.895: 130.845.
Variance (actual − estimated = −80.595), the driver taken from stock counted as a bought
part at its estimate (21.60: its 4.00 labour and 1.60 overhead leave those elements):

* price: profile 37.95 − 6.6 × 6.00 = −1.65; driver 4.00 − 2 × 10.80 = −17.60: −19.25
* scrap: profile (2.2 − 0.4) × 6.00 = 10.80; powder (1 − 0) × 6.00 = 6.00: 16.80
* usage: profile (4.4 − 4.0) × 6.00 = 2.40; LEDs 2 × 1.50 = 3.00: 5.40
* labour: 0 − (71.00 − 4.00) = −67.00
* overhead: 11.895 − (30.04 − 1.60) = −16.545

Margin at the quoted 450.00: 319.155 (319.16 in cents). A second order of the project,
SO-2, sells one PCB at 15.00 from stock counted in at 8.00: estimated 8.00 + 10 %
overhead = 8.80, actual the same (its shipment's value and the overhead on it), margin
6.20; the project: revenue 465.00, estimated 220.24, actual 139.645, margin 325.355.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from _costing import DUE, build_shop, execute
from pegboard.model import SalesOrderStatus
from pegboard.services import sales, shipping, stock, variance

D = Decimal


def count_in(session: Session, item: str, qty: float) -> None:
    stock.adjust_stock(session, item=item, qty=qty, reason="count", author="stores")


@pytest.fixture
def executed(session: Session) -> Session:
    return execute(build_shop(session))


def cents(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(D("0.001"))


def test_actual_cost_and_every_variance_component_by_hand(executed: Session) -> None:
    with executed.begin():
        found = variance.order_variance(executed, "SO-1")
    (line,) = found.lines
    e, a, v = line.estimated, line.actual, line.variance
    assert (e.material, e.labour, e.overhead, e.total) == (
        D("110.40"),
        D("71.00"),
        D("30.04"),
        D("211.44"),
    )
    assert a.orders == ("MO-1-1", "MO-1-1.1")
    assert (a.material, a.scrap, a.labour, a.overhead, a.total) == (
        D("118.95"),
        D("18.65"),
        D("0"),
        D("11.895"),
        D("130.845"),
    )
    uses = {u.item: (u.qty, u.value, u.scrap_qty) for u in a.uses}
    assert uses == {
        "DRIVER": (D("2"), D("4"), D("0")),
        "LED": (D("10"), D("15"), D("0")),
        "PAINT-B": (D("3"), D("18"), D("1")),
        "PROFILE": (D("6.6"), D("37.95"), D("2.2")),
        "SENSOR": (D("2"), D("44"), D("0")),
    }
    assert (v.price, v.scrap, v.usage, v.labour, v.overhead) == (
        D("-19.25"),
        D("16.80"),
        D("5.40"),
        D("-67.00"),
        D("-16.545"),
    )
    assert v.total == a.total - e.total == D("-80.595")
    assert line.revenue == D("450.00")
    assert line.margin == D("319.155")
    assert (found.actual.total, found.margin) == (D("130.845"), D("319.155"))


def test_the_ledger_carries_the_cost_through_and_reconciles(executed: Session) -> None:
    with executed.begin():
        check = stock.check_stock(executed)
        lamps = variance.item_cost(executed, "LAMP-SO-1-1")
        profile = variance.item_cost(executed, "PROFILE")
        sensor = variance.item_cost(executed, "SENSOR")
    assert check.ok, check
    (mo,) = lamps.productions
    assert (mo.number, mo.actual.total, mo.unit_cost) == ("MO-1-1", D("130.845"), D("65.4225"))
    assert (lamps.on_hand, lamps.value) == (0, D("0"))  # shipped at what it cost
    # 13.4 m of profile left at the moving average, the 3 free sensors at their count value
    assert (round(profile.on_hand, 6), profile.value) == (13.4, D("77.05"))
    assert profile.moving_average == D("5.75")
    assert (sensor.on_hand, sensor.value, sensor.last_purchase) == (3, D("60"), D("22"))


def test_a_project_rolls_up_two_orders(executed: Session) -> None:
    count_in(executed, "PCB", 1)
    sales.create_order(executed, customer="ACME", project="HQ", number="SO-2", author="sales")
    sales.add_line(executed, "SO-2", item="PCB", qty=1, due=DUE, unit_price="15", author="sales")
    sales.set_status(executed, "SO-2", SalesOrderStatus.CONFIRMED, author="sales")
    shipping.ship_line(executed, "SO-2", 1, 1, author="shipping")
    with executed.begin():
        second = variance.order_variance(executed, "SO-2")
        project = variance.project_variance(executed, "ACME", "HQ")
    (pcb,) = second.lines
    assert pcb.shipped_only
    assert (pcb.estimated.total, pcb.actual.total, pcb.margin) == (D("8.8"), D("8.8"), D("6.2"))
    assert pcb.variance.total == 0
    assert [o.number for o in project.orders] == ["SO-1", "SO-2"]
    assert (project.revenue, project.actual.total, project.margin) == (
        D("465.00"),
        D("139.645"),
        D("325.355"),
    )
    assert project.estimated.total == D("220.24")
    assert project.variance.total == project.actual.total - project.estimated.total


def test_no_margin_before_anything_is_made(session: Session) -> None:
    """Quoted but not started: no actual cost yet, so no margin (not the whole revenue)."""
    shop = build_shop(session)
    with shop.begin():
        found = variance.order_variance(shop, "SO-1")
    (line,) = found.lines
    assert (line.revenue, line.actual.total, line.started) == (D("450.00"), D("0"), False)
    assert line.margin is None and found.margin is None
    assert line.variance.total == -line.estimated.total

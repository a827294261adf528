"""Estimated cost of a configured line, by hand, on both databases (#16 items 2-4).

The shop: a lamp (template LAMP: length_m, finish, sensor) is a configured body
(template BODY: a profile with 10 % scrap, powder by finish) plus LEDs, a driver
made to stock (master BOM: a PCB; no routing, so its unit cost is its added cost)
and, as an option, a sensor. LAMP has a routing (ASM, 40.00 an hour), BODY one
(PAINT, 30.00 an hour) and the order's body an order routing of its own. Overhead:
10.00 per routing hour and 10 % of material. The profile was bought last at 6.00
(its unit cost is 5.00; an older purchase at 5.50, a later cancelled one at 99.00).

SO-1/1: two lamps, 2 m, black, with a sensor, quoted at 250.00 less 10 %.

By hand, per level (quantity 2):

==========================  ========  =======  ========  ======
level                       material   labour  overhead   total
==========================  ========  =======  ========  ======
LAMP  BOM-SO-1-1              52.00    40.00     15.20   107.20
BODY  BOM-SO-1-1.1            38.40    27.00     12.84    78.24
DRIVER (master BOM-DRIVER)    16.00     4.00      1.60    21.60
line                         106.40    71.00     29.64   207.04
==========================  ========  =======  ========  ======

* LAMP: LEDs 2 × 4 × 1.50 = 12.00, sensor 2 × 20.00 = 40.00; ASM 0.5 + 0.25 × 2 = 1 h
  × 40.00; overhead 10.00 × 1 + 10 % × 52.00 = 15.20.
* BODY: profile 2 × 2 m × 1.10 = 4.4 m × 6.00 = 26.40 (2.40 of it scrap), black powder
  2 × 1 kg × 6.00 = 12.00; order routing PAINT 0.5 + 0.2 × 2 = 0.9 h × 30.00 = 27.00;
  overhead 9.00 + 3.84 = 12.84.
* DRIVER: PCB 2 × 8.00 = 16.00; added cost 2 × 2.00 = 4.00; overhead 1.60.

Revenue 2 × 250.00 × 90 % = 450.00; margin 242.96 (53.99 %).

The default configuration at the same size (2 m, white, no sensor), through the
templates' routings: LAMP 12.00 + 40.00 + 11.20 = 63.20, BODY (white powder 8.00,
PAINT 0.25 + 0.1 × 2 = 0.45 h = 13.50, overhead 4.50 + 3.44) 55.84, DRIVER 21.60:
140.64. Premium 66.40: black 4.40 (powder 4.00 + 10 %), the sensor 44.00 (40.00 +
10 %), and 18.00 the order's own body routing (13.50 + 4.50 overhead).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from _costing import DUE, TODAY, VALUES, build_shop
from pegboard.errors import NotFoundError
from pegboard.services import costing, money, order_bom, order_changes, promise, sales
from pegboard.services.order_tree import BomView
from pegboard.services.planning import run_plan

D = Decimal


@pytest.fixture
def shop(session: Session) -> Session:
    return build_shop(session)


def estimate(session: Session, number: str = "SO-1", line: int = 1) -> costing.LineEstimate:
    with session.begin():
        return costing.line_cost(session, number, line)


def elements(node: costing.NodeCost, own: bool = False) -> tuple[Decimal, ...]:
    e = node.own if own else node.total
    return (e.material, e.labour, e.overhead, e.total)


def test_the_configured_line_by_hand(shop: Session) -> None:
    est = estimate(shop)
    top = est.tree
    levels = {n.item: n for n in est.levels}
    assert list(levels) == ["LAMP-SO-1-1", "BODY-SO-1-1.1", "DRIVER"]
    assert elements(top, own=True) == (D("52"), D("40"), D("15.2"), D("107.2"))
    body, driver = levels["BODY-SO-1-1.1"], levels["DRIVER"]
    assert (body.label, body.routing, body.level, body.qty) == (
        "BOM-SO-1-1.1",
        "RT-BOM-SO-1-1.1",
        1,
        D("2"),
    )
    assert elements(body) == (D("38.4"), D("27"), D("12.84"), D("78.24"))
    assert (driver.label, driver.routing) == ("BOM-DRIVER", None)
    assert elements(driver) == (D("16"), D("4"), D("1.6"), D("21.6"))
    assert top.routing == "RT-BOM-SO-1-1"  # configuring copied the product's (RT-LAMP)
    assert elements(top) == (D("106.4"), D("71"), D("29.64"), D("207.04"))
    assert top.scrap == D("2.4")
    assert top.total_hours == D("1.9")
    profile = next(x for x in body.lines if x.component == "PROFILE")
    assert (profile.qty, profile.unit_cost, profile.amount) == (D("4.4"), D("6"), D("26.4"))
    assert profile.source.startswith("last purchase PO-")
    led = next(x for x in top.lines if x.component == "LED")
    assert (led.qty, led.unit_cost, led.source) == (D("8"), D("1.5"), "unit cost")
    assert est.revenue == D("450")
    assert est.cost == D("207.04")
    assert est.margin == D("242.96")
    assert est.margin_pct is not None
    assert money.cents(est.margin_pct) == D("53.99")
    assert est.currency == "EUR"
    assert all(type(v) is Decimal for v in elements(top))


def test_the_premium_of_customization_by_hand(shop: Session) -> None:
    premium = estimate(shop).premium
    assert premium is not None
    assert premium.default_values == {"finish": "white", "sensor": "no", "length_m": "2.0"}
    assert premium.default.cost == D("140.64")
    assert elements(premium.default) == (D("62.4"), D("57.5"), D("20.74"), D("140.64"))
    assert premium.amount == D("66.40")
    options = {o.parameter: (o.value, o.default, o.premium) for o in premium.options}
    assert options == {
        "finish": ("black", "white", D("4.4")),
        "sensor": ("yes", "no", D("44")),
    }
    assert premium.rest == D("18")


def test_a_hand_edit_changes_the_estimate(shop: Session) -> None:
    """One more sensor by hand: 2 × 20.00 + 10 % on the line, and in the premium's rest."""
    sensor = next(
        line.position for line in order_bom_view(shop).lines if line.component == "SENSOR"
    )
    order_bom.edit_bom_line(shop, "BOM-SO-1-1", position=sensor, qty_per=2, author="planner")
    est = estimate(shop)
    assert est.cost == D("251.04")
    assert est.premium is not None
    assert est.premium.rest == D("62")


def order_bom_view(session: Session) -> BomView:
    with session.begin():
        return order_bom.read_bom(session, "BOM-SO-1-1")


def test_a_plain_line_and_an_unconfigured_one(shop: Session) -> None:
    sales.add_line(shop, "SO-1", item="PROFILE", qty=3, due=DUE, unit_price="7", author="s")
    sales.add_line(shop, "SO-1", item="DRIVER", qty=1, due=DUE, author="s")
    sales.add_line(shop, "SO-1", item="LAMP", qty=1, due=DUE, author="s")
    bought, driver, lamp = (estimate(shop, line=n) for n in (2, 3, 4))
    # bought and sold as it is: 3 × 6.00, and 10 % overhead on that material
    assert (bought.cost, bought.revenue, bought.margin) == (D("19.8"), D("21"), D("1.2"))
    assert bought.premium is None and "not configured" in bought.premium_note
    assert driver.cost == D("21.6") / 2 and driver.margin is None
    # not configured: the default configuration, 1 m white without a sensor
    assert "default configuration" in lamp.note
    assert lamp.tree.label == "configured: length_m=1, finish=white, sensor=no"


def test_the_order_and_the_project_roll_up(shop: Session) -> None:
    sales.add_line(shop, "SO-1", item="PROFILE", qty=3, due=DUE, unit_price="7", author="s")
    sales.create_order(shop, customer="ACME", project="HQ", number="SO-2", author="sales")
    sales.add_line(shop, "SO-2", item="PCB", qty=5, due=DUE, unit_price="9.5", author="s")
    sales.add_line(shop, "SO-2", item="LED", qty=4, due=DUE, unit_price="2", author="s")
    order_changes.cancel_line(shop, "SO-2", 2, author="s")
    with shop.begin():
        order = costing.order_cost(shop, "SO-1")
        project = costing.project_cost(shop, "ACME", "HQ")
    assert (order.revenue, order.cost, order.margin) == (D("471"), D("226.84"), D("244.16"))
    assert order.elements.material == D("124.4")
    assert [o.number for o in project.orders] == ["SO-1", "SO-2"]
    # SO-2: 5 PCB at 9.50 against 8.00 + 10 %; the cancelled LED line is shown, not counted
    assert len(project.orders[1].lines) == 2
    assert project.orders[1].cost == D("44")
    assert (project.revenue, project.cost, project.margin) == (
        D("518.5"),
        D("270.84"),
        D("247.66"),
    )
    assert project.premium == D("66.4")
    assert project.margin_pct is not None
    assert money.cents(project.margin_pct) == D("47.76")  # 247.66 / 518.50


def test_a_promise_quote_costs_the_configuration(shop: Session) -> None:
    from pegboard.services.configurator import configure
    from pegboard.services.templates import DbCatalog

    with shop.begin():
        node = configure(DbCatalog(shop), "LAMP", VALUES)
        quote = costing.quote_estimate(shop, "LAMP", 2, configured=node, unit_price="120")
    assert quote.cost == D("189.04")  # the templates' routings, no order routing yet
    assert (quote.revenue, quote.margin) == (D("240"), D("50.96"))


def test_unknown_lines_are_not_found(shop: Session) -> None:
    with shop.begin(), pytest.raises(NotFoundError):
        costing.line_cost(shop, "SO-1", 9)


def test_a_promise_gives_the_cost_and_the_margin_at_a_price(shop: Session) -> None:
    run_plan(shop, author="planner", today=TODAY)
    with shop.begin():
        answer = promise.promise(shop, "LAMP", 2, params=VALUES, unit_price="120")
        plain = promise.promise(shop, "PCB", 5)
    quote = answer.quote
    assert quote is not None
    assert (quote.currency, quote.cost, quote.unit_cost) == ("EUR", D("189.04"), D("94.52"))
    assert (quote.material, quote.labour, quote.overhead) == (D("106.4"), D("57.5"), D("25.14"))
    assert (quote.revenue, quote.margin) == (D("240"), D("50.96"))
    assert plain.quote is not None
    assert (plain.quote.cost, plain.quote.margin) == (D("44"), None)


def test_a_reserved_promise_keeps_its_price(shop: Session) -> None:
    run_plan(shop, author="planner", today=TODAY)
    _answer, number = promise.reserve(
        shop, "LAMP", 1, params=VALUES, customer="ACME", unit_price="99.90", author="sales"
    )
    with shop.begin():
        (line,) = sales.order_view(shop, number).lines
    assert line.unit_price == D("99.90")

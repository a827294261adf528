"""Order-BOM quantities as a user reads and edits them: to the item's decimals, never
with float noise (issue #13, whole units)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from pegboard.bundle.importer import read_bundle
from pegboard.demo import demo_path
from pegboard.model import SalesOrderStatus
from pegboard.services import order_bom, order_tree, sales
from pegboard.services.company_data import replace_company
from pegboard.services.quantities import rounded_up, shown

DUE = date(2027, 1, 4)
RUN = {"length_m": "4.2", "finish": "white", "control": "dali", "emergency": "no"}
"""A 4.2 m run: 4.2 / 6 m of profile is 0.7000000000000001 as a float, 4.2 / 3 m of
diffuser 1.4000000000000001, 4.2 × 0.004 kg of powder 0.016800000000000002."""


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (1.1199999999999999, 3, "1.12"),
        (0.7000000000000001, 3, "0.7"),
        (7.000000000000001, 0, "7"),
        (4.0, 0, "4"),
        (12.5, 3, "12.5"),
        (1e12, 0, "1000000000000"),
        (0.0, 3, "0"),
        (-0.0, 0, "0"),
        # finer than the item's places: kept (up to six), so an untouched edit field
        # sends back what is stored instead of a rounded value
        (14.56 / 6, 3, "2.426667"),
        (0.016800000000000002, 3, "0.0168"),
        (0.5, 0, "0.5"),
        (1e-7, 0, "0"),
    ],
)
def test_shown(value: float, decimals: int, text: str) -> None:
    assert shown(value, decimals) == text


def test_a_configured_order_bom_shows_its_formula_quantities_without_float_noise(
    session: Session,
) -> None:
    replace_company(session, read_bundle(demo_path("lighting")), author="test")
    number = sales.create_order(session, customer="Brightside Retail", author="sales")
    sales.add_line(session, number, item="LR-7040", qty=2, due=DUE, author="sales")
    sales.set_status(session, number, SalesOrderStatus.CONFIRMED, author="sales")
    order_bom.configure_line(session, number, 1, RUN, author="planner", today=date(2026, 11, 23))
    with session.begin():
        (tree,) = order_tree.order_tree(session, number, today=date(2026, 11, 23))
    assert tree.bom is not None
    top = {line.component: line for line in tree.bom.lines}
    assert top["DIF-OPAL-7040"].qty_per == 4.2 / 3 == 1.4000000000000001  # stored as computed
    assert (top["DIF-OPAL-7040"].qty_shown, top["DIF-OPAL-7040"].scrap_shown) == ("1.4", "5")
    assert top["SA-LEDMOD-2240"].qty_shown == "2"  # ceil(4.2 / 2.24), pieces
    body = top[f"BODY-7040-{number}-1.1"].child
    assert body is not None
    lines = {line.component: line for line in body.lines}
    assert lines["EXT-AL-7040"].qty_per == 0.7000000000000001
    assert (lines["EXT-AL-7040"].decimals, lines["EXT-AL-7040"].qty_shown) == (3, "0.7")
    assert lines["PWD-RAL9016"].qty_shown == "0.0168"


@pytest.mark.parametrize(
    ("value", "decimals", "told"),
    [
        (2.2, 0, 3.0),  # a need of 2.2 pieces is 3 pieces to buy
        (4.0000000001, 0, 4.0),  # float noise is not a piece more
        (4.000001, 0, 5.0),
        (29.4, 0, 30.0),
        (3.4608, 3, 3.461),
        (1.1199999999999999, 3, 1.12),
        (0.0, 0, 0.0),
        (-2.5, 0, -3.0),  # away from zero, as the shortage message in SQL
        (2.4266666666666667, -1, 2.426667),  # decimals unknown: to millionths
        (0.1234567, 9, 0.123457),  # at most MAX_DECIMALS places
    ],
)
def test_what_a_user_is_told_is_rounded_up_to_the_items_decimals(
    value: float, decimals: int, told: float
) -> None:
    assert rounded_up(value, decimals) == told

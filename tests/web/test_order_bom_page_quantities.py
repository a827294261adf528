"""The order page's BOM tree and its edit fields show a configured line's formula
quantities to the item's decimals, never with float noise (issue #13, whole units)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from pegboard import db
from pegboard.model import SalesOrderStatus
from pegboard.services import order_bom, sales

RUN = {"length_m": "4.2", "finish": "white", "control": "dali", "emergency": "no"}
NOISE = ("0.7000000000000001", "1.4000000000000001", "0.016800000000000002")
"""4.2 / 6, 4.2 / 3 and 4.2 × 0.004 as Python prints the floats the formulas give."""


def configured_order(engine: Engine) -> str:
    """A new order for a 4.2 m LR-7040 run of the lighting sample, configured."""
    with db.session_factory(engine)() as s:
        number = sales.create_order(s, customer="Brightside Retail", author="sales")
        sales.add_line(s, number, item="LR-7040", qty=2, due=date(2027, 1, 4), author="sales")
        sales.set_status(s, number, SalesOrderStatus.CONFIRMED, author="sales")
        order_bom.configure_line(s, number, 1, RUN, author="planner", today=date(2026, 11, 23))
    return number


def test_the_order_bom_reads_as_written(
    web: TestClient, engine: Engine, sample: None, log_in: Callable[[str], str]
) -> None:
    number = configured_order(engine)
    log_in("ann")
    page = web.get(f"/orders/{number}")
    assert page.status_code == 200
    text = page.text
    for noise in NOISE:
        assert noise not in text
    tree = text.split('id="tree-h"', 1)[1].split("</section>", 1)[0]
    # the display: quantities per unit, to the component's decimals
    assert "0.7 × <strong>EXT-AL-7040</strong>" in tree
    assert "1.4 × <strong>DIF-OPAL-7040</strong>" in tree and "(+5 % scrap)" in tree
    assert "0.0168 × <strong>PWD-RAL9016</strong>" in tree
    # the edit fields hold the same figures (what "Change" sends back when left alone)
    assert (
        'name="qty" value="0.7" min="0" step="any" required aria-label="Qty per of line 1' in tree
    )
    assert 'value="1.4"' in tree and 'value="0.0168"' in tree

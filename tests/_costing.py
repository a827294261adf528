"""The costing shop of tests/services/test_costing.py (its docstring has the figures by
hand), built through the services: for the service, CLI, API and page tests of #16."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from pegboard.model import SalesOrderStatus
from pegboard.services import (
    capacity,
    money,
    order_bom,
    production,
    purchasing,
    sales,
    shipping,
    stock,
)
from pegboard.services.capacity import OperationIn
from pegboard.services.company_data import replace_company
from pegboard.services.dataset import BomRow, Dataset, ItemRow

D = Decimal
DUE = date(2027, 1, 11)
TODAY = date(2026, 11, 23)
VALUES = {"length_m": "2", "finish": "black", "sensor": "yes"}


def item(code: str, kind: str = "buy", strategy: str = "mts", cost: float = 0.0) -> ItemRow:
    return ItemRow(code, "", kind, strategy, "ea", 5, "lfl", None, None, 0.0, 0.0, 0.0, cost, "")


TEMPLATES: list[dict[str, Any]] = [
    {
        "item": "BODY",
        "parameters": [
            {"name": "length_m", "kind": "number", "min": 0.5, "max": 10, "default": "1"},
            {"name": "finish", "kind": "choice", "choices": ["white", "black"], "default": "white"},
        ],
        "lines": [
            {"component": "PROFILE", "qty": "length_m", "scrap_pct": 10},
            {
                "choice": "finish",
                "options": {"white": "PAINT-W", "black": "PAINT-B"},
                "qty": "length_m * 0.5",
            },
        ],
    },
    {
        "item": "LAMP",
        "parameters": [
            {"name": "length_m", "kind": "number", "min": 0.5, "max": 10, "default": "1"},
            {"name": "finish", "kind": "choice", "choices": ["white", "black"], "default": "white"},
            {"name": "sensor", "kind": "bool", "default": "no"},
        ],
        "lines": [
            {"component": "BODY", "qty": 1, "params": {"length_m": "length_m", "finish": "finish"}},
            {"component": "LED", "qty": "length_m * 2"},
            {"component": "DRIVER", "qty": 1},
            {"component": "SENSOR", "qty": 1, "condition": "sensor == 'yes'"},
        ],
    },
]


def company() -> Dataset:
    return Dataset(
        settings={"planning_date": TODAY.isoformat()},
        items=[
            item("LAMP", "make", "mto", 3.0),
            item("BODY", "make", "mto", 1.0),
            item("DRIVER", "make", "mts", 2.0),
            item("PROFILE", cost=5.0),
            item("PAINT-W", cost=4.0),
            item("PAINT-B", cost=6.0),
            item("LED", cost=1.5),
            item("PCB", cost=8.0),
            item("SENSOR", cost=20.0),
        ],
        bom=[BomRow("DRIVER", "PCB", 1.0, 0.0, "")],
        templates=TEMPLATES,
    )


def op(work_center: str, setup: float, run: float) -> OperationIn:
    return OperationIn(10, work_center, setup_hours=setup, run_hours=run)


def buy(session: Session, item: str, price: str, due: date) -> str:
    line = purchasing.NewLine(item, 10, due, unit_price=float(price))
    return purchasing.create_purchase(session, supplier="Alutec", lines=[line], author="buyer")


def build_shop(session: Session) -> Session:
    replace_company(session, company(), author="import")
    money.set_costing_settings(
        session, overhead_per_labour_hour="10", overhead_pct_of_material="10", author="admin"
    )
    capacity.save_work_center(session, code="ASM", hours_per_day=8, cost_rate="40", author="a")
    capacity.save_work_center(session, code="PAINT", hours_per_day=8, cost_rate="30", author="a")
    capacity.set_routing(session, "LAMP", [op("ASM", 0.5, 0.25)], author="a")
    capacity.set_routing(session, "BODY", [op("PAINT", 0.25, 0.1)], author="a")
    buy(session, "PROFILE", "5.50", date(2026, 10, 1))
    buy(session, "PROFILE", "6.00", date(2026, 11, 2))
    cancelled = buy(session, "PROFILE", "99.00", date(2026, 12, 1))
    purchasing.cancel_purchase(session, cancelled, author="buyer")
    sales.create_customer(session, code="ACME", author="sales")
    sales.create_project(session, customer="ACME", code="HQ", author="sales")
    sales.create_order(session, customer="ACME", project="HQ", number="SO-1", author="sales")
    sales.add_line(
        session,
        "SO-1",
        item="LAMP",
        qty=2,
        due=DUE,
        unit_price="250",
        discount_pct="10",
        author="sales",
    )
    sales.set_status(session, "SO-1", SalesOrderStatus.CONFIRMED, author="sales")
    order_bom.configure_line(session, "SO-1", 1, VALUES, author="planner", today=TODAY)
    capacity.set_routing(
        session, "BODY-SO-1-1.1", [op("PAINT", 0.5, 0.2)], order_bom="BOM-SO-1-1.1", author="a"
    )
    return session


def execute(shop: Session) -> Session:
    """SO-1 made and shipped, as tests/services/test_actual_cost_story.py tells it by hand:
    parts counted in and received at prices other than standard, sensors bought for the
    order, profile over-issued, a body scrapped, LEDs over-issued, all completed, shipped."""
    for code, qty in (("LED", 10), ("PAINT-B", 5), ("SENSOR", 3), ("DRIVER", 2)):
        stock.adjust_stock(shop, item=code, qty=qty, reason="count", author="stores")
    for number in ("PO-000001", "PO-000002"):
        purchasing.confirm_purchase(shop, number, author="buyer")
        purchasing.receive_purchase(shop, number, author="buyer")
    line = purchasing.NewLine("SENSOR", 2, date(2026, 12, 1), sales_order="SO-1", unit_price="22")
    po = purchasing.create_purchase(shop, supplier="Sensa", lines=[line], author="buyer")
    purchasing.confirm_purchase(shop, po, author="buyer")
    purchasing.receive_purchase(shop, po, author="buyer")
    production.release_production(shop, "MO-1-1.1", author="floor")
    production.issue_components(shop, "MO-1-1.1", quantities={"PROFILE": 5}, author="floor")
    production.scrap_production(shop, "MO-1-1.1", 1, reason="dented", author="floor")
    production.complete_production(shop, "MO-1-1.1", 2, author="floor")
    production.release_production(shop, "MO-1-1", author="floor")
    production.issue_components(shop, "MO-1-1", quantities={"LED": 10}, author="floor")
    production.complete_production(shop, "MO-1-1", 2, author="floor")
    shipping.ship_line(shop, "SO-1", 1, 2, author="shipping")
    return shop


def add_open_lamp(session: Session) -> None:
    """SO-3: a second lamp of the same configuration as SO-1 (without its order routing),
    confirmed and configured, nothing made."""
    sales.create_order(session, customer="ACME", project="HQ", number="SO-3", author="sales")
    sales.add_line(session, "SO-3", item="LAMP", qty=2, due=DUE, unit_price="250", author="s")
    sales.set_status(session, "SO-3", SalesOrderStatus.CONFIRMED, author="sales")
    order_bom.configure_line(session, "SO-3", 1, VALUES, author="planner", today=TODAY)


def receive_profile_at(session: Session, price: str) -> None:
    line = purchasing.NewLine("PROFILE", 10, date(2026, 12, 15), unit_price=price)
    po = purchasing.create_purchase(session, supplier="Alutec", lines=[line], author="buyer")
    purchasing.confirm_purchase(session, po, author="buyer")
    purchasing.receive_purchase(session, po, author="buyer")

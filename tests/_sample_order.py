"""A confirmed sales order for the lighting sample's configurable run (LR-7040), for the
tests of configuring it from the order's page."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from pegboard import clock, db
from pegboard.model import SalesOrderStatus
from pegboard.services import sales

RUN = {"length_m": "14.56", "finish": "black", "control": "dali", "emergency": "yes"}
"""The configure form's values for line 1: a 14.56 m black DALI run with emergency."""


def confirmed_run_order(engine: Engine) -> str:
    """Hartwell Construction's order of 4 × LR-7040 due in six weeks, confirmed and not
    yet configured; its number."""
    with db.session_factory(engine)() as s:
        number = sales.create_order(s, customer="Hartwell Construction", author="sales")
        due = clock.today() + timedelta(days=42)
        sales.add_line(s, number, item="LR-7040", qty=4, due=due, author="sales")
        sales.set_status(s, number, SalesOrderStatus.CONFIRMED, author="sales")
    return number

"""Dates a planner can trust (rules 9 and 10): a configured order line whose production
orders wait for a long-lead component is late on every surface, with the chain that
makes it late, and the export carries every line's projected date."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.bundle.importer import read_bundle
from pegboard.bundle.upload import snapshot as export_snapshot
from pegboard.demo import demo_path
from pegboard.model import PlanProduction, ProductionOrder, SalesOrderStatus
from pegboard.services import order_bom, reports, sales
from pegboard.services.company_data import replace_company
from pegboard.services.planning import run_plan
from pegboard.services.reports import PegNode

DAY = date(2026, 11, 23)  # the sample's planning date
PARAMS = {"length_m": "14.56", "finish": "black", "control": "dali", "emergency": "yes"}


@pytest.fixture
def configured(session: Session) -> str:
    """The sample company with a new LR-7040 order due in a week, configured with DALI
    drivers (35 days to buy): it cannot be on time."""
    replace_company(session, read_bundle(demo_path("lighting")), author="import")
    number = sales.create_order(session, customer="Hartwell Construction", author="ann")
    sales.add_line(session, number, item="LR-7040", qty=4, due=DAY + timedelta(7), author="ann")
    sales.set_status(session, number, SalesOrderStatus.CONFIRMED, author="ann")
    order_bom.configure_line(session, number, 1, PARAMS, author="ann", today=DAY)
    run_plan(session, author="ann", today=DAY)
    return number


def test_a_configured_line_waiting_for_its_drivers_is_late_with_its_chain(
    session: Session, configured: str
) -> None:
    late = {line.demand: line for line in reports.late_orders(session)}
    line = late[f"{configured}/1"]
    assert line.due == DAY + timedelta(7)
    # The drivers arrive 35 days after today at the earliest; the body and the fixture
    # are made after that, so the line cannot be ready before then.
    assert line.projected > DAY + timedelta(35)
    chain = reports.critical_chain(line.supplies[0])
    assert chain[0].supply_type == "production_order"  # the order's own fixture order
    assert chain[0].supply.startswith("MO-")
    assert chain[-1].item.startswith("DRV-DALI")  # the component that sets the date
    assert chain[-1].available == DAY + timedelta(35)

    # The production orders configuring created are late, from their components.
    rows = session.execute(
        select(ProductionOrder.number, PlanProduction.is_late, PlanProduction.available_date)
        .join(PlanProduction, PlanProduction.production_order_id == ProductionOrder.id)
        .where(ProductionOrder.number.like(f"MO-{configured[3:]}-%"))
    ).all()
    top = f"MO-{configured[3:]}-1"
    # the fixture waits for its driver trays; its body's parts are all in stock
    assert {n: late for n, late, _d in rows} == {top: True, f"{top}.1": False}
    assert {n: d for n, _l, d in rows}[top] == line.projected


def test_the_export_has_each_lines_projected_date(
    session: Session, configured: str, tmp_path: Path
) -> None:
    counts = export_snapshot(session, tmp_path)
    with (tmp_path / "order_dates.csv").open(encoding="utf-8") as f:
        rows = {(r["sales_order"], r["line"]): r for r in csv.DictReader(f)}
    assert counts["order_dates.csv"] == len(rows)
    row = rows[(configured, "1")]
    assert row["due_date"] == (DAY + timedelta(7)).isoformat()
    projected = date.fromisoformat(row["projected_date"])
    assert int(row["days_late"]) == (projected - (DAY + timedelta(7))).days > 0
    assert all(int(r["days_late"]) >= 0 for r in rows.values())


def test_the_chain_ends_at_the_order_whose_own_date_sets_it_never_at_stock() -> None:
    """Rule 9's chain names the supply that sets the date. The demo's configured LR-7040
    waited for a released order of LED modules due 12-11 whose parts were all in stock:
    the chain used to end at a connector in stock, ready today, which sets nothing."""
    today = date(2026, 12, 7)

    def node(kind: str, ref: str, item: str, ready: date, *below: PegNode) -> PegNode:
        return PegNode(kind, ref, item, 1, ready, list(below))

    modules = node(
        "production_order",
        "MO-2202",
        "SA-LEDMOD-2240",
        date(2026, 12, 11),  # its due date: its components are in time
        node("stock", "main", "CON-WAGO-221-3", today),
        node("stock", "main", "LED-BRD-24V-560", today),
    )
    top = node(
        "production_order",
        "MO-1010-1",
        "LR-7040-SO-1010-1",
        date(2026, 12, 16),
        node("stock", "main", "CAP-7040-W", today),
        modules,
    )
    assert [n.supply for n in reports.critical_chain(top)] == ["MO-1010-1", "MO-2202"]
    # a purchase order arriving later than the stock does set the date, and ends the chain
    drivers = node("purchase_order", "PO-7/1", "DRV-DALI-40W", date(2027, 1, 11))
    trays = node("planned_order", "PL-9", "SA-DRVTRAY-40D", date(2027, 1, 13), drivers)
    late = node("production_order", "MO-1", "LR-7040", date(2027, 1, 18), modules, trays)
    chain = reports.critical_chain(late)
    assert [n.supply for n in chain] == ["MO-1", "PL-9", "PO-7/1"]
    # an order straight from stock is its own chain
    assert reports.critical_chain(node("stock", "main", "X", today)) == [
        node("stock", "main", "X", today)
    ]

"""A small welding shop for the shop-floor tests (#15 items 6 and 7), built as a bundle.

FRAME (make, 5 days) = 2 TUBE + 4 BOLT, routing 10 CUT (1 h + 0.5 h a frame), 20 WELD
(0.5 h + 1 h a frame); BRACKET (make) = 2 BOLT, routing 10 WELD (0.25 h a bracket).
No tube in stock: PO-1/1 brings 40 on 2026-12-01; bolts are there (500).

Production orders (today 2026-11-23, a Monday):

* MO-A: 4 frames due Fri 2026-12-04, released: WELD 0.5 + 4 × 1 = 4.5 h
* MO-B: 2 frames due Wed 2026-12-02, released: WELD 0.5 + 2 × 1 = 2.5 h
* MO-C: 1 frame due Thu 2026-12-10, planned: WELD 0.5 + 1 = 1.5 h
* MO-D: 8 brackets due Thu 2026-12-03, released: WELD 8 × 0.25 = 2 h

Each day's WELD hours fit in its 8, so the backward load runs each order's last
operation on its due date: WELD's dispatch order is MO-B, MO-D, MO-A, MO-C.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from pegboard.services.company_data import replace_company
from pegboard.services.dataset import (
    BomRow,
    Dataset,
    ItemRow,
    ProductionRow,
    PurchaseRow,
    RoutingRow,
    StockRow,
    WorkCenterRow,
)
from pegboard.services.planning import run_plan

TODAY = date(2026, 11, 23)


def _item(code: str, kind: str = "buy", lead: int = 5) -> ItemRow:
    return ItemRow(code, "", kind, "mts", "ea", lead, "lfl", None, None, 0.0, 0.0, 0.0, 1.0, "")


def _wc(code: str) -> WorkCenterRow:
    return WorkCenterRow(code, f"{code} bench", 8.0, "", 1, 100.0, Decimal("40.00"))


def _op(item: str, sequence: int, wc: str, setup: float, run: float) -> RoutingRow:
    return RoutingRow(item, "", sequence, wc, setup, run, 0, 0, f"{wc.lower()} the {item}")


def _mo(number: str, item: str, qty: float, due: date, status: str) -> ProductionRow:
    return ProductionRow(number, item, qty, due, None, status, False, "")


def company() -> Dataset:
    return Dataset(
        settings={"planning_date": TODAY.isoformat()},
        items=[_item("FRAME", "make"), _item("BRACKET", "make"), _item("TUBE"), _item("BOLT")],
        bom=[
            BomRow("FRAME", "TUBE", 2.0, 0.0, ""),
            BomRow("FRAME", "BOLT", 4.0, 0.0, ""),
            BomRow("BRACKET", "BOLT", 2.0, 0.0, ""),
        ],
        stock=[StockRow("BOLT", 500.0, "main", "")],
        purchases=[PurchaseRow("PO-1", 1, "TUBE", 40.0, date(2026, 12, 1), "open", "", "Alutec")],
        productions=[
            _mo("MO-A", "FRAME", 4, date(2026, 12, 4), "released"),
            _mo("MO-B", "FRAME", 2, date(2026, 12, 2), "released"),
            _mo("MO-C", "FRAME", 1, date(2026, 12, 10), "planned"),
            _mo("MO-D", "BRACKET", 8, date(2026, 12, 3), "released"),
        ],
        work_centers=[_wc("CUT"), _wc("WELD")],
        routings=[
            _op("FRAME", 10, "CUT", 1.0, 0.5),
            _op("FRAME", 20, "WELD", 0.5, 1.0),
            _op("BRACKET", 10, "WELD", 0.0, 0.25),
        ],
    )


def build(session: Session) -> Session:
    replace_company(session, company(), author="import")
    run_plan(session, author="planner", today=TODAY)
    return session

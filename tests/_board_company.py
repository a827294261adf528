"""The planning board's and the production tests' company, worked out by hand.

FA (made to order in 5 days) is one SUB and 2 C1; SUB (made to order in 3 days) is
3 C2. SO-A/1 wants 4 FA on 2026-12-23; 5 C1 and 12 C2 are in stock. The plan makes
4 FA and 4 SUB and buys the 3 missing C1; firmed, they are MO-000001 (FA, 12-18 to
12-23) and MO-000002 (SUB, 12-15 to 12-18, its parent MO-000001). The calendar works
every day.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from pegboard.services import capacity, production
from pegboard.services.company_data import replace_company
from pegboard.services.dataset import BomRow, Dataset, ItemRow, SalesRow, StockRow
from pegboard.services.planning import run_plan
from pegboard.services.schedule_run import run_schedule

PD = date(2026, 11, 23)
DUE = PD + timedelta(days=30)  # 2026-12-23
FA_MO, SUB_MO = "MO-000001", "MO-000002"


def item(code: str, type_: str, strategy: str, lead: int) -> ItemRow:
    return ItemRow(code, "", type_, strategy, "ea", lead, "lfl", None, None, 0.0, 0.0, 0.0, 1.0, "")


def dataset(**extra: Any) -> Dataset:
    """The company above; ``extra`` adds bundle tables (e.g. purchase orders)."""
    return Dataset(
        settings={"planning_date": PD.isoformat()},
        items=[
            item("FA", "make", "mto", 5),
            item("SUB", "make", "mto", 3),
            item("C1", "buy", "mts", 10),
            item("C2", "buy", "mts", 10),
        ],
        bom=[
            BomRow("FA", "SUB", 1.0, 0.0, ""),
            BomRow("FA", "C1", 2.0, 0.0, ""),
            BomRow("SUB", "C2", 3.0, 0.0, ""),
        ],
        stock=[StockRow("C1", 5.0, "main", ""), StockRow("C2", 12.0, "main", "")],
        sales=[SalesRow("SO-A", 1, "ACME", "", "FA", 4, 0, DUE, 100)],
        **extra,
    )


def build_firm(session: Session) -> None:
    """Load, plan and firm the two production orders."""
    replace_company(session, dataset(), author="import")
    run_plan(session, author="planner")
    assert production.firm_productions(session, author="planner") == [FA_MO, SUB_MO]


def add_routings(session: Session, *, schedule: bool = True) -> None:
    """Two work centers for the board's operations: ASM and PNT work 8 h a day; FA is 10
    at ASM 4 h a unit (16 h) then 20 at PNT 2 h a unit (8 h), SUB 10 at ASM 6 h a unit
    (24 h). ``schedule``: the finite schedule then runs SUB at ASM on 12-15..12-17, FA's
    10 at ASM on 12-18..12-19 and its 20 at PNT on 12-20 (the backward load, without
    one: FA's 10 on 12-21..12-22, its 20 on 12-23, SUB on 12-16..12-18)."""
    for code in ("ASM", "PNT"):
        capacity.save_work_center(session, code=code, hours_per_day=8, author="ann")
    capacity.set_routing(
        session,
        "FA",
        [
            capacity.OperationIn(10, "ASM", run_hours=4),
            capacity.OperationIn(20, "PNT", run_hours=2),
        ],
        author="ann",
    )
    capacity.set_routing(
        session, "SUB", [capacity.OperationIn(10, "ASM", run_hours=6)], author="ann"
    )
    if schedule:
        run_schedule(session, author="ann")

"""The lighting sample with a busy week on LED-ASM: 450 released production orders of
SA-DRVTRAY-40D (0.55 h each there, then WIRE-TEST) due in the week of 2026-12-07, more
operations than a work center's page draws at once (``work_center_gantt.MAX_ROWS``)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from pegboard.bundle.importer import read_bundle
from pegboard.demo import demo_path
from pegboard.services import company_data, planning
from pegboard.services.dataset import ProductionRow

MONDAY = date(2026, 12, 7)
EXTRA = 450


def build(session: Session) -> None:
    data = read_bundle(demo_path("lighting"))
    data.productions += [
        ProductionRow(
            f"MO-BUSY-{i:03d}",
            "SA-DRVTRAY-40D",
            1,
            MONDAY + timedelta(days=i % 5),
            None,
            "released",
            False,
            "",
        )
        for i in range(EXTRA)
    ]
    company_data.replace_company(session, data, author="test")
    planning.run_plan(session, author="test")

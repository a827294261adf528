"""Extreme values and NUL characters are refused by the services, located, on both databases;
a plan at the bounds runs (issue #20, items 7 and 8)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pegboard.errors import ValidationError
from pegboard.model import Customer, Item
from pegboard.services import items, sales
from pegboard.services.company_data import replace_company
from pegboard.services.dataset import (
    FIRST_DAY,
    LAST_DAY,
    MAX_DAYS,
    BomRow,
    Dataset,
    ItemRow,
    SalesRow,
    StockRow,
)
from pegboard.services.planning import run_plan

WHO = "planner"


def item(
    code: str, type_: str, lead: int, lot_rule: str = "lfl", period: int | None = None
) -> ItemRow:
    return ItemRow(code, "", type_, "mts", "ea", lead, lot_rule, None, period, 0, 0, 0, 1.0, "")


@pytest.mark.parametrize(
    ("field", "value"),
    [("lead_time_days", 2147483647), ("lead_time_days", MAX_DAYS + 1), ("period_days", 10**6)],
)
def test_a_lead_time_or_period_over_ten_years_is_refused(
    session: Session, field: str, value: int
) -> None:
    replace_company(session, Dataset(items=[item("W", "buy", 3)]), author="import")
    with pytest.raises(ValidationError) as refused:
        items.update_item(
            session, "W", {"lot_rule": "poq", "period_days": 7, field: value}, author=WHO
        )
    assert refused.value.params["field"] == field
    assert f"at most {MAX_DAYS}" in refused.value.message
    with session.begin():
        assert session.scalars(select(Item.lead_time_days)).one() == 3
    items.update_item(session, "W", {"lead_time_days": MAX_DAYS}, author=WHO)


def test_a_nul_character_is_refused_by_the_item_service_naming_the_field(session: Session) -> None:
    with pytest.raises(ValidationError) as refused:
        items.create_item(session, "W", {"description": "a\x00b"}, author=WHO)
    assert refused.value.params["field"] == "description"
    with session.begin():
        assert session.scalar(select(func.count()).select_from(Item)) == 0


def test_a_nul_character_is_refused_by_every_service_before_the_database_sees_it(
    session: Session,
) -> None:
    """The customer service has no NUL check of its own: the flush check names the column."""
    with pytest.raises(ValidationError) as refused:
        sales.create_customer(session, code="ACME", name="Acme\x00 Ltd", author=WHO)
    assert (
        str(refused.value) == "customer.name holds a NUL character (\\x00), which cannot be stored"
    )
    assert refused.value.params["field"] == "name"
    with session.begin():
        assert session.scalar(select(func.count()).select_from(Customer)) == 0


@pytest.mark.parametrize("planning_date", [FIRST_DAY, LAST_DAY])
def test_a_plan_at_the_bounds_runs(session: Session, planning_date: date) -> None:
    """Ten-year lead times through four levels from the first and the last allowed day,
    a ten-year horizon and a periodic lot of ten years: no OverflowError, no year out of range."""
    replace_company(
        session,
        Dataset(
            settings={
                "planning_date": planning_date.isoformat(),
                "horizon_days": str(MAX_DAYS),
                "reschedule_in_days": str(MAX_DAYS),
                "defer_days": str(MAX_DAYS),
                "work_days": "mon,tue,wed,thu,fri",
            },
            items=[
                item("A", "make", MAX_DAYS),
                item("B", "make", MAX_DAYS),
                item("C", "make", MAX_DAYS),
                item("D", "buy", MAX_DAYS, "poq", MAX_DAYS),
            ],
            bom=[
                BomRow("A", "B", 1, 0, ""),
                BomRow("B", "C", 1, 0, ""),
                BomRow("C", "D", 1, 0, ""),
            ],
            stock=[StockRow("D", 1, "main", "")],
            sales=[
                SalesRow("SO-1", 1, "ACME", "", "A", 2, 0, FIRST_DAY, 100),
                SalesRow("SO-1", 2, "ACME", "", "A", 3, 0, LAST_DAY, 100),
            ],
        ),
        author="import",
    )
    summary = run_plan(session, author=WHO)
    assert summary is not None

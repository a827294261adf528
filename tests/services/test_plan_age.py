"""``plan_age``: is the current plan as of today (the rule behind the pages' banner and
the reports' warning line)?"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from pegboard.services.company_data import replace_company
from pegboard.services.dataset import Dataset, ItemRow, SalesRow
from pegboard.services.plan_age import PlanAge, plan_age
from pegboard.services.planning import run_plan

MONDAY = date(2026, 11, 23)


def _company(session: Session, settings: dict[str, str] | None = None) -> None:
    item = ItemRow("A", "", "buy", "mts", "ea", 2, "lfl", None, None, 0, 0, 0, 1.0, "")
    line = SalesRow("SO-1", 1, "Customer", "", "A", 3, 0, date(2026, 12, 1), 100)
    data = Dataset(settings=settings or {}, items=[item], sales=[line])
    replace_company(session, data, author="test")


def test_no_plan_is_stale(session: Session) -> None:
    _company(session)
    age = plan_age(session, MONDAY)
    assert age == PlanAge(today=MONDAY, planning_date=None)
    assert age.stale and age.days_behind == 0 and age.replan_catches_up
    assert age.sentence().startswith("There is no plan yet")


def test_a_plan_is_stale_from_the_day_after_its_planning_date(session: Session) -> None:
    _company(session)
    run_plan(session, author="test", today=MONDAY)
    session.commit()
    assert not plan_age(session, MONDAY).stale
    assert plan_age(session, MONDAY).sentence() == ""
    assert not plan_age(session, date(2026, 11, 22)).stale  # planned ahead of today: fine

    one = plan_age(session, date(2026, 11, 24))
    assert one.stale and one.days_behind == 1 and one.replan_catches_up
    assert one.sentence() == (
        "This plan is as of 2026-11-23, 1 day before today (2026-11-24): "
        "what it says is late, short or due may have changed since."
    )
    assert plan_age(session, date(2026, 12, 3)).days_behind == 10

    # the newest finished run counts: planned again on Thursday, it is as of Thursday
    session.commit()
    run_plan(session, author="test", today=date(2026, 11, 26))
    session.commit()
    assert not plan_age(session, date(2026, 11, 26)).stale


def test_a_planning_date_fixed_in_the_settings_is_named(session: Session) -> None:
    _company(session, {"planning_date": "2026-11-23"})
    run_plan(session, author="test", today=date(2026, 11, 30))  # the setting wins
    session.commit()
    age = plan_age(session, date(2026, 11, 30))
    assert (age.planning_date, age.fixed_date, age.days_behind) == (MONDAY, MONDAY, 7)
    assert age.stale and not age.replan_catches_up
    assert age.sentence().endswith(
        "The company's planning_date setting plans every new plan as of 2026-11-23."
    )
    # a fixed day that is today or later: planning again catches up
    assert PlanAge(date(2026, 11, 30), MONDAY, date(2026, 11, 30)).replan_catches_up

"""Is the current plan as of today? The one rule behind the warning that every page and
report showing plan results gives when it is not (issue #13, "one today").

A plan is planned as of its planning date: its late lines, shortages and release
dates say what was true then. Once that day is behind today (or there is no plan at
all) the pages say so and offer to plan again, and the reports print one warning
line. Planning again catches up with today unless the company's ``planning_date``
setting (a bundle may carry one) fixes an earlier day for every new plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.model import CompanySetting, PlanRun, PlanRunStatus

__all__ = ["PlanAge", "plan_age"]


@dataclass(frozen=True)
class PlanAge:
    today: date
    planning_date: date | None
    """The current plan's planning date; ``None`` when there is no plan yet."""
    fixed_date: date | None = None
    """The company's ``planning_date`` setting, which every new plan keeps."""

    @property
    def stale(self) -> bool:
        """No plan, or one planned as of a day before today."""
        return self.planning_date is None or self.planning_date < self.today

    @property
    def days_behind(self) -> int:
        if self.planning_date is None:
            return 0
        return max((self.today - self.planning_date).days, 0)

    @property
    def replan_catches_up(self) -> bool:
        """Whether planning again plans as of today (not when a setting fixes an earlier day)."""
        return self.fixed_date is None or self.fixed_date >= self.today

    def sentence(self) -> str:
        """What a stale plan means, in one sentence ("" when the plan is as of today)."""
        if not self.stale:
            return ""
        if self.planning_date is None:
            return "There is no plan yet: no late lines, shortages or planned orders to show."
        days = self.days_behind
        text = (
            f"This plan is as of {self.planning_date.isoformat()}, {days} "
            f"{'day' if days == 1 else 'days'} before today ({self.today.isoformat()}): "
            "what it says is late, short or due may have changed since."
        )
        if not self.replan_catches_up and self.fixed_date is not None:
            text += (
                f" The company's planning_date setting plans every new plan as of "
                f"{self.fixed_date.isoformat()}."
            )
        return text


def plan_age(session: Session, today: date) -> PlanAge:
    """How the current plan's planning date compares with ``today``."""
    planning_date = session.scalar(
        select(PlanRun.planning_date)
        .where(PlanRun.status == PlanRunStatus.DONE)
        .order_by(PlanRun.id.desc())
        .limit(1)
    )
    fixed = session.scalar(
        select(CompanySetting.value).where(CompanySetting.key == "planning_date")
    )
    try:
        fixed_date = date.fromisoformat(fixed) if fixed else None
    except ValueError:
        fixed_date = None
    return PlanAge(today=today, planning_date=planning_date, fixed_date=fixed_date)

"""Is the current plan as of today, and planned from the data as it is now? The one rule
behind the warning that every page and report showing plan results gives when it is not
(issue #13, "one today"; issue #19, changes since the plan).

A plan is planned as of its planning date: its late lines, shortages and release
dates say what was true then. Once that day is behind today (or there is no plan at
all) the pages say so and offer to plan again, and the reports print one warning
line. Planning again catches up with today unless the company's ``planning_date``
setting (a bundle may carry one) fixes an earlier day for every new plan.

A plan is also older than every change made since it read its inputs: a BOM line, an
item's lead time, lot size, safety stock or supplier, a stock count, an order's
quantity or due date, a bundle upsert (``services.plan_inputs`` counts them); a routing
or work center only when the plan has a finite schedule, made before the change.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.model import CompanySetting, PlanRun, PlanRunStatus, ScheduleRun
from pegboard.services import plan_inputs
from pegboard.services.wording import plural

__all__ = ["PlanAge", "plan_age"]


@dataclass(frozen=True)
class PlanAge:
    today: date
    planning_date: date | None
    """The current plan's planning date; ``None`` when there is no plan yet."""
    fixed_date: date | None = None
    """The company's ``planning_date`` setting, which every new plan keeps."""
    changes: int = 0
    """Transactions that changed what the plan is planned from since it read it."""
    last_change: str | None = None
    last_changed_at: datetime | None = None

    @property
    def out_of_date(self) -> bool:
        """Stale by its date, or older than changes made since: the banner's test."""
        return self.stale or self.changes > 0

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

    def changes_sentence(self) -> str:
        """The changes since the plan ran, in one sentence ("" when there are none)."""
        if self.changes <= 0 or self.planning_date is None:
            return ""
        last = f"last: {self.last_change}" if self.last_change else "last"
        if self.last_changed_at is not None:
            last += f", {self.last_changed_at:%Y-%m-%d %H:%M} UTC"
        changes = plural(self.changes, "change")
        return f"The plan is older than your changes ({changes} since it ran, {last}): re-plan."

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
    """How the current plan's planning date compares with ``today``, and how many
    changes to its inputs were made since it read them."""
    run = session.execute(
        select(
            PlanRun.id, PlanRun.planning_date, PlanRun.inputs_revision, PlanRun.capacity_revision
        )
        .where(PlanRun.status == PlanRunStatus.DONE)
        .order_by(PlanRun.id.desc())
        .limit(1)
    ).first()
    planning_date = run.planning_date if run is not None else None
    fixed = session.scalar(
        select(CompanySetting.value).where(CompanySetting.key == "planning_date")
    )
    try:
        fixed_date = date.fromisoformat(fixed) if fixed else None
    except ValueError:
        fixed_date = None
    age = PlanAge(today=today, planning_date=planning_date, fixed_date=fixed_date)
    if run is None or run.inputs_revision is None:  # none, or stored before the revisions
        return age
    return _with_changes(session, age, run.id, run.inputs_revision, run.capacity_revision or 0)


def _with_changes(
    session: Session, age: PlanAge, run_id: int, stamped: int, capacity_stamped: int
) -> PlanAge:
    """``age`` with the changes made since run ``run_id`` read its inputs. Routings and
    work centers count only when the run has a finite schedule, and only those made
    after it (an infinite plan does not read them)."""
    now = plan_inputs.current(session)
    material, capacity = now[plan_inputs.PLAN], now[plan_inputs.CAPACITY]
    counted = [(max(material.revision - stamped, 0), material)]
    if capacity.revision > capacity_stamped:
        scheduled = session.scalar(
            select(ScheduleRun.id).where(ScheduleRun.plan_run_id == run_id).limit(1)
        )
        since = max(capacity_stamped, now[plan_inputs.SCHEDULED].revision)
        if scheduled is not None and capacity.revision > since:
            counted.append((capacity.revision - since, capacity))
    changes = sum(n for n, _ in counted)
    if changes == 0:
        return age
    last = max(
        (r for n, r in counted if n > 0),
        key=lambda r: r.changed_at.timestamp() if r.changed_at else 0.0,
    )
    return replace(age, changes=changes, last_change=last.change, last_changed_at=last.changed_at)

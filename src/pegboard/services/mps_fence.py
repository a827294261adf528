"""The planning time fence of the master schedule: one setting, read alike by the
schedule's editor (``mps``: a line inside it changes only when confirmed), the plan's
input (``snapshot``: MRP adds no supply of a scheduled item inside it and asks no
change of its lines there), the plan's ``mps_short`` flags and the late chains, which
say when the fence holds a line back (``holds``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.model import CompanySetting, Item, PlannedOrder
from pegboard.services.plan_results import current_run

FENCE_KEY = "mps_time_fence_days"
DEFAULT_FENCE_DAYS = 14
_CHUNK = 5_000
"""Values per IN list: well under every database's bind-parameter limit."""


def fence_days_of(value: str | None) -> int:
    """The fence in days from the setting's stored text (the default if unset or not a
    whole number of days)."""
    return int(value) if value is not None and value.isdigit() else DEFAULT_FENCE_DAYS


def holds(session: Session, supplies: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Of these (supply type, order) of the current plan, the planned orders of items on
    the master schedule that the time fence holds back: due on, and completing no sooner
    than, the first working day beyond it (the plan adds no such supply inside the
    fence), each with a note a planner reads in a late line's chain. Their date is the
    fence's, not their components': the chain ends at them."""
    refs = sorted({ref for supply_type, ref in supplies if supply_type == "planned_order"})
    run = current_run(session)
    if run is None or not refs:
        return {}
    rows: list[tuple[str, str, date, date]] = []
    for start in range(0, len(refs), _CHUNK):
        rows.extend(
            (number, code, due, done)
            for number, code, due, done in session.execute(
                select(
                    PlannedOrder.number,
                    Item.code,
                    PlannedOrder.due_date,
                    PlannedOrder.earliest_completion,
                )
                .join(Item, Item.id == PlannedOrder.item_id)
                .where(
                    PlannedOrder.plan_run_id == run.id,
                    PlannedOrder.number.in_(refs[start : start + _CHUNK]),
                    Item.mps.is_(True),
                )
            )
        )
    if not rows:
        return {}
    from pegboard.services.calendar import fwd_date, load_calendar  # numpy: only if needed

    days = fence_days_of(
        session.scalar(select(CompanySetting.value).where(CompanySetting.key == FENCE_KEY))
    )
    if days <= 0:
        return {}
    end = fwd_date(load_calendar(session.connection()), run.planning_date + timedelta(days=days))
    return {
        ("planned_order", number): (
            f"no new {code} inside the master schedule's time fence (until {end.isoformat()})"
        )
        for number, code, due, done in rows
        if due == end and done == end
    }

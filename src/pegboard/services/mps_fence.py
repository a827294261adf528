"""The planning time fence of the master schedule: one setting, read alike by the
schedule's editor (``mps``: a line inside it changes only when confirmed), the plan's
input (``snapshot``: MRP adds no supply of a scheduled item inside it and asks no
change of its lines there), the plan's ``mps_short`` flags and the late chains, which
say when the fence holds a line back (``holds_in``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.errors import ValidationError
from pegboard.model import CompanySetting, Item, PlannedOrder, PlanRun
from pegboard.services._tx import writes

FENCE_KEY = "mps_time_fence_days"
DEFAULT_FENCE_DAYS = 14
_CHUNK = 5_000
"""Values per IN list: well under every database's bind-parameter limit."""


MAX_FENCE_DAYS = 3650
"""As every setting that counts days (``services.dataset.MAX_DAYS``, a bundle's settings
alike). Written here, not imported, so that reading the fence (``report late``'s chain)
loads no dataset module; tests/cli/test_startup.py holds the two equal."""


def fence_days_of(value: str | None) -> int:
    """The fence in days from the setting's stored text (the default if unset or not a
    whole number of days: ``set_fence_days`` and a bundle's settings write only those)."""
    text = (value or "").strip()
    return int(text) if text.isdigit() else DEFAULT_FENCE_DAYS


def fence_setting(session: Session) -> int:
    """The planning time fence in days, as the plan, promise and the editor read it."""
    return fence_days_of(
        session.scalar(select(CompanySetting.value).where(CompanySetting.key == FENCE_KEY))
    )


@writes
def set_fence_days(session: Session, days: int, *, author: str) -> int:
    """Set the planning time fence (whole days, 0 = no fence); audited,
    and the plan is out of date until it runs again (the setting is one of its inputs)."""
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_FENCE_DAYS:
        raise ValidationError(
            f"the planning time fence must be a whole number of days from 0 to "
            f"{MAX_FENCE_DAYS}, not {days!r}",
            field=FENCE_KEY,
            value=str(days),
        )
    row = session.get(CompanySetting, FENCE_KEY)
    before = fence_setting(session)
    if row is None:
        session.add(CompanySetting(key=FENCE_KEY, value=str(days)))
    else:
        row.value = str(days)
    if before != days or row is None:
        from pegboard.services import audit  # writers only: `report late` reads the fence

        audit.record(
            session,
            author=author,
            entity="setting",
            ref=FENCE_KEY,
            action="change",
            before={FENCE_KEY: before if row is not None else None},
            after={FENCE_KEY: days},
        )
    session.flush()
    return days


def holds_in(
    session: Session, run: PlanRun, supplies: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """Of these (supply type, order) of plan run ``run`` (the current one, read by the
    caller: a late chain asks level by level and reads the run once), the planned orders
    of items on the master schedule that the time fence holds back: due on, and
    completing no sooner than, the first working day beyond it (the plan adds no such
    supply inside the fence), each with a note a planner reads in a late line's chain.
    Their date is the fence's, not their components': the chain ends at them."""
    refs = sorted({ref for supply_type, ref in supplies if supply_type == "planned_order"})
    if not refs:
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

    days = fence_setting(session)
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

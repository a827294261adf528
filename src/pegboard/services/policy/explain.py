"""One item's policy explained: its stored line with the daily need behind its ADU
and σd."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.errors import NotFoundError
from pegboard.model import (
    Item,
)
from pegboard.services.policy.item_policy import ItemPolicy
from pegboard.services.policy.runs import PolicyRunView
from pegboard.services.policy.stored import require_run, stored_lines


@dataclass(frozen=True)
class Explanation:
    policy: ItemPolicy
    start: date
    daily: tuple[float, ...]
    """The item's need per day of its window, from ``start``."""
    run: PolicyRunView | None = None
    """The stored run it comes from (None: computed afresh)."""


def explain(session: Session, item: str) -> Explanation:
    """One item's policy from the latest run, with the daily need behind its ADU and σd."""
    strategy = session.scalar(select(Item.strategy).where(Item.code == item))
    if strategy is None:
        raise NotFoundError(f"no item {item!r}", item=item, field="item")
    if str(getattr(strategy, "value", strategy)) != "mts":
        raise NotFoundError(
            f"{item} is make-to-order: it has no stock policy", item=item, field="item"
        )
    run = require_run(session)
    found = stored_lines(session, [item]).get(item)
    if found is None:
        raise NotFoundError(
            f"{item} is not in the latest policy run (run {run.id} of "
            f"{run.finished_at:%Y-%m-%d %H:%M}); recompute to include it",
            item=item,
            field="item",
        )
    return Explanation(found, found.planning_date, found.daily_need, run)

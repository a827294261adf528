"""A work center's page: its Gantt window and its dispatch list, from one placement.

Without a finite schedule, the chart and the dispatch list both show the work center's
operations where the backward load places them (``services.load``: each order from its
due date at infinite capacity). Each used to place them on its own, the chart every
order through the work center and the list its open production orders, so the page
placed the same operations twice (on the full-size generated company's busiest work
center, about half of its 305 ms). Each order is placed on its own, so the list's
operations are the chart's for the same orders: the placement is worked out once here
and handed to both. With a finite schedule neither places anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from pegboard.services.dispatch import DispatchList, dispatch_list
from pegboard.services.load import capacity_load
from pegboard.services.schedule import current_schedule
from pegboard.services.work_center_gantt import DEFAULT_WEEKS, WorkCenterGantt, work_center_gantt


@dataclass(frozen=True)
class WorkCenterView:
    window: WorkCenterGantt
    listed: DispatchList


def work_center_view(
    session: Session,
    code: str,
    *,
    today: date,
    start: date | None = None,
    weeks: int = DEFAULT_WEEKS,
    offset: int = 0,
) -> WorkCenterView:
    """The work center's dispatch list and its chart of the weeks from ``start``'s Monday
    (``work_center_gantt``'s window and page from ``offset``), the backward load placed
    once for both."""
    placed = (
        None if current_schedule(session) is not None else capacity_load(session, work_center=code)
    )
    listed = dispatch_list(session, code, today=today, placed=placed)
    window = work_center_gantt(
        session, code, today=today, start=start, weeks=weeks, offset=offset, placed=placed
    )
    return WorkCenterView(window, listed)

"""pegboard's one clock: what "today" and "now" are, everywhere.

Every surface that says "today" (the plan's default planning date, the dashboard
heading, default ship, arrival and receipt dates, date-picker bounds, the Gantt's
today line, promise's "order today") asks this module, so that they all agree and
so that tests can pin one instant (``time-machine``) instead of depending on the
machine's wall clock.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

__all__ = ["now", "today"]


def now() -> datetime:
    """The current instant, timezone-aware (UTC): stamps on runs, jobs and audit rows."""
    return datetime.now(UTC)


def today() -> date:
    """The calendar day it is where pegboard runs (the machine's local time zone)."""
    return now().astimezone().date()

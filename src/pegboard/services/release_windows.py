"""The release windows a planner asks the planned-orders list for most (#19): what is
overdue, what to release by today, by the end of this week, and next week, each as the
list's own filters (first and last release day), so a shortcut is only a link.

A week runs Monday to Sunday; "by today" and "this week" include what is overdue, as
the dashboard's "to release by today" does: an overdue order is still to release."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Window:
    name: str
    label: str
    since: date | None
    until: date


def release_windows(today: date) -> list[Window]:
    """Overdue, today, this week and next week, as seen on ``today``."""
    sunday = today + timedelta(days=6 - today.weekday())
    return [
        Window("overdue", "Overdue", None, today - timedelta(days=1)),
        Window("today", "By today", None, today),
        Window("week", "This week", None, sunday),
        Window("next-week", "Next week", sunday + timedelta(days=1), sunday + timedelta(days=7)),
    ]

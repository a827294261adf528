"""The release windows a planner asks the planned-orders list for most (#19): what is
overdue, what to release by today, by the end of this week, and next week, each as the
list's own filters (first and last release day), so a shortcut is only a link.

A week runs Monday to Sunday; "by today" and "this week" include what is overdue, as
the dashboard's "to release by today" does: an overdue order is still to release.

``release_days`` is what every adapter (page, API, CLI) asks for the days of a window,
or checks typed first and last days with, so all three list the same orders and refuse
a crossed range with the same sentence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal, get_args

from pegboard.errors import ValidationError

WindowName = Literal["overdue", "today", "this-week", "next-week"]
"""The windows' names, as the API's ``window`` and the CLI's ``--window`` take them."""
WINDOW_NAMES: tuple[str, ...] = get_args(WindowName)


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
        Window("this-week", "This week", None, sunday),
        Window("next-week", "Next week", sunday + timedelta(days=1), sunday + timedelta(days=7)),
    ]


def crossed(since: date, until: date) -> str:
    """What a first release day after the last one is, in the words every adapter uses."""
    return f"Release from {since} is after release until {until}: no day is both."


def release_days(
    today: date,
    *,
    since: date | None = None,
    until: date | None = None,
    window: str | None = None,
) -> tuple[date | None, date | None]:
    """The first and last release days to list: the named ``window``'s as seen on
    ``today``, else ``since`` and ``until`` as given. A window with days of its own is
    refused (which would win is a guess), as is an unknown window or a crossed range:
    an empty list would look like nothing to release."""
    if window is None:
        if since is not None and until is not None and since > until:
            raise ValidationError(crossed(since, until), field="from", value=since.isoformat())
        return since, until
    if since is not None or until is not None:
        raise ValidationError(
            f"Release window {window}: give a window or release from/until, not both.",
            field="window",
            value=window,
        )
    for found in release_windows(today):
        if found.name == window:
            return found.since, found.until
    raise ValidationError(
        f"Release window “{window}” is not one of {', '.join(WINDOW_NAMES)}.",
        field="window",
        value=window,
    )

"""The release-day options every command that picks planned orders by release date takes
(``report buy|make``, ``po firm``, ``mo firm``): ``--from``, ``--until`` and ``--window``,
written once so their names, help and choices cannot drift apart, and the days read by
one service (``services.release_windows.release_days``) whichever command asks."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

import typer

from pegboard.cli._common import as_date

UntilOption = Annotated[
    date | None,
    typer.Option("--until", parser=as_date, help="release date up to (YYYY-MM-DD); default: all"),
]
FromOption = Annotated[
    date | None,
    typer.Option("--from", parser=as_date, help="release date from (YYYY-MM-DD); default: all"),
]


class ReleaseWindow(StrEnum):
    """``--window``'s choices (the service's ``WINDOW_NAMES``, written out so ``--help``
    does not load the services; a test holds them equal)."""

    OVERDUE = "overdue"
    TODAY = "today"
    THIS_WEEK = "this-week"
    NEXT_WEEK = "next-week"


WindowOption = Annotated[
    ReleaseWindow | None,
    typer.Option(
        "--window",
        help="instead of --from/--until, as of today: overdue, today (overdue ones too), "
        "this-week (Monday to Sunday, overdue ones too), next-week",
    ),
]


def window_name(window: ReleaseWindow | None) -> str | None:
    """The service's name of the window chosen, None for none."""
    return window.value if window else None

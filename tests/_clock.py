"""Pinning "today" in tests: no test reads the machine's clock (see conftest.py)."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

import time_machine

#: The sample companies' planning date, a Monday: the day tests run on unless
#: ``PEGBOARD_TEST_TODAY`` names another (``scripts/test`` also runs at a second date).
DEMO_DAY = date(2026, 11, 23)
TEST_TODAY = date.fromisoformat(os.environ.get("PEGBOARD_TEST_TODAY") or DEMO_DAY.isoformat())


def pin_today(day: date) -> time_machine.travel:
    """A context manager (or decorator) in which "today" is ``day``, from 09:00 UTC, ticking."""
    return time_machine.travel(datetime(day.year, day.month, day.day, 9, tzinfo=UTC), tick=True)

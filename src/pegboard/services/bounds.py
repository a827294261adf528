"""The one check of a date a user gives a service: within ``FIRST_DAY .. LAST_DAY``.

Bundles refuse such dates where they are read (``bundle.parse``); the services that take
a date from a person (order lines, receipts, shipments, holidays) call :func:`check_day`,
so a plan's arithmetic on dates never leaves what ``datetime.date`` holds.
"""

from __future__ import annotations

from datetime import date

from pegboard.errors import ValidationError
from pegboard.services.dataset import FIRST_DAY, LAST_DAY


def check_day(value: date, field: str) -> date:
    """``value`` unchanged, or a ValidationError naming ``field`` and the value."""
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValidationError(
            f"{field} {value.isoformat()} is outside {FIRST_DAY.isoformat()} .. "
            f"{LAST_DAY.isoformat()}",
            field=field,
            value=value.isoformat(),
        )
    return value

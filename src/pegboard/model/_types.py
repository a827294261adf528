"""Column types shared by the tables."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import DateTime, Dialect, Enum, TypeDecorator

QTY_DIGITS = 6


def enum_column(enum: type[StrEnum], name: str) -> Enum:
    """A portable enum: a VARCHAR with a CHECK, storing the value, not the member name."""
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class UtcDateTime(TypeDecorator[datetime]):
    """A moment in time, always handed back timezone-aware in UTC.

    PostgreSQL keeps the zone (``timestamptz``); SQLite keeps text without one and
    returns naive datetimes, which an API would then send without an offset. Values
    are stored in UTC and read back as UTC on both.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            return value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value

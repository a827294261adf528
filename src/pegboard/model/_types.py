"""Column types shared by the tables."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Enum

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

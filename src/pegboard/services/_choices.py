"""Reading a closed choice (a status, a kind) that a person or a client typed."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from pegboard.errors import ValidationError

E = TypeVar("E", bound=StrEnum)


def choice(kind: type[E], value: str | None, field: str = "status") -> E | None:
    """``value`` as a member of ``kind`` (None for no value); a clear error names the choices."""
    if not value:
        return None
    try:
        return kind(value)
    except ValueError:
        known = ", ".join(m.value for m in kind)
        raise ValidationError(
            f"unknown {field} {value!r} (known: {known})", field=field, value=value
        ) from None

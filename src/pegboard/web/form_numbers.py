"""Numbers typed into the web's master-data forms (work centers on the capacity page and
in their editor, routing lines): an empty field is "not given" (the service keeps or
defaults it), anything else must read as a number, or the form comes back naming the
field and what was typed."""

from __future__ import annotations

from pegboard.errors import ValidationError


def optional_number(text: str, field: str) -> float | None:
    """The typed decimal number, or ``None`` for an empty field."""
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise ValidationError(
            f"{field.replace('_', ' ')} {text[:40]!r} is not a number", field=field, value=text
        ) from None


def optional_whole(text: str, field: str) -> int | None:
    """The typed whole number (digits only: no sign, no decimals), or ``None`` for an
    empty field."""
    if not text:
        return None
    if not text.isascii() or not text.isdigit():
        raise ValidationError(
            f"{field.replace('_', ' ')} {text[:40]!r} is not a whole number", field=field
        )
    return int(text)

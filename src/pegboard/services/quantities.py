"""Quantities as a user reads and types them: to the item's decimal places, never with
binary float noise (``1.1199999999999999``) or in exponent form.

A quantity computed by a formula (14.56 × 0.077 m) is stored as the nearest binary
float, which Python prints with 17 digits. Shown to the item's ``decimals`` (rule 7)
it reads as written: 1.12. A value that really has more places than the item's
(14.56 / 6 = 2.42666… m per run) keeps them, up to ``MAX_DECIMALS``, so an edit
field that the user did not touch sends back what is stored, not a rounded value.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_UP, Decimal

__all__ = ["MAX_DECIMALS", "rounded_up", "shown"]

MAX_DECIMALS = 6
"""The most decimal places a quantity is kept and shown to (rule 7; ``services.dataset``
and the bundle read it from here)."""

NOISE = 1e-9
"""Relative difference under which two quantities are the same number (float noise)."""


def shown(value: float, decimals: int) -> str:
    """``value`` to ``decimals`` places when that is the value up to float noise, else to
    the places it has (at most ``MAX_DECIMALS``); plain digits, no trailing zeros."""
    exact = Decimal(repr(float(value)))
    tolerance = NOISE * max(1.0, abs(float(value)))
    for places in (max(0, min(decimals, MAX_DECIMALS)), MAX_DECIMALS):
        rounded = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
        if abs(float(rounded) - float(value)) <= tolerance:
            break
    text = format(rounded.normalize(), "f")
    return "0" if text in ("-0", "") else text


def rounded_up(value: float, decimals: int) -> float:
    """What a user is told to buy, make or use of an item: ``value`` rounded up to the
    item's ``decimals`` places (rule 7: a need of 2.2 pieces is 3 pieces), forgiving
    float noise (4.0000000001 pieces are 4), as the engine rounds a planned order.

    The plan keeps dependent demand unrounded (2.2 pieces of a component for 2 parents
    with 10 % scrap); only what is shown to a person is rounded. A negative quantity is
    rounded away from zero, like the shortage message built in SQL
    (``plan_results.EXCEPTION_MESSAGE``); a negative ``decimals`` (not known) keeps the
    value as it is, to millionths."""
    value = float(value)
    places = min(decimals, MAX_DECIMALS)
    if places < 0:
        return round(value, MAX_DECIMALS)
    exact = Decimal(repr(value))
    step = Decimal(1).scaleb(-places)
    nearest = exact.quantize(step, rounding=ROUND_HALF_EVEN)
    if abs(float(nearest) - value) <= NOISE * max(1.0, abs(value)):
        return float(nearest)
    return float(exact.quantize(step, rounding=ROUND_UP))

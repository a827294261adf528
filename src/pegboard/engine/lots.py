"""Lot sizing (rule 7): how much a planned order buys or makes for a requirement."""

from __future__ import annotations

import math

from pegboard.engine.types import FOQ

TOL = 1e-9
"""Quantities closer than this are equal; keeps float noise from creating orders."""


def _round_up(qty: float, step: float) -> float:
    # subtract TOL so that 10.000000000001 with a step of 5 stays 10, not 15
    return max(1, math.ceil((qty - TOL) / step)) * step


def lot_size(
    requirement: float, rule: int, lot_qty: float, min_qty: float, multiple: float
) -> float:
    """Order quantity for a requirement (for POQ, the requirement of the whole period).

    The order of the steps is the spec's: the rule's quantity, then ``min_qty``,
    then the ``multiple``. A FOQ item without a positive ``lot_qty`` has no lot to
    round to and behaves as lot-for-lot.
    """
    qty = requirement
    if rule == FOQ and lot_qty > 0:
        qty = _round_up(qty, lot_qty)
    qty = max(qty, min_qty)
    if multiple > 0:
        qty = _round_up(qty, multiple)
    return qty

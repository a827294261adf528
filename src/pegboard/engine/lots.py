"""Lot sizing (rule 7): how much a planned order buys or makes for a requirement."""

from __future__ import annotations

import math

import numpy as np

from pegboard.engine.types import FOQ, FloatArray, IntArray

TOL = 1e-9
"""Quantities closer than this are equal; keeps float noise from creating orders."""


def _round_up(qty: float, step: float) -> float:
    # subtract TOL so that 10.000000000001 with a step of 5 stays 10, not 15
    return max(1, math.ceil((qty - TOL) / step)) * step


def place_scales(decimals: IntArray | None, n_items: int) -> FloatArray:
    """``10 ** decimals`` per item, the number of steps in one unit; 0 where a
    quantity is not rounded (no ``decimals`` at all, as v1, or a negative entry)."""
    if decimals is None:
        return np.zeros(n_items, dtype=np.float64)
    places = np.asarray(decimals, dtype=np.int64)
    return np.where(places >= 0, 10.0 ** np.maximum(places, 0), 0.0)


def round_to_places(qty: float, scale: float) -> float:
    """Rule 7's last step: up to the item's decimal places (``scale`` = 10 ** decimals,
    0 = no rounding), at least one step for any positive quantity.

    ``TOL`` is forgiven first, as by every other rounding up here, so float noise
    (4.0000000001 pieces) does not buy a whole extra unit, and an order is never
    more than ``TOL`` short of what it is for.

    Dividing a whole number of steps by ``scale`` (not multiplying by its inverse)
    gives the closest float to the decimal, e.g. exactly ``0.3``.
    """
    if scale <= 0:
        return qty
    return max(1, math.ceil((qty - TOL) * scale)) / scale


def round_to_places_array(qty: FloatArray, scale: FloatArray) -> FloatArray:
    """``round_to_places`` of each quantity, with the same arithmetic, so the bulk
    paths give the per-item loop's floats exactly."""
    rounds = scale > 0
    steps = np.maximum(np.ceil((qty - TOL) * scale), 1.0)
    rounded: FloatArray = np.where(rounds, steps / np.where(rounds, scale, 1.0), qty)
    return rounded


def whole_steps(qty: FloatArray, scale: FloatArray) -> np.ndarray:
    """Whether each quantity is a whole number of its item's steps (or not rounded).

    Sums and differences of such quantities stay whole up to float noise far below
    ``TOL``, so netting them never leaves a requirement that rounding raises:
    the condition under which the bulk paths, which plan no excess, stay exact.
    """
    units = qty * scale
    return (scale <= 0) | (np.abs(units - np.rint(units)) <= 1e-9 * np.maximum(1.0, units))


def lot_size(
    requirement: float,
    rule: int,
    lot_qty: float,
    min_qty: float,
    multiple: float,
    scale: float = 0.0,
) -> float:
    """Order quantity for a requirement (for POQ, the requirement of the whole period).

    The order of the steps is the spec's: the rule's quantity, then ``min_qty``,
    then the ``multiple``, then the item's decimal places (``scale``, see
    ``round_to_places``). A FOQ item without a positive ``lot_qty`` has no lot to
    round to and behaves as lot-for-lot.
    """
    qty = requirement
    if rule == FOQ and lot_qty > 0:
        qty = _round_up(qty, lot_qty)
    qty = max(qty, min_qty)
    if multiple > 0:
        qty = _round_up(qty, multiple)
    return round_to_places(qty, scale)

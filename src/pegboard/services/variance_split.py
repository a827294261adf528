"""The split of a line's variance (actual − estimated) into price, usage, scrap, labour
and overhead (the method is in ``services.variance``), from its costed tree and its
actual cost. Apart from the reports so that the stored estimates
(``services.cost_estimates``) can keep what the split needs of a line whose material
is not used yet, without importing the reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from pegboard.services import costing
from pegboard.services.actual_cost import ActualCost, MaterialUse
from pegboard.services.money import HUNDRED, ZERO


@dataclass(frozen=True)
class Variance:
    price: Decimal = ZERO
    usage: Decimal = ZERO
    scrap: Decimal = ZERO
    labour: Decimal = ZERO
    overhead: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.price + self.usage + self.scrap + self.labour + self.overhead

    def __add__(self, other: Variance) -> Variance:
        return Variance(
            self.price + other.price,
            self.usage + other.usage,
            self.scrap + other.scrap,
            self.labour + other.labour,
            self.overhead + other.overhead,
        )


@dataclass(frozen=True)
class _Planned:
    """What the estimate expects of one bought component over a whole line."""

    qty: Decimal = ZERO
    amount: Decimal = ZERO
    scrap_qty: Decimal = ZERO

    @property
    def price(self) -> Decimal:
        return self.amount / self.qty if self.qty else ZERO


@dataclass
class _Plan:
    """The estimate as the variance reads it: bought components, and made ones taken from
    stock (not made by the line's own production orders) as if bought at their estimated
    cost, with the labour and overhead left to the line's own orders."""

    parts: dict[str, _Planned]
    labour: Decimal
    overhead: Decimal


def _plan(tree: costing.NodeCost, stocked: set[str]) -> _Plan:
    plan = _Plan({}, tree.total.labour, tree.total.overhead)

    def add(component: str, qty: Decimal, amount: Decimal, scrap_pct: Decimal) -> None:
        scrap = qty * scrap_pct / (HUNDRED + scrap_pct)
        was = plan.parts.get(component, _Planned())
        plan.parts[component] = _Planned(was.qty + qty, was.amount + amount, was.scrap_qty + scrap)

    def walk(node: costing.NodeCost) -> None:
        for line in node.lines:
            if line.child is None:
                add(line.component, line.qty, line.amount, line.scrap_pct)
            elif line.component in stocked:
                add(line.component, line.qty, line.amount, line.scrap_pct)
                plan.labour -= line.child.total.labour
                plan.overhead -= line.child.total.overhead
            else:
                walk(line.child)

    walk(tree)
    return plan


def _material_variance(
    planned: dict[str, _Planned], uses: Sequence[MaterialUse]
) -> tuple[Decimal, Decimal, Decimal]:
    """(price, usage, scrap) of the material; usage is what is left, so the three add up
    to actual − estimated material exactly."""
    price = usage = scrap = ZERO
    used = {u.item: u for u in uses}
    for item in sorted(set(planned) | set(used)):
        plan = planned.get(item, _Planned())
        use = used.get(item, MaterialUse(item, ZERO, ZERO))
        if plan.qty:
            p = plan.price
            part_price = use.value - use.qty * p
            part_scrap = (use.scrap_qty - plan.scrap_qty) * p
        else:
            part_price = part_scrap = ZERO
        price += part_price
        scrap += part_scrap
        usage += use.value - plan.amount - part_price - part_scrap
    return price, usage, scrap


def variance_of(estimate: costing.NodeCost, actual: ActualCost) -> Variance:
    """Actual − estimated, split; the five parts add up to it exactly."""
    plan = _plan(estimate, {u.item for u in actual.uses})
    price, usage, scrap = _material_variance(plan.parts, actual.uses)
    return Variance(
        price=price,
        usage=usage,
        scrap=scrap,
        labour=actual.labour - plan.labour,
        overhead=actual.overhead - plan.overhead,
    )


def unused_split(estimate: costing.NodeCost) -> tuple[Decimal, Decimal]:
    """(usage, scrap) of the material variance while nothing is used yet: what a line's
    stored estimate keeps, so that its variance needs no tree until material moves
    (``split_unused``)."""
    _price, usage, scrap = _material_variance(_plan(estimate, set()).parts, ())
    return usage, scrap


def split_unused(
    elements: costing.Elements, unused: tuple[Decimal, Decimal], actual: ActualCost
) -> Variance:
    """``variance_of`` for a line no material of which is used yet (``actual.uses``
    empty), from its stored figures: nothing taken from stock, so the plan is the whole
    estimate and the material split is the one ``unused_split`` kept."""
    if actual.uses:
        raise ValueError("material is used: the split needs the estimate's tree")
    usage, scrap = unused
    return Variance(
        price=ZERO,
        usage=usage,
        scrap=scrap,
        labour=actual.labour - elements.labour,
        overhead=actual.overhead - elements.overhead,
    )

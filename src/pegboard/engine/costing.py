"""Estimated cost: a structure rolled up level by level, exactly, per cost element.

Pure: the caller reads the structure (nodes made of BOM lines and routing
operations), the price of every bought component and the overhead rates; this
module adds up what making ``qty`` of the top node costs. Every figure is a
``Decimal`` and nothing is rounded (cents are for display).

For a node made ``q`` times:

* each line needs ``q × qty_per × (1 + scrap_pct / 100)`` of its component (scrap
  included); a bought component costs that quantity × its price (**material**), a
  made one (``child``) what making that quantity of the child node costs;
* the node's **labour** (labour and machine) is, for each routing operation,
  ``(setup_hours + run_hours × q) × the work center's rate``; a node without
  operations counts ``added_cost × q`` instead (an item's unit cost: for a made
  item, the added cost of one unit) and no hours;
* its **overhead** is ``per_labour_hour × its hours + pct_of_material / 100 × its
  own material``;
* its total per element is its own figure plus its children's totals.

``scrap`` is the part of the total that scrap adds at any level: the share
``s / (100 + s)`` of a line's amount, plus a made component's own scrap on the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal(0)
HUNDRED = Decimal(100)
MAX_DEPTH = 40


class CostingInputError(ValueError):
    """The structure cannot be rolled up (a node or price missing, nested too deep)."""


@dataclass(frozen=True)
class Operation:
    sequence: int
    work_center: str
    setup_hours: Decimal
    run_hours: Decimal
    """Hours per unit made."""
    rate: Decimal
    """Cost of one hour at the work center."""


@dataclass(frozen=True)
class Line:
    component: str
    qty_per: Decimal
    scrap_pct: Decimal = ZERO
    child: str | None = None
    """The key of the node that makes the component; None: bought at its price."""


@dataclass(frozen=True)
class Node:
    item: str
    label: str
    """What the structure was read from: an order BOM's number, ``master BOM``…"""
    lines: tuple[Line, ...] = ()
    operations: tuple[Operation, ...] = ()
    added_cost: Decimal = ZERO
    """Counted as labour per unit made when the node has no operations."""
    routing: str | None = None


@dataclass(frozen=True)
class Price:
    amount: Decimal
    source: str
    """Where the price comes from: ``last purchase PO-1/2``, ``unit cost``."""


@dataclass(frozen=True)
class Rates:
    per_labour_hour: Decimal = ZERO
    pct_of_material: Decimal = ZERO


@dataclass(frozen=True)
class Elements:
    material: Decimal = ZERO
    labour: Decimal = ZERO
    overhead: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.material + self.labour + self.overhead

    def __add__(self, other: Elements) -> Elements:
        return Elements(
            self.material + other.material,
            self.labour + other.labour,
            self.overhead + other.overhead,
        )


@dataclass(frozen=True)
class OperationCost:
    sequence: int
    work_center: str
    hours: Decimal
    rate: Decimal
    amount: Decimal


@dataclass(frozen=True)
class LineCost:
    component: str
    qty: Decimal
    """Quantity needed, scrap included."""
    scrap_pct: Decimal
    unit_cost: Decimal
    """Price of one unit bought, or cost of one unit made."""
    amount: Decimal
    source: str
    child: NodeCost | None = None


@dataclass(frozen=True)
class NodeCost:
    item: str
    label: str
    qty: Decimal
    level: int
    routing: str | None
    hours: Decimal
    """Routing hours of this node alone."""
    own: Elements
    """This level's material (bought components), labour and overhead."""
    total: Elements
    """This level and every level below."""
    scrap: Decimal
    total_hours: Decimal
    lines: tuple[LineCost, ...] = ()
    operations: tuple[OperationCost, ...] = field(default=())

    @property
    def cost(self) -> Decimal:
        return self.total.total

    @property
    def unit_cost(self) -> Decimal:
        return self.total.total / self.qty if self.qty else ZERO

    def walk(self) -> list[NodeCost]:
        """This node and every node below it, depth first, parents before children."""
        out = [self]
        for line in self.lines:
            if line.child is not None:
                out.extend(line.child.walk())
        return out


def roll_up(
    nodes: Mapping[str, Node],
    top: str,
    qty: Decimal,
    prices: Mapping[str, Price],
    rates: Rates = Rates(),
) -> NodeCost:
    """What making ``qty`` of node ``top`` costs, level by level."""
    if qty < 0:
        raise CostingInputError(f"quantity {qty} is negative")
    return _node(nodes, top, qty, prices, rates, 0)


def _node(
    nodes: Mapping[str, Node],
    key: str,
    qty: Decimal,
    prices: Mapping[str, Price],
    rates: Rates,
    level: int,
) -> NodeCost:
    if level > MAX_DEPTH:
        raise CostingInputError(f"the structure is nested deeper than {MAX_DEPTH} levels")
    node = nodes.get(key)
    if node is None:
        raise CostingInputError(f"no node {key!r}")
    lines: list[LineCost] = []
    material = ZERO
    children = Elements()
    scrap = ZERO
    below_hours = ZERO
    for line in node.lines:
        need = qty * line.qty_per * (HUNDRED + line.scrap_pct) / HUNDRED
        share = line.scrap_pct / (HUNDRED + line.scrap_pct)
        if line.child is None:
            price = prices.get(line.component)
            if price is None:
                raise CostingInputError(f"no price for {line.component!r}")
            amount = need * price.amount
            material += amount
            scrap += amount * share
            lines.append(
                LineCost(line.component, need, line.scrap_pct, price.amount, amount, price.source)
            )
            continue
        child = _node(nodes, line.child, need, prices, rates, level + 1)
        children += child.total
        below_hours += child.total_hours
        scrap += child.cost * share + child.scrap * (1 - share)
        lines.append(
            LineCost(
                line.component,
                need,
                line.scrap_pct,
                child.unit_cost,
                child.cost,
                child.label,
                child,
            )
        )
    operations = tuple(
        OperationCost(
            op.sequence,
            op.work_center,
            op.setup_hours + op.run_hours * qty,
            op.rate,
            (op.setup_hours + op.run_hours * qty) * op.rate,
        )
        for op in node.operations
    )
    hours = sum((op.hours for op in operations), ZERO)
    # without a routing, the item's unit cost is the added cost of one unit made
    labour = sum((op.amount for op in operations), ZERO) if operations else node.added_cost * qty
    overhead = rates.per_labour_hour * hours + rates.pct_of_material * material / HUNDRED
    own = Elements(material, labour, overhead)
    return NodeCost(
        item=node.item,
        label=node.label,
        qty=qty,
        level=level,
        routing=node.routing,
        hours=hours,
        own=own,
        total=own + children,
        scrap=scrap,
        total_hours=hours + below_hours,
        lines=tuple(lines),
        operations=operations,
    )

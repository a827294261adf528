"""The order routings of an order's configured lines, as the order and configure pages
show them next to their order BOMs.

Configuring a line writes, beside each node's order BOM, its order routing (the
template's routing lines evaluated with the node's values, or a copy of the
product's engineering routing; ``services.order_routing``). A salesperson who just
configured a 4.2 m luminaire wants to see what that asks of the shop: which work
centers, and for how long. Each operation is shown with its setup hours, its run
hours per unit, and the hours for what the node's production orders make (their
quantity, cancelled ones left out), or for the quantity the line asks of the node
when it has no production order yet (the line's quantity × the quantities per of
the BOM path, scrap included): what the load and the schedule will ask of the
work center.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.model import Bom, Routing, RoutingOperation, WorkCenter
from pegboard.services.order_tree import BomView, LineTree, order_tree

_CANCELLED = "cancelled"


@dataclass(frozen=True)
class RoutingStep:
    sequence: int
    work_center: str
    work_center_name: str
    description: str
    setup_hours: float
    run_hours: float
    """Per unit made."""
    queue_days: int
    move_days: int
    qty: float
    """What the node makes (module doc)."""

    @property
    def hours(self) -> float:
        """Standard hours at the work center for ``qty``: setup + run × qty."""
        return self.setup_hours + self.run_hours * self.qty


@dataclass(frozen=True)
class OrderRoutingView:
    number: str
    """RT-BOM-SO-1042-1"""
    bom: str
    qty: float
    from_orders: bool
    """``qty`` is what the node's production orders make (else what the line asks)."""
    operations: tuple[RoutingStep, ...]

    @property
    def hours(self) -> float:
        return sum(op.hours for op in self.operations)


def _node_quantities(tree: LineTree) -> dict[str, tuple[float, bool]]:
    """Each order BOM of the line -> (what it makes, whether production orders say so)."""
    ordered: dict[str, float] = {}
    for mo in tree.production_orders:
        if mo.bom is not None and mo.status != _CANCELLED:
            ordered[mo.bom] = ordered.get(mo.bom, 0.0) + mo.qty
    asked: dict[str, float] = {}

    def walk(bom: BomView, qty: float) -> None:
        asked[bom.number] = asked.get(bom.number, 0.0) + qty
        for line in bom.lines:
            if line.child is not None:
                walk(line.child, qty * line.qty_per * (1 + line.scrap_pct / 100))

    if tree.bom is not None:
        walk(tree.bom, tree.qty)
    return {
        number: (ordered[number], True) if number in ordered else (qty, False)
        for number, qty in asked.items()
    }


def line_routings(session: Session, trees: Sequence[LineTree]) -> dict[str, OrderRoutingView]:
    """The order routing of every order BOM of the lines' trees, by order BOM number (a
    BOM without one, copied from an item with no routing, is left out)."""
    quantities: dict[str, tuple[float, bool]] = {}
    for tree in trees:
        quantities |= _node_quantities(tree)
    if not quantities:
        return {}
    rows = session.execute(
        select(
            Bom.number,
            Routing.number,
            RoutingOperation.sequence,
            WorkCenter.code,
            WorkCenter.description,
            RoutingOperation.description,
            RoutingOperation.setup_hours,
            RoutingOperation.run_hours,
            RoutingOperation.queue_days,
            RoutingOperation.move_days,
        )
        .join(Routing, Routing.bom_id == Bom.id)
        .join(RoutingOperation, RoutingOperation.routing_id == Routing.id)
        .join(WorkCenter, WorkCenter.id == RoutingOperation.work_center_id)
        .where(Bom.number.in_(sorted(quantities)))
        .order_by(Bom.number, RoutingOperation.sequence)
    ).all()
    steps: dict[str, list[RoutingStep]] = {}
    numbers: dict[str, str] = {}
    for bom, routing, seq, wc, name, text, setup, run, queue, move in rows:
        numbers[bom] = routing
        qty = quantities[bom][0]
        steps.setdefault(bom, []).append(
            RoutingStep(seq, wc, name, text, setup, run, queue, move, qty)
        )
    return {
        bom: OrderRoutingView(numbers[bom], bom, *quantities[bom], tuple(ops))
        for bom, ops in steps.items()
    }


@dataclass(frozen=True)
class NodeRouting:
    item: str
    """The configured node's (variant) item."""
    routing: OrderRoutingView


def routings_of_line(session: Session, number: str, line: int, *, today: date) -> list[NodeRouting]:
    """The order routings of one line's configured nodes, top first, as its tree nests
    them (what the configure page shows once the line is configured)."""
    trees = [t for t in order_tree(session, number, today=today) if t.ref == f"{number}/{line}"]
    found = line_routings(session, trees)
    out: list[NodeRouting] = []

    def walk(bom: BomView) -> None:
        if bom.number in found:
            out.append(NodeRouting(bom.item, found[bom.number]))
        for child in bom.lines:
            if child.child is not None:
                walk(child.child)

    for tree in trees:
        if tree.bom is not None:
            walk(tree.bom)
    return out

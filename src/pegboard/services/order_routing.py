"""Order routings: the operations a configured order BOM's production order goes through.

Configuring an order line writes, next to each node's order BOM ``BOM-SO-1042-1``,
its order routing ``RT-BOM-SO-1042-1``: the template's routing lines evaluated with
the node's values, or, when the template has none (or the node is a copied master
BOM), a copy of the product's engineering routing, because the node's production
order makes a variant item no engineering routing belongs to. The operations as
configured are kept in the order BOM (``configuration["_routing"]``) so that a later
hand edit of the order routing is known, and re-configuring drops it only when told
to, as it does the order BOM's hand edits.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.model import Bom, Routing, RoutingOperation, WorkCenter
from pegboard.services.routing_lines import ConfiguredOperation

ROUTING = "_routing"
"""The key of ``Bom.configuration`` holding the operations as configured:
[sequence, work center, setup hours, run hours]."""

Kept = list[list[object]]


def _engineering(session: Session, item_id: int) -> tuple[ConfiguredOperation, ...]:
    rows = session.execute(
        select(RoutingOperation, WorkCenter.code)
        .join(Routing, Routing.id == RoutingOperation.routing_id)
        .join(WorkCenter, WorkCenter.id == RoutingOperation.work_center_id)
        .where(Routing.item_id == item_id, Routing.bom_id.is_(None))
        .order_by(RoutingOperation.sequence)
    ).all()
    return tuple(_configured(op, code) for op, code in rows)


def _configured(op: RoutingOperation, code: str) -> ConfiguredOperation:
    return ConfiguredOperation(
        op.sequence,
        code,
        op.setup_hours,
        op.run_hours,
        op.description,
        op.queue_days,
        op.move_days,
    )


def order_operations(session: Session, bom_id: int) -> tuple[ConfiguredOperation, ...] | None:
    """The operations of an order BOM's routing as they are now (None: it has none)."""
    routing = session.scalar(select(Routing.id).where(Routing.bom_id == bom_id))
    if routing is None:
        return None
    rows = session.execute(
        select(RoutingOperation, WorkCenter.code)
        .join(WorkCenter, WorkCenter.id == RoutingOperation.work_center_id)
        .where(RoutingOperation.routing_id == routing)
        .order_by(RoutingOperation.sequence)
    ).all()
    return tuple(_configured(op, code) for op, code in rows)


def write_order_routing(
    session: Session,
    bom: Bom,
    operations: Sequence[ConfiguredOperation] | None,
    source_item_id: int,
) -> Kept:
    """Write the order routing of ``bom`` (of its variant item) and return the operations
    as kept for finding hand edits. ``operations`` None: the source item's engineering
    routing is copied; no operations at all: no routing is written."""
    ops = _engineering(session, source_item_id) if operations is None else tuple(operations)
    if not ops:
        return []
    centers = dict(session.execute(select(WorkCenter.code, WorkCenter.id)).all())
    routing = Routing(number=f"RT-{bom.number}", item_id=bom.item_id, bom_id=bom.id)
    session.add(routing)
    session.flush()
    session.add_all(
        RoutingOperation(
            routing_id=routing.id,
            sequence=op.sequence,
            work_center_id=centers[op.work_center],
            description=op.description,
            setup_hours=op.setup_hours,
            run_hours=op.run_hours,
            queue_days=op.queue_days,
            move_days=op.move_days,
        )
        for op in ops
    )
    return kept(ops)


def kept(ops: Sequence[ConfiguredOperation]) -> Kept:
    """Operations as stored beside the configured lines (JSON)."""
    return [[op.sequence, op.work_center, op.setup_hours, op.run_hours] for op in ops]


def _same(a: object, b: object) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))
    return a == b


def routing_edits(session: Session, boms: Sequence[Bom]) -> list[str]:
    """The order routings changed by hand since configuring, one text per change."""
    out: list[str] = []
    for bom in boms:
        stored = (bom.configuration or {}).get(ROUTING)
        if not isinstance(stored, list):
            continue  # configured before routings were kept: nothing is known to be an edit
        now = {str(row[0]): row for row in kept(order_operations(session, bom.id) or ())}
        was = {str(row[0]): row for row in stored if isinstance(row, list) and row}
        for sequence in sorted(set(now) | set(was), key=lambda s: int(s) if s.isdigit() else 0):
            before, after = was.get(sequence), now.get(sequence)
            if before is None:
                out.append(f"RT-{bom.number}: operation {sequence} added")
            elif after is None:
                out.append(f"RT-{bom.number}: operation {sequence} removed")
            elif not all(_same(x, y) for x, y in zip(before, after, strict=True)):
                out.append(
                    f"RT-{bom.number}: operation {sequence} {before[1]} "
                    f"{before[2]:g} + {before[3]:g}/unit h → {after[1]} "
                    f"{after[2]:g} + {after[3]:g}/unit h"
                )
    return out

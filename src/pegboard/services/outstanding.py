"""What a production order still needs of its components: the one definition.

The planner (``services.snapshot``, ``services.projection``) and the shop floor
(``services.production``) read it here, so the plan and the shop floor can never
disagree about an order:

* its BOM (``PER_UNIT``, ``bom_per_unit``, ``component_per_unit``): the rows of
  its sales order for its item when there are any, else the item's master rows,
  the choice the engine's explosion makes (``engine.explode.BomIndex.lines``);
* its component list, frozen from that BOM when it is released
  (``freeze_component_lists``); a released order imported without one gets it
  the same way, so no released order is "without components" while the plan
  explodes it;
* what is still to issue (``outstanding``) and what completed or scrapped units
  consumed beyond what was issued (``unissued_use``), on plain numbers for one
  order and on whole NumPy columns for the snapshot.

An order without a frozen list (a planned one) needs its BOM for the units still
to make: ``outstanding`` with nothing issued, as the engine explodes it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
from sqlalchemy import Select, and_, case, exists, func, insert, select, union_all
from sqlalchemy.orm import Session

from pegboard.model import Bom, BomLine, ProductionComponent, ProductionOrder, ProductionStatus

Q = TypeVar("Q", float, "np.ndarray[Any, np.dtype[np.float64]]")

STARTED = (ProductionStatus.RELEASED, ProductionStatus.IN_PROGRESS)
"""Orders on the shop floor: they have a frozen component list."""

PER_UNIT = BomLine.qty_per * (1 + BomLine.scrap_pct / 100.0)
"""A BOM line's quantity per unit of its parent, scrap included (as the engine reads it)."""


def outstanding(qty_per: Q, qty: Q, completed: Q, scrapped: Q, issued: Q) -> Q:
    """Component quantity still to be issued: what the units still to make need, less
    what was issued and not yet consumed by completed or scrapped units.

    Scrapped units consumed their components but did not finish, so they are made
    again: issuing for them is never counted against the units still to make.
    """
    in_process = np.maximum(issued - qty_per * (completed + scrapped), 0.0)
    return np.maximum(qty_per * np.maximum(qty - completed, 0.0) - in_process, 0.0)  # type: ignore[no-any-return]


def unissued_use(qty_per: float, completed: float, scrapped: float, issued: float) -> float:
    """What the completed and scrapped units consumed of a component beyond what was
    issued: what a backflush takes."""
    return max(qty_per * (completed + scrapped) - issued, 0.0)


@dataclass(frozen=True)
class Need:
    """One component of one order: per unit (scrap included), issued, still to issue."""

    item_id: int
    qty_per: float
    issued: float
    outstanding: float


def bom_per_unit(session: Session, item_id: int, sales_order_id: int | None) -> dict[int, float]:
    """Component -> quantity per unit of ``item_id`` (scrap included) for an order of
    ``sales_order_id``: the rows of that sales order for the item, else the master rows."""
    base = (
        select(BomLine.component_id, func.sum(PER_UNIT))
        .join(Bom, Bom.id == BomLine.bom_id)
        .where(Bom.item_id == item_id)
        .group_by(BomLine.component_id)
    )
    if sales_order_id is not None:
        rows = session.execute(base.where(Bom.sales_order_id == sales_order_id)).all()
        if rows:
            return {int(c): float(q) for c, q in rows}
    rows = session.execute(base.where(Bom.sales_order_id.is_(None))).all()
    return {int(c): float(q) for c, q in rows}


def order_needs(session: Session, mo: ProductionOrder) -> list[Need]:
    """What ``mo`` needs of each component: its frozen list when it has one, else its
    BOM for the units still to make (nothing issued). In item-id order."""
    listed = session.execute(
        select(
            ProductionComponent.item_id, ProductionComponent.qty_per, ProductionComponent.issued_qty
        )
        .where(ProductionComponent.production_order_id == mo.id)
        .order_by(ProductionComponent.item_id)
        .execution_options(populate_existing=True)
    ).all()
    rows = (
        [(int(i), float(q), float(issued)) for i, q, issued in listed]
        if listed
        else [
            (i, q, 0.0)
            for i, q in sorted(bom_per_unit(session, mo.item_id, mo.sales_order_id).items())
        ]
    )
    return [
        Need(
            item_id,
            per,
            issued,
            float(outstanding(per, mo.qty, mo.completed_qty, mo.scrapped_qty, issued)),
        )
        for item_id, per, issued in rows
    ]


def _freeze_select(target: Any, *, own: bool) -> Select[Any]:
    """(order, component, qty per unit, issued) of the orders in ``target`` from their
    sales order's rows (``own``) or, for orders without such rows, the master rows.
    An order imported with its components issued has issued what its units need."""
    mo = ProductionOrder
    per = func.sum(PER_UNIT)
    has_own = (
        exists()
        .where(
            Bom.item_id == mo.item_id,
            Bom.sales_order_id == mo.sales_order_id,
            BomLine.bom_id == Bom.id,
        )
        .correlate(mo)
    )
    which = (
        Bom.sales_order_id == mo.sales_order_id
        if own
        else and_(Bom.sales_order_id.is_(None), ~has_own)
    )
    return (
        select(
            mo.id,
            BomLine.component_id,
            per,
            case((mo.components_issued.is_(True), per * mo.qty), else_=0.0),
        )
        .select_from(mo)
        .join(Bom, and_(Bom.item_id == mo.item_id, which))
        .join(BomLine, BomLine.bom_id == Bom.id)
        .where(target)
        .group_by(mo.id, mo.qty, mo.components_issued, BomLine.component_id)
    )


def freeze_component_lists(session: Session, *, order_ids: Sequence[int] | None = None) -> None:
    """Give orders without a component list one, from the BOM the engine explodes them
    through: the orders named (releasing them), else every released or started order
    (after an import). Set-based: one insert, whatever the number of orders."""
    mo = ProductionOrder
    listed = exists().where(ProductionComponent.production_order_id == mo.id).correlate(mo)
    which = mo.id.in_(list(order_ids)) if order_ids is not None else mo.status.in_(STARTED)
    target = and_(which, ~listed)
    rows = union_all(_freeze_select(target, own=True), _freeze_select(target, own=False))
    session.execute(
        insert(ProductionComponent).from_select(
            ["production_order_id", "item_id", "qty_per", "issued_qty"], rows
        )
    )


_IN_CHUNK = 5_000
"""Values per IN list: well under every database's bind-parameter limit."""


def component_per_unit(
    session: Session,
    component_id: int,
    parent_ids: Select[int],
) -> tuple[Callable[[int, int | None], float], set[int]]:
    """Per unit of each parent item (``parent_ids``: a query of item ids, kept in the
    database however many), how much of the component its BOM needs (scrap included),
    chosen as ``bom_per_unit`` chooses: the rows of the order's sales order for the
    parent when there are any, else the master rows. Also the parents whose BOMs (master
    or an order's) list the component."""
    parents = parent_ids.scalar_subquery()
    qty: dict[tuple[int, int | None], float] = {
        (int(p), None if so is None else int(so)): float(q)
        for p, so, q in session.execute(
            select(Bom.item_id, Bom.sales_order_id, func.sum(PER_UNIT))
            .join(BomLine, BomLine.bom_id == Bom.id)
            # ``+ 0``: the parents' BOMs are the few rows to read; SQLite would
            # otherwise walk every BOM line of a much-used component
            .where(Bom.item_id.in_(parents), BomLine.component_id + 0 == component_id)
            .group_by(Bom.item_id, Bom.sales_order_id)
        )
    }
    # whether an order has rows of its own matters only for a parent that lists the
    # component (``of`` is 0 for any other, whichever rows it reads): only those
    # parents' order BOMs are read (2,492 of 5,596 for the full-size generated
    # company's most-used fastener, 22 instead of 36 ms)
    using = sorted({parent for parent, _ in qty})
    specific: set[tuple[int, int]] = set()
    for start in range(0, len(using), _IN_CHUNK):
        specific |= {
            (int(p), int(so or 0))
            for p, so in session.execute(
                select(Bom.item_id, Bom.sales_order_id)
                .join(BomLine, BomLine.bom_id == Bom.id)
                .where(
                    Bom.item_id.in_(using[start : start + _IN_CHUNK]),
                    Bom.sales_order_id.is_not(None),
                )
                .distinct()
            )
        }

    def of(parent: int, sales_order: int | None) -> float:
        if sales_order is not None and (parent, sales_order) in specific:
            return qty.get((parent, sales_order), 0.0)
        return qty.get((parent, None), 0.0)

    return of, {parent for parent, _ in qty}

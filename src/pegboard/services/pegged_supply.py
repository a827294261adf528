"""What the current plan has set aside for one production order, and by when.

The plan pegs every requirement to the supplies that cover it (``pegging``: stock, an
open purchase line, a production order or a planned order). For the planning board's
material check (``services.board_move.shortages``) that answers "are this order's
components there by day D?" with a few indexed reads (the pegging by its demand, each
supply's date by its number) instead of every component's whole projected stock: the
supplies pegged to the order that are there by D, stock at once, an order on its due
date. An order firmed after the plan is pegged under its planned order's number.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date

from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session

from pegboard.model import (
    Pegging,
    PlannedOrder,
    ProductionOrder,
    PurchaseOrder,
    PurchaseOrderLine,
)
from pegboard.services.planning import current_run


def _demands(mo: ProductionOrder) -> list[str]:
    refs = [mo.number]
    if mo.planned_ref:
        refs.append(mo.planned_ref.rpartition("/")[2])
    return refs


def pegged_by(
    session: Session, mo: ProductionOrder, items: Collection[int], day: date
) -> dict[int, float] | None:
    """Per component (item id), how much of what the current plan pegged to ``mo`` is
    there by ``day``; None when there is no plan to ask."""
    run = current_run(session)
    if run is None:
        return None
    rows = session.execute(
        select(Pegging.supply_type, Pegging.supply_ref, Pegging.item_id, Pegging.qty).where(
            Pegging.demand_ref.in_(_demands(mo)),
            Pegging.plan_run_id == run.id,
            Pegging.demand_type.in_(("production_order", "planned_order")),
            Pegging.item_id.in_(list(items)),
        )
    ).all()
    when = _supply_dates(session, run.id, [(t, r) for t, r, _i, _q in rows])
    out: dict[int, float] = defaultdict(float)
    for kind, ref, item_id, qty in rows:
        there = when.get((kind, ref))
        if kind == "stock" or (there is not None and there <= day):
            out[int(item_id)] += float(qty)
    return out


def _supply_dates(
    session: Session, run_id: int, supplies: list[tuple[str, str]]
) -> dict[tuple[str, str], date]:
    """The day each pegged order supply is there: its due date."""
    refs: dict[str, list[str]] = defaultdict(list)
    for kind, ref in supplies:
        refs[kind].append(ref)
    out: dict[tuple[str, str], date] = {}
    if refs["planned_order"]:
        for number, due in session.execute(
            select(PlannedOrder.number, PlannedOrder.due_date).where(
                PlannedOrder.plan_run_id == run_id,
                PlannedOrder.number.in_(refs["planned_order"]),
            )
        ):
            out[("planned_order", number)] = due
    if refs["production_order"]:
        for number, due in session.execute(
            select(ProductionOrder.number, ProductionOrder.due_date).where(
                ProductionOrder.number.in_(refs["production_order"])
            )
        ):
            out[("production_order", number)] = due
    if refs["purchase_order"]:
        line_ref = PurchaseOrder.number + "/" + cast(PurchaseOrderLine.line, String)
        numbers = {r.rpartition("/")[0] for r in refs["purchase_order"]}
        for ref, due in session.execute(
            select(line_ref, PurchaseOrderLine.due_date)
            .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
            .where(PurchaseOrder.number.in_(numbers))
        ):
            out[("purchase_order", ref)] = due
    return out

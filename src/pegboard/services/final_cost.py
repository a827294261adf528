"""Freezing the final cost of sales-order lines shipped complete (issue #16, item 6).

A closed order's figures must not move: its estimate prices parts at their latest
purchase, so a purchase months later would change its estimated cost and price
variance. When shipping completes a line, its estimated and actual cost, variance
split and revenue at that moment are stored (``sales_line_final_cost``), once, in
the transaction that ships or closes the line; ``services.variance`` reads them from
then on. Every way a line becomes shipped or closed calls ``freeze_done_lines``: shipping
and delivering (``services.shipping``), a status change by hand (``services.sales``).

Lines shipped before final costs were kept (migration 0019), or before a status change
froze them, have none: ``backfill_final_costs`` freezes them at their figures of that
moment, and ``pegboard db upgrade`` runs it after migrating. It is a service run, not a
migration: the figures come from the cost services as they are, which a migration (a
frozen script, run once) must not import; and it can run again, freezing only what is
missing. A backfilled line's ``frozen_at`` is when the backfill ran.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.errors import PlanningError
from pegboard.model import LineFinalCost, SalesOrder, SalesOrderLine, SalesOrderStatus
from pegboard.services import audit, variance
from pegboard.services._tx import writes

DONE = (SalesOrderStatus.SHIPPED, SalesOrderStatus.CLOSED)


def freeze_done_lines(session: Session, order: SalesOrder, rows: list[SalesOrderLine]) -> int:
    """Store the final cost of every shipped or closed line of ``order`` that has none
    yet; returns how many were frozen. An order whose cost cannot be estimated (an
    unknown item in its configuration) keeps its figures computed: shipping goods
    must not fail on a cost report."""
    done = {r.id for r in rows if r.status in DONE}
    if not done:
        return 0
    session.flush()
    todo = done - set(variance.final_costs(session, sorted(done)))
    if not todo:
        return 0
    try:
        found = variance.order_variance(session, order.number)
    except PlanningError:
        return 0
    by_line = {r.line: r.id for r in rows}
    added = [
        _row(by_line[int(line.ref.rsplit("/", 1)[1])], line)
        for line in found.lines
        if by_line[int(line.ref.rsplit("/", 1)[1])] in todo
    ]
    session.add_all(added)
    session.flush()
    return len(added)


@writes
def backfill_final_costs(session: Session, *, author: str) -> int:
    """Freeze the final cost of every shipped or closed line that has none, in one
    transaction; returns how many were frozen (0 when there is nothing left to do)."""
    missing = (
        select(SalesOrderLine.sales_order_id)
        .outerjoin(LineFinalCost, LineFinalCost.sales_order_line_id == SalesOrderLine.id)
        .where(SalesOrderLine.status.in_(DONE), LineFinalCost.sales_order_line_id.is_(None))
        .distinct()
    )
    order_ids = sorted(session.scalars(missing))
    frozen = 0
    for order in session.scalars(select(SalesOrder).where(SalesOrder.id.in_(order_ids))):
        rows = session.scalars(
            select(SalesOrderLine).where(SalesOrderLine.sales_order_id == order.id)
        ).all()
        frozen += freeze_done_lines(session, order, list(rows))
    if frozen:
        audit.record(
            session,
            author=author,
            entity="sales_line_final_cost",
            ref="backfill",
            action="freeze",
            after={"lines": frozen, "orders": len(order_ids)},
        )
    return frozen


def _row(line_id: int, line: variance.LineVariance) -> LineFinalCost:
    e, a, v = line.estimated, line.actual, line.variance
    return LineFinalCost(
        sales_order_line_id=line_id,
        estimated_material=e.material,
        estimated_labour=e.labour,
        estimated_overhead=e.overhead,
        actual_material=a.material,
        actual_scrap=a.scrap,
        actual_labour=a.labour,
        actual_overhead=a.overhead,
        actual_hours=a.hours,
        price_variance=v.price,
        usage_variance=v.usage,
        scrap_variance=v.scrap,
        labour_variance=v.labour,
        overhead_variance=v.overhead,
        revenue=line.revenue,
    )

"""The item page's open-order needs (``projection._component_requirements``, read set-based
with the parents kept in the database) equal a plain computation order by order: each
open production order's frozen component list, else its BOM as ``bom_per_unit`` chooses
it (its sales order's rows, else the master rows), less what was completed and issued."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from _clock import DEMO_DAY
from pegboard.bundle.demo import demo_dataset
from pegboard.model import (
    BomLine,
    Item,
    ProductionComponent,
    ProductionOrder,
    ProductionStatus,
    SalesOrder,
)
from pegboard.model.enums import OPEN_PRODUCTION_STATUSES
from pegboard.services import company_data, planning, production
from pegboard.services.outstanding import bom_per_unit, outstanding
from pegboard.services.projection import Event, _component_requirements
from pegboard.services.snapshot import PLANNABLE_ORDER_STATUSES


def _plain(session: Session, component: int) -> list[Event]:
    """One order at a time, as a person would work it out."""
    events = []
    orders = session.scalars(
        select(ProductionOrder).where(ProductionOrder.status.in_(OPEN_PRODUCTION_STATUSES))
    ).all()
    for mo in orders:
        if mo.components_issued:
            continue
        lead = session.scalar(select(Item.lead_time_days).where(Item.id == mo.item_id)) or 0
        day = mo.start_date or mo.due_date - timedelta(days=lead)
        listed = session.scalars(
            select(ProductionComponent).where(ProductionComponent.production_order_id == mo.id)
        ).all()
        if listed:
            for c in listed:
                if c.item_id == component:
                    left = float(
                        outstanding(
                            c.qty_per, mo.qty, mo.completed_qty, mo.scrapped_qty, c.issued_qty
                        )
                    )
                    if left > 0:
                        events.append(Event(day, -left, "component", mo.number))
            continue
        order = session.get(SalesOrder, mo.sales_order_id) if mo.sales_order_id else None
        counted = order is None or order.status in PLANNABLE_ORDER_STATUSES
        if mo.status is ProductionStatus.PLANNED and not counted:
            continue  # a planned order of an unconfirmed sales order: not counted
        per = bom_per_unit(session, mo.item_id, mo.sales_order_id).get(component, 0.0)
        left = float(outstanding(per, mo.qty, mo.completed_qty, 0.0, 0.0))
        if per > 0 and left > 0:
            events.append(Event(day, -left, "component", mo.number))
    return events


def _key(e: Event) -> tuple[object, ...]:
    return (e.ref, e.day, e.qty)


def test_open_order_needs_equal_a_plain_computation(session: Session) -> None:
    company_data.replace_company(session, demo_dataset("lighting", DEMO_DAY), author="test")
    planning.run_plan(session, author="test", today=DEMO_DAY)
    session.commit()
    production.firm_productions(session, author="test")  # planned orders, without lists
    session.commit()
    mos = session.scalars(select(ProductionOrder).order_by(ProductionOrder.number)).all()
    assert len(mos) > 10
    # some progress on a few: completed and scrapped units, one order's components issued
    for n, mo in enumerate(mos[:6]):
        mo.completed_qty = min(mo.qty, float(n))
        mo.scrapped_qty = float(n % 2)
    mos[6].components_issued = True
    # one sales order not confirmed any more: its planned orders do not count
    planned_of = next(m.sales_order_id for m in mos if m.sales_order_id and m.status == "planned")
    session.execute(update(SalesOrder).where(SalesOrder.id == planned_of).values(status="draft"))
    session.commit()

    components = session.scalars(select(BomLine.component_id).distinct()).all()
    assert len(components) > 20
    nonempty = 0
    for component in components:
        found = sorted(_component_requirements(session, component), key=_key)
        plain = sorted(_plain(session, component), key=_key)
        assert found == plain, component
        nonempty += bool(found)
    assert nonempty > 5  # the comparison is about real needs, not empty lists

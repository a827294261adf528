"""Choosing planned orders of the current plan to firm into real orders.

A planned order is firmed at most once: the row records what it became
(``firmed_as``), and the rows are read under a row lock, so two buyers firming
the same suggestion at once get one order, not two.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.errors import ConflictError, NotFoundError, ValidationError
from pegboard.model import ItemType, PlannedOrder
from pegboard.services._tx import for_update
from pegboard.services.planning import current_run


def planned_to_firm(
    session: Session, kind: ItemType, numbers: Sequence[str] | None, until: date | None
) -> list[PlannedOrder]:
    """The planned orders of ``kind`` named in ``numbers``, or (without numbers) those not
    yet firmed whose release date is on or before ``until`` (all when ``until`` is None)."""
    run = current_run(session)
    if run is None:
        raise ConflictError("there is no plan yet: run `pegboard plan` first")
    stmt = select(PlannedOrder).where(PlannedOrder.plan_run_id == run.id)
    if numbers is not None:
        if not numbers:
            raise ValidationError("name at least one planned order", field="planned")
        stmt = stmt.where(PlannedOrder.number.in_(list(numbers)))
    else:
        stmt = stmt.where(PlannedOrder.type == kind, PlannedOrder.firmed_as.is_(None))
        if until is not None:
            stmt = stmt.where(PlannedOrder.release_date <= until)
    if for_update(session):
        stmt = stmt.with_for_update()
    rows = list(
        session.scalars(stmt.order_by(PlannedOrder.id).execution_options(populate_existing=True))
    )
    if numbers is not None:
        _check_named(rows, kind, numbers)
    if not rows:
        raise ConflictError(f"no planned {kind.value} orders to firm", kind=kind.value)
    return rows


def _check_named(rows: list[PlannedOrder], kind: ItemType, numbers: Sequence[str]) -> None:
    found = {r.number: r for r in rows}
    for number in numbers:
        row = found.get(number)
        if row is None:
            raise NotFoundError(f"no planned order {number!r} in the current plan", planned=number)
        if row.type is not kind:
            raise ValidationError(
                f"{number} is a planned {row.type.value} order, not {kind.value}", planned=number
            )
        if row.firmed_as:
            raise ConflictError(f"{number} was firmed already as {row.firmed_as}", planned=number)

"""Choosing planned orders of the current plan to firm into real orders, and what the
current plan reads once they are firmed.

A planned order is firmed at most once: the row records what it became
(``firmed_as``), and the rows are read under a row lock, so two buyers firming
the same suggestion at once get one order, not two.

Firming takes the planned order out of the plan in the same transaction
(``carry_into_plan``): it is no longer to release (every to-release list reads
only planned orders without ``firmed_as``, and the run's release counts lose
it), and until the next run the new purchase-order line or production order
carries its pegging, on both sides, so the pegging and the late chain show the
real order where they showed the suggestion.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from pegboard.errors import ConflictError, NotFoundError, ValidationError
from pegboard.model import (
    ItemType,
    Pegging,
    PlannedOrder,
    PlanProduction,
    PlanRun,
    ProductionOrder,
)
from pegboard.services import plan_inputs
from pegboard.services._tx import for_update
from pegboard.services.planning import current_run
from pegboard.services.release_windows import release_days

_CHUNK = 500
"""Planned orders re-pegged per statement (one CASE branch each)."""


def firm_days(
    today: date,
    *,
    named: bool,
    since: date | None = None,
    until: date | None = None,
    window: str | None = None,
) -> tuple[date | None, date | None]:
    """The first and last release days a firm without named orders takes, as the
    planned-orders lists read them (``release_days``: a window as of ``today``, a crossed
    range refused in the same words). Named orders with days are refused: which would
    win is a guess, and a wrong guess creates orders."""
    if named and (since is not None or until is not None or window is not None):
        given = "window" if window is not None else "from" if since is not None else "until"
        raise ValidationError(
            "name planned orders or give release days (from/until or a window), not both",
            field=given,
        )
    return release_days(today, since=since, until=until, window=window)


def planned_to_firm(
    session: Session,
    kind: ItemType | None,
    numbers: Sequence[str] | None,
    until: date | None,
    since: date | None = None,
) -> list[PlannedOrder]:
    """The planned orders of ``kind`` named in ``numbers``, or (without numbers) those not
    yet firmed whose release date is from ``since`` to ``until`` (either end open when
    None). Without a kind, the named orders whatever their kind (a mixed selection)."""
    if kind is None and numbers is None:
        raise ValidationError("name at least one planned order", field="planned")
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
        if since is not None:
            stmt = stmt.where(PlannedOrder.release_date >= since)
    if for_update(session):
        stmt = stmt.with_for_update()
    rows = list(
        session.scalars(stmt.order_by(PlannedOrder.id).execution_options(populate_existing=True))
    )
    if numbers is not None:
        _check_named(rows, kind, numbers)
    if not rows:
        what = f"{kind.value} " if kind is not None else ""
        raise ConflictError(f"no planned {what}orders to firm", kind=what.strip())
    return rows


def _check_named(rows: list[PlannedOrder], kind: ItemType | None, numbers: Sequence[str]) -> None:
    found = {r.number: r for r in rows}
    for number in numbers:
        row = found.get(number)
        if row is None:
            raise NotFoundError(f"no planned order {number!r} in the current plan", planned=number)
        if kind is not None and row.type is not kind:
            raise ValidationError(
                f"{number} is a planned {row.type.value} order, not {kind.value}", planned=number
            )
        if row.firmed_as:
            raise ConflictError(f"{number} was firmed already as {row.firmed_as}", planned=number)


def carry_into_plan(
    session: Session,
    run_id: int,
    firmed: Mapping[PlannedOrder, str],
    *,
    productions: Mapping[str, ProductionOrder] | None = None,
) -> None:
    """The current plan after ``firmed`` (planned order -> the ``PO/line`` or production
    order it became, already in ``firmed_as``): their release is counted no more, and
    their pegging rows name the new order instead, as supply and (a make order) as the
    demand of its components. A new production order is available when the planned
    order was (its earliest completion), so the late chain keeps its date."""
    if not firmed:
        return
    kind = "production_order" if productions is not None else "purchase_order"
    refs = {row.number: ref for row, ref in firmed.items()}
    numbers = sorted(refs)
    for start in range(0, len(numbers), _CHUNK):
        chunk = numbers[start : start + _CHUNK]
        names = {n: refs[n] for n in chunk}
        session.execute(
            update(Pegging)
            .where(
                Pegging.plan_run_id == run_id,
                Pegging.supply_type == "planned_order",
                Pegging.supply_ref.in_(chunk),
            )
            .values(supply_type=kind, supply_ref=case(names, value=Pegging.supply_ref))
            .execution_options(synchronize_session=False)
        )
        if productions is not None:
            session.execute(
                update(Pegging)
                .where(
                    Pegging.plan_run_id == run_id,
                    Pegging.demand_type == "planned_order",
                    Pegging.demand_ref.in_(chunk),
                )
                .values(demand_type=kind, demand_ref=case(names, value=Pegging.demand_ref))
                .execution_options(synchronize_session=False)
            )
    if productions is not None:
        session.add_all(
            PlanProduction(
                plan_run_id=run_id,
                production_order_id=productions[row.number].id,
                earliest_completion=row.earliest_completion,
                available_date=max(row.due_date, row.earliest_completion),
                is_late=row.is_late,
            )
            for row in firmed
        )
    _uncount_releases(session, run_id, list(firmed))
    plan_inputs.carried(session, run_id)  # the plan holds the new orders: no older for them


def _uncount_releases(session: Session, run_id: int, rows: list[PlannedOrder]) -> None:
    """Take the firmed orders out of the run's release counts (what the pages count to
    release by a day), the run read under a row lock so two firms both count."""
    stmt = select(PlanRun).where(PlanRun.id == run_id)
    if for_update(session):
        stmt = stmt.with_for_update()
    run = session.scalars(stmt.execution_options(populate_existing=True)).one()
    release = (run.counts or {}).get("release")
    if not isinstance(release, dict):
        return  # a run stored before the counts: the pages count its rows
    days = {kind: dict(per_day) for kind, per_day in release.items()}
    for row in rows:
        per_day = days.setdefault(row.type.value, {})
        day = row.release_date.isoformat()
        left = int(per_day.get(day, 0)) - 1
        if left > 0:
            per_day[day] = left
        else:
            per_day.pop(day, None)
    run.counts = {**(run.counts or {}), "release": days}

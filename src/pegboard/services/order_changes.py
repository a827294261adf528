"""Changing and cancelling sales-order lines without losing work already started.

While none of a line's production orders is released, a change re-derives its
order BOM and production orders from the stored configuration. Once one is
released, nothing is re-derived: released orders are kept and flagged for the
planner (``needs_review``), unreleased ones follow the new quantity and date.
Every change is in the audit trail with the values before and after.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.engine.calendar import WorkCalendar
from pegboard.errors import ConflictError, ValidationError
from pegboard.model import (
    ProductionOrder,
    ProductionStatus,
    SalesOrderLine,
    SalesOrderStatus,
)
from pegboard.services import audit
from pegboard.services._tx import write_transaction
from pegboard.services.calendar import back_date, load_calendar
from pegboard.services.line_work import (
    cancel_line_work,
    free_order_reservations,
    line_orders,
    released_orders,
)
from pegboard.services.order_bom import configuration_of, derive
from pegboard.services.sales import check_transition, get_line

_CHANGEABLE = (SalesOrderStatus.DRAFT, SalesOrderStatus.CONFIRMED, SalesOrderStatus.IN_PRODUCTION)


def change_line(
    session: Session,
    number: str,
    line: int,
    *,
    qty: float | None = None,
    due: date | None = None,
    author: str,
    today: date,
) -> list[str]:
    """Change quantity and/or due date; returns the production orders flagged for review."""
    if qty is not None and (not qty > 0 or qty > 1e12):
        raise ValidationError(f"qty must be a number greater than 0, not {qty!r}", field="qty")
    with write_transaction(session):
        order, row = get_line(session, number, line)
        if row.status not in _CHANGEABLE:
            raise ConflictError(f"{number}/{line} is {row.status.value}; it cannot be changed")
        if qty is not None and qty < row.shipped_qty:
            raise ValidationError(
                f"qty {qty:g} is less than the {row.shipped_qty:g} already shipped"
            )
        before = {"qty": row.qty, "due": row.due_date}
        old_open, old_due = row.qty - row.shipped_qty, row.due_date
        row.qty = qty if qty is not None else row.qty
        row.due_date = due if due is not None else row.due_date
        after = {"qty": row.qty, "due": row.due_date}
        orders = line_orders(session, row)
        released = released_orders(orders)
        values = configuration_of(session, row)
        if values is not None and not released:
            derive(session, order, row, values, today)
            flagged: list[str] = []
        else:
            calendar = load_calendar(session.connection())
            flagged = _follow(orders, released, row, old_open, old_due, before, after, calendar)
        audit.record(
            session,
            author=author,
            entity="sales_order_line",
            ref=f"{number}/{line}",
            action="change",
            before=before,
            after={**after, "flagged": flagged},
        )
    return flagged


def _follow(
    orders: list[ProductionOrder],
    released: list[ProductionOrder],
    row: SalesOrderLine,
    old_open: float,
    old_due: date,
    before: dict[str, object],
    after: dict[str, object],
    calendar: WorkCalendar,
) -> list[str]:
    """Scale and shift unreleased orders with the line; flag the released ones. A shifted
    order is due on a working day and keeps its working days of work (rule 1)."""
    ratio = (row.qty - row.shipped_qty) / old_open if old_open > 0 else 1.0
    shift = timedelta(days=(row.due_date - old_due).days)
    note = "line changed: " + ", ".join(
        f"{key} {_plain(before[key])} → {_plain(after[key])}"
        if before.get(key) != after[key]
        else f"{key} {_plain(after[key])}"
        for key in after
    )
    for mo in orders:
        if mo in released:
            mo.needs_review = True
            mo.review_note = note[:500]
        elif mo.status is ProductionStatus.PLANNED:
            mo.qty *= ratio
            due = back_date(calendar, mo.due_date + shift)
            if mo.start_date is not None:
                work = calendar.working_days_between(
                    mo.start_date.toordinal(), mo.due_date.toordinal()
                )
                mo.start_date = back_date(calendar, due, work)
            mo.due_date = due
    return [mo.number for mo in released]


def _plain(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def cancel_line(session: Session, number: str, line: int, *, author: str) -> list[str]:
    """Cancel a line: its unreleased production orders are cancelled, released ones flagged,
    stock reserved for its items is freed. Returns the flagged production orders."""
    with write_transaction(session):
        order, row = get_line(session, number, line)
        check_transition(f"{number}/{line}", row.status, SalesOrderStatus.CANCELLED)
        flagged = cancel_line_work(session, order, row, author=author)
        open_lines = session.scalar(
            select(SalesOrderLine.id)
            .where(
                SalesOrderLine.sales_order_id == order.id,
                SalesOrderLine.status != SalesOrderStatus.CANCELLED,
            )
            .limit(1)
        )
        if open_lines is None:
            audit.record(
                session,
                author=author,
                entity="sales_order",
                ref=number,
                action="status",
                before={"status": order.status},
                after={"status": SalesOrderStatus.CANCELLED},
                note=f"its last open line {number}/{line} was cancelled",
            )
            order.status = SalesOrderStatus.CANCELLED
            free_order_reservations(session, order, author)
    return flagged

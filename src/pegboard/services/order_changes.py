"""Changing and cancelling sales-order lines without losing work already started.

A change never rebuilds a line's order BOM (only re-configuring does, see
``order_bom.configure_line``), so every hand edit of it stays as it was: a new
due date moves the line's unreleased production orders, a new quantity resizes
them from the order BOM as it is now, hand edits included. Released orders are
kept and flagged for the planner (``needs_review``). Every change is in the
audit trail with the values before and after, the production orders it moved or
resized among them (each by its number: quantity, start and due before and after).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.engine.calendar import WorkCalendar
from pegboard.errors import ConflictError, ValidationError
from pegboard.model import (
    Bom,
    BomLine,
    Item,
    ProductionOrder,
    ProductionStatus,
    SalesOrderLine,
    SalesOrderStatus,
)
from pegboard.services import audit, money
from pegboard.services._tx import write_transaction
from pegboard.services.bounds import check_day
from pegboard.services.calendar import back_date, load_calendar
from pegboard.services.line_work import (
    cancel_line_work,
    free_order_reservations,
    released_orders,
)
from pegboard.services.order_tree import line_orders
from pegboard.services.sales import check_transition, get_line

_CHANGEABLE = (SalesOrderStatus.DRAFT, SalesOrderStatus.CONFIRMED, SalesOrderStatus.IN_PRODUCTION)


def change_line(
    session: Session,
    number: str,
    line: int,
    *,
    qty: float | None = None,
    due: date | None = None,
    unit_price: Decimal | str | None = None,
    discount_pct: Decimal | str | None = None,
    author: str,
    today: date,
) -> list[str]:
    """Change quantity and/or due date, and/or the quoted unit price and discount; returns
    the production orders flagged for review. A new price or discount alone changes no
    production order."""
    if qty is not None and (not qty > 0 or qty > 1e12):
        raise ValidationError(f"qty must be a number greater than 0, not {qty!r}", field="qty")
    due = due if due is None else check_day(due, "due")
    price = None if unit_price is None else money.price(unit_price)
    discount = None if discount_pct is None else money.percent(discount_pct)
    with write_transaction(session):
        _order, row = get_line(session, number, line)
        if row.status not in _CHANGEABLE:
            raise ConflictError(f"{number}/{line} is {row.status.value}; it cannot be changed")
        if qty is not None and qty < row.shipped_qty:
            raise ValidationError(
                f"qty {qty:g} is less than the {row.shipped_qty:g} already shipped"
            )
        before: dict[str, object] = {"qty": row.qty, "due": row.due_date}
        after: dict[str, object] = {}
        if price is not None or discount is not None:
            before |= {"unit_price": row.unit_price, "discount_pct": row.discount_pct}
            row.unit_price = price if price is not None else row.unit_price
            row.discount_pct = discount if discount is not None else row.discount_pct
            after |= {"unit_price": row.unit_price, "discount_pct": row.discount_pct}
        flagged: list[str] = []
        if qty is not None or due is not None or not after:
            old_open, old_due = row.qty - row.shipped_qty, row.due_date
            row.qty = qty if qty is not None else row.qty
            row.due_date = due if due is not None else row.due_date
            moved = {"qty": row.qty, "due": row.due_date}
            note = "line changed: " + ", ".join(
                f"{key} {_plain(before[key])} → {_plain(moved[key])}"
                if before.get(key) != moved[key]
                else f"{key} {_plain(moved[key])}"
                for key in moved
            )
            follow = _Follow(session, row, old_open, old_due)
            flagged = follow.orders(line_orders(session, row), note)
            was, now = follow.changed()
            before |= was
            after = moved | now | after
        else:
            after = {"qty": row.qty, "due": row.due_date} | after
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


class _Follow:
    """The line's production orders after a change of its quantity or due date.

    An order of the line's configured tree is dated as configuring dates it, from its
    parent (the top one from the line): it is finished when the parent starts, and
    starts its lead time before, in working days (rule 1). A new quantity sizes it
    the same way: the parent's quantity times its order-BOM line as it is now, hand
    edits included (a new due date alone changes no quantity). Other orders of the
    line are scaled and shifted with it, keeping their working days of work.
    """

    def __init__(
        self, session: Session, row: SalesOrderLine, old_open: float, old_due: date
    ) -> None:
        self.session = session
        self.row = row
        self.ratio = (row.qty - row.shipped_qty) / old_open if old_open > 0 else 1.0
        self.resize = row.qty - row.shipped_qty != old_open
        self.shift = timedelta(days=(row.due_date - old_due).days)
        self.calendar: WorkCalendar = load_calendar(session.connection())
        self._was: dict[str, str] = {}
        self._orders: list[ProductionOrder] = []

    def orders(self, orders: list[ProductionOrder], note: str) -> list[str]:
        self._was = {mo.number: _state(mo) for mo in orders}
        self._orders = orders
        released = released_orders(orders)
        for mo in released:
            mo.needs_review = True
            mo.review_note = note[:500]
        by_id = {mo.id: mo for mo in orders}
        tree = self._tree_factors(orders)
        leads = dict(
            self.session.execute(
                select(Item.id, Item.lead_time_days).where(
                    Item.id.in_({mo.item_id for mo in orders})
                )
            ).all()
        )
        # parents before their children: a child follows its parent's new quantity and start
        for mo in sorted(orders, key=lambda o: (o.number.count("."), o.number)):
            if mo in released or mo.status is not ProductionStatus.PLANNED:
                continue
            parent = by_id.get(mo.parent_id) if mo.parent_id else None
            if mo.id in tree and (parent is not None or tree[mo.id] is None):
                self._from_tree(mo, parent, tree[mo.id], int(leads.get(mo.item_id) or 0))
            else:
                self._scaled(mo)
        return [mo.number for mo in released]

    def changed(self) -> tuple[dict[str, str], dict[str, str]]:
        """The production orders this change moved or resized, before and after, by
        number: so the history says what happened to the work, not only to the line."""
        now = {mo.number: _state(mo) for mo in self._orders}
        moved = sorted(number for number, state in now.items() if state != self._was[number])
        return {n: self._was[n] for n in moved}, {n: now[n] for n in moved}

    def _tree_factors(self, orders: list[ProductionOrder]) -> dict[int, float | None]:
        """Order id -> its quantity per unit of its parent order, from the parent's order
        BOM line (scrap included); None for the top order of the line's tree."""
        boms = {
            b.id: b
            for b in self.session.scalars(select(Bom).where(Bom.sales_order_line_id == self.row.id))
        }
        lines: dict[tuple[int, int], float] = {}
        for bom_id, component, qty_per, scrap in self.session.execute(
            select(BomLine.bom_id, BomLine.component_id, BomLine.qty_per, BomLine.scrap_pct).where(
                BomLine.bom_id.in_(list(boms))
            )
        ):
            key = (bom_id, component)
            lines[key] = lines.get(key, 0.0) + qty_per * (1 + scrap / 100)
        out: dict[int, float | None] = {}
        for mo in orders:
            bom = boms.get(mo.bom_id) if mo.bom_id else None
            if bom is None:
                continue
            if bom.parent_bom_id is None:
                out[mo.id] = None
            elif (factor := lines.get((bom.parent_bom_id, mo.item_id))) is not None:
                out[mo.id] = factor
        return out

    def _from_tree(
        self, mo: ProductionOrder, parent: ProductionOrder | None, factor: float | None, lead: int
    ) -> None:
        if parent is None or factor is None:
            qty, due = self.row.qty - self.row.shipped_qty, self.row.due_date
        else:
            qty, due = parent.qty * factor, parent.start_date or parent.due_date
        if self.resize and qty > 0:
            mo.qty = qty
        mo.due_date = back_date(self.calendar, due)
        mo.start_date = back_date(self.calendar, mo.due_date, lead)

    def _scaled(self, mo: ProductionOrder) -> None:
        """Scale and shift with the line; shifted, it is due on a working day and keeps
        its working days of work (rule 1)."""
        mo.qty *= self.ratio
        due = back_date(self.calendar, mo.due_date + self.shift)
        if mo.start_date is not None:
            work = self.calendar.working_days_between(
                mo.start_date.toordinal(), mo.due_date.toordinal()
            )
            mo.start_date = back_date(self.calendar, due, work)
        mo.due_date = due


def _state(mo: ProductionOrder) -> str:
    """A production order's quantity and dates as the history shows them."""
    start = "-" if mo.start_date is None else mo.start_date.isoformat()
    return f"qty {_plain(mo.qty)}, start {start}, due {mo.due_date.isoformat()}"


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

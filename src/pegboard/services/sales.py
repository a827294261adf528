"""Customers, projects and sales orders: the backlog a make-to-order shop plans from.

Statuses move only along ``TRANSITIONS`` (data, checked by a test), every change
is recorded in the audit trail, and order numbers are human and stable
(``SO-1042``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from pegboard.errors import ConflictError, NotFoundError, ValidationError
from pegboard.model import (
    Bom,
    Customer,
    Item,
    PlanLine,
    Project,
    SalesOrder,
    SalesOrderLine,
    SalesOrderStatus,
)
from pegboard.services import audit, money, numbers, wording
from pegboard.services._tx import for_update, write_transaction
from pegboard.services.bounds import check_day
from pegboard.services.codes import check_code
from pegboard.services.final_cost import freeze_done_lines
from pegboard.services.line_work import cancel_line_work, free_order_reservations
from pegboard.services.lookups import get_customer as get_customer
from pegboard.services.lookups import get_item as get_item
from pegboard.services.lookups import get_line as get_line
from pegboard.services.lookups import get_order as get_order
from pegboard.services.lookups import get_project as get_project
from pegboard.services.lookups import line_amount as line_amount
from pegboard.services.paging import sorted_page

S = SalesOrderStatus
TRANSITIONS: dict[SalesOrderStatus, frozenset[SalesOrderStatus]] = {
    S.DRAFT: frozenset({S.CONFIRMED, S.CANCELLED}),
    S.CONFIRMED: frozenset({S.IN_PRODUCTION, S.SHIPPED, S.CANCELLED}),
    S.IN_PRODUCTION: frozenset({S.SHIPPED, S.CANCELLED}),
    S.SHIPPED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
}
"""Which status may follow which; anything else is refused."""

FIRST_NUMBER = 1001


def check_transition(ref: str, current: SalesOrderStatus, new: SalesOrderStatus) -> None:
    if new not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[current])) or "none"
        raise ConflictError(
            f"{ref} is {current.value}; it cannot become {new.value} (allowed: {allowed})",
            ref=ref,
            status=current.value,
            wanted=new.value,
        )


def customer_query(*, q: str | None = None) -> Select[Customer]:
    """Customers whose code or name contains ``q`` (any case)."""
    stmt = select(Customer)
    if q:
        stmt = stmt.where(
            Customer.code.icontains(q, autoescape=True)
            | Customer.name.icontains(q, autoescape=True)
        )
    return stmt


def project_query(session: Session, customer: str) -> Select[Project]:
    """The projects of a customer (who must exist)."""
    owner = get_customer(session, customer)
    return select(Project).where(Project.customer_id == owner.id)


CUSTOMER_CHOICES = 500
"""At most this many customers are offered in a filter's drop-down list; a company with
more (a full-size one has ten thousand) gets a field to type the code in: rendering every
customer on each list page took most of its time and no one scrolls such a list."""


def customer_choices(session: Session) -> list[tuple[str, str]] | None:
    """(code, name) of every customer for a filter's drop-down, or None when there are
    more than ``CUSTOMER_CHOICES`` (only that many plus one are read to know)."""
    rows = session.execute(
        select(Customer.code, Customer.name).order_by(Customer.id).limit(CUSTOMER_CHOICES + 1)
    ).all()
    return None if len(rows) > CUSTOMER_CHOICES else [(code, name) for code, name in rows]


CUSTOMER_SORT = ("code", "name")
"""What a list of customers (or of a customer's projects) can be sorted by."""


def customer_page(
    session: Session, *, q: str | None = None, sort: str | None = None, limit: int, offset: int
) -> tuple[list[Any], int]:
    """A page of customers ``(code, name)`` whose code or name contains ``q``, sorted by
    ``sort`` (names of ``CUSTOMER_SORT``, ``-`` descending) then by code, and the total."""
    stmt = customer_query(q=q).with_only_columns(Customer.code, Customer.name)
    return sorted_page(
        session, stmt, sort=sort, sorts=CUSTOMER_SORT, tie="code", limit=limit, offset=offset
    )


def project_page(
    session: Session, customer: str, *, sort: str | None = None, limit: int, offset: int
) -> tuple[list[Any], int]:
    """A page of a customer's projects ``(code, name)`` (``NotFoundError`` for an unknown
    customer), sorted like ``customer_page``, and the total."""
    stmt = project_query(session, customer).with_only_columns(Project.code, Project.name)
    return sorted_page(
        session, stmt, sort=sort, sorts=CUSTOMER_SORT, tie="code", limit=limit, offset=offset
    )


def _code(field: str, value: str) -> str:
    """Ids people type (customers, projects, order numbers): ``services.codes``."""
    return check_code(value, field)


def create_customer(session: Session, *, code: str, name: str = "", author: str) -> None:
    code = _code("customer", code)
    with write_transaction(session):
        if session.scalar(select(Customer.id).where(Customer.code == code)) is not None:
            raise ConflictError(f"customer {code!r} exists already", customer=code)
        session.add(Customer(code=code, name=name or code))
        audit.record(
            session,
            author=author,
            entity="customer",
            ref=code,
            action="create",
            after={"name": name or code},
        )


def create_project(
    session: Session, *, customer: str, code: str, name: str = "", author: str
) -> None:
    code = _code("project", code)
    with write_transaction(session):
        owner = get_customer(session, customer)
        exists = select(Project.id).where(Project.customer_id == owner.id, Project.code == code)
        if session.scalar(exists) is not None:
            raise ConflictError(f"project {code!r} of {customer} exists already", project=code)
        session.add(Project(customer_id=owner.id, code=code, name=name or code))
        audit.record(
            session,
            author=author,
            entity="project",
            ref=f"{customer}/{code}",
            action="create",
            after={"name": name or code},
        )


def next_number(session: Session) -> str:
    """The next ``SO-n`` after the highest numeric one (other numbering schemes are left
    alone), handed out under the sequence's lock so two clerks never get the same."""
    return numbers.next_number(session, "SO", SalesOrder.number, first=FIRST_NUMBER)


def create_order(
    session: Session,
    *,
    customer: str,
    project: str | None = None,
    number: str | None = None,
    author: str,
) -> str:
    """A new draft sales order; returns its number."""
    if number is not None:
        number = _code("number", number)
    with write_transaction(session):
        owner = get_customer(session, customer)
        project_id = None
        if project:
            project_id = session.scalar(
                select(Project.id).where(Project.customer_id == owner.id, Project.code == project)
            )
            if project_id is None:
                raise NotFoundError(f"{customer} has no project {project!r}", project=project)
        typed = number is not None
        number = number or next_number(session)
        if session.scalar(select(SalesOrder.id).where(SalesOrder.number == number)) is not None:
            raise ConflictError(f"sales order {number} exists already", sales_order=number)
        session.add(
            SalesOrder(number=number, customer_id=owner.id, project_id=project_id, status=S.DRAFT)
        )
        if typed:  # the series continues after a higher number typed by hand
            session.flush()
            numbers.note_used(session, "SO", SalesOrder.number, number, first=FIRST_NUMBER)
        audit.record(
            session,
            author=author,
            entity="sales_order",
            ref=number,
            action="create",
            after={"customer": customer, "project": project, "status": S.DRAFT},
        )
    return number


def _positive(name: str, value: float) -> None:
    if not value > 0 or value != value or value > 1e12:
        raise ValidationError(f"{name} must be a number greater than 0, not {value!r}", field=name)


def add_line(
    session: Session,
    number: str,
    *,
    item: str,
    qty: float,
    due: date,
    priority: int = 100,
    unit_price: Decimal | str | None = None,
    discount_pct: Decimal | str | None = None,
    author: str,
) -> int:
    """Add a line to an open order; returns its line number. ``unit_price`` is the quoted
    price of one unit (exact, in the company currency), ``discount_pct`` a discount on it."""
    _positive("qty", qty)
    check_day(due, "due")
    price = None if unit_price is None else money.price(unit_price)
    discount = money.ZERO if discount_pct is None else money.percent(discount_pct)
    with write_transaction(session):
        order = get_order(session, number)
        if for_update(session):  # the next line number is read under the order's lock
            session.refresh(order, with_for_update={"key_share": True})
        if order.status in (S.SHIPPED, S.CLOSED, S.CANCELLED):
            raise ConflictError(f"{number} is {order.status.value}; no lines can be added")
        product = get_item(session, item)
        last = session.scalar(
            select(func.max(SalesOrderLine.line)).where(SalesOrderLine.sales_order_id == order.id)
        )
        line = (last or 0) + 1
        session.add(
            SalesOrderLine(
                sales_order_id=order.id,
                line=line,
                item_id=product.id,
                qty=qty,
                shipped_qty=0.0,
                due_date=due,
                priority=priority,
                status=order.status if order.status != S.DRAFT else S.DRAFT,
                unit_price=price,
                discount_pct=discount,
            )
        )
        audit.record(
            session,
            author=author,
            entity="sales_order_line",
            ref=f"{number}/{line}",
            action="create",
            after={
                "item": item,
                "qty": qty,
                "due": due,
                "priority": priority,
                **({"unit_price": price} if price is not None else {}),
                **({"discount_pct": discount} if discount else {}),
            },
        )
    return line


def set_status(session: Session, number: str, status: SalesOrderStatus, *, author: str) -> None:
    """Move an order (and its open lines) to ``status`` along the allowed transitions; a
    line it ships or closes keeps its final cost from then on (``services.final_cost``)."""
    with write_transaction(session):
        order = get_order(session, number)
        if for_update(session):  # a release in progress must not overwrite a cancel
            session.refresh(order, with_for_update={"key_share": True})
        check_transition(number, order.status, status)
        if status is S.CONFIRMED:
            has_lines = select(SalesOrderLine.id).where(SalesOrderLine.sales_order_id == order.id)
            if session.scalar(has_lines.limit(1)) is None:
                raise ConflictError(f"{number} has no lines to confirm")
        before = order.status
        order.status = status
        rows = list(
            session.scalars(select(SalesOrderLine).where(SalesOrderLine.sales_order_id == order.id))
        )
        for row in rows:
            if row.status in (S.CANCELLED, S.CLOSED, S.SHIPPED):
                continue
            if status is S.CANCELLED:
                cancel_line_work(session, order, row, author=author)
            else:
                row.status = status
        # shipped or closed by hand, as by shipping: the lines keep their final cost
        freeze_done_lines(session, order, rows)
        if status in (S.CANCELLED, S.CLOSED):
            free_order_reservations(session, order, author)
        audit.record(
            session,
            author=author,
            entity="sales_order",
            ref=number,
            action="status",
            before={"status": before},
            after={"status": status},
        )


@dataclass(frozen=True)
class OrderSummary:
    number: str
    status: str
    lines: int
    due: date | None
    projected: date | None
    late_days: int


def project_overview(session: Session, customer: str, project: str) -> list[OrderSummary]:
    """All orders of a project with their status and promised vs projected dates."""
    project_id = get_project(session, customer, project).id
    stmt = (
        select(
            SalesOrder.number,
            SalesOrder.status,
            func.count(SalesOrderLine.id),
            func.max(SalesOrderLine.due_date),
            func.max(PlanLine.projected_date),
            func.coalesce(func.max(PlanLine.late_days), 0),
        )
        .outerjoin(SalesOrderLine, SalesOrderLine.sales_order_id == SalesOrder.id)
        .outerjoin(PlanLine, PlanLine.sales_order_line_id == SalesOrderLine.id)
        .where(SalesOrder.project_id == project_id)
        .group_by(SalesOrder.number, SalesOrder.status)
        .order_by(SalesOrder.number)
    )
    return [
        OrderSummary(n, str(s), c, d, p, int(late)) for n, s, c, d, p, late in session.execute(stmt)
    ]


@dataclass(frozen=True)
class ProjectDates:
    """A project's dates rolled up from its orders in the current plan: a planner asks
    whether the job will be done on time, not only order by order, so the project is
    complete when its last order is and late when any of its orders is (rule 10's
    projected dates, as the orders show them)."""

    planned: int
    """how many of its orders the current plan holds (the others have no date)"""
    due: date | None
    """the latest promised date of those orders"""
    projected: date | None
    """the latest date the plan sees one of them complete"""
    late_orders: int
    late_days: int
    """the most days one of them is late (0: every one is on time)"""
    most_late: str | None
    """the order late by ``late_days`` (the first by number on a tie)"""

    def summary(self) -> str:
        """The roll-up in one sentence, as the command line and the pages say it."""
        if not self.planned:
            return "No order of the project is in the current plan."
        last = f"the last is due {self.due} and projected {self.projected}"
        orders = wording.plural(self.planned, "order")
        if not self.late_orders:
            return f"{orders} in the plan, on time: {last}."
        days = wording.plural(self.late_days, "day")
        return (
            f"{self.late_orders} of {orders} in the plan late, {self.most_late} the most "
            f"({days}): {last}."
        )


def project_dates(orders: Sequence[OrderSummary]) -> ProjectDates:
    """The roll-up of ``project_overview``'s orders (orders the plan does not hold, drafts,
    shipped or cancelled ones, have no projected date and are left out)."""
    planned = [o for o in orders if o.projected is not None]
    late = [o for o in planned if o.late_days > 0]
    worst = max(late, key=lambda o: o.late_days, default=None)  # max keeps the first
    return ProjectDates(
        planned=len(planned),
        due=max((o.due for o in planned if o.due is not None), default=None),
        projected=max((o.projected for o in planned if o.projected is not None), default=None),
        late_orders=len(late),
        late_days=worst.late_days if worst else 0,
        most_late=worst.number if worst else None,
    )


def project_rollup(session: Session, customer: str, project: str) -> ProjectDates | None:
    """``project_dates`` of a project named by its customer's and its own code, None when
    there is no such project (a list filtered by a code that names none is just empty)."""
    found = session.scalar(
        select(Project.id)
        .join(Customer, Customer.id == Project.customer_id)
        .where(Customer.code == customer, Project.code == project)
    )
    return None if found is None else project_dates(project_overview(session, customer, project))


def projected_by_order(session: Session, numbers: Sequence[str]) -> dict[str, tuple[date, int]]:
    """The latest projected date and the most days late of each of these orders' lines in
    the current plan (rule 10), for a page of the order list: one grouped read of their
    plan lines. An order the plan does not hold is missing."""
    if not numbers:
        return {}
    stmt = (
        select(SalesOrder.number, func.max(PlanLine.projected_date), func.max(PlanLine.late_days))
        .join(SalesOrderLine, SalesOrderLine.sales_order_id == SalesOrder.id)
        .join(PlanLine, PlanLine.sales_order_line_id == SalesOrderLine.id)
        .where(SalesOrder.number.in_(list(numbers)), PlanLine.projected_date.is_not(None))
        .group_by(SalesOrder.number)
    )
    return {n: (p, int(late or 0)) for n, p, late in session.execute(stmt) if p is not None}


def order_query(
    *,
    status: SalesOrderStatus | None = None,
    customer: str | None = None,
    project: str | None = None,
    q: str | None = None,
) -> Select[Any]:
    """Order headers (number, customer, project, status, lines, due, created_at) filtered by
    status, customer code, project code and a part of the number; ``due`` is the earliest
    due date of the order's lines."""
    lines = (
        select(func.count(SalesOrderLine.id))
        .where(SalesOrderLine.sales_order_id == SalesOrder.id)
        .correlate(SalesOrder)
        .scalar_subquery()
    )
    due = (
        select(func.min(SalesOrderLine.due_date))
        .where(SalesOrderLine.sales_order_id == SalesOrder.id)
        .correlate(SalesOrder)
        .scalar_subquery()
    )
    stmt = (
        select(
            SalesOrder.number.label("number"),
            Customer.code.label("customer"),
            Project.code.label("project"),
            SalesOrder.status.label("status"),
            lines.label("lines"),
            due.label("due"),
            SalesOrder.created_at.label("created_at"),
        )
        .join(Customer, Customer.id == SalesOrder.customer_id)
        .outerjoin(Project, Project.id == SalesOrder.project_id)
    )
    if status is not None:
        stmt = stmt.where(SalesOrder.status == status)
    if customer is not None:
        stmt = stmt.where(Customer.code == customer)
    if project is not None:
        stmt = stmt.where(Project.code == project)
    if q:
        stmt = stmt.where(SalesOrder.number.icontains(q, autoescape=True))
    return stmt


ORDER_SORT = ("number", "customer", "project", "status", "due", "created_at")
"""What a list of sales orders can be sorted by (columns of ``order_query``)."""


def order_page(
    session: Session,
    *,
    status: SalesOrderStatus | None = None,
    customer: str | None = None,
    project: str | None = None,
    q: str | None = None,
    sort: str | None = None,
    limit: int,
    offset: int,
) -> tuple[list[Any], int]:
    """A page of ``order_query``'s rows, sorted by ``sort`` (names of ``ORDER_SORT``,
    ``-`` descending) then by number, and how many there are in all."""
    stmt = order_query(status=status, customer=customer, project=project, q=q)
    return sorted_page(
        session, stmt, sort=sort, sorts=ORDER_SORT, tie="number", limit=limit, offset=offset
    )


@dataclass(frozen=True)
class LineView:
    line: int
    item: str
    qty: float
    shipped_qty: float
    due: date
    priority: int
    status: str
    projected: date | None
    """When the current plan sees the line complete (None: not planned)."""
    late_days: int
    bom: str | None
    """The line's order BOM, once it is configured."""
    unit_price: Decimal | None = None
    """The quoted price of one unit (None: not quoted)."""
    discount_pct: Decimal = money.ZERO
    amount: Decimal | None = None
    """Quantity × unit price less the discount, exact (None: not quoted)."""


@dataclass(frozen=True)
class OrderView:
    number: str
    customer: str
    project: str | None
    status: str
    created_at: datetime
    lines: tuple[LineView, ...]
    currency: str = money.DEFAULT_CURRENCY

    @property
    def amount(self) -> Decimal | None:
        """The quoted lines' amounts added up, cancelled lines left out (None: none quoted)."""
        quoted = [v.amount for v in self.lines if v.amount is not None and v.status != S.CANCELLED]
        return sum(quoted, money.ZERO) if quoted else None


def order_view(session: Session, number: str) -> OrderView:
    """An order's header and lines, each with its projected date where the plan has one."""
    order = get_order(session, number)
    customer = session.scalars(select(Customer.code).where(Customer.id == order.customer_id)).one()
    project = None
    if order.project_id is not None:
        project = session.scalar(select(Project.code).where(Project.id == order.project_id))
    planned = (
        select(
            PlanLine.sales_order_line_id.label("line_id"),
            func.max(PlanLine.projected_date).label("projected"),
            func.max(PlanLine.late_days).label("late_days"),
        )
        .group_by(PlanLine.sales_order_line_id)
        .subquery()
    )
    rows = session.execute(
        select(SalesOrderLine, Item.code, planned.c.projected, planned.c.late_days, Bom.number)
        .join(Item, Item.id == SalesOrderLine.item_id)
        .outerjoin(planned, planned.c.line_id == SalesOrderLine.id)
        .outerjoin(
            Bom, (Bom.sales_order_line_id == SalesOrderLine.id) & Bom.parent_bom_id.is_(None)
        )
        .where(SalesOrderLine.sales_order_id == order.id)
        .order_by(SalesOrderLine.line)
    ).all()
    lines = tuple(
        LineView(
            line=row.line,
            item=code,
            qty=row.qty,
            shipped_qty=row.shipped_qty,
            due=row.due_date,
            priority=row.priority,
            status=row.status.value,
            projected=projected,
            late_days=int(late or 0),
            bom=bom,
            unit_price=row.unit_price,
            discount_pct=row.discount_pct,
            amount=line_amount(row),
        )
        for row, code, projected, late, bom in rows
    )
    return OrderView(
        number=order.number,
        customer=customer,
        project=project,
        status=order.status.value,
        created_at=order.created_at,
        lines=lines,
        currency=money.currency(session),
    )

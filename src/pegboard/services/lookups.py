"""Records found by the keys people type: an order number, an order line, an item code,
a customer, a project; and a line's quoted amount.

They live below every service, apart from the actions of ``services.sales``: the cost
services (estimate, variance, the final cost a shipped line keeps) need them, and
``services.sales`` calls the cost services when a status change ships or closes a line.
Kept in ``sales``, they made a cycle (sales → final cost → variance → costing → sales).
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.errors import NotFoundError
from pegboard.model import Customer, Item, Project, SalesOrder, SalesOrderLine
from pegboard.services import money


def get_order(session: Session, number: str) -> SalesOrder:
    order = session.scalar(select(SalesOrder).where(SalesOrder.number == number))
    if order is None:
        raise NotFoundError(f"no sales order {number!r}", sales_order=number)
    return order


def get_line(session: Session, number: str, line: int) -> tuple[SalesOrder, SalesOrderLine]:
    order = get_order(session, number)
    row = session.scalar(
        select(SalesOrderLine).where(
            SalesOrderLine.sales_order_id == order.id, SalesOrderLine.line == line
        )
    )
    if row is None:
        raise NotFoundError(f"{number} has no line {line}", sales_order=number, line=line)
    return order, row


def get_item(session: Session, code: str) -> Item:
    item = session.scalar(select(Item).where(Item.code == code))
    if item is None:
        raise NotFoundError(f"no item {code!r}", item=code)
    return item


def get_customer(session: Session, code: str) -> Customer:
    customer = session.scalar(select(Customer).where(Customer.code == code))
    if customer is None:
        raise NotFoundError(f"no customer {code!r}", customer=code)
    return customer


def get_project(session: Session, customer: str, code: str) -> Project:
    owner = get_customer(session, customer)
    project = session.scalar(
        select(Project).where(Project.customer_id == owner.id, Project.code == code)
    )
    if project is None:
        raise NotFoundError(f"{customer} has no project {code!r}", customer=customer, project=code)
    return project


def line_amount(row: SalesOrderLine) -> Decimal | None:
    """The line's quoted revenue: quantity × unit price less the discount (exact)."""
    if row.unit_price is None:
        return None
    return money.net_amount(money.as_decimal(row.qty), row.unit_price, row.discount_pct)

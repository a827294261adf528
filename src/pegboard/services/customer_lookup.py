"""Customers (and their projects) a person may mean while typing a code (issue #19: a
type-ahead instead of a drop-down of every customer; a full-size company has ten
thousand): codes that start with what was typed first, then codes or names that
contain it, at most ``LIMIT``, as the item type-ahead (``item_lookup``) offers items.

The new-order form fills an HTML ``<datalist>`` with them (``web.lookup``); the field
stays free text, resolved by code by the service that receives the form, which names
the field and the value when no customer has that code."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from pegboard.model import Customer, Project
from pegboard.services.sales import customer_query

LIMIT = 20
MAX_TYPED = 100


def customer_suggestions(
    session: Session, typed: str, *, limit: int = LIMIT
) -> list[tuple[str, str]]:
    """``(code, name)`` of the customers matching ``typed`` (any case), the codes
    starting with it first, then by code; nothing for blank text."""
    text = typed.strip()[:MAX_TYPED]
    if not text:
        return []
    found = customer_query(q=text).subquery()
    starts = case((found.c.code.istartswith(text, autoescape=True), 0), else_=1)
    stmt = select(found.c.code, found.c.name).order_by(starts, found.c.code).limit(limit)
    return [(code, name or "") for code, name in session.execute(stmt)]


def project_suggestions(
    session: Session, customer: str, typed: str, *, limit: int = LIMIT
) -> list[tuple[str, str]]:
    """``(code, name)`` of the projects of the customer whose code is ``customer`` (none
    when there is no such customer) whose code or name contains ``typed`` (every one
    for blank text, up to ``limit``), the codes starting with it first, then by code."""
    text = typed.strip()[:MAX_TYPED]
    owner = select(Customer.id).where(Customer.code == customer.strip()).scalar_subquery()
    stmt = select(Project.code, Project.name).where(Project.customer_id == owner)
    order: list[Any] = [Project.code]
    if text:
        stmt = stmt.where(
            Project.code.icontains(text, autoescape=True)
            | Project.name.icontains(text, autoescape=True)
        )
        order.insert(0, case((Project.code.istartswith(text, autoescape=True), 0), else_=1))
    return [
        (code, name or "") for code, name in session.execute(stmt.order_by(*order).limit(limit))
    ]

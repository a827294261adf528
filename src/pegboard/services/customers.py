"""Customers and projects changed after they were made (the browser's and the API's
master data; ``services.sales`` creates them and reads them for orders).

A customer's or project's code is what orders, bundles and reports refer to, so it is
never changed here: its name is. A name follows the bundle's rules (at most 200
characters, no NUL; empty means "the code", as when it was created). Every change is
in the audit trail with the name before and after.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pegboard.errors import ValidationError
from pegboard.model import Customer, Project, SalesOrder
from pegboard.services import audit, sales
from pegboard.services._tx import writes

MAX_NAME = 200


def _name(value: str, code: str) -> str:
    name = value.strip()
    if len(name) > MAX_NAME:
        raise ValidationError(f"name is longer than {MAX_NAME} characters", field="name")
    if "\x00" in name:
        raise ValidationError("name holds a NUL character (\\x00)", field="name")
    return name or code


def _rename(
    session: Session, record: Customer | Project, value: str, *, entity: str, ref: str, author: str
) -> str:
    """Set the record's name by the rules above and audit it, only when it changes (a
    rename to the same name leaves no entry); the name it has now."""
    new = _name(value, record.code)
    if new != record.name:
        before = record.name
        record.name = new
        session.flush()
        audit.record(
            session,
            author=author,
            entity=entity,
            ref=ref,
            action="update",
            before={"name": before},
            after={"name": new},
        )
    return new


@writes
def rename_customer(session: Session, code: str, *, name: str, author: str) -> str:
    """Give a customer a new name (empty: its code); the name it has now."""
    customer = sales.get_customer(session, code)
    return _rename(session, customer, name, entity="customer", ref=customer.code, author=author)


@writes
def rename_project(session: Session, customer: str, code: str, *, name: str, author: str) -> str:
    """Give a customer's project a new name (empty: its code); the name it has now."""
    project = sales.get_project(session, customer, code)
    ref = f"{customer}/{project.code}"
    return _rename(session, project, name, entity="project", ref=ref, author=author)


def project_orders(session: Session, customer: str) -> dict[str, int]:
    """How many sales orders each of a customer's projects has (those with any)."""
    owner = sales.get_customer(session, customer)
    stmt = (
        select(Project.code, func.count(SalesOrder.id))
        .join(SalesOrder, SalesOrder.project_id == Project.id)
        .where(Project.customer_id == owner.id)
        .group_by(Project.code)
    )
    return dict(session.execute(stmt).all())

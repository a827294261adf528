"""Customers and projects renamed (services.customers): audited, codes never change,
an empty name is the code, bad names refused naming the field."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.errors import NotFoundError, ValidationError
from pegboard.model import AuditEntry
from pegboard.services import customers, sales


def test_rename_customer_and_project_with_audit(session: Session) -> None:
    sales.create_customer(session, code="ACME", name="Acme", author="t")
    sales.create_project(session, customer="ACME", code="LOBBY", author="t")
    assert customers.rename_customer(session, "ACME", name=" Acme Ltd ", author="ann") == "Acme Ltd"
    assert customers.rename_project(session, "ACME", "LOBBY", name="Lobby", author="ann") == "Lobby"
    assert customers.rename_project(session, "ACME", "LOBBY", name="", author="ann") == "LOBBY"
    assert sales.get_customer(session, "ACME").name == "Acme Ltd"
    assert sales.get_project(session, "ACME", "LOBBY").name == "LOBBY"
    trail = session.execute(
        select(AuditEntry.entity, AuditEntry.entity_ref, AuditEntry.before, AuditEntry.after)
        .where(AuditEntry.action == "update")
        .order_by(AuditEntry.id)
    ).all()
    assert [tuple(t) for t in trail] == [
        ("customer", "ACME", {"name": "Acme"}, {"name": "Acme Ltd"}),
        ("project", "ACME/LOBBY", {"name": "LOBBY"}, {"name": "Lobby"}),
        ("project", "ACME/LOBBY", {"name": "Lobby"}, {"name": "LOBBY"}),
    ]
    customers.rename_customer(session, "ACME", name="Acme Ltd", author="ann")  # unchanged
    assert (
        session.scalar(select(AuditEntry.id).where(AuditEntry.action == "update").offset(3)) is None
    )


def test_refusals(session: Session) -> None:
    sales.create_customer(session, code="ACME", author="t")
    with pytest.raises(ValidationError) as e:
        customers.rename_customer(session, "ACME", name="x" * 201, author="t")
    assert e.value.params["field"] == "name"
    with pytest.raises(NotFoundError):
        customers.rename_customer(session, "NOPE", name="x", author="t")
    with pytest.raises(NotFoundError):
        customers.rename_project(session, "ACME", "NOPE", name="x", author="t")
    assert sales.get_customer(session, "ACME").name == "ACME"

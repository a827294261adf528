"""The audit trail: who changed what, when, before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from pegboard.api.deps import DbSession, Reader
from pegboard.api.pagination import Paging
from pegboard.services import audit

router = APIRouter(prefix="/audit", tags=["audit"])


class AuditOut(BaseModel):
    id: int
    at: datetime
    author: str
    entity: str
    ref: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    note: str


@router.get("")
def list_audit(
    user: Reader,
    session: DbSession,
    paging: Paging,
    entity: Annotated[str | None, Query(max_length=50)] = None,
    ref: Annotated[str | None, Query(max_length=200)] = None,
    sales_order: Annotated[
        str | None, Query(max_length=100, description="an order, its lines and BOMs")
    ] = None,
    author: Annotated[str | None, Query(max_length=100)] = None,
    action: Annotated[str | None, Query(max_length=50)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[AuditOut]:
    """Newest first."""
    rows = audit.history(
        session,
        entity=entity,
        ref=ref,
        sales_order=sales_order,
        author=author,
        action=action,
        since=since,
        until=until,
        limit=paging.limit,
        offset=paging.offset,
    )
    return [
        AuditOut(
            id=r.id,
            at=r.at,
            author=r.author,
            entity=r.entity,
            ref=r.entity_ref,
            action=r.action,
            before=r.before,
            after=r.after,
            note=r.note,
        )
        for r in rows
    ]

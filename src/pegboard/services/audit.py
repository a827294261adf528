"""Record every change with its author, time and the values before and after.

Services call ``record`` inside their own transaction, so a change and its
audit entry are written together or not at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from pegboard.model import AuditEntry


def _jsonable(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):  # money: exact, as text
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "value") and isinstance(value.value, str):  # StrEnum
        return value.value
    return value


def record(
    session: Session,
    *,
    author: str,
    entity: str,
    ref: str,
    action: str,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    note: str = "",
) -> None:
    session.add(
        AuditEntry(
            author=author,
            entity=entity,
            entity_ref=ref,
            action=action,
            before=_jsonable(before) if before is not None else None,
            after=_jsonable(after) if after is not None else None,
            note=note[:500],
        )
    )


def history(
    session: Session,
    *,
    entity: str | None = None,
    ref: str | None = None,
    sales_order: str | None = None,
    author: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[AuditEntry]:
    """Newest first. ``sales_order`` selects the order, its lines and its order BOMs."""
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit).offset(offset)
    if author is not None:
        stmt = stmt.where(AuditEntry.author == author)
    if action is not None:
        stmt = stmt.where(AuditEntry.action == action)
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= since)
    if until is not None:
        stmt = stmt.where(AuditEntry.at < until)
    if entity is not None:
        stmt = stmt.where(AuditEntry.entity == entity)
    if ref is not None:
        stmt = stmt.where(AuditEntry.entity_ref == ref)
    if sales_order is not None:
        refs = AuditEntry.entity_ref
        stmt = stmt.where(
            or_(
                refs == sales_order,
                refs.startswith(f"{sales_order}/", autoescape=True),
                refs.startswith(f"BOM-{sales_order}-", autoescape=True),
            )
        )
    return list(session.scalars(stmt))

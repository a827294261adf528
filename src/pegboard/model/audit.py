"""The audit trail: who changed what, when, with the values before and after."""

from datetime import datetime

from sqlalchemy import JSON, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from pegboard.model._types import UtcDateTime
from pegboard.model.base import Base, utcnow


class AuditEntry(Base):
    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_entity", "entity", "entity_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(
        UtcDateTime(), default=utcnow, server_default=func.now(), index=True
    )
    author: Mapped[str] = mapped_column(String(100), index=True)
    entity: Mapped[str] = mapped_column(String(50))
    """What changed: sales_order, sales_order_line, bom, bom_line, production_order…"""
    entity_ref: Mapped[str] = mapped_column(String(200))
    """Its human number (SO-1042, SO-1042/1, BOM-SO-1042-1, MO-1042-1.2)."""
    action: Mapped[str] = mapped_column(String(50))
    before: Mapped[dict[str, object] | None] = mapped_column(JSON)
    after: Mapped[dict[str, object] | None] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(String(500), default="")

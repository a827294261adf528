"""One page of a query and the count of all its rows: what every list screen needs,
for the JSON API and the web pages alike."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session


def page_of(session: Session, stmt: Select[Any], limit: int, offset: int) -> tuple[list[Any], int]:
    """The rows of ``stmt`` from ``offset`` (at most ``limit``) and the total without paging."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = list(session.execute(stmt.limit(limit).offset(offset)).all())
    return rows, int(total)

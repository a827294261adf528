"""One page of a query and the count of all its rows: what every list screen needs,
for the JSON API and the web pages alike; sorted by a column the screen names.

    rows, total = sorted_page(session, sales.order_query(q=q), sort="-due",
                              sorts=("number", "due"), tie="number", limit=50, offset=0)
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from pegboard.errors import ValidationError


def page_of(session: Session, stmt: Select[Any], limit: int, offset: int) -> tuple[list[Any], int]:
    """The rows of ``stmt`` from ``offset`` (at most ``limit``) and the total without paging."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = list(session.execute(stmt.limit(limit).offset(offset)).all())
    return rows, int(total)


def sorted_page(
    session: Session,
    stmt: Select[Any],
    *,
    sort: str,
    sorts: Collection[str],
    tie: str,
    limit: int,
    offset: int,
) -> tuple[list[Any], int]:
    """A page of ``stmt`` sorted by its column ``sort`` (``-name`` descending), one of
    ``sorts``, then by its column ``tie`` (so a page is always the same rows), and the
    total. A column not in ``sorts`` is refused: never SQL from a string."""
    name = sort.removeprefix("-")
    if name not in sorts:
        known = ", ".join(sorted(sorts))
        raise ValidationError(f"cannot sort by {name!r} (can: {known})", field="sort")
    column = stmt.selected_columns[name]
    ordered = column.desc() if sort.startswith("-") else column.asc()
    return page_of(session, stmt.order_by(ordered, stmt.selected_columns[tie]), limit, offset)

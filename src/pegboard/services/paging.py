"""One page of a query and the count of all its rows: what every list screen needs,
for the JSON API and the web pages alike; sorted by the columns the screen names.

    rows, total = sorted_page(session, sales.order_query(q=q), sort="-due,number",
                              sorts=("number", "due"), tie="number", limit=50, offset=0)

The adapters hand on the *names* a user asked to sort by; the allow-list (``sorts``) and
the columns behind the names stay in the service that owns the query, so no adapter
builds SQL and no string from a request ever becomes SQL.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from pegboard.errors import ValidationError

Sorts = Mapping[str, Any] | Collection[str]
"""The names a list can be sorted by: the names of the statement's selected columns, or
a mapping of each name to the column expression it sorts by (a column not selected)."""

Tie = str | Sequence[Any]
"""The order after the asked one, so a page is always the same rows: a selected column's
name (``-name`` descending), or a sequence of such names and column expressions."""


def page_of(
    session: Session, stmt: Select[*tuple[Any, ...]], limit: int, offset: int
) -> tuple[list[Any], int]:
    """The rows of ``stmt`` from ``offset`` (at most ``limit``) and the total without paging."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = list(session.execute(stmt.limit(limit).offset(offset)).all())
    return rows, int(total)


def _named(stmt: Select[*tuple[Any, ...]], name: str) -> Any:
    """``name`` (``-name`` descending) as an ORDER BY clause on ``stmt``'s column."""
    column = stmt.selected_columns[name.removeprefix("-")]
    return column.desc() if name.startswith("-") else column.asc()


def sort_clauses(stmt: Select[*tuple[Any, ...]], sort: str | None, sorts: Sorts) -> list[Any]:
    """The ORDER BY clauses of ``sort`` (``name,-other``: ``-`` descending, ``+`` or
    nothing ascending), each name one of ``sorts``; anything else is refused, naming
    the names a caller can use."""
    if not sort:
        return []
    clauses = []
    for part in sort.split(","):
        word = part.strip()
        name = word.lstrip("-+")
        if name not in sorts:
            known = ", ".join(sorted(sorts))
            raise ValidationError(f"cannot sort by {name!r} (can: {known})", field="sort")
        column = sorts[name] if isinstance(sorts, Mapping) else stmt.selected_columns[name]
        clauses.append(column.desc() if word.startswith("-") else column.asc())
    return clauses


def _tie_clauses(stmt: Select[*tuple[Any, ...]], tie: Tie) -> list[Any]:
    parts: Sequence[Any] = [tie] if isinstance(tie, str) else tie
    return [_named(stmt, part) if isinstance(part, str) else part for part in parts]


def sorted_page(
    session: Session,
    stmt: Select[*tuple[Any, ...]],
    *,
    sort: str | None,
    sorts: Sorts,
    tie: Tie,
    limit: int,
    offset: int,
) -> tuple[list[Any], int]:
    """A page of ``stmt`` sorted by ``sort`` (see ``sort_clauses``; none: by ``tie``
    alone), then by ``tie`` (so a page is always the same rows), and the total."""
    ordered = stmt.order_by(*sort_clauses(stmt, sort, sorts), *_tie_clauses(stmt, tie))
    return page_of(session, ordered, limit, offset)

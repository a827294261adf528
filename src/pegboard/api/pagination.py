"""Pages of list results, and sorting by named columns only (never SQL from a string)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import Select
from sqlalchemy.orm import Session

from pegboard.errors import ValidationError
from pegboard.services.paging import page_of

T = TypeVar("T")
MAX_LIMIT = 500


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class PageParams(BaseModel):
    limit: int
    offset: int


def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="rows per page")] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="rows to skip")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


Paging = Annotated[PageParams, Depends(page_params)]


def order_by(
    stmt: Select[Any], sort: str | None, columns: Mapping[str, Any], default: Sequence[Any]
) -> Select[Any]:
    """Apply ``sort=field,-other`` using only the named ``columns``."""
    if not sort:
        return stmt.order_by(*default)
    clauses = []
    for part in sort.split(","):
        name = part.strip()
        descending = name.startswith("-")
        name = name.lstrip("-+")
        if name not in columns:
            known = ", ".join(sorted(columns))
            raise ValidationError(f"cannot sort by {name!r} (can: {known})", field="sort")
        clauses.append(columns[name].desc() if descending else columns[name].asc())
    return stmt.order_by(*clauses, *default)


def fetch_page(session: Session, stmt: Select[Any], paging: PageParams) -> tuple[list[Any], int]:
    """The rows of one page and the total count of the unpaged query."""
    return page_of(session, stmt, paging.limit, paging.offset)

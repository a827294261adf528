"""A list sorted by a text column byte by byte, on both databases (#18).

The pegging's ref indexes compare bytes on PostgreSQL (``varchar_pattern_ops``,
``model.plan.PEGGING_REF_OPS``): a plan builds them twice as fast as in the database's
collation. Such an index serves a page's ``ORDER BY ... LIMIT`` only when the order is
its own, ``USING ~<~`` (``~>~`` descending); in the collation's order PostgreSQL would
sort the millions of rows for every page of the pegging explorer. SQLite's ``BINARY``
order is byte order already. So the explorer's ref sorts are written here, and both
databases list the refs in the same order.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal


class ByteOrdered:
    """A text column as a list sorts by it (``paging.sort_clauses`` asks ``asc()`` or
    ``desc()`` of it), in byte order."""

    def __init__(self, column: QueryableAttribute[str] | ColumnElement[str]) -> None:
        self.column: ColumnElement[str] = (
            column.__clause_element__() if isinstance(column, QueryableAttribute) else column
        )

    def asc(self) -> ColumnElement[Any]:
        return _Sorted(self.column, descending=False)

    def desc(self) -> ColumnElement[Any]:
        return _Sorted(self.column, descending=True)


class _Sorted(ColumnElement[Any]):
    """An ORDER BY clause: ``column`` in byte order, ascending or descending."""

    inherit_cache = True
    _traverse_internals = [  # noqa: RUF012 (SQLAlchemy's own class attribute)
        ("column", InternalTraversal.dp_clauseelement),
        ("descending", InternalTraversal.dp_boolean),
    ]

    def __init__(self, column: ColumnElement[str], *, descending: bool) -> None:
        self.column = column
        self.descending = descending


@compiles(_Sorted)
def _in_binary_collation(element: _Sorted, compiler: SQLCompiler, **kw: Any) -> str:
    """SQLite (and any database whose text order is its bytes' order)."""
    return f"{compiler.process(element.column, **kw)} {'DESC' if element.descending else 'ASC'}"


@compiles(_Sorted, "postgresql")
def _by_pattern_operators(element: _Sorted, compiler: SQLCompiler, **kw: Any) -> str:
    """PostgreSQL: the pattern operator class's own order, whatever the collation."""
    operator = "~>~" if element.descending else "~<~"
    return f"{compiler.process(element.column, **kw)} USING {operator}"

"""Human document numbers (``PO-000317``, ``MO-000042``, ``SH-000007``), never handed out twice.

The last number per kind lives in ``number_sequence`` and is read under a row
lock inside the caller's transaction. The first time a kind is used, the
sequence starts after the highest number of that shape already in the table
(imported orders), so numbers never collide with what was there.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import InstrumentedAttribute, Session

from pegboard.model import NumberSequence
from pegboard.services._tx import for_update

WIDTH = 6


def _highest(session: Session, kind: str, column: InstrumentedAttribute[str]) -> int:
    shape = re.compile(rf"^{re.escape(kind)}-(\d+)$")
    numbers = session.scalars(select(column).where(column.like(f"{kind}-%")))
    return max((int(m.group(1)) for n in numbers if (m := shape.match(n))), default=0)


def next_number(session: Session, kind: str, column: InstrumentedAttribute[str]) -> str:
    """The next free ``KIND-000001`` number for the table that ``column`` belongs to."""
    stmt = select(NumberSequence).where(NumberSequence.name == kind)
    if for_update(session):
        stmt = stmt.with_for_update()
    stmt = stmt.execution_options(populate_existing=True)
    sequence = session.scalars(stmt).one_or_none()
    if sequence is None:
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        start = _highest(session, kind, column)
        session.execute(
            insert(NumberSequence).values(name=kind, last=start).on_conflict_do_nothing()
        )
        sequence = session.scalars(stmt).one()
    sequence.last += 1
    return f"{kind}-{sequence.last:0{WIDTH}d}"

"""Human document numbers (``PO-000317``, ``MO-000042``, ``SH-000007``), never handed out twice.

The last number per kind lives in ``number_sequence`` and is read under a row
lock inside the caller's transaction. The first time a kind is used, the
sequence starts after the highest number of that shape already in the table
(imported orders), with as many digits, so numbers never collide with what was
there and new orders read as the same series (``PO-31025`` after ``PO-31024``).
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import InstrumentedAttribute, Session

from pegboard.model import NumberSequence
from pegboard.services._tx import for_update

WIDTH = 6


def _highest(session: Session, kind: str, column: InstrumentedAttribute[str]) -> tuple[int, int]:
    """The highest existing number of the shape ``KIND-digits`` and its digit count."""
    shape = re.compile(rf"^{re.escape(kind)}-(\d+)$")
    numbers = session.scalars(select(column).where(column.like(f"{kind}-%")))
    found = [m.group(1) for n in numbers if (m := shape.match(n))]
    if not found:
        return 0, WIDTH
    top = max(found, key=int)
    return int(top), len(top)


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
        start, width = _highest(session, kind, column)
        session.execute(
            insert(NumberSequence)
            .values(name=kind, last=start, width=width)
            .on_conflict_do_nothing()
        )
        sequence = session.scalars(stmt).one()
    sequence.last += 1
    return f"{kind}-{sequence.last:0{sequence.width}d}"

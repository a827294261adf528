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
from sqlalchemy.orm import InstrumentedAttribute, Session

from pegboard.model import NumberSequence
from pegboard.services._dialect import insert_for
from pegboard.services._tx import for_update

WIDTH = 6


def _highest(
    session: Session, kind: str, column: InstrumentedAttribute[str], first: int
) -> tuple[int, int]:
    """The highest existing number of the shape ``KIND-digits`` and its digit count
    (``first - 1`` and the width of ``first`` when there is none)."""
    shape = re.compile(rf"^{re.escape(kind)}-(\d+)$")
    numbers = session.scalars(select(column).where(column.like(f"{kind}-%")))
    found = [m.group(1) for n in numbers if (m := shape.match(n))]
    if not found:
        return first - 1, max(WIDTH if first == 1 else 0, len(str(first)))
    top = max(found, key=int)
    return int(top), len(top)


def _sequence(
    session: Session, kind: str, column: InstrumentedAttribute[str], first: int
) -> NumberSequence:
    """The kind's sequence row, locked; created from the table's numbers the first time."""
    stmt = select(NumberSequence).where(NumberSequence.name == kind)
    if for_update(session):
        stmt = stmt.with_for_update()
    stmt = stmt.execution_options(populate_existing=True)
    sequence = session.scalars(stmt).one_or_none()
    if sequence is None:
        dialect = session.get_bind().dialect.name
        insert = insert_for(dialect)
        start, width = _highest(session, kind, column, first)
        session.execute(
            insert(NumberSequence)
            .values(name=kind, last=start, width=width)
            .on_conflict_do_nothing()
        )
        sequence = session.scalars(stmt).one()
    return sequence


def next_number(
    session: Session, kind: str, column: InstrumentedAttribute[str], *, first: int = 1
) -> str:
    """The next free ``KIND-000001`` number for the table that ``column`` belongs to
    (``first`` sets where a new series starts and its width, e.g. ``SO-1001``). A number
    someone typed by hand that the series reaches is skipped, not reused."""
    sequence = _sequence(session, kind, column, first)
    while True:
        sequence.last += 1
        number = f"{kind}-{sequence.last:0{sequence.width}d}"
        if session.scalar(select(column).where(column == number)) is None:
            return number


def note_used(
    session: Session, kind: str, column: InstrumentedAttribute[str], number: str, *, first: int = 1
) -> None:
    """A number typed by hand: the series continues after it when it is higher."""
    match = re.match(rf"^{re.escape(kind)}-(\d+)$", number)
    if match is None:
        return
    sequence = _sequence(session, kind, column, first)
    sequence.last = max(sequence.last, int(match.group(1)))

"""A bulk COPY's foreign keys checked once for all its rows instead of row by row
(PostgreSQL, #18), where the role may and the keys' rows are the transaction's own.

PostgreSQL checks each foreign key of each inserted row with a trigger that looks the
key up and locks its row (``FOR KEY SHARE``, written to the WAL): for the reference
company's 1.77 M BOM lines, two keys each, about 20 s of an import's server time.
``session_replication_role = replica`` (what ``pg_restore --disable-triggers`` sets)
skips those triggers for the transaction; ``checked_at_once`` then looks every key of
the table up in one anti-join per foreign key, and a key without its row fails the
transaction as the trigger would have. The trigger's lock guards against another
transaction deleting the row before the commit: the caller uses this only where every
referenced row was written by the same transaction (a company's import deletes the old
items and BOMs and writes them anew), which no other transaction can see, let alone
delete. Setting the role takes a superuser, or on PostgreSQL 15 and later a role
granted ``SET`` on it; any other role keeps the per-row checks (the same result,
slower), and SQLite checks its keys as it does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Table, and_, exists, select

from pegboard.errors import PegboardError

ROLE = "session_replication_role"


class MissingKeyError(PegboardError):
    """A row names a key whose row is not there: a fault of the writer, not of the data
    (its keys come from rows it has just written), so nothing of it is kept."""

    code = "missing_key"


def may_skip_row_checks(conn: Connection) -> bool:
    """Whether this session's role may set ``session_replication_role``."""
    if conn.dialect.name != "postgresql":
        return False
    if conn.exec_driver_sql("SELECT current_setting('is_superuser')").scalar_one() == "on":
        return True
    if (conn.dialect.server_version_info or (0,)) < (15,):
        return False
    return bool(
        conn.exec_driver_sql(f"SELECT has_parameter_privilege('{ROLE}', 'SET')").scalar_one()
    )


@contextmanager
def checked_at_once(conn: Connection, table: Table) -> Iterator[None]:
    """Rows written to ``table`` in the block skip the per-row key checks (PostgreSQL, a
    role that may); after it, all of the table's keys are checked at once. Elsewhere
    the block runs as it is. On an error in the block the setting is left as it is:
    the caller must roll the transaction back (a failed statement leaves it unusable
    anyway), which takes the setting back with everything else."""
    if not may_skip_row_checks(conn):
        yield
        return
    before = conn.exec_driver_sql(f"SELECT current_setting('{ROLE}')").scalar_one()
    conn.exec_driver_sql(f"SET LOCAL {ROLE} = replica")
    yield
    conn.exec_driver_sql(f"SET LOCAL {ROLE} = {_word(before)}")
    check_keys(conn, table)


def check_keys(conn: Connection, table: Table) -> None:
    """Raise ``MissingKeyError`` when a row of ``table`` names a key without its row."""
    for key in table.foreign_key_constraints:
        # the referred table under an alias of its own: a key to the same table (a BOM's
        # parent BOM) would otherwise look its row up in the subquery's own row
        referred = key.referred_table.alias()
        pairs = [(e.parent, referred.c[e.column.key]) for e in key.elements]
        named = and_(*(mine.is_not(None) for mine, _theirs in pairs))
        found = exists().where(and_(*(theirs == mine for mine, theirs in pairs)))
        first = conn.execute(
            select(*(mine for mine, _theirs in pairs)).where(named, ~found).limit(1)
        ).first()
        if first is not None:
            names = ", ".join(mine.name for mine, _theirs in pairs)
            raise MissingKeyError(
                f"{table.name}.{names} = {tuple(first)} names no row of {key.referred_table.name}",
                table=table.name,
                columns=names,
                values=list(first),
            )


def _word(value: str) -> str:
    """The setting's value as the one word it is (``origin``, ``local``, ``replica``)."""
    if value not in {"origin", "local", "replica"}:
        raise ValueError(f"unexpected {ROLE}: {value!r}")
    return value

"""Write an imported company's BOM lines, a column at a time (#18).

A large company has millions of BOM lines: one Python tuple built per line, with its
look-ups, and one B-tree insert per line into each of the table's indexes were most of
an import's writing. Here the ids and positions are worked out per column (look-ups
mapped in C, positions by a stable sort), PostgreSQL takes the all-number rows by
binary COPY straight from NumPy arrays, their foreign keys checked at once after it
where the role may (``pg_key_checks``), and SQLite fills the table before its own
indexes, which it then builds in one sorted pass each.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np
from sqlalchemy import Connection, text

from pegboard.model import Base, BomLine
from pegboard.services import _copy_binary as binary
from pegboard.services._bulk import bulk_insert_columns
from pegboard.services.pg_key_checks import checked_at_once


def positions(bom_ids: np.ndarray) -> np.ndarray:
    """Each line's position in its BOM, 1, 2, … in the order the lines come (the lines
    of one BOM need not be next to each other)."""
    n = len(bom_ids)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(bom_ids, kind="stable")
    ranked = bom_ids[order]
    starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
    sizes = np.diff(np.r_[starts, n])
    within = np.arange(n) - np.repeat(starts, sizes)
    out = np.empty(n, dtype=np.int64)
    out[order] = within + 1
    return out


def write_bom_lines(
    conn: Connection,
    bom_ids: np.ndarray,
    component_ids: np.ndarray,
    qty_per: Sequence[float],
    scrap_pct: Sequence[float],
) -> int:
    """Insert the lines (equal-length columns, in the bundle's order); returns the count.

    For a company's import only: every BOM and component the lines name must have been
    written by the caller's transaction (``pg_key_checks.checked_at_once``)."""
    position = positions(bom_ids)
    if conn.dialect.name == "postgresql":
        fields = {
            "bom_id": binary.int4(bom_ids),
            "position": binary.int4(position),
            "component_id": binary.int4(component_ids),
            "qty_per": binary.float8(np.asarray(qty_per, dtype=np.float64)),
            "scrap_pct": binary.float8(np.asarray(scrap_pct, dtype=np.float64)),
        }
        with checked_at_once(conn, Base.metadata.tables[BomLine.__tablename__]):
            return binary.copy_fields(
                conn, BomLine.__tablename__, list(fields), list(fields.values())
            )
    with indexes_built_after(conn, BomLine.__tablename__):
        return bulk_insert_columns(
            conn,
            BomLine,
            {
                "bom_id": bom_ids.tolist(),
                "position": position.tolist(),
                "component_id": component_ids.tolist(),
                "qty_per": qty_per,
                "scrap_pct": scrap_pct,
            },
        )


@contextmanager
def indexes_built_after(conn: Connection, table: str) -> Iterator[None]:
    """SQLite: the table's own indexes dropped for the block and created again after it,
    from their stored definitions, inside the caller's transaction (a failure rolls the
    drop back with the rest). Readers of the database see the old schema until the
    commit, as with any write. PostgreSQL keeps its indexes: dropping one would lock
    the table's readers out until the commit."""
    if conn.dialect.name != "sqlite":
        yield
        return
    found = conn.execute(
        text(
            "SELECT name, sql FROM sqlite_master "
            "WHERE type = 'index' AND tbl_name = :table AND sql IS NOT NULL"
        ),
        {"table": table},
    ).all()
    for name, _sql in found:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    yield
    for _name, sql in found:
        conn.exec_driver_sql(sql)

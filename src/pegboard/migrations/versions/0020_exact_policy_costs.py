"""exact stock-policy costs: the last money columns that were floats (issue #16)

``item_policy.ordering_cost``, ``policy_line.unit_cost`` and ``policy_line.ordering_cost``
become exact numerics of 4 decimals (as ``item.unit_cost``), ``policy_line.holding_cost``
(unit cost × holding % / 100) of 6. On PostgreSQL the columns change type, rounding
the stored float; on SQLite only the declared type changes, in the schema text, as
0017 does (a declared type is an affinity: REAL and NUMERIC store these numbers
alike), so no table is recreated, and the model reads them back as exact decimals.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 06:40:00
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

COLUMNS = (
    ("item_policy", "ordering_cost", 18, 4, True),
    ("policy_line", "unit_cost", 18, 4, False),
    ("policy_line", "ordering_cost", 18, 4, False),
    ("policy_line", "holding_cost", 20, 6, False),
)


def _declare_on_sqlite(exact: bool) -> None:
    """Rewrite the declared types in SQLite's schema text (see 0017)."""
    bind = op.get_bind()
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    for table, column, precision, scale, _ in COLUMNS:
        old, new = "DOUBLE", f"NUMERIC({precision}, {scale})"
        if not exact:
            old, new = new, old
        sql = bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).scalar_one()
        changed = re.sub(
            rf"(\s){column} {re.escape(old)}([\s,])", rf"\g<1>{column} {new}\g<2>", sql
        )
        bind.exec_driver_sql(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
            (changed, table),
        )
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        _declare_on_sqlite(exact=True)
        return
    for table, column, precision, scale, nullable in COLUMNS:
        op.alter_column(
            table,
            column,
            type_=sa.Numeric(precision=precision, scale=scale),
            existing_nullable=nullable,
            postgresql_using=f"round({column}::numeric, {scale})",
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        _declare_on_sqlite(exact=False)
        return
    for table, column, _, _, nullable in COLUMNS:
        op.alter_column(table, column, type_=sa.Double(), existing_nullable=nullable)

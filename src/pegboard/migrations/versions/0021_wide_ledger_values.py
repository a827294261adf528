"""ledger values and frozen costs wide enough for any quantity the bundle allows

``stock_move.value``, ``stock_balance.value`` and the amounts of
``sales_line_final_cost`` were ``NUMERIC(20, 6)`` (below 10^14): a stock of 10^5 pieces at
a unit cost of 10^9 — both within the bundle's bounds — overflowed on PostgreSQL when the
opening stock was valued (found by the bundle round-trip property). They become
``NUMERIC(32, 6)``: quantities (below 10^15) times unit costs (below 10^9) fit, with the 6
decimals that keep a cheap part's moving average precise. On SQLite only the declared
type changes, in the schema text, as 0017 and 0020 do.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 06:45:00
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

_FINAL = (
    "estimated_material",
    "estimated_labour",
    "estimated_overhead",
    "actual_material",
    "actual_scrap",
    "actual_labour",
    "actual_overhead",
    "actual_hours",
    "price_variance",
    "usage_variance",
    "scrap_variance",
    "labour_variance",
    "overhead_variance",
)
COLUMNS = (
    ("stock_move", ("value",)),
    ("stock_balance", ("value",)),
    ("sales_line_final_cost", (*_FINAL, "revenue")),
)
NARROW, WIDE = (20, 6), (32, 6)


def _declare_on_sqlite(old: tuple[int, int], new: tuple[int, int]) -> None:
    """Rewrite the declared types in SQLite's schema text (see 0017)."""
    bind = op.get_bind()
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    for table, columns in COLUMNS:
        sql = bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).scalar_one()
        for column in columns:
            sql = re.sub(
                rf"(\s){column} NUMERIC\({old[0]}, {old[1]}\)([\s,])",
                rf"\g<1>{column} NUMERIC({new[0]}, {new[1]})\g<2>",
                sql,
            )
        bind.exec_driver_sql(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", (sql, table)
        )
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def _change(old: tuple[int, int], new: tuple[int, int]) -> None:
    if op.get_bind().dialect.name != "postgresql":
        _declare_on_sqlite(old, new)
        return
    for table, columns in COLUMNS:
        for column in columns:
            op.alter_column(
                table,
                column,
                type_=sa.Numeric(*new),
                existing_type=sa.Numeric(*old),
                existing_nullable=column == "revenue",
            )


def upgrade() -> None:
    _change(NARROW, WIDE)


def downgrade() -> None:
    _change(WIDE, NARROW)

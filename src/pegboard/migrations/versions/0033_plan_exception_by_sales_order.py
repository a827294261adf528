"""plan_exception_by_sales_order: a sales order's exception ids packed in one row (#18)

The plan wrote one row per (sales order, exception) pair, already sorted, into a
WITHOUT ROWID table (0029): on the full reference shape that is 3.7 M pairs at ~1 µs
each, 3.4 s of the store's CPU. The pairs are now one row per sales order (75 k rows),
its exception ids ascending as a JSON array, unpacked when a sales order's exceptions
are read (SQLite's ``json_each``, PostgreSQL's ``json_array_elements_text``). The
stored plan's pairs are packed here, so an upgraded company reads its plan as before
without planning again; the downgrade unpacks them. Plain ``CREATE TABLE`` and
``DROP TABLE`` on both databases (no table recreation).

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-07 17:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None

PAIRS = "plan_exception_sales_order"
PACKED = "plan_exception_by_sales_order"


def upgrade() -> None:
    op.create_table(
        PACKED,
        sa.Column("sales_order_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("exception_ids", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("sales_order_id", name=op.f(f"pk_{PACKED}")),
    )
    if op.get_bind().dialect.name == "postgresql":
        joined = "string_agg(CAST(exception_id AS text), ',' ORDER BY exception_id)"
        source = PAIRS
    else:  # group_concat joins in the order its ordered subquery hands the rows
        joined = "group_concat(exception_id, ',')"
        source = f"(SELECT * FROM {PAIRS} ORDER BY sales_order_id, exception_id)"
    op.execute(
        f"INSERT INTO {PACKED} (sales_order_id, exception_ids) "
        f"SELECT sales_order_id, '[' || {joined} || ']' FROM {source} AS pairs "
        "GROUP BY sales_order_id"
    )
    op.drop_table(PAIRS)


def downgrade() -> None:
    op.create_table(
        PAIRS,
        sa.Column("sales_order_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("exception_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("sales_order_id", "exception_id", name=op.f(f"pk_{PAIRS}")),
        sqlite_with_rowid=False,
    )
    if op.get_bind().dialect.name == "postgresql":
        ids = "json_array_elements_text(CAST(p.exception_ids AS json)) AS j"
    else:
        ids = "json_each(p.exception_ids) AS j"
    op.execute(
        f"INSERT INTO {PAIRS} (sales_order_id, exception_id) "
        f"SELECT p.sales_order_id, CAST(j.value AS integer) FROM {PACKED} AS p, {ids} "
        "ORDER BY 1, 2"
    )
    op.drop_table(PACKED)

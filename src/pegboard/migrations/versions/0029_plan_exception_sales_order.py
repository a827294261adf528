"""plan_exception_sales_order: a sales order's exceptions, written in key order (#18)

``ix_plan_exception_sales_order_id`` was the plan store's slowest step: exceptions are
stored in report order, so its keys arrive in random order, and on the full reference
shape (4 M exceptions) building it took 11-12.5 s of the store's 44 s CPU. The plan now
writes the pairs (sales order, exception) already sorted into a table of their own
(WITHOUT ROWID on SQLite: the rows are the key's tree), and every read of a sales
order's exceptions goes through it. The stored plan is copied into it here, so a
company upgraded reads its plan as before without planning again. Plain ``CREATE
TABLE`` and ``DROP INDEX`` on both databases (no table recreation).

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 14:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_exception_sales_order",
        sa.Column("sales_order_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("exception_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint(
            "sales_order_id", "exception_id", name=op.f("pk_plan_exception_sales_order")
        ),
        sqlite_with_rowid=False,
    )
    op.execute(
        "INSERT INTO plan_exception_sales_order (sales_order_id, exception_id) "
        "SELECT sales_order_id, id FROM plan_exception WHERE sales_order_id IS NOT NULL "
        "ORDER BY sales_order_id, id"
    )
    op.drop_index("ix_plan_exception_sales_order_id", table_name="plan_exception")


def downgrade() -> None:
    op.create_index(
        "ix_plan_exception_sales_order_id", "plan_exception", ["sales_order_id"], unique=False
    )
    op.drop_table("plan_exception_sales_order")

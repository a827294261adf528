"""drop routing_operation.run_formula (issue #15)

0013 gave routing operations a ``run_formula`` for template routings, but template
routing lines got their own table in 0016 (``template_operation``, with setup and run
formulas and a condition), and an order routing stores the hours its formulas gave.
Nothing ever wrote or read the column: it goes, so that no one fills it believing it
is used.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 08:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # ALTER TABLE … DROP COLUMN in place (SQLite ≥ 3.35): the column has no index or
    # constraint, and recreating a table with foreign keys is not needed for it
    with op.batch_alter_table("routing_operation", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("run_formula")


def downgrade() -> None:
    op.add_column(
        "routing_operation", sa.Column("run_formula", sa.String(length=500), nullable=True)
    )

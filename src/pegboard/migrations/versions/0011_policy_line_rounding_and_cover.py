"""policy line rounding and cover

A policy line says what its default window was made of (``cover_days``: the
item's own lead time plus its parents' cumulative lead time, in calendar days;
``min_window_days``: the run's shortest default window) and the decimal places
its figures were rounded up to (``decimals``, -1 for lines of older runs, which
were not rounded).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("policy_line", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("decimals", sa.Integer(), server_default="-1", nullable=False)
        )
        batch_op.add_column(
            sa.Column("min_window_days", sa.Integer(), server_default="7", nullable=False)
        )
        batch_op.add_column(
            sa.Column("cover_days", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("policy_line", schema=None) as batch_op:
        batch_op.drop_column("cover_days")
        batch_op.drop_column("min_window_days")
        batch_op.drop_column("decimals")

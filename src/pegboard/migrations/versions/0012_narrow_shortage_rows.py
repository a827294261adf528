"""narrow shortage rows

A ``shortage`` exception restates which planned order serves which sales order
(millions of rows on a dense plan): it now stores the planned order and the
quantity short (in millionths) and leaves ``order_ref``, ``date`` and ``message``
NULL, which readers derive from the planned order. Rows stored before keep
their texts and read as before.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plan_exception", schema=None) as batch_op:
        batch_op.add_column(sa.Column("planned_order_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("qty_millionths", sa.BigInteger(), nullable=True))
        batch_op.alter_column("order_ref", existing_type=sa.String(200), nullable=True)
        batch_op.alter_column("date", existing_type=sa.Date(), nullable=True)
        batch_op.alter_column("message", existing_type=sa.String(1000), nullable=True)


def downgrade() -> None:
    # the derived rows get back their texts only from the next plan run: drop them
    op.execute("DELETE FROM plan_exception WHERE order_ref IS NULL OR message IS NULL")
    with op.batch_alter_table("plan_exception", schema=None) as batch_op:
        batch_op.alter_column("message", existing_type=sa.String(1000), nullable=False)
        batch_op.alter_column("date", existing_type=sa.Date(), nullable=False)
        batch_op.alter_column("order_ref", existing_type=sa.String(200), nullable=False)
        batch_op.drop_column("qty_millionths")
        batch_op.drop_column("planned_order_id")

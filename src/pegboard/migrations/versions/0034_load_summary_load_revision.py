"""load_summary.load_revision: the capacity summary keyed by what the load reads (#19)

The summary of the backward load's weeks was kept per plan run and plan and capacity
revisions, so any change to the plan's inputs (a stock move, a sales order line, none
of which the load reads) made the next capacity view work the whole load out again
(3-4 s at full size). It is now kept per plan run and the revision of the load's own
inputs (``plan_inputs.LOAD``: open production orders, routings, work centers, the
calendar). Summaries kept before have none (NULL), so none of them is taken as current.
A plain ``ADD COLUMN`` on both databases (no table recreation).

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-07 20:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("load_summary", sa.Column("load_revision", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("load_summary", "load_revision")

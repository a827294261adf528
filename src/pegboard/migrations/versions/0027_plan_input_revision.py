"""the plan's inputs revision: what a plan run was planned from, and the last change since

A plan is out of date not only by its date but by every change to what it was planned
from (a BOM line, an item's lead time, a stock count, an order's quantity...). The
writes are counted in ``cost_revision`` like the cost estimates' (scopes ``plan`` and
``plan-capacity``), which now also keeps each scope's last change (what, when); a plan
run stamps the revisions it read its inputs at. Plain ``ADD COLUMN``s, nullable (a run
stored before this has no stamp and is judged by its date only), no table recreated.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 14:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pegboard.model._types import UtcDateTime

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cost_revision", sa.Column("change", sa.String(200), nullable=True))
    op.add_column("cost_revision", sa.Column("changed_at", UtcDateTime(), nullable=True))
    op.add_column("plan_run", sa.Column("inputs_revision", sa.Integer(), nullable=True))
    op.add_column("plan_run", sa.Column("capacity_revision", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plan_run", recreate="never") as batch:
        batch.drop_column("capacity_revision")
        batch.drop_column("inputs_revision")
    with op.batch_alter_table("cost_revision", recreate="never") as batch:
        batch.drop_column("changed_at")
        batch.drop_column("change")

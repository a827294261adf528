"""plan run counts

What the pages count over a plan run (exceptions per kind, late lines, planned
orders per release day) is counted from the arrays when the run is stored, so
the first page after a run does not count millions of rows.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 09:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plan_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("counts", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plan_run", schema=None) as batch_op:
        batch_op.drop_column("counts")

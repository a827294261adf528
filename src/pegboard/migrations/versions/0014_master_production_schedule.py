"""the master production schedule (issue #17)

* ``item.mps``: the item is made to a master schedule the planner keeps.
* ``production_order.mps``: the order is a line of that schedule (firm supply, made
  for stock, kept and changed by the planner through ``services.mps``).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ALTER TABLE … ADD COLUMN on both databases: a batch recreation of item and
    # production_order, which other tables reference, fails on SQLite with foreign keys on
    for table in ("item", "production_order"):
        op.add_column(
            table, sa.Column("mps", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN in place (SQLite ≥ 3.35): recreating item and
    # production_order, which other tables reference, fails with foreign keys on
    for table in ("production_order", "item"):
        with op.batch_alter_table(table, schema=None, recreate="never") as batch_op:
            batch_op.drop_column("mps")

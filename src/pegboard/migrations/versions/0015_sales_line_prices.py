"""quoted prices on sales-order lines (issue #16)

* ``sales_order_line.unit_price``: the quoted price of one unit, exact (numeric), in the
  company currency (setting ``currency``); empty until quoted.
* ``sales_order_line.discount_pct``: the discount on it, 0 to 100 percent.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sales_order_line", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("unit_price", sa.Numeric(precision=14, scale=2), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "discount_pct",
                sa.Numeric(precision=5, scale=2),
                server_default="0",
                nullable=False,
            )
        )
        batch_op.create_check_constraint("unit_price_not_negative", "unit_price >= 0")
        batch_op.create_check_constraint(
            "discount_range", "discount_pct >= 0 AND discount_pct <= 100"
        )


def downgrade() -> None:
    with op.batch_alter_table("sales_order_line", schema=None) as batch_op:
        batch_op.drop_constraint("discount_range", type_="check")
        batch_op.drop_constraint("unit_price_not_negative", type_="check")
        batch_op.drop_column("discount_pct")
        batch_op.drop_column("unit_price")

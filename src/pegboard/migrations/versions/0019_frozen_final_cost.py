"""the frozen final cost of shipped sales-order lines (issue #16, item 6)

``sales_line_final_cost``: one row per line shipped complete, written once when it
is shipped: estimated and actual cost by element, the variance split and the
revenue, so a later purchase price cannot move an old order's figures. Lines
shipped before this migration have no row: their figures stay computed (live).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 06:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pegboard.model._types import UtcDateTime

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

AMOUNTS = (
    "estimated_material",
    "estimated_labour",
    "estimated_overhead",
    "actual_material",
    "actual_scrap",
    "actual_labour",
    "actual_overhead",
    "actual_hours",
    "price_variance",
    "usage_variance",
    "scrap_variance",
    "labour_variance",
    "overhead_variance",
)


def upgrade() -> None:
    op.create_table(
        "sales_line_final_cost",
        sa.Column("sales_order_line_id", sa.Integer(), nullable=False),
        sa.Column("frozen_at", UtcDateTime(), nullable=False),
        *(sa.Column(name, sa.Numeric(20, 6), nullable=False) for name in AMOUNTS),
        sa.Column("revenue", sa.Numeric(20, 6), nullable=True),
        sa.ForeignKeyConstraint(
            ["sales_order_line_id"],
            ["sales_order_line.id"],
            name=op.f("fk_sales_line_final_cost_sales_order_line_id_sales_order_line"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("sales_order_line_id", name=op.f("pk_sales_line_final_cost")),
    )


def downgrade() -> None:
    op.drop_table("sales_line_final_cost")

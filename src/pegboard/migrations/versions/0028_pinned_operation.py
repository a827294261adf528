"""pinned_operation: operations a planner pinned on the planning board (#19, #15)

An operation moved by hand was written into the stored finite schedule only, and the
next schedule placed every operation afresh, undoing the move. A pin keeps the
planner's work center and days for an operation of a production order; the finite
schedule places it there first, until it is unpinned or its order closes. Plain
``CREATE TABLE`` on both databases (no table recreation).

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pegboard.model._types import UtcDateTime

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pinned_operation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("production_order_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("work_center_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("pinned_at", UtcDateTime(), nullable=False),
        sa.CheckConstraint(
            "end_date >= start_date", name=op.f("ck_pinned_operation_pin_end_not_before_start")
        ),
        sa.ForeignKeyConstraint(
            ["production_order_id"],
            ["production_order.id"],
            name=op.f("fk_pinned_operation_production_order_id_production_order"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["work_center_id"],
            ["work_center.id"],
            name=op.f("fk_pinned_operation_work_center_id_work_center"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pinned_operation")),
        sa.UniqueConstraint(
            "production_order_id",
            "sequence",
            name=op.f("uq_pinned_operation_production_order_id"),
        ),
    )
    op.create_index(
        op.f("ix_pinned_operation_production_order_id"),
        "pinned_operation",
        ["production_order_id"],
    )
    op.create_index(
        op.f("ix_pinned_operation_work_center_id"), "pinned_operation", ["work_center_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_pinned_operation_work_center_id"), table_name="pinned_operation")
    op.drop_index(op.f("ix_pinned_operation_production_order_id"), table_name="pinned_operation")
    op.drop_table("pinned_operation")

"""the finite schedule (issue #15, item 4)

* ``schedule_run``: one finite schedule, made from one plan run.
* ``scheduled_order``: each open or planned production order's start and completion.
* ``scheduled_operation``: each operation's work center, start and end, and the days
  its work center was full.

Derived rows replaced wholesale by the next schedule, without foreign keys (as the
plan's tables since 0004).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 05:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pegboard.model._types import UtcDateTime

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "schedule_run",
        _id(),
        sa.Column("plan_run_id", sa.Integer(), nullable=False),
        sa.Column("planning_date", sa.Date(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("operations", sa.Integer(), nullable=False),
        sa.Column("late_orders", sa.Integer(), nullable=False),
        sa.Column("late_lines", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_run")),
    )
    op.create_table(
        "scheduled_order",
        _id(),
        sa.Column("schedule_run_id", sa.Integer(), nullable=False),
        sa.Column("plan_run_id", sa.Integer(), nullable=False),
        sa.Column("order_type", sa.String(length=20), nullable=False),
        sa.Column("order_ref", sa.String(length=200), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("qty", sa.Double(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("ready_date", sa.Date(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("completion", sa.Date(), nullable=False),
        sa.Column("available_date", sa.Date(), nullable=False),
        sa.Column("cause", sa.String(length=10), nullable=True),
        sa.Column("bottleneck_work_center_id", sa.Integer(), nullable=True),
        sa.Column("held_from", sa.Date(), nullable=True),
        sa.Column("held_to", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_order")),
    )
    op.create_index(
        "ix_scheduled_order_ref", "scheduled_order", ["order_ref", "plan_run_id"], unique=False
    )
    op.create_table(
        "scheduled_operation",
        _id(),
        sa.Column("schedule_run_id", sa.Integer(), nullable=False),
        sa.Column("order_type", sa.String(length=20), nullable=False),
        sa.Column("order_ref", sa.String(length=200), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("work_center_id", sa.Integer(), nullable=False),
        sa.Column("hours", sa.Double(), nullable=False),
        sa.Column("ready_date", sa.Date(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("held_from", sa.Date(), nullable=True),
        sa.Column("held_to", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_operation")),
    )
    op.create_index(
        "ix_scheduled_operation_work_center",
        "scheduled_operation",
        ["work_center_id", "start_date"],
        unique=False,
    )
    op.create_index(
        "ix_scheduled_operation_order", "scheduled_operation", ["order_ref"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_scheduled_operation_order", table_name="scheduled_operation")
    op.drop_index("ix_scheduled_operation_work_center", table_name="scheduled_operation")
    op.drop_table("scheduled_operation")
    op.drop_index("ix_scheduled_order_ref", table_name="scheduled_order")
    op.drop_table("scheduled_order")
    op.drop_table("schedule_run")

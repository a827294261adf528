"""routing lines of templates, and the shop floor's progress (issue #15, items 2 and 6)

* ``template_operation``: the routing lines of a configurable template, their setup
  and run hours formulas of its parameters (deleted with the template's BOM).
* ``operation_progress``: an operation of a production order started and finished,
  with the hours worked and who reported them.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pegboard.model._types import UtcDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "template_operation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bom_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("work_center_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=200), server_default="", nullable=False),
        sa.Column("setup_formula", sa.String(length=500), nullable=False),
        sa.Column("run_formula", sa.String(length=500), nullable=False),
        sa.Column("condition", sa.String(length=500), nullable=True),
        sa.Column("queue_days", sa.Integer(), nullable=False),
        sa.Column("move_days", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "queue_days >= 0 AND move_days >= 0",
            name=op.f("ck_template_operation_template_days_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["bom_id"],
            ["bom.id"],
            name=op.f("fk_template_operation_bom_id_bom"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["work_center_id"],
            ["work_center.id"],
            name=op.f("fk_template_operation_work_center_id_work_center"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_template_operation")),
        sa.UniqueConstraint("bom_id", "sequence", name=op.f("uq_template_operation_bom_id")),
    )
    op.create_index(op.f("ix_template_operation_bom_id"), "template_operation", ["bom_id"])
    op.create_index(
        op.f("ix_template_operation_work_center_id"), "template_operation", ["work_center_id"]
    )
    op.create_table(
        "operation_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("production_order_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("work_center_id", sa.Integer(), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("started_by", sa.String(length=100), nullable=False),
        sa.Column("finished_at", UtcDateTime(), nullable=True),
        sa.Column("finished_by", sa.String(length=100), nullable=True),
        sa.Column("hours_worked", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("note", sa.String(length=500), server_default="", nullable=False),
        sa.CheckConstraint(
            "hours_worked >= 0", name=op.f("ck_operation_progress_hours_worked_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["production_order_id"],
            ["production_order.id"],
            name=op.f("fk_operation_progress_production_order_id_production_order"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["work_center_id"],
            ["work_center.id"],
            name=op.f("fk_operation_progress_work_center_id_work_center"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operation_progress")),
        sa.UniqueConstraint(
            "production_order_id",
            "sequence",
            name=op.f("uq_operation_progress_production_order_id"),
        ),
    )
    op.create_index(
        op.f("ix_operation_progress_production_order_id"),
        "operation_progress",
        ["production_order_id"],
    )
    op.create_index(
        op.f("ix_operation_progress_work_center_id"), "operation_progress", ["work_center_id"]
    )


def downgrade() -> None:
    op.drop_table("operation_progress")
    op.drop_table("template_operation")

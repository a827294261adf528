"""work centers and routings (issue #15: capacity)

* ``work_center``: hours per working day (or per weekday), parallel units, efficiency,
  an exact cost rate per hour; ``work_center_closed_day``: its own closed days.
* ``routing`` / ``routing_operation``: the operations of a make item (engineering
  routing) or of one configured order BOM (order routing), in sequence, each on a work
  center with setup hours, run hours per unit, queue and move days.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pegboard.model._types import UtcDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "work_center",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("description", sa.String(length=200), server_default="", nullable=False),
        sa.Column("hours_per_day", sa.Double(), nullable=False),
        sa.Column("weekday_hours", sa.JSON(), nullable=True),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("efficiency_pct", sa.Double(), nullable=False),
        sa.Column("cost_rate", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("created_at", UtcDateTime(), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(
            "hours_per_day >= 0 AND hours_per_day <= 24", name=op.f("ck_work_center_hours_in_a_day")
        ),
        sa.CheckConstraint("units >= 1", name=op.f("ck_work_center_at_least_one_unit")),
        sa.CheckConstraint(
            "efficiency_pct > 0 AND efficiency_pct <= 500",
            name=op.f("ck_work_center_efficiency_range"),
        ),
        sa.CheckConstraint("cost_rate >= 0", name=op.f("ck_work_center_cost_rate_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_center")),
        sa.UniqueConstraint("code", name=op.f("uq_work_center_code")),
    )
    op.create_table(
        "work_center_closed_day",
        sa.Column("work_center_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("description", sa.String(length=200), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["work_center_id"],
            ["work_center.id"],
            name=op.f("fk_work_center_closed_day_work_center_id_work_center"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("work_center_id", "day", name=op.f("pk_work_center_closed_day")),
    )
    op.create_table(
        "routing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=255), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("bom_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UtcDateTime(), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_routing_item_id_item")),
        sa.ForeignKeyConstraint(
            ["bom_id"], ["bom.id"], name=op.f("fk_routing_bom_id_bom"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing")),
        sa.UniqueConstraint("number", name=op.f("uq_routing_number")),
    )
    op.create_index(op.f("ix_routing_item_id"), "routing", ["item_id"])
    op.create_index(op.f("ix_routing_bom_id"), "routing", ["bom_id"], unique=True)
    op.create_table(
        "routing_operation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("routing_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("work_center_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=200), server_default="", nullable=False),
        sa.Column("setup_hours", sa.Double(), nullable=False),
        sa.Column("run_hours", sa.Double(), nullable=False),
        sa.Column("queue_days", sa.Integer(), nullable=False),
        sa.Column("move_days", sa.Integer(), nullable=False),
        sa.Column("run_formula", sa.String(length=500), nullable=True),
        sa.CheckConstraint(
            "setup_hours >= 0", name=op.f("ck_routing_operation_setup_not_negative")
        ),
        sa.CheckConstraint("run_hours >= 0", name=op.f("ck_routing_operation_run_not_negative")),
        sa.CheckConstraint(
            "queue_days >= 0 AND move_days >= 0",
            name=op.f("ck_routing_operation_days_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["routing_id"],
            ["routing.id"],
            name=op.f("fk_routing_operation_routing_id_routing"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["work_center_id"],
            ["work_center.id"],
            name=op.f("fk_routing_operation_work_center_id_work_center"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_operation")),
        sa.UniqueConstraint("routing_id", "sequence", name=op.f("uq_routing_operation_routing_id")),
    )
    op.create_index(
        op.f("ix_routing_operation_work_center_id"), "routing_operation", ["work_center_id"]
    )


def downgrade() -> None:
    op.drop_table("routing_operation")
    op.drop_table("routing")
    op.drop_table("work_center_closed_day")
    op.drop_table("work_center")

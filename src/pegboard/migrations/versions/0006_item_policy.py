"""item policy: stock-policy settings per item, and the stored policy runs (pegboard policy)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 00:49:47
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "item_policy",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("ordering_cost", sa.Double(), nullable=True),
        sa.Column("holding_pct", sa.Double(), nullable=True),
        sa.Column("service_level", sa.Double(), nullable=True),
        sa.Column("buffer", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(ordering_cost IS NULL OR ordering_cost >= 0)"
            " AND (holding_pct IS NULL OR holding_pct >= 0)",
            name=op.f("ck_item_policy_costs_not_negative"),
        ),
        sa.CheckConstraint(
            "service_level IS NULL OR (service_level > 0 AND service_level < 1)",
            name=op.f("ck_item_policy_service_level"),
        ),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_item_policy_item_id_item")),
        sa.PrimaryKeyConstraint("item_id", name=op.f("pk_item_policy")),
    )
    op.create_table(
        "policy_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy_run_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("type", sa.String(length=10), nullable=False),
        sa.Column("lot_rule", sa.String(length=10), nullable=False),
        sa.Column("buffer", sa.Boolean(), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("window_source", sa.String(length=60), nullable=True),
        sa.Column("parent_lead_time", sa.Integer(), nullable=False),
        sa.Column("need", sa.Double(), nullable=False),
        sa.Column("adu", sa.Double(), nullable=False),
        sa.Column("sigma_d", sa.Double(), nullable=False),
        sa.Column("qualified_demand", sa.Double(), nullable=False),
        sa.Column("daily", sa.Text(), nullable=False),
        sa.Column("lead_time", sa.Integer(), nullable=False),
        sa.Column("sigma_lt", sa.Double(), nullable=False),
        sa.Column("lead_time_observations", sa.Integer(), nullable=False),
        sa.Column("lead_time_sample", sa.String(length=200), nullable=False),
        sa.Column("dlt", sa.Integer(), nullable=False),
        sa.Column("service_level", sa.Double(), nullable=False),
        sa.Column("service_level_source", sa.String(length=60), nullable=False),
        sa.Column("ordering_cost", sa.Double(), nullable=False),
        sa.Column("ordering_cost_source", sa.String(length=60), nullable=False),
        sa.Column("holding_pct", sa.Double(), nullable=False),
        sa.Column("holding_pct_source", sa.String(length=60), nullable=False),
        sa.Column("lead_time_factor", sa.Double(), nullable=False),
        sa.Column("variability_factor", sa.Double(), nullable=False),
        sa.Column("unit_cost", sa.Double(), nullable=False),
        sa.Column("min_qty", sa.Double(), nullable=False),
        sa.Column("multiple", sa.Double(), nullable=False),
        sa.Column("period_days", sa.Integer(), nullable=False),
        sa.Column("on_hand", sa.Double(), nullable=False),
        sa.Column("in_transit", sa.Double(), nullable=False),
        sa.Column("on_order", sa.Double(), nullable=False),
        sa.Column("in_production", sa.Double(), nullable=False),
        sa.Column("position", sa.Double(), nullable=False),
        sa.Column("z", sa.Double(), nullable=False),
        sa.Column("safety_stock", sa.Double(), nullable=False),
        sa.Column("reorder_point", sa.Double(), nullable=False),
        sa.Column("annual_demand", sa.Double(), nullable=False),
        sa.Column("holding_cost", sa.Double(), nullable=False),
        sa.Column("eoq", sa.Double(), nullable=True),
        sa.Column("order_qty", sa.Double(), nullable=False),
        sa.Column("red", sa.Double(), nullable=False),
        sa.Column("yellow", sa.Double(), nullable=False),
        sa.Column("green", sa.Double(), nullable=False),
        sa.Column("top_of_red", sa.Double(), nullable=False),
        sa.Column("top_of_yellow", sa.Double(), nullable=False),
        sa.Column("top_of_green", sa.Double(), nullable=False),
        sa.Column("net_flow", sa.Double(), nullable=False),
        sa.Column("below", sa.Boolean(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("suggested_qty", sa.Double(), nullable=False),
        sa.Column("target_safety_stock", sa.Double(), nullable=False),
        sa.Column("target_min_qty", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_line")),
    )
    op.create_index("ix_policy_line_adu", "policy_line", ["adu"], unique=False)
    op.create_index("ix_policy_line_rank", "policy_line", ["rank", "item"], unique=False)
    op.create_index("ix_policy_line_item", "policy_line", ["item"], unique=True)
    op.create_index(op.f("ix_policy_line_item_id"), "policy_line", ["item_id"], unique=False)
    op.create_index("ix_policy_line_suggested_qty", "policy_line", ["suggested_qty"], unique=False)
    op.create_table(
        "policy_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("planning_date", sa.Date(), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=True),
        sa.Column("service_level", sa.Double(), nullable=True),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("below", sa.Integer(), nullable=False),
        sa.Column("load_seconds", sa.Double(), nullable=False),
        sa.Column("compute_seconds", sa.Double(), nullable=False),
        sa.Column("store_seconds", sa.Double(), nullable=False),
        sa.Column("seconds", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_run")),
    )


def downgrade() -> None:
    op.drop_table("policy_run")
    op.drop_index("ix_policy_line_suggested_qty", table_name="policy_line")
    op.drop_index(op.f("ix_policy_line_item_id"), table_name="policy_line")
    op.drop_index("ix_policy_line_item", table_name="policy_line")
    op.drop_index("ix_policy_line_rank", table_name="policy_line")
    op.drop_index("ix_policy_line_adu", table_name="policy_line")
    op.drop_table("policy_line")
    op.drop_table("item_policy")

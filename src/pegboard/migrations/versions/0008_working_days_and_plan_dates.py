"""working days, whole units and the dates of open production orders (planning rules v2)

* ``item.decimals``: decimal places a planned quantity may have (rule 7); existing
  items get the bundle format's default from their unit (0 for pieces, else 3).
* ``holiday``: the plant's non-working days (rule 1; ``work_days`` is a setting).
* ``plan_production``: per open production order in the current plan, its earliest
  completion from its components and the day it is available (rule 9).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

PIECES = ("ea", "pc", "pcs", "set", "pair")


def upgrade() -> None:
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decimals", sa.Integer(), nullable=False, server_default="3"))
    pieces = ", ".join(f"'{u}'" for u in PIECES)
    op.execute(f"UPDATE item SET decimals = 0 WHERE lower(uom) IN ({pieces})")
    op.create_table(
        "holiday",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_holiday")),
    )
    op.create_table(
        "plan_production",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_run_id", sa.Integer(), nullable=False),
        sa.Column("production_order_id", sa.Integer(), nullable=False),
        sa.Column("earliest_completion", sa.Date(), nullable=False),
        sa.Column("available_date", sa.Date(), nullable=False),
        sa.Column("is_late", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_production")),
    )
    op.create_index(
        op.f("ix_plan_production_production_order_id"),
        "plan_production",
        ["production_order_id"],
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_plan_production_production_order_id"), table_name="plan_production")
    op.drop_table("plan_production")
    op.drop_table("holiday")
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.drop_column("decimals")

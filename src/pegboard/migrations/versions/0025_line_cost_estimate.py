"""line_cost_estimate and cost_revision: stored estimated costs of order lines (#16)

A project's cost report rolled up every line's order BOMs and routings on each call
(3.3 s for the largest project of the full-size company). Each line's estimate is now
stored with the two revisions it was computed at (the company's and its sales
order's); every change to what the estimate reads raises one of them in its own
transaction (``services.cost_estimates``), and a report recomputes only rows whose
revisions are no longer current, or missing ones. An upgraded database starts with no
rows: they are computed on demand, and ``pegboard db upgrade`` fills them after
migrating. Plain ``CREATE TABLE`` on both databases.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 11:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pegboard.model._types import UtcDateTime

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

AMOUNTS = ("material", "labour", "overhead", "scrap", "unused_usage", "unused_scrap")


def upgrade() -> None:
    op.create_table(
        "line_cost_estimate",
        sa.Column("sales_order_line_id", sa.Integer(), nullable=False),
        sa.Column("company_revision", sa.Integer(), nullable=False),
        sa.Column("order_revision", sa.Integer(), nullable=False),
        sa.Column("computed_at", UtcDateTime(), nullable=False),
        *(sa.Column(name, sa.Numeric(32, 6), nullable=False) for name in AMOUNTS),
        sa.Column("premium", sa.Numeric(32, 6), nullable=True),
        sa.ForeignKeyConstraint(
            ["sales_order_line_id"],
            ["sales_order_line.id"],
            name=op.f("fk_line_cost_estimate_sales_order_line_id_sales_order_line"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("sales_order_line_id", name=op.f("pk_line_cost_estimate")),
    )
    op.create_table(
        "cost_revision",
        sa.Column("scope", sa.String(40), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_cost_revision")),
    )


def downgrade() -> None:
    op.drop_table("cost_revision")
    op.drop_table("line_cost_estimate")

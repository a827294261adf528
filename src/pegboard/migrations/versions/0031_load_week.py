"""load_summary, load_week: the backward load's weeks kept for the capacity page (#15)

The capacity page placed every order of the company backward on each view (seconds of
CPU and tens of megabytes of HTML at full size) to draw 200 charts. It now reads the
weeks of the few work centers it shows from a summary worked out once per state of the
load's inputs (plan run and revisions). Plain ``CREATE TABLE`` on both databases.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07 17:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pegboard.model._types import UtcDateTime

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "load_summary",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_run_id", sa.Integer(), nullable=True),
        sa.Column("inputs_revision", sa.Integer(), nullable=False),
        sa.Column("capacity_revision", sa.Integer(), nullable=False),
        sa.Column("computed_at", UtcDateTime(), nullable=False),
        sa.Column("cpu_seconds", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_load_summary")),
    )
    op.create_table(
        "load_week",
        sa.Column("summary_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("work_center_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("monday", sa.Date(), nullable=False),
        sa.Column("required", sa.Double(), nullable=False),
        sa.Column("available", sa.Double(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("top", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint(
            "summary_id", "work_center_id", "monday", name=op.f("pk_load_week")
        ),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("load_week")
    op.drop_table("load_summary")

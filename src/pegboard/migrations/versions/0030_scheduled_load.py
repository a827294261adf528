"""scheduled_load: the hours the finite schedule took per work center and day (#15)

Promise rebuilt a day's free hours from each stored operation's first day, last day and
hours; on a work center with several units that left a little false free time. The
schedule now stores what it counted itself while placing. A schedule stored before
this migration has no such rows: promise says so and asks for a new schedule. Plain
``CREATE TABLE`` on both databases (no table recreation).

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 17:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scheduled_load",
        sa.Column("schedule_run_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("work_center_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hours", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint(
            "schedule_run_id", "work_center_id", "day", name=op.f("pk_scheduled_load")
        ),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("scheduled_load")

"""index planned_order (release_date, number, id): the report order (issue #18)

The planned-orders list opens in report order (release date, number) and the dashboard
lists what to release by today. On the full reference shape (1.6 M planned orders)
both read and sorted every row: the first page sorted 1.6 M rows, each "to release
by today" list scanned the table. With this index the first page reads its rows along
the index and the dashboard reads the days up to today only. A plan run rebuilds it
with the plan's other indexes after its rows are written. A plain ``CREATE INDEX``
on both databases (no table recreation).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 12:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_planned_order_release", "planned_order", ["release_date", "number", "id"])


def downgrade() -> None:
    op.drop_index("ix_planned_order_release", table_name="planned_order")

"""index item (type, strategy) for the items list's filters (issue #19)

The items list (``services.items.item_query``) filters by type and strategy and counts
what it found for its pages. On the generated full-size company (284,572 items) a
make + mto filter read the whole table for its count; with this index the count reads
the index alone. A plain ``CREATE INDEX`` on both databases (no table recreation).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 09:15:00
"""

from __future__ import annotations

from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_item_type_strategy", "item", ["type", "strategy"])


def downgrade() -> None:
    op.drop_index("ix_item_type_strategy", table_name="item")

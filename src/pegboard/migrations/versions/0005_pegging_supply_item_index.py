"""pegging supply index also keyed by item; planned order number index covering

An item's pegging rows (what its planned parents need of it, what its supplies
cover) are then found through its own supplies: its orders and, per location, its
stock. The item page of a fastener used by a hundred thousand planned orders read
them by scanning every pegging row before. The planned-order number index also
holds the release date and the firmed mark, which is all that page reads of each
planned parent.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 09:10:00
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pegging", schema=None) as batch_op:
        batch_op.drop_index("ix_pegging_supply")
        batch_op.create_index("ix_pegging_supply", ["supply_ref", "item_id"], unique=False)
    with op.batch_alter_table("planned_order", schema=None) as batch_op:
        batch_op.drop_index("ix_planned_order_number")
        batch_op.create_index(
            "ix_planned_order_number", ["number", "release_date", "firmed_as"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("pegging", schema=None) as batch_op:
        batch_op.drop_index("ix_pegging_supply")
        batch_op.create_index("ix_pegging_supply", ["supply_ref"], unique=False)
    with op.batch_alter_table("planned_order", schema=None) as batch_op:
        batch_op.drop_index("ix_planned_order_number")
        batch_op.create_index("ix_planned_order_number", ["number"], unique=False)

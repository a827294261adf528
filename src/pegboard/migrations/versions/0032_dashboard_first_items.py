"""dashboard_first_items: the dashboard's planned buys and makes found item by item (#19)

The dashboard lists the first planned orders to release by today, by supplier then
item. On a plan eleven months old every planned order (605,984 on the full-size
generated company) is to release by today, and sorting them all took 2 s per list.
The first items in (supplier, code) order are now walked along ``ix_item_supplier_code``,
each asked along ``ix_planned_order_item`` (item, type, firmed, release day: covering)
whether it has a planned order of the list's type still to release; only those few
items' orders are read and sorted. ``ix_planned_order_item`` replaces the index on the
item alone, which it covers, so the plan store still builds as many indexes. Plain
``CREATE INDEX`` and ``DROP INDEX`` on both databases (no table recreation).

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07 17:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_item_supplier_code", "item", ["supplier", "code"])
    op.create_index(
        "ix_planned_order_item",
        "planned_order",
        ["item_id", "type", "firmed_as", "release_date"],
    )
    op.drop_index("ix_planned_order_item_id", table_name="planned_order")


def downgrade() -> None:
    op.create_index("ix_planned_order_item_id", "planned_order", ["item_id"])
    op.drop_index("ix_planned_order_item", table_name="planned_order")
    op.drop_index("ix_item_supplier_code", table_name="item")

"""locations as master data (issue #14, item 5)

* ``location``: the places stock may sit. A receipt, transfer or issue into a
  code that is not here is refused (``services.locations``), so a typo no
  longer creates a location.
* Every location the data already uses (the stock ledger and its balances) is
  inserted, and the default receiving location ``main``, so nothing that
  worked before is refused after the upgrade.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-09 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "location",
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=200), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_location")),
    )
    op.execute(
        "INSERT INTO location (code, description)"
        " SELECT code, '' FROM ("
        " SELECT location AS code FROM stock_move"
        " UNION SELECT location FROM stock_balance"
        " UNION SELECT 'main'"
        ") used"
    )


def downgrade() -> None:
    op.drop_table("location")

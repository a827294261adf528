"""exact unit costs and purchase prices; the stock ledger carries value (issue #16)

* ``item.unit_cost`` and ``purchase_order_line.unit_price`` become exact numerics
  (4 decimals: a screw may cost 0.0125). On PostgreSQL the columns change type,
  rounding the stored float to 4 decimals; on SQLite a column's declared type is
  only an affinity (REAL and NUMERIC store the same numbers), so only the declared type
  changes, in the schema text (``item`` is referenced by most tables and is never
  recreated), and the model reads the values back as exact decimals of 4 places.
* ``stock_move.value``: what a movement is worth in the company currency, signed like
  its quantity (6 decimals, so moving averages of cheap parts keep their precision).
* ``stock_balance.value``: the ledger's value per bucket, kept in step like ``qty``.

Rows that existed before this migration get their value at the item's unit cost
(``qty × unit_cost``) and every balance the sum of its bucket's moves, so old data
stays consistent with the ledger (``pegboard stock check``).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 05:00:00
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

VALUE = sa.Numeric(precision=20, scale=6)
MONEY4 = sa.Numeric(precision=18, scale=4)
BUCKET = (
    "m.item_id = stock_balance.item_id AND m.location = stock_balance.location"
    " AND m.sales_order_id IS NOT DISTINCT FROM stock_balance.sales_order_id"
    " AND m.reserved_mo_id IS NOT DISTINCT FROM stock_balance.reserved_mo_id"
)


PRICES = (("item", "unit_cost"), ("purchase_order_line", "unit_price"))


def _declare_on_sqlite(old: str, new: str) -> None:
    """Change the declared type of the price columns in SQLite's schema text, the way
    SQLite documents for changes that leave the stored data as it is (a column's
    declared type is only an affinity; REAL and NUMERIC both keep these numbers as
    8-byte reals), instead of recreating ``item``, which most tables reference."""
    bind = op.get_bind()
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    for table, column in PRICES:
        sql = bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).scalar_one()
        changed = re.sub(rf"(\s){column} {re.escape(old)}(\s)", rf"\g<1>{column} {new}\g<2>", sql)
        bind.exec_driver_sql(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
            (changed, table),
        )
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def _exact_prices(postgres: bool) -> None:
    if not postgres:
        _declare_on_sqlite("DOUBLE", "NUMERIC(18, 4)")
        return
    for table, column in PRICES:
        op.alter_column(
            table,
            column,
            type_=MONEY4,
            existing_nullable=False,
            postgresql_using=f"round({column}::numeric, 4)",
        )


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    _exact_prices(postgres)
    op.add_column("stock_move", sa.Column("value", VALUE, server_default="0", nullable=False))
    op.add_column("stock_balance", sa.Column("value", VALUE, server_default="0", nullable=False))
    # the ledger is immutable (a trigger refuses UPDATE): lifted for this one backfill
    if postgres:
        op.execute("ALTER TABLE stock_move DISABLE TRIGGER stock_move_immutable")
    else:
        op.execute("DROP TRIGGER IF EXISTS stock_move_immutable")
    op.execute(
        "UPDATE stock_move SET value = round(CAST(qty * (SELECT unit_cost FROM item"
        " WHERE item.id = stock_move.item_id) AS NUMERIC), 6)"
    )
    if postgres:
        op.execute("ALTER TABLE stock_move ENABLE TRIGGER stock_move_immutable")
    else:
        op.execute(
            "CREATE TRIGGER stock_move_immutable BEFORE UPDATE ON stock_move "
            "BEGIN SELECT RAISE(ABORT, 'stock_move rows are immutable: post a correcting "
            "move instead'); END"
        )
    bucket = BUCKET if postgres else BUCKET.replace("IS NOT DISTINCT FROM", "IS")
    op.execute(
        "UPDATE stock_balance SET value = COALESCE((SELECT SUM(m.value) FROM stock_move m"
        f" WHERE {bucket}), 0)"
    )


def downgrade() -> None:
    op.drop_column("stock_balance", "value")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_column("stock_move", "value")
        for table, column in PRICES:
            op.alter_column(table, column, type_=sa.Double(), existing_nullable=False)
    else:
        _declare_on_sqlite("NUMERIC(18, 4)", "DOUBLE")
        op.execute("DROP TRIGGER IF EXISTS stock_move_immutable")
        op.drop_column("stock_move", "value")
        op.execute(
            "CREATE TRIGGER stock_move_immutable BEFORE UPDATE ON stock_move "
            "BEGIN SELECT RAISE(ABORT, 'stock_move rows are immutable: post a correcting "
            "move instead'); END"
        )

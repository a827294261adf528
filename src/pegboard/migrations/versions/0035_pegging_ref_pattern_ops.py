"""pegging's ref indexes in the pattern operator class on PostgreSQL (#18)

A plan rebuilds ``ix_pegging_supply`` and ``ix_pegging_demand`` over millions of refs.
In the database's collation each comparison of that sort goes through ``strcoll``; in
``varchar_pattern_ops`` through ``memcmp``, about twice as fast (reference plan: 4.1-4.3
s a build down to 2.2 s). Readers look refs up by equality, which the operator class
serves, and the pegging explorer sorts by a ref in the index's order
(``services.byte_order``). The plan recreates its tables from the models on every run;
this brings an upgraded database's current plan to the same indexes at once. SQLite
compares text byte by byte already: nothing to do there.

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-08 00:15:00
"""

from __future__ import annotations

from alembic import op

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None

_INDEXES = {"ix_pegging_supply": ["supply_ref", "item_id"], "ix_pegging_demand": ["demand_ref"]}
_OPS = {"supply_ref": "varchar_pattern_ops", "demand_ref": "varchar_pattern_ops"}


def _rebuild(ops: dict[str, str]) -> None:
    """Both indexes again, with ``ops`` (PostgreSQL only)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, columns in _INDEXES.items():
        op.drop_index(name, table_name="pegging")
        wanted = {c: ops[c] for c in columns if c in ops}
        op.create_index(name, "pegging", columns, postgresql_ops=wanted)


def upgrade() -> None:
    _rebuild(_OPS)


def downgrade() -> None:
    _rebuild({})

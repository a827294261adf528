"""the process that runs a job, and a cancel request (issue #20, item 4)

* ``job.host``, ``job.pid``, ``job.process_started``: which process runs the job
  (the machine's name, the process id and the process's start time as the
  system reports it, so a reused process id is not taken for the same process).
  A job whose process is gone on this machine is failed at once instead of
  after five minutes without a heartbeat; jobs of other machines still go by
  their heartbeat.
* ``job.cancelled_by``: who asked an open job to stop. The job looks between its
  stages and batches, rolls back and ends failed, saying who cancelled it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-10 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("host", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("pid", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("process_started", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("cancelled_by", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_column("cancelled_by")
        batch_op.drop_column("process_started")
        batch_op.drop_column("pid")
        batch_op.drop_column("host")

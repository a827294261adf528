"""Long work (a plan run, a bundle import) done in the background, and its progress."""

from datetime import datetime

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from pegboard.model._types import UtcDateTime, enum_column
from pegboard.model.base import Base, CreatedMixin
from pegboard.model.enums import JobStatus


class Job(CreatedMixin, Base):
    __tablename__ = "job"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    status: Mapped[JobStatus] = mapped_column(enum_column(JobStatus, "job_status"))
    author: Mapped[str] = mapped_column(String(100))
    stage: Mapped[str] = mapped_column(String(100), default="")
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(String(2000), default="")
    result: Mapped[dict[str, object] | None] = mapped_column(JSON)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    host: Mapped[str | None] = mapped_column(String(255))
    """The machine whose process runs the job (with ``pid`` and ``process_started``)."""
    pid: Mapped[int | None] = mapped_column(Integer)
    process_started: Mapped[str | None] = mapped_column(String(40))
    cancelled_by: Mapped[str | None] = mapped_column(String(100))
    """Who asked the open job to stop; the job rolls back at its next stage or batch."""

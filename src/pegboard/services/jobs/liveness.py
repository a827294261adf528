"""Whether an open job still runs: the process that runs it, and what this process
knows of its own jobs.

A job whose process is gone must not block the next one: on this machine the process
is looked up (by id and start time, so an id the system handed out again is not taken
for the job's); a job of another machine goes by its heartbeat, which a thread keeps
fresh while the work runs (``STALE_AFTER``).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path

from pegboard.model import Job, JobStatus
from pegboard.model.base import utcnow

OPEN = (JobStatus.QUEUED, JobStatus.RUNNING)
STALE_AFTER = timedelta(minutes=5)
"""A running job of another machine that has not reported for this long is taken as dead."""

LIVE: dict[int, tuple[str, int, int]] = {}
"""Progress (stage, done, total) of the jobs running in this process. On SQLite the work
itself may hold the only write lock (an import is one transaction), so progress is kept
here and not written; on PostgreSQL it is written too, for the other server processes."""

CANCELLED: dict[int, str] = {}
"""Jobs of this process someone asked to stop, and who: seen at the next progress report
without a database read (on SQLite the job itself may hold the only write lock)."""


@dataclass(frozen=True)
class ProcessId:
    host: str
    pid: int
    started: str
    """The process's start time as the system keeps it ("" where it cannot be read):
    with it a process id the system handed out again is not taken for the job's."""


def _start_time(pid: int) -> str:
    """Linux's start time of a process (field 22 of /proc/PID/stat), "" elsewhere."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return ""
    # the command name (field 2) is in parentheses and may hold spaces: split after it
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else ""


def this_process() -> ProcessId:
    return _process(os.getpid())


@cache
def _process(pid: int) -> ProcessId:
    return ProcessId(socket.gethostname()[:255], pid, _start_time(pid))


def process_alive(host: str | None, pid: int | None, started: str | None) -> bool | None:
    """Whether that process still runs: ``None`` when this machine cannot tell (another
    machine's process, no process recorded, or a system without signals)."""
    if host is None or pid is None or host != this_process().host or os.name != "posix":
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists; another user's
        pass
    except OSError:
        return None
    now = _start_time(pid)
    return not (started and now and now != started)


def alive(job: Job) -> bool:
    """An open job is alive while its process runs; one of another machine (or of this
    process but never started) while its heartbeat is fresh."""
    if job.id in LIVE:
        return True
    me = this_process()
    if job.pid != me.pid or job.host != me.host or (job.process_started or "") != me.started:
        verdict = process_alive(job.host, job.pid, job.process_started)
        if verdict is not None:
            return verdict
    fresh = utcnow() - STALE_AFTER
    return job.heartbeat_at is not None and job.heartbeat_at >= fresh


def dead_message(job: Job) -> str:
    """Why a job whose process is gone ended, as its record says."""
    if job.pid is not None and job.host == this_process().host:
        return f"its process ended (process {job.pid} on {job.host})"
    return "stopped reporting (its process ended)"

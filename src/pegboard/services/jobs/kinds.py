"""The kinds of background jobs: what each needs to start, what it may not overlap,
and the work it does.

Every kind is registered once (``register``); the services define the plan and the
policy kinds here, the bundle layer the import kind (it does the import's work). A
kind's blockers are known here even before the bundle layer registered its kind
(``IMPORT_BLOCKED_BY``), so the rule never depends on what a process happened to
import.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy.orm import Session

from pegboard.errors import NotFoundError, PegboardError
from pegboard.model import Role
from pegboard.services.bounds import check_day
from pegboard.services.permissions import Permission, allowed

Progress = Callable[[str, int, int], None]
Work = Callable[[Session, Progress], dict[str, Any]]

log = logging.getLogger(__name__)

IMPORT_BLOCKED_BY = ("plan", "import")
"""What an import waits for: known here, not only once the bundle layer (which does the
import's work and registers its kind) has been loaded, so the rule never depends on
what a process happened to import."""


@dataclass(frozen=True)
class Prepared:
    """A job's work, ready to run, and what to throw away if it never runs."""

    work: Work
    discard: Callable[[], None] = lambda: None


@dataclass(frozen=True)
class JobKind:
    """One kind of background job.

    ``prepare(author=…, **params)`` checks the parameters and readies the work (an
    import stages its upload there, so a bad file is refused before a job exists);
    ``blocked_by`` are the kinds that may not be open when one starts; ``permission``
    is needed to start one and to cancel one."""

    name: str
    label: str
    permission: Permission
    blocked_by: tuple[str, ...]
    prepare: Callable[..., Prepared] = field(repr=False)


_KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    _KINDS[kind.name] = kind
    return kind


def kind_of(name: str) -> JobKind:
    _register_services()
    try:
        return _KINDS[name]
    except KeyError:
        known = ", ".join(sorted(_KINDS))
        raise NotFoundError(f"no job kind {name!r} (known: {known})", kind=name) from None


def find(name: str) -> JobKind | None:
    """The kind of that name, ``None`` for one this process does not know."""
    _register_services()
    return _KINDS.get(name)


def kinds() -> list[JobKind]:
    _register_services()
    return [_KINDS[k] for k in sorted(_KINDS)]


def may_cancel(role: Role, kind: str) -> bool:
    """Whether ``role`` may cancel a job of ``kind`` (it needs what starting one needs)."""
    spec = find(kind)
    return spec is not None and allowed(role, spec.permission)


def blockers(kind: str) -> tuple[str, ...]:
    """The kinds that may not be open when a job of ``kind`` starts."""
    spec = find(kind)
    if spec is not None:
        return spec.blocked_by
    return IMPORT_BLOCKED_BY if kind == "import" else ()


def label(kind: str) -> str:
    """How a job of ``kind`` is named to people ("policy run")."""
    spec = find(kind)
    return spec.label if spec is not None else kind


@cache
def _register_services() -> None:
    """The kinds the services define themselves (the import kind is the bundle layer's)."""
    register(JobKind("plan", "plan", Permission.PLAN, ("plan", "import"), _prepare_plan))
    register(
        JobKind("policy", "policy run", Permission.PLAN, ("policy", "import"), _prepare_policy)
    )


def _prepare_plan(*, author: str, planning_date: date | None = None) -> Prepared:
    from pegboard.services.planning import run_plan

    if planning_date is not None:  # refused before a job is recorded, not as a failed job
        check_day(planning_date, "planning_date")

    def work(s: Session, progress: Progress) -> dict[str, Any]:
        summary = run_plan(
            s, author=author, planning_date=planning_date, progress=_before_summary(progress)
        )
        # the plan is committed and current: a cancel from here on cannot undo it, so it
        # skips the summary (the capacity page works it out) and the job ends done
        result = summary.as_result()
        stored = None
        if _reported(progress, "capacity summary", 3, 4):
            stored = _store_load_summary(s)
        result["load_summary_seconds"] = stored
        _reported(progress, "done", 4, 4)
        return result

    return Prepared(work)


def _reported(progress: Progress, stage: str, done: int, total: int) -> bool:
    """Report a step after the plan's commit; False when a cancel was asked (the report
    is where a cancel is noticed): the step is skipped, the job is not failed, since
    "nothing was written" would be untrue of the plan it has stored."""
    from pegboard.services.jobs.cancelling import JobCancelled  # it imports this module

    try:
        progress(stage, done, total)
    except JobCancelled as asked:
        by = asked.params.get("by")
        log.info("plan job: cancel asked by %s after the plan was stored: %s skipped", by, stage)
        return False
    return True


def _before_summary(progress: Progress) -> Progress:
    """The plan's own steps as the first three of four (the capacity summary is the
    fourth), its "done" held back until the summary is stored."""

    def note(stage: str, done: int, _total: int) -> None:
        if stage != "done":
            progress(stage, done, 4)

    return note


def _store_load_summary(session: Session) -> float | None:
    """The capacity page's summary of the new plan's load worked out and kept
    (``load_weeks.refresh``), after the plan is committed: the first capacity view then
    reads it instead of placing every order while the planner waits (seconds at full
    size), and takes no write lock. The CPU seconds it took; ``None`` when the load cannot
    be placed (a routing the engine refuses), which the plan does not depend on: the
    capacity page then says why, as before; ``None`` too on any other error (a database
    locked past its timeout, a table the summary cannot write), logged and rolled back:
    the plan is committed already, and the page works the summary out when it can."""
    from pegboard.services import load_weeks

    started = time.process_time()
    try:
        load_weeks.refresh(session)
    except PegboardError:
        session.rollback()
        return None
    except Exception:  # a locked or broken database: the plan stands, the page retries
        log.exception("the capacity summary of the new plan was not stored")
        session.rollback()
        return None
    return round(time.process_time() - started, 3)


def _prepare_policy(
    *, author: str, window_days: int | None = None, service_level: float | None = None
) -> Prepared:
    from pegboard.services.policy import runs

    def work(s: Session, progress: Progress) -> dict[str, Any]:
        summary = runs.run_policy(
            s,
            author=author,
            window_days=window_days,
            service_level=service_level,
            progress=progress,
        )
        return runs.summary_result(summary)

    return Prepared(work)

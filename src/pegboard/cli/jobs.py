"""``pegboard job``: the background jobs (plan runs, imports, policy runs), and cancelling one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from pegboard.cli._common import console, emit, esc, handles_errors, session
from pegboard.cli._deferred import deferred
from pegboard.cli.stock import author

if TYPE_CHECKING:
    from pegboard.services import jobs
else:
    jobs = deferred("pegboard.services.jobs")

app = typer.Typer(
    help="Background jobs: plan runs, imports and policy runs; cancel one that runs.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def _register_kinds() -> None:
    """Every job kind registered before jobs are read (the import's lives in the bundle
    package, loaded here rather than when ``job --help`` is asked)."""
    import pegboard.bundle.upload  # noqa: F401


def _progress(job: jobs.JobView) -> str:
    return f"{job.stage} {job.done}/{job.total}" if job.status in ("queued", "running") else ""


@app.command("list")
@handles_errors
def list_(
    kind: Annotated[
        str | None, typer.Option(help="only jobs of this kind (plan, import, …)")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
) -> None:
    """The newest jobs first: kind, status, who started it, progress or outcome."""
    _register_kinds()
    with session() as s:
        found = jobs.list_jobs(s, kind=kind, limit=limit)
    rows = [
        (
            j.id,
            j.kind,
            j.status,
            j.author,
            j.created_at.strftime("%Y-%m-%d %H:%M"),
            _progress(j) or j.message,
        )
        for j in found
    ]
    emit("Jobs", ("id", "kind", "status", "author", "created", "message"), rows, numeric=("id",))


@app.command("show")
@handles_errors
def show(job_id: Annotated[int, typer.Argument(min=1, help="the job's number")]) -> None:
    """One job: status, stage and progress, outcome."""
    _register_kinds()
    with session() as s:
        job = jobs.get_job(s, job_id)
    console.print(esc(f"job {job.id}: {job.kind} by {job.author}, {job.status}"), highlight=False)
    if _progress(job):
        console.print(esc(f"stage: {_progress(job)}"), highlight=False)
    if job.cancelled_by:
        console.print(esc(f"cancel asked by {job.cancelled_by}"), highlight=False)
    if job.message:
        console.print(esc(job.message), highlight=False, soft_wrap=True)


@app.command("cancel")
@handles_errors
def cancel(job_id: Annotated[int, typer.Argument(min=1, help="the job's number")]) -> None:
    """Ask a running job to stop: it rolls back at its next step and ends failed; a plan
    run whose plan is already stored keeps it and ends done. (On SQLite a job that is
    writing holds the database: the request waits for it.)"""
    _register_kinds()
    with session() as s:
        job = jobs.cancel(s, job_id, author=author())
    if job.status in ("queued", "running"):
        console.print(
            esc(f"job {job.id} ({job.kind}) asked to stop; it keeps nothing not yet stored"),
            highlight=False,
        )
    else:
        console.print(esc(f"job {job.id} ({job.kind}): {job.message}"), highlight=False)

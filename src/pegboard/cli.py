"""The ``pegboard`` command line: parse, call one service, render with Rich.

Errors from the error tree are printed as their message and exit with code 1;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import Engine

from pegboard import db
from pegboard.bundle.generate import generate_bundle
from pegboard.bundle.importer import read_bundle
from pegboard.bundle.writer import write_dataset
from pegboard.config import get_settings
from pegboard.demo import demo_path
from pegboard.errors import PegboardError
from pegboard.services.company_data import read_company, replace_company

app = typer.Typer(
    help="pegboard: make-to-order planning. Import a bundle, plan it, see what to buy and make.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


def handles_errors(fn: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except PegboardError as e:
            err_console.print(f"[bold red]error:[/] {e.message}", highlight=False, markup=True)
            raise typer.Exit(1) from None

    return wrapper


def _engine(*, create: bool = True) -> Engine:
    engine = db.make_engine()
    if create:
        db.upgrade(engine)
    return engine


@contextmanager
def _progress(label: str) -> Iterator[Callable[[str, int, int], None]]:
    """A Rich progress bar fed by ``(stage, done, total)`` callbacks from services."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(f"{label}: {stage}", total=max(total, 1))
            bar.update(tasks[stage], completed=done, total=max(total, 1))

        yield update


def _counts_table(title: str, counts: dict[str, int]) -> Table:
    table = Table(title=title, show_header=True)
    table.add_column("file")
    table.add_column("rows", justify="right")
    for name, n in counts.items():
        table.add_row(name, f"{n:,}")
    return table


@app.command()
@handles_errors
def init() -> None:
    """Create or upgrade the database schema (PEGBOARD_DATABASE_URL, default ./pegboard.db)."""
    _engine()
    console.print(f"database ready: {get_settings().database_url}")


def _import(path: Path) -> dict[str, int]:
    started = time.perf_counter()
    with _progress("reading") as progress:
        data = read_bundle(path, progress)
    engine = _engine()
    with _progress("writing") as progress, db.session_scope(engine) as session:
        counts = replace_company(session, data, author=get_settings().user, progress=progress)
    console.print(
        _counts_table(f"imported {path} in {time.perf_counter() - started:.1f} s", counts)
    )
    return counts


@app.command("import")
@handles_errors
def import_(
    path: Annotated[Path, typer.Argument(help="bundle folder of CSV files, or an .xlsx workbook")],
) -> None:
    """Replace the planning data with a bundle. Nothing is written if any row is bad."""
    _import(path)


@app.command()
@handles_errors
def export(out_dir: Annotated[Path, typer.Argument(help="folder to write the bundle to")]) -> None:
    """Write the planning data (and the current plan) as a bundle of CSV files."""
    engine = _engine()
    with db.session_scope(engine) as session, session.begin():
        data = read_company(session)
    counts = write_dataset(data, out_dir)
    console.print(_counts_table(f"exported to {out_dir}", counts))


@app.command()
@handles_errors
def generate(
    out_dir: Annotated[Path, typer.Argument(help="folder to write the bundle to")],
    components: Annotated[int, typer.Option(min=1)] = 200,
    subassemblies: Annotated[int, typer.Option(min=1)] = 40,
    orders: Annotated[int, typer.Option(min=1)] = 100,
    seed: int = 1,
) -> None:
    """Write a synthetic make-to-order company as a bundle (deterministic for a seed)."""
    with _progress("generating") as progress:
        counts = generate_bundle(
            out_dir,
            components=components,
            subassemblies=subassemblies,
            orders=orders,
            seed=seed,
            progress=lambda done, total: progress("rows", done, total),
        )
    console.print(_counts_table(f"generated {out_dir}", dict(vars(counts))))


@app.command()
@handles_errors
def demo(
    company: Annotated[str, typer.Option(help="lighting or kitchens")] = "lighting",
) -> None:
    """Load a sample company into the database, plan it and show what matters today."""
    _import(demo_path(company))


if __name__ == "__main__":  # pragma: no cover
    app()

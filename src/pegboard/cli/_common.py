"""What every command shares: the consoles, error handling, sessions, progress and tables."""

from __future__ import annotations

import csv
import functools
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import ParamSpec, TypeVar

import typer
from rich import box
from rich.console import Console
from rich.markup import escape as esc
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from pegboard import db
from pegboard.errors import PegboardError

__all__ = ["console", "emit", "err_console", "esc", "fmt", "handles_errors", "session"]

console = Console()
err_console = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


def handles_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Print a pegboard error as its message and exit 1; other errors are bugs and keep traces."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except PegboardError as e:
            err_console.print(
                f"[bold red]error:[/] {esc(e.message)}", highlight=False, soft_wrap=True
            )
            raise typer.Exit(1) from None

    return wrapper


_UPGRADED: set[str] = set()
"""Databases this process has already brought to the newest schema (checking costs ~0.3 s)."""


def open_engine() -> Engine:
    engine = db.make_engine()
    key = engine.url.render_as_string(hide_password=False)
    if key not in _UPGRADED:
        db.upgrade(engine)
        _UPGRADED.add(key)
    return engine


@contextmanager
def session() -> Iterator[Session]:
    engine = open_engine()
    try:
        with db.session_scope(engine) as s:
            yield s
    finally:
        engine.dispose()


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[str, int, int], None]]:
    """A Rich progress bar fed by ``(stage, done, total)`` callbacks; silent when not a terminal."""
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


def fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.6f}".rstrip("0").rstrip(".")
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


_PROSE_COLUMNS = {"description", "message", "changes", "change"}
"""Columns that may wrap; ids, dates and numbers stay on one line so they can be read and copied."""


def _whole_width(rows: Sequence[Sequence[object]], column: int) -> int | None:
    """The width a column of dates or numbers needs: a narrow terminal shortens the
    names around them, never a date or a quantity ("2026-12-…" says nothing)."""
    widths = [len(fmt(row[column])) for row in rows if isinstance(row[column], (date, int, float))]
    return min(max(widths), 16) if widths else None


def emit(
    title: str,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    as_csv: bool = False,
    numeric: Sequence[str] = (),
    empty: str = "nothing to show",
) -> None:
    """Print rows as a Rich table that fits the terminal, or as CSV on stdout."""
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(
                ["" if v is None else (v.isoformat() if isinstance(v, date) else v) for v in row]
            )
        return
    if not rows:
        console.print(f"[bold]{title}[/]: [dim]{empty}[/]")
        return
    table = Table(title=title, title_justify="left", title_style="bold", expand=False)
    for i, name in enumerate(header):
        prose = name in _PROSE_COLUMNS or name.startswith("why")
        table.add_column(
            name,
            justify="right" if name in numeric else "left",
            no_wrap=not prose,
            overflow="fold" if prose else "ellipsis",
            ratio=1 if prose else None,
            min_width=max(_whole_width(rows, i) or 0, min(len(name), 6)),
        )
    for row in rows:
        table.add_row(*(Text(fmt(v)) for v in row))
    if (
        table.__rich_measure__(console, console.options.update(max_width=10**6)).maximum
        > console.width
    ):
        # too wide with rules between the columns: drop them before shortening names
        table.box = box.SIMPLE_HEAD
        table.pad_edge = False
    console.print(table)

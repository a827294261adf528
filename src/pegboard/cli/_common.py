"""What every command shares: the consoles, error handling, sessions, progress and tables."""

from __future__ import annotations

import csv
import functools
import math
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape as esc
from rich.text import Text
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
from typer._click.globals import get_current_context
from typer.core import TyperGroup

from pegboard.errors import PegboardError

if TYPE_CHECKING:
    from pegboard.db import Engine, Session

# Start-up (issue #18): a command loads only what it uses, so this module, which every
# command imports, reaches the database (SQLAlchemy), pydantic and the services only
# inside the functions that need them; ``pegboard --help`` loads Typer and Rich alone.

__all__ = [
    "BadInput",
    "OneLineErrors",
    "ParamOption",
    "as_date",
    "as_number",
    "as_whole",
    "console",
    "emit",
    "err_console",
    "esc",
    "fmt",
    "handles_errors",
    "parse_day",
    "parse_int",
    "parse_params",
    "parse_qty",
    "session",
]


def _consoles() -> tuple[Console, Console]:
    """The consoles for output and errors, whose width follows the terminal (or
    ``COLUMNS``) at every print. Rich fixes the width for good when ``COLUMNS`` is set at
    the moment a console is made, and these are made once, when a command's module is
    first imported (pytest-xdist sets ``COLUMNS`` then): so they are made without it."""
    columns = os.environ.pop("COLUMNS", None)
    try:
        return Console(), Console(stderr=True)
    finally:
        if columns is not None:
            os.environ["COLUMNS"] = columns


console, err_console = _consoles()

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


# --- malformed input: one line, exit 2 -------------------------------------------------------
#
# Two kinds of failure, two exit codes: input the command cannot even read (a date that is
# not YYYY-MM-DD, a number that is not a number, an unknown option) is a usage error and
# exits 2, like every Click usage error; a well-formed request the services refuse (no such
# order, not enough stock) is a pegboard error and exits 1 (``handles_errors``). Either way
# the user reads one line, never a traceback or a usage dump.

MALFORMED_EXIT = 2


class BadInput(typer.BadParameter):
    """Input that cannot be read, found while parsing a compound value by hand (``ITEM:QTY:DUE``,
    ``SO-1001/2``); the message names the field and the value as typed."""

    def format_message(self) -> str:
        return self.message


def as_date(text: str) -> date:
    """A date option or argument (``parser=as_date``): YYYY-MM-DD, nothing else."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError("must be a date in the form YYYY-MM-DD") from None


def as_number(text: str) -> float:
    """A quantity or other decimal (``parser=as_number``); the service checks its range."""
    try:
        value = float(text.strip())
    except ValueError:
        raise ValueError("must be a number") from None
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


def as_whole(text: str) -> int:
    """A line number, a position, an id (``parser=as_whole``)."""
    try:
        return int(text.strip())
    except ValueError:
        raise ValueError("must be a whole number") from None


def _field(parse: Callable[[str], R], text: str, field: str) -> R:
    try:
        return parse(text)
    except ValueError as e:
        raise BadInput(f"{field} {e}, not {text!r}") from None


def parse_day(text: str, field: str = "date") -> date:
    """A date inside a value parsed by hand (``ITEM:QTY:DUE``): malformed is exit 2."""
    return _field(as_date, text, field)


def parse_qty(text: str, field: str = "qty") -> float:
    """A quantity inside a value parsed by hand; the service checks its range."""
    return _field(as_number, text, field)


def parse_int(text: str, field: str) -> int:
    """A line number inside a value parsed by hand (``SO-1001/2``, ``LINE=QTY``)."""
    return _field(as_whole, text, field)


ParamOption = Annotated[
    list[str] | None, typer.Option("--param", help="name=value of a parameter (repeatable)")
]
"""The parameters of a configured item, as ``order configure`` and ``promise`` take them."""


def parse_params(pairs: list[str] | None) -> dict[str, str]:
    """``--param name=value`` pairs; the configurator checks each value (a blank one too)."""
    values: dict[str, str] = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise BadInput(f"--param takes name=value, not {pair!r}")
        values[name.strip()] = value.strip()
    return values


_PYDANTIC_WORDS = {
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "finite_number": "must be a finite number",
    "datetime_from_date_parsing": "must be a date YYYY-MM-DD or a time YYYY-MM-DDTHH:MM",
    "datetime_parsing": "must be a date YYYY-MM-DD or a time YYYY-MM-DDTHH:MM",
}


def _words(error: Any) -> str:
    """What a value must be, from the validation error Typer wraps (``value_error``: our
    parser's own words; otherwise pydantic's, turned from "Input should" into "must")."""
    if error["type"] == "value_error":
        return str(error["ctx"]["error"])
    words = _PYDANTIC_WORDS.get(error["type"], str(error["msg"]))
    return words.replace("Input should be", "must be")


def usage_message(e: UsageError) -> str:
    """One line for a usage error: the parameter, what it must be and the value as typed,
    then where the help is."""
    message = e.format_message()
    cause: Any = e.__cause__
    param = getattr(e, "param", None)
    # pydantic's words, from a parameter Typer still reads with pydantic (cli._coerce reads
    # the others plainly): checked by its class's module, as importing pydantic to test it
    # would cost every usage error a tenth of a second
    by_pydantic = type(cause).__module__.startswith("pydantic") and hasattr(cause, "errors")
    if by_pydantic and cause.errors() and param is not None:
        error = cause.errors()[0]
        message = f"{param.get_error_hint()} {_words(error)}, not {error['input']!r}"
    message = " ".join(message.split())  # Click's own messages may hold newlines
    if e.ctx is not None:
        message += f" (see {e.ctx.command_path} --help)"
    return message


class OneLineErrors(TyperGroup):
    """The root command: a usage error (malformed input) is one line on stderr and exit code
    2, instead of Click's usage dump; everything else behaves as in Typer's standalone mode."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            returned = super().main(args, prog_name, complete_var, False, **extra)
        except NoArgsIsHelpError as e:
            e.show()
            sys.exit(e.exit_code)
        except UsageError as e:
            err_console.print(
                f"[bold red]error:[/] {esc(usage_message(e))}", highlight=False, soft_wrap=True
            )
            sys.exit(MALFORMED_EXIT)
        except ClickException as e:
            e.show()
            sys.exit(e.exit_code)
        except typer.Abort:
            err_console.print("Aborted!")
            sys.exit(1)
        # not standalone, Typer returns the exit code of a typer.Exit (or the command's None)
        sys.exit(returned if isinstance(returned, int) else 0)


def _command_name() -> str:
    """The command being run, as typed after ``pegboard`` (for messages)."""
    ctx = get_current_context(silent=True)
    if ctx is None:
        return "…"
    return ctx.command_path.partition(" ")[2] or ctx.command_path


def open_engine(*, upgrade: bool = False) -> Engine:
    """The configured database, at the schema this pegboard needs.

    Only ``upgrade=True`` (``pegboard db upgrade``, ``init``, ``demo``) migrates; any other
    command creates the schema in an empty database but refuses an outdated one, naming
    the command to run, so nobody migrates a shared PostgreSQL by running a report.
    """
    from pegboard.cli._loading import loading

    with loading():  # SQLAlchemy: see cli/_loading.py
        from pegboard import db

    engine = db.make_engine()
    try:
        if upgrade:
            db.upgrade(engine)
        else:  # one small query: cheap enough to do on every open
            db.ensure_schema(engine, command_name=_command_name())
    except BaseException:
        engine.dispose()
        raise
    return engine


@contextmanager
def session() -> Iterator[Session]:
    from pegboard import db

    engine = open_engine()
    try:
        with db.session_scope(engine) as s:
            yield s
    finally:
        engine.dispose()


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[str, int, int], None]]:
    """A Rich progress bar fed by ``(stage, done, total)`` callbacks; silent when not a terminal."""
    from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

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
    if isinstance(value, Decimal):
        return f"{value:,}"
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
    from rich import box
    from rich.table import Table

    from pegboard.services.spreadsheet import safe_row

    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(header)
        for row in rows:  # read by people in a spreadsheet: no cell may become a formula
            writer.writerow(safe_row(row))
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
        table.add_row(*(v if isinstance(v, Text) else Text(fmt(v)) for v in row))
    if (
        table.__rich_measure__(console, console.options.update(max_width=10**6)).maximum
        > console.width
    ):
        # too wide with rules between the columns: drop them before shortening names
        table.box = box.SIMPLE_HEAD
        table.pad_edge = False
    console.print(table)

"""``pegboard scenario``: what-if copies of the company, and what changes between two plans.

Any other command works on a scenario with ``pegboard --scenario NAME …``.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape as esc

from pegboard.cli._common import console, emit, handles_errors
from pegboard.config import get_settings
from pegboard.services import scenarios

app = typer.Typer(
    help="What-if copies of the whole company: create, list, delete, compare plans.",
    no_args_is_help=True,
)

CsvFlag = Annotated[bool, typer.Option("--csv", help="CSV on stdout instead of tables")]
BAR = 40


@app.command()
@handles_errors
def create(
    name: Annotated[str, typer.Argument(help="lowercase letters, digits and dashes")],
    base: Annotated[
        str | None, typer.Option("--from", help="copy this scenario instead of the live company")
    ] = None,
) -> None:
    """Copy the whole company (or another scenario) into a new scenario."""
    made = scenarios.create(name, base=base, author=get_settings().user)
    console.print(
        f"scenario [bold]{esc(made.name)}[/] created from {esc(made.base)}; work on it with "
        f"[bold]pegboard --scenario {esc(made.name)} …[/] (the live company is not touched)",
        highlight=False,
    )


@app.command("list")
@handles_errors
def list_(as_csv: CsvFlag = False) -> None:
    """The scenarios, what each was copied from, by whom, and the date of its plan."""
    rows = [
        (s.name, s.base, s.author, s.created_at.date() if s.created_at else None, s.planned_on)
        for s in scenarios.list_all()
    ]
    emit(
        "Scenarios",
        ["scenario", "copied from", "by", "created", "planned for"],
        rows,
        as_csv=as_csv,
        empty="none yet (pegboard scenario create NAME)",
    )


@app.command()
@handles_errors
def delete(
    name: str,
    yes: Annotated[bool, typer.Option("--yes", help="do not ask")] = False,
) -> None:
    """Delete a scenario and everything in it."""
    scenarios.require(name)
    if not yes:
        typer.confirm(f"Delete scenario {name} and everything in it?", abort=True)
    scenarios.delete(name)
    console.print(f"scenario {esc(name)} deleted")


def _days(value: int | None) -> str:
    if value is None:
        return ""
    return f"{value:+d}"


@app.command()
@handles_errors
def compare(
    a: Annotated[str, typer.Argument(help="a scenario, or 'live'")],
    b: Annotated[str, typer.Argument(help="a scenario, or 'live'")],
    as_csv: CsvFlag = False,
) -> None:
    """What changes from A's plan to B's: order lines moved, newly late or no longer late,
    lines only in one, and planned purchases and production per item and week."""
    result = scenarios.compare(a, b)
    if as_csv:
        emit(
            "",
            ["change", "order line", "due", f"projected {a}", f"projected {b}", "days"],
            [
                (kind, c.demand, c.due, c.before, c.after, _days(c.moved_days))
                for kind, changes in (
                    ("moved", result.moved),
                    ("newly late", result.newly_late),
                    ("no longer late", result.no_longer_late),
                    ("only in " + b, result.added),
                    ("only in " + a, result.removed),
                )
                for c in changes
            ],
            as_csv=True,
        )
        return
    _summary(result)
    line_header = ["order line", "due", f"projected in {a}", f"projected in {b}", "moved days"]
    for title, changes in (
        ("Newly late", result.newly_late),
        ("No longer late", result.no_longer_late),
        ("Projected date moved", result.moved),
        (f"Only in {b}", result.added),
        (f"Only in {a}", result.removed),
    ):
        emit(
            f"{title} ({len(changes)})",
            line_header,
            [(c.demand, c.due, c.before, c.after, _days(c.moved_days)) for c in changes],
            numeric=["moved days"],
        )
    emit(
        f"Planned purchases and production that change ({len(result.supply)})",
        ["item", "type", "week", f"qty in {a}", f"qty in {b}", "change"],
        [
            (s.item, s.type, s.week, s.before, s.after, f"{s.after - s.before:+g}")
            for s in result.supply
        ],
        numeric=[f"qty in {a}", f"qty in {b}", "change"],
    )


def _summary(result: scenarios.Comparison) -> None:
    """One chart: how many lines each kind of change touches, as bars."""
    counts = [
        ("later", sum(1 for c in result.moved if (c.moved_days or 0) > 0), "red"),
        ("earlier", sum(1 for c in result.moved if (c.moved_days or 0) < 0), "green"),
        ("newly late", len(result.newly_late), "red"),
        ("no longer late", len(result.no_longer_late), "green"),
        (f"only in {result.b}", len(result.added), "blue"),
        (f"only in {result.a}", len(result.removed), "blue"),
        ("supply changes", len(result.supply), "yellow"),
    ]
    top = max((n for _, n, _ in counts), default=0) or 1
    console.print(f"[bold]{esc(result.a)} → {esc(result.b)}[/]", highlight=False)
    width = max(len(label) for label, _, _ in counts)
    for label, n, colour in counts:
        bar = "█" * (round(BAR * n / top) if n else 0)
        console.print(f"  {esc(label):<{width}}  [{colour}]{bar}[/] {n}", highlight=False)

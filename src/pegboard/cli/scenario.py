"""``pegboard scenario``: what-if copies of the company, and what changes between two plans.

Any other command works on a scenario with ``pegboard --scenario NAME …``.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape as esc

from pegboard.cli._common import console, emit, handles_errors
from pegboard.cli._deferred import deferred
from pegboard.config import get_settings

if TYPE_CHECKING:
    from pegboard.services import money, scenario_compare, scenarios
else:
    money = deferred("pegboard.services.money")
    scenario_compare = deferred("pegboard.services.scenario_compare")
    scenarios = deferred("pegboard.services.scenarios")

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


def _v(value: object) -> object:
    """A missing value is an empty cell, not the word None."""
    return "" if value is None else value


def _money(value: Decimal | None) -> str:
    return "" if value is None else f"{money.cents(value):,}"


def _signed(value: Decimal) -> str:
    return f"{money.cents(value):+,}"


PARTS = ("lines", "supply", "load", "weeks", "cost")


@app.command()
@handles_errors
def compare(
    a: Annotated[str, typer.Argument(help="a scenario, or 'live'")],
    b: Annotated[str, typer.Argument(help="a scenario, or 'live'")],
    as_csv: CsvFlag = False,
    part: Annotated[
        str,
        typer.Option(
            "--part", help="with --csv: lines, supply, load (per work center), weeks or cost"
        ),
    ] = "lines",
    no_cost: Annotated[
        bool, typer.Option("--no-cost", help="leave the open orders' cost out (faster)")
    ] = False,
    load: Annotated[
        bool,
        typer.Option(
            "--load/--no-load",
            help="compare the load per work center (a schedule of each side: the slow part "
            "for a large company)",
        ),
    ] = True,
) -> None:
    """What changes from A's plan to B's: order lines later, earlier, newly late or no
    longer late, lines only in one, planned purchases and production per item and week,
    the load per work center, and the cost of the open orders."""
    if part not in PARTS:
        raise typer.BadParameter(f"--part: one of {', '.join(PARTS)}, not {part!r}")
    result = scenario_compare.compare(a, b, costs=not no_cost, loads=load)
    if as_csv:
        header, rows = _tables(result)[part]
        emit("", header, rows, as_csv=True)
        return
    _summary(result)
    for note in result.notes:
        console.print(f"[yellow]note:[/] {esc(note)}", highlight=False)
    _print_lines(result)
    _print_rest(result)


def _tables(r: scenario_compare.Comparison) -> dict[str, tuple[list[str], list[Sequence[object]]]]:
    a, b = r.a, r.b
    return {
        "lines": (
            ["change", "order line", "due", f"projected {a}", f"projected {b}", "days"],
            [
                (kind, c.demand, c.due, _v(c.before), _v(c.after), _days(c.moved_days))
                for kind, c in scenario_compare.lines_of(r)
            ],
        ),
        "supply": (
            ["item", "type", "week", "kind", f"qty {a}", f"qty {b}", "difference"],
            [
                (s.item, s.type, s.week, s.kind, s.before, s.after, f"{s.change:+g}")
                for s in r.supply
            ],
        ),
        "load": (
            ["work center", f"hours {a}", f"hours {b}", f"available {a}", f"available {b}",
             f"weeks over {a}", f"weeks over {b}"],
            [
                (w.work_center, w.required_before, w.required_after, w.available_before,
                 w.available_after, w.overloaded_before, w.overloaded_after)
                for w in r.load
            ],
        ),
        "weeks": (
            ["work center", "week", f"hours {a}", f"hours {b}", f"available {a}",
             f"available {b}"],
            [
                (w.work_center, w.week, w.required_before, w.required_after,
                 _v(w.available_before), _v(w.available_after))
                for c in r.load
                for w in c.weeks
            ],
        ),
        "cost": (
            ["order", f"estimated {a}", f"estimated {b}", "estimate difference",
             f"actual {a}", f"actual {b}", "actual difference"],
            [
                (c.order, _money(c.estimated_before), _money(c.estimated_after),
                 _signed(c.estimated_change), _money(c.actual_before), _money(c.actual_after),
                 _signed(c.actual_change))
                for c in r.costs
            ],
        ),
    }  # fmt: skip


def _print_lines(result: scenario_compare.Comparison) -> None:
    a, b = result.a, result.b
    line_header = ["order line", "due", f"projected in {a}", f"projected in {b}", "moved days"]
    for title, changes in (
        ("Newly late", result.newly_late),
        ("No longer late", result.no_longer_late),
        ("Later", result.later),
        ("Earlier", result.earlier),
        (f"Only in {b}", result.added),
        (f"Only in {a}", result.removed),
    ):
        emit(
            f"{title} ({len(changes)})",
            line_header,
            [(c.demand, c.due, _v(c.before), _v(c.after), _days(c.moved_days)) for c in changes],
            numeric=["moved days"],
        )


def _print_rest(result: scenario_compare.Comparison) -> None:
    tables = _tables(result)
    header, rows = tables["supply"]
    emit(
        f"Planned purchases and production that change ({len(rows)})",
        header,
        rows,
        numeric=header[4:],
    )
    if result.loaded:
        header, rows = tables["load"]
        emit(f"Load per work center that changes ({len(rows)})", header, rows, numeric=header[1:])
        header, rows = tables["weeks"]
        if rows:
            emit("… week by week", header, rows, numeric=header[2:])
    elif result.capacity:
        console.print("[bold]Load[/]: [dim]not compared (--load compares it)[/]")
    else:
        console.print("[bold]Load[/]: [dim]no work centers on either side[/]")
    if result.costed:
        header, rows = tables["cost"]
        emit(
            f"Cost of open orders that changes, {result.currency} ({len(rows)})",
            header,
            rows,
            numeric=header[1:],
        )


def _summary(result: scenario_compare.Comparison) -> None:
    """One chart: how many lines each kind of change touches, as bars."""
    counts = [
        ("later", len(result.later), "red"),
        ("earlier", len(result.earlier), "green"),
        ("newly late", len(result.newly_late), "red"),
        ("no longer late", len(result.no_longer_late), "green"),
        (f"only in {result.b}", len(result.added), "blue"),
        (f"only in {result.a}", len(result.removed), "blue"),
        ("supply changes", len(result.supply), "yellow"),
        ("work centers", len(result.load), "magenta"),
        ("order costs", len(result.costs), "cyan"),
    ]
    top = max((n for _, n, _ in counts), default=0) or 1
    console.print(f"[bold]{esc(result.a)} → {esc(result.b)}[/]", highlight=False)
    width = max(len(label) for label, _, _ in counts)
    for label, n, colour in counts:
        bar = "█" * (round(BAR * n / top) if n else 0)
        console.print(f"  {esc(label):<{width}}  [{colour}]{bar}[/] {n}", highlight=False)

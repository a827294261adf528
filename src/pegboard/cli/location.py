"""``pegboard location``: the stock locations (master data) — list them, add one,
describe one.

A receipt, transfer or adjustment into a location that is not listed is refused, so
a new shelf or yard is added here first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from pegboard.cli._common import console, emit, esc, handles_errors, session
from pegboard.cli._deferred import deferred
from pegboard.cli.stock import CsvOption, author

if TYPE_CHECKING:
    from pegboard.services import locations
else:
    locations = deferred("pegboard.services.locations")

app = typer.Typer(
    help="Stock locations: list, add, describe (stock goes only into a known location).",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@app.command("list")
@handles_errors
def list_(as_csv: CsvOption = False) -> None:
    """Every known location, its description and the stock there now."""
    with session() as s, s.begin():
        rows = locations.list_locations(s)
    emit(
        "Locations",
        ("location", "description", "on hand"),
        [(r.code, r.description, r.on_hand) for r in rows],
        as_csv=as_csv,
        numeric=("on hand",),
    )


@app.command("add")
@handles_errors
def add(
    code: Annotated[str, typer.Argument(help="the location's code, e.g. yard or shelf-2")],
    description: Annotated[str, typer.Option(help="what and where it is")] = "",
) -> None:
    """Add a location (refused when it exists, also in another case: Yard is yard)."""
    with session() as s:
        view = locations.add_location(s, code, description=description, author=author())
    console.print(f"location {esc(view.code)} added", highlight=False)


@app.command("describe")
@handles_errors
def describe(
    code: Annotated[str, typer.Argument(help="the location's code")],
    description: Annotated[str, typer.Argument(help="what and where it is (blank: none)")],
) -> None:
    """Change a location's description; its code stays (the stock ledger names it)."""
    with session() as s:
        view = locations.describe_location(s, code, description=description, author=author())
    console.print(f"location {esc(view.code)}: {esc(view.description) or '(no description)'}")

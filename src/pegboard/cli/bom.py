"""``pegboard bom``: an item's engineering BOM line by line — show the tree, add a line,
change, move or remove one. The services the browser's tree editor and the API use
(``services.bom_edit``): the same rules, a cycle refused with its items named, audited.
A template (a BOM with parameters) is edited with ``pegboard template``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from pegboard.cli._common import as_number, console, emit, esc, handles_errors, session
from pegboard.cli._deferred import deferred
from pegboard.cli.stock import CsvOption, author
from pegboard.errors import ValidationError

if TYPE_CHECKING:
    from pegboard.services import bom_edit
    from pegboard.services.bom_edit import TreeLine
else:
    bom_edit = deferred("pegboard.services.bom_edit")

app = typer.Typer(
    help="Engineering BOMs line by line: show, add, change, move, remove.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
Scrap = Annotated[
    float | None, typer.Option("--scrap", parser=as_number, help="scrap % of the line")
]


def _rows(lines: list[TreeLine], parent: str, level: int) -> list[tuple[object, ...]]:
    out: list[tuple[object, ...]] = []
    for ln in lines:
        out.append((level, parent, ln.position, ln.component, ln.qty_per, ln.scrap_pct, ln.uom))
        out += _rows(ln.children, ln.component, level + 1)
    return out


@app.command("show")
@handles_errors
def show(item: str, as_csv: CsvOption = False) -> None:
    """The item's BOM as a tree: each line with its level, the BOM it is in (edit it
    there) and its position."""
    with session() as s, s.begin():
        tree = bom_edit.bom_tree(s, item)
    emit(
        f"{tree.number or 'No BOM'} of {item}" + (" (a template)" if tree.template else ""),
        ("level", "in BOM of", "position", "component", "qty per", "scrap %", "unit"),
        _rows(tree.lines, tree.item, 1),
        as_csv=as_csv,
        numeric=("level", "position", "qty per", "scrap %"),
        empty=f"{item} has no BOM lines",
    )
    if tree.cut:
        console.print(f"cut after {tree.nodes} lines or {bom_edit.MAX_DEPTH} levels")


@app.command("add")
@handles_errors
def add(
    item: str,
    component: str,
    qty_per: Annotated[float, typer.Argument(parser=as_number)],
    scrap: Scrap = None,
) -> None:
    """Add a last line to ITEM's BOM (made with its first line)."""
    with session() as s:
        n = bom_edit.add_line(
            s, item, component=component, qty_per=qty_per, scrap_pct=scrap or 0.0, author=author()
        )
    console.print(f"{esc(component)} added to {esc(item)} as line {n}")


@app.command("set")
@handles_errors
def set_(
    item: str,
    position: int,
    qty_per: Annotated[
        float | None, typer.Option("--qty", parser=as_number, help="quantity per parent unit")
    ] = None,
    scrap: Scrap = None,
) -> None:
    """Change a line's quantity per parent unit and/or scrap %."""
    if qty_per is None and scrap is None:
        raise ValidationError("give --qty or --scrap")
    with session() as s:
        bom_edit.change_line(s, item, position, qty_per=qty_per, scrap_pct=scrap, author=author())
    console.print(f"line {position} of {esc(item)} changed")


@app.command("move")
@handles_errors
def move(
    item: str,
    position: int,
    up: Annotated[bool, typer.Option("--up", help="one place up")] = False,
    down: Annotated[bool, typer.Option("--down", help="one place down")] = False,
    under: Annotated[str | None, typer.Option("--under", help="into this item's BOM, last")] = None,
) -> None:
    """Move a line up or down in its BOM, or under another item (checked for a cycle)."""
    if [up, down, under is not None].count(True) != 1:
        raise ValidationError("give one of --up, --down or --under ITEM")
    with session() as s:
        if under is not None:
            n = bom_edit.move_line_to(s, item, position, under, author=author())
            where = under
        else:
            n = bom_edit.move_line(s, item, position, "up" if up else "down", author=author())
            where = item
    console.print(f"line {position} of {esc(item)} is now line {n} of {esc(where)}")


@app.command("remove")
@handles_errors
def remove(item: str, position: int) -> None:
    """Remove a line from ITEM's BOM."""
    with session() as s:
        bom_edit.remove_line(s, item, position, author=author())
    console.print(f"line {position} of {esc(item)} removed")

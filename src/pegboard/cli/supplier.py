"""``pegboard supplier``: the names bought items and purchase orders carry — list them,
show one, make one the default supplier of some bought items, rename one.

The same service (``services.suppliers``), rules and audit as the suppliers pages and
``/api/suppliers``: an assignment naming a made or unknown item changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from pegboard.cli._common import console, emit, esc, handles_errors, session
from pegboard.cli._deferred import deferred
from pegboard.cli.stock import CsvOption, author

if TYPE_CHECKING:
    from pegboard.services import suppliers
    from pegboard.services import wording as _wording
else:
    suppliers = deferred("pegboard.services.suppliers")
    _wording = deferred("pegboard.services.wording")

app = typer.Typer(
    help="Suppliers: list, show, assign to bought items, rename or merge.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

Name = Annotated[str, typer.Argument(help="the supplier's name, as items and orders carry it")]


@app.command("list")
@handles_errors
def list_(
    q: Annotated[str | None, typer.Option("--q", help="only names containing this")] = None,
    as_csv: CsvOption = False,
) -> None:
    """Every supplier, with its bought items and its open purchase orders."""
    with session() as s, s.begin():
        rows = suppliers.list_suppliers(s, q=q or None)
    emit(
        "Suppliers",
        ("supplier", "items", "open purchase orders"),
        [(r.name, r.items, r.open_orders) for r in rows],
        as_csv=as_csv,
        numeric=("items", "open purchase orders"),
    )


@app.command("show")
@handles_errors
def show(name: Name, as_csv: CsvOption = False) -> None:
    """A supplier's bought items (the first 200 by code) and open purchase orders."""
    with session() as s, s.begin():
        view = suppliers.get_supplier(s, name)
    emit(
        f"{view.name}: {view.item_count} bought items, {len(view.open_orders)} open orders",
        ("item", "description", "lead time days"),
        [(i.code, i.description, i.lead_time_days) for i in view.items],
        as_csv=as_csv,
        numeric=("lead time days",),
    )
    if view.open_orders and not as_csv:
        console.print("open purchase orders: " + esc(", ".join(view.open_orders)))


@app.command("assign")
@handles_errors
def assign(
    name: Name,
    items: Annotated[list[str], typer.Argument(help="bought items' codes")],
) -> None:
    """Make NAME (new or known) the default supplier of the bought ITEMS; the next firm
    orders them from it. All or nothing."""
    with session() as s:
        changed = suppliers.assign_supplier(s, name, items, author=author())
    left = len(dict.fromkeys(items)) - len(changed)
    console.print(
        f"{esc(name.strip())} now supplies {_wording.plural(len(changed), 'more item')}"
        + (f"; {left} had it already" if left else ""),
        highlight=False,
    )


@app.command("rename")
@handles_errors
def rename(
    name: Name,
    new_name: Annotated[str, typer.Argument(help="the new name")],
    merge: Annotated[
        bool, typer.Option("--merge", help="onto a name in use: merge the two suppliers")
    ] = False,
) -> None:
    """Rename a supplier on its items and its purchase orders not closed."""
    with session() as s:
        view = suppliers.rename_supplier(s, name, new_name, author=author(), merge=merge)
    console.print(
        f"{esc(name)} is now {esc(view.name)}: {_wording.plural(view.item_count, 'item')}, "
        f"{_wording.plural(len(view.open_orders), 'open purchase order')}",
        highlight=False,
    )

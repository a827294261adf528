"""``pegboard stock``: an item's position and projected stock, and stock moved by hand.

Also what the execution commands share (``po``, ``mo``, ``ship``): the CSV option, the
author and a table with a style per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from pegboard.cli._common import (
    as_number,
    console,
    emit,
    esc,
    fmt,
    handles_errors,
    session,
)
from pegboard.cli._deferred import deferred
from pegboard.config import get_settings

if TYPE_CHECKING:
    from pegboard.services import money, stock
    from pegboard.services import projection as _projection
    from pegboard.services.projection import Projection
    from pegboard.services.stock import StockPosition
else:
    _projection = deferred("pegboard.services.projection")
    money = deferred("pegboard.services.money")
    stock = deferred("pegboard.services.stock")

app = typer.Typer(
    help="Stock: position and projection of an item, adjust, transfer, reserve, check.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

CsvOption = Annotated[bool, typer.Option("--csv", help="write CSV to stdout instead of a table")]
# A count correction may be negative: "-5" must reach the command as a quantity, not an option.
NUMBERS_MAY_BE_NEGATIVE = {"ignore_unknown_options": True}


def author() -> str:
    return get_settings().user


def styled_table(
    title: str,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    numeric: Sequence[str] = (),
    whole: Sequence[str] = (),
    styles: Sequence[str] = (),
) -> Table:
    """Like ``emit``'s table, with a style per row (e.g. red for a shortage). On a narrow
    terminal the text columns give way first (cut with an ellipsis); numbers and the
    ``whole`` columns (dates) only when that is not enough."""
    table = Table(title=title, title_justify="left", title_style="bold", expand=False)
    for name in header:
        keep = name in numeric or name in whole
        table.add_column(
            name, justify="right" if name in numeric else "left", no_wrap=keep, overflow="ellipsis"
        )
    for n, row in enumerate(rows):
        table.add_row(
            *(Text(fmt(v), no_wrap=True, overflow="ellipsis") for v in row),
            style=styles[n] if n < len(styles) else None,
        )
    return table


# --- stock show ------------------------------------------------------------------------------

REFS_SHOWN = 3
BAR_WIDTH = 48


def _refs(refs: Sequence[str], more: int = 0) -> str:
    shown = ", ".join(refs[:REFS_SHOWN])
    left = len(refs) - len(refs[:REFS_SHOWN]) + more
    return shown + (f" +{left:,} more" if left else "")


def _no_minus_zero(qty: float) -> float:
    return qty + 0.0  # -0.0 + 0.0 is 0.0: a rounded sum never shows as "-0"


def _print_position(pos: StockPosition) -> None:
    uom = f" ({pos.uom})" if pos.uom else ""
    console.print(f"[bold]{esc(pos.item)}[/] {esc(pos.description)}{esc(uom)}", highlight=False)
    figures = [
        ("on hand", pos.on_hand),
        ("reserved", pos.reserved),
        ("free", pos.free),
        ("on order", pos.on_order),
        ("in transit", pos.in_transit),
        ("in production", pos.in_production),
        ("sales demand", pos.demand),
        ("safety stock", pos.safety_stock),
    ]
    emit("Position", ("", "qty"), figures, numeric=("qty",))
    emit(
        "Stock by location",
        ("location", "reserved for", "qty"),
        [(b.location, b.holder or "free", b.qty) for b in pos.buckets],
        numeric=("qty",),
        empty="none in stock",
    )


def _print_projection(p: Projection) -> None:
    below = [r.projected < -1e-9 or r.projected < p.safety_stock - 1e-9 for r in p.rows]
    console.print(
        styled_table(
            f"Projected stock of {p.item} (plan run {p.plan_run}, from {p.planning_date})",
            ("date", "receipts", "requirements", "projected", "refs"),
            [
                (
                    r.day,
                    _no_minus_zero(r.receipts),
                    _no_minus_zero(r.requirements),
                    _no_minus_zero(r.projected),
                    _refs(r.refs, r.more_refs),
                )
                for r in p.rows
            ],
            numeric=("receipts", "requirements", "projected"),
            whole=("date",),
            styles=["red" if low else "" for low in below],
        )
    )
    console.print(bar_chart(p))


def bar_chart(p: Projection, width: int = BAR_WIDTH) -> Table:
    """One bar per date, scaled to the largest |projected|: below zero or below safety stock
    red, else green; ``┆`` marks the safety stock."""
    points: list[tuple[str, float]] = [("on hand", p.on_hand)]
    points += [(r.day.isoformat(), _no_minus_zero(r.projected)) for r in p.rows]
    width = max(10, min(width, console.width - 30))
    most_neg = max((-v for _, v in points if v < 0), default=0.0)
    most_pos = max([v for _, v in points if v > 0] + [p.safety_stock], default=0.0)
    scale = (most_neg + most_pos) or 1.0
    left = round(width * most_neg / scale)  # cells left of the zero axis
    right = width - left
    mark = round(p.safety_stock / scale * width) if p.safety_stock > 0 else 0
    chart = Table.grid(padding=(0, 1))
    chart.title = f"{p.item}: projected stock" + (
        f" (┆ safety stock {fmt(p.safety_stock)})" if p.safety_stock > 0 else ""
    )
    chart.title_justify = "left"
    chart.title_style = "bold"
    chart.add_column("date", no_wrap=True)
    chart.add_column("bar", no_wrap=True)
    chart.add_column("projected", justify="right", no_wrap=True)
    for label, value in points:
        cells = max(round(abs(value) / scale * width), 1 if abs(value) > 1e-9 else 0)
        low = value < -1e-9 or value < p.safety_stock - 1e-9
        colour = "red" if low else "green"
        bar = Text()
        negative = min(cells, left) if value < 0 else 0
        positive = min(cells, right) if value > 0 else 0
        bar.append(" " * (left - negative))
        bar.append("█" * negative, style=colour)
        bar.append("│", style="dim")
        for cell in range(1, right + 1):
            if cell <= positive:
                bar.append("█", style=colour)
            else:
                bar.append("┆" if cell == mark else " ", style="yellow")
        chart.add_row(label, bar, Text(fmt(value), style="red" if low else ""))
    return chart


@app.command("show")
@handles_errors
def show(item: Annotated[str, typer.Argument(help="item id")]) -> None:
    """On hand, reserved, free, on order, in transit, in production and sales demand; stock
    by location; and the projected stock by date from the current plan, as a table and a chart."""
    with session() as s, s.begin():
        pos = stock.position(s, item)
        projection = _projection.projected_stock(s, pos.item)
    _print_position(pos)
    if projection.plan_run is None:
        console.print("[dim]no plan yet: run `pegboard plan` to see the projected stock[/]")
        return
    if not projection.rows:
        console.print(f"[dim]nothing is planned to come in or go out of {esc(pos.item)}[/]")
        return
    _print_projection(projection)


@app.command("adjust", context_settings=NUMBERS_MAY_BE_NEGATIVE)
@handles_errors
def adjust(
    item: Annotated[str, typer.Argument(help="item id")],
    qty: Annotated[
        float, typer.Argument(parser=as_number, help="to add (e.g. 5) or remove (e.g. -5)")
    ],
    reason: Annotated[str, typer.Option(help="why the count changes (required)")],
    location: Annotated[str, typer.Option()] = "main",
    sales_order: Annotated[
        str | None, typer.Option("--sales-order", help="the stock reserved for this order")
    ] = None,
) -> None:
    """Correct a count: add (qty > 0) or remove (qty < 0) stock, with a reason."""
    with session() as s:
        balance = stock.adjust_stock(
            s,
            item=item,
            qty=qty,
            reason=reason,
            location=location,
            sales_order=sales_order,
            author=author(),
        )
    holder = f" for {sales_order}" if sales_order else ""
    console.print(esc(f"{item} at {location.strip()}{holder}: {fmt(balance)} now"), highlight=False)


@app.command("transfer")
@handles_errors
def transfer(
    item: Annotated[str, typer.Argument(help="item id")],
    qty: Annotated[float, typer.Argument(parser=as_number, help="quantity to move")],
    from_location: Annotated[str, typer.Option("--from", help="location it is at")],
    to_location: Annotated[str, typer.Option("--to", help="location it goes to")],
    sales_order: Annotated[
        str | None, typer.Option("--sales-order", help="move stock reserved for this order")
    ] = None,
    reason: Annotated[str, typer.Option()] = "",
) -> None:
    """Move stock between locations (free stock, or the stock reserved for a sales order)."""
    amount = qty
    with session() as s:
        stock.transfer_stock(
            s,
            item=item,
            qty=amount,
            from_location=from_location,
            to_location=to_location,
            sales_order=sales_order,
            reason=reason,
            author=author(),
        )
    console.print(
        esc(f"moved {fmt(amount)} {item} from {from_location} to {to_location}"), highlight=False
    )


@app.command("reserve")
@handles_errors
def reserve(
    item: Annotated[str, typer.Argument(help="item id")],
    qty: Annotated[float, typer.Argument(parser=as_number, help="quantity to reserve")],
    sales_order: Annotated[str, typer.Option("--sales-order", help="order to reserve it for")],
) -> None:
    """Reserve free stock for a sales order: only that order can use it then."""
    amount = qty
    with session() as s:
        stock.reserve_stock(s, item=item, qty=amount, sales_order=sales_order, author=author())
    console.print(esc(f"reserved {fmt(amount)} {item} for {sales_order}"), highlight=False)


@app.command("unreserve")
@handles_errors
def unreserve(
    item: Annotated[str, typer.Argument(help="item id")],
    sales_order: Annotated[str, typer.Option("--sales-order", help="order holding the stock")],
    qty: Annotated[
        float | None, typer.Option(parser=as_number, help="default: all it holds")
    ] = None,
) -> None:
    """Give stock reserved for a sales order back to free stock."""
    with session() as s:
        released = stock.unreserve_stock(
            s,
            item=item,
            sales_order=sales_order,
            qty=qty,
            author=author(),
        )
    console.print(esc(f"released {fmt(released)} {item} from {sales_order}"), highlight=False)


@app.command("moves")
@handles_errors
def moves(
    item: Annotated[str, typer.Argument(help="item id")],
    limit: Annotated[int, typer.Option(min=1, help="newest this many")] = 50,
    as_csv: CsvOption = False,
) -> None:
    """The stock ledger of an item, newest first."""
    with session() as s, s.begin():
        rows = stock.moves(s, item, limit=limit)
    emit(
        f"Stock moves of {item}",
        ("when", "kind", "location", "reserved for", "qty", "value", "reference", "reason", "who"),
        [
            (
                m.at.strftime("%Y-%m-%d %H:%M"),
                m.kind,
                m.location,
                m.holder,
                m.qty,
                _cents(m.value),
                m.reference,
                m.reason,
                m.author,
            )
            for m in rows
        ],
        as_csv=as_csv,
        numeric=("qty", "value"),
        empty="no moves",
    )


@app.command("check")
@handles_errors
def check(as_csv: CsvOption = False) -> None:
    """Every stock balance against the sum of its ledger rows, quantity and value; exit 1
    when any disagree."""
    with session() as s, s.begin():
        found = stock.check_stock(s)
    if found.ok and not as_csv:
        console.print("stock ledger and balances agree (quantities and values)")
        return
    wrong = found.quantities
    if wrong or as_csv:
        emit(
            f"Balances that disagree with the ledger ({len(wrong)})",
            ("item", "location", "reserved for", "ledger", "balance"),
            [(m.item, m.location, m.holder, m.ledger, m.balance) for m in wrong],
            as_csv=as_csv,
            numeric=("ledger", "balance"),
        )
    if found.values:
        emit(
            f"Values that do not reconcile with the ledger ({len(found.values)})",
            ("item", "location", "reserved for", "ledger value", "balance value", "problem"),
            [
                (v.item, v.location, v.holder, str(v.ledger), str(v.balance), v.problem)
                for v in found.values
            ],
            as_csv=as_csv,
            numeric=("ledger value", "balance value"),
        )
    if not found.ok:
        raise typer.Exit(1)


@app.command("value")
@handles_errors
def value(
    item: Annotated[str | None, typer.Option("--item", help="only this item")] = None,
    location: Annotated[str | None, typer.Option("--location", help="only this location")] = None,
    as_csv: CsvOption = False,
) -> None:
    """Inventory valuation: quantity, value and moving-average cost per item and location
    (reserved stock included), from the stock ledger."""
    with session() as s, s.begin():
        found = stock.valuation_report(s, item=item, location=location)
    rows: list[tuple[object, ...]] = [
        (
            r.item,
            r.location,
            r.qty,
            _cents(r.value),
            "" if r.average is None else f"{r.average:.4f}",
        )
        for r in found.rows
    ]
    if not as_csv and rows:
        rows.append(("total", "", "", _cents(found.total), ""))
    emit(
        f"Inventory value ({found.currency})",
        ("item", "location", "qty", "value", "average cost"),
        rows,
        as_csv=as_csv,
        numeric=("qty", "value", "average cost"),
        empty="no stock",
    )


def _cents(amount: Decimal) -> Decimal:
    """In cents; a number, not text, so that a CSV keeps a negative value a number."""
    return money.cents(amount)

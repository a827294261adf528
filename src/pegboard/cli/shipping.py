"""``pegboard ship``: sales-order lines out of the door, and delivered."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from pegboard.cli._common import (
    BadInput,
    as_date,
    as_number,
    console,
    emit,
    esc,
    fmt,
    handles_errors,
    parse_int,
    session,
)
from pegboard.cli._deferred import deferred
from pegboard.cli.stock import CsvOption, author

if TYPE_CHECKING:
    from pegboard.services import shipping
else:
    shipping = deferred("pegboard.services.shipping")

app = typer.Typer(
    help="Shipments: ship sales-order lines, record deliveries.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def parse_line_ref(text: str) -> tuple[str, int]:
    """``SO-1001/2`` → ``("SO-1001", 2)``."""
    order, sep, line = text.strip().rpartition("/")
    if not sep or not order.strip() or not line.strip():
        raise BadInput(f"name the line as SALES-ORDER/LINE, e.g. SO-1001/2, not {text!r}")
    return order.strip(), parse_int(line, "line")


@app.command("line")
@handles_errors
def line(
    ref: Annotated[str, typer.Argument(metavar="SO/LINE", help="sales-order line, e.g. SO-1001/2")],
    qty: Annotated[float, typer.Argument(parser=as_number, help="quantity shipped")],
    location: Annotated[
        str | None, typer.Option(help="take from this location only; default: any")
    ] = None,
    ship_date: Annotated[
        date | None, typer.Option("--date", parser=as_date, help="YYYY-MM-DD; default: today")
    ] = None,
    tracking: Annotated[str, typer.Option(help="carrier tracking number")] = "",
) -> None:
    """Ship a sales-order line (its reserved stock first, then free stock); print the
    shipment number."""
    order, number = parse_line_ref(ref)
    amount = qty
    with session() as s:
        shipment = shipping.ship_line(
            s,
            order,
            number,
            amount,
            location=location,
            ship_date=ship_date,
            tracking=tracking,
            author=author(),
        )
    console.print(esc(f"{shipment}: {fmt(amount)} of {order}/{number} shipped"), highlight=False)


@app.command("deliver")
@handles_errors
def deliver(
    number: Annotated[str, typer.Argument(help="shipment, e.g. SH-000001")],
    delivered_on: Annotated[
        date | None, typer.Option("--date", parser=as_date, help="YYYY-MM-DD; default: today")
    ] = None,
) -> None:
    """The customer has the goods: the line closes when all of it is delivered."""
    with session() as s:
        shipping.deliver_shipment(
            s,
            number,
            delivered_on=delivered_on,
            author=author(),
        )
    console.print(esc(f"{number} delivered"), highlight=False)


@app.command("list")
@handles_errors
def list_(
    sales_order: Annotated[
        str | None, typer.Option("--sales-order", help="only this order's")
    ] = None,
    status: Annotated[str | None, typer.Option(help="in_transit or delivered")] = None,
    limit: Annotated[int, typer.Option(min=1, help="newest this many")] = 200,
    as_csv: CsvOption = False,
) -> None:
    """Shipments, newest first."""
    with session() as s, s.begin():
        rows = shipping.list_shipments(s, sales_order=sales_order, status=status, limit=limit)
    emit(
        f"Shipments ({len(rows)})",
        ("shipment", "line", "item", "qty", "status", "shipped", "delivered", "tracking"),
        [
            (
                r.number,
                f"{r.sales_order}/{r.line}",
                r.item,
                r.qty,
                r.status,
                r.ship_date,
                r.delivered_on or "",
                r.tracking,
            )
            for r in rows
        ],
        as_csv=as_csv,
        numeric=("qty",),
        empty="none",
    )

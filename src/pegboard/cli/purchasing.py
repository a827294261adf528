"""``pegboard po``: purchase orders from the plan to the goods-in bay."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from pegboard import clock
from pegboard.cli._common import (
    BadInput,
    as_date,
    as_whole,
    console,
    emit,
    esc,
    handles_errors,
    parse_day,
    parse_int,
    parse_qty,
    session,
)
from pegboard.cli._deferred import deferred
from pegboard.cli.release_options import FromOption, UntilOption, WindowOption, window_name
from pegboard.cli.stock import CsvOption, author, styled_table

if TYPE_CHECKING:
    from pegboard.db import Session
    from pegboard.services import purchasing
    from pegboard.services.purchasing import NewLine, PurchaseView
else:
    purchasing = deferred("pegboard.services.purchasing")

app = typer.Typer(
    help="Purchase orders: firm from the plan, enter, confirm, ship, receive, cancel.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

LinesOption = Annotated[
    list[int] | None,
    typer.Option("--line", parser=as_whole, help="line number, repeatable; default: all open"),
]


def _new_line(text: str) -> NewLine:
    parts = text.split(":")
    if len(parts) not in (3, 4) or not all(p.strip() for p in parts):
        raise BadInput(f"a line is ITEM:QTY:DUE or ITEM:QTY:DUE:SALES-ORDER, not {text!r}")
    item, qty, due = (p.strip() for p in parts[:3])
    return purchasing.NewLine(
        item=item,
        qty=parse_qty(qty, f"{item} qty"),
        due_date=parse_day(due, f"{item} due"),
        sales_order=parts[3].strip() if len(parts) == 4 else None,
    )


def _receipts(pairs: list[str]) -> dict[int, float]:
    wanted: dict[int, float] = {}
    for pair in pairs:
        line, sep, qty = pair.partition("=")
        if not sep or not line.strip() or not qty.strip():
            raise BadInput(f"quantities are LINE=QTY, not {pair!r}")
        number = parse_int(line, "line")
        if number in wanted:
            raise BadInput(f"quantities: line {number} is given twice")
        wanted[number] = parse_qty(qty, f"line {number} qty")
    return wanted


def print_summary(s: Session, numbers: list[str], title: str) -> None:
    """One row per purchase order: what a firm or a new order created."""
    views = [purchasing.purchase_view(s, n) for n in numbers]
    emit(
        title,
        ("purchase order", "supplier", "lines", "items", "first due"),
        [
            (
                v.number,
                v.supplier,
                len(v.lines),
                ", ".join(dict.fromkeys(line.item for line in v.lines)),
                min((line.due_date for line in v.lines), default=""),
            )
            for v in views
        ],
        numeric=("lines",),
    )


def print_purchase(view: PurchaseView) -> None:
    """The header and the lines; the ship date column only once the supplier shipped some."""
    console.print(
        f"[bold]{esc(view.number)}[/] {esc(view.supplier)} ({esc(view.status)})", highlight=False
    )
    shipped = any(line.ship_date for line in view.lines)
    header = ["line", "item", "qty", "received", "open", "due", "status", "sales order"]
    rows: list[list[object]] = [
        [
            line.line,
            line.item,
            line.qty,
            line.received_qty,
            line.open_qty,
            line.due_date,
            line.status,
            line.sales_order,
        ]
        for line in view.lines
    ]
    if shipped:
        header.append("shipped")
        for row, line in zip(rows, view.lines, strict=True):
            row.append(line.ship_date or "")
    console.print(
        styled_table(
            f"Lines of {view.number}",
            header,
            rows,
            numeric=("line", "qty", "received", "open"),
            whole=("item", "due", "shipped"),
        )
    )


@app.command("firm")
@handles_errors
def firm(
    planned: Annotated[
        list[str] | None, typer.Argument(help="planned buy orders (PL-…); default: all unfirmed")
    ] = None,
    until: UntilOption = None,
    since: FromOption = None,
    window: WindowOption = None,
) -> None:
    """Turn planned buy orders of the current plan into draft purchase orders, one per
    supplier, and print them: those named, or every unfirmed one released from --from to
    --until or in --window (every unfirmed one when none is given)."""
    with session() as s:
        numbers = purchasing.firm_purchases(
            s,
            planned=planned or None,
            since=since,
            until=until,
            window=window_name(window),
            author=author(),
        )
        print_summary(s, numbers, f"Purchase orders created ({len(numbers)})")


@app.command("new")
@handles_errors
def new(
    lines: Annotated[
        list[str], typer.Argument(help="ITEM:QTY:DUE or ITEM:QTY:DUE:SALES-ORDER, one per line")
    ],
    supplier: Annotated[str, typer.Option(help="supplier name")],
) -> None:
    """Enter a purchase order by hand (a draft, like a firmed one) and print its number."""
    parsed = [_new_line(text) for text in lines]
    with session() as s:
        number = purchasing.create_purchase(s, supplier=supplier, lines=parsed, author=author())
    console.print(esc(number), highlight=False)


@app.command("list")
@handles_errors
def list_(
    status: Annotated[
        str | None, typer.Option(help="draft, confirmed, closed or cancelled")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="newest this many")] = 200,
    as_csv: CsvOption = False,
) -> None:
    """Purchase orders, newest first, with their open lines and next due date."""
    with session() as s, s.begin():
        rows = purchasing.list_purchases(s, status=status, limit=limit)
    emit(
        f"Purchase orders ({len(rows)})" + (f", {status}" if status else ""),
        ("purchase order", "supplier", "status", "lines", "open lines", "next due"),
        [(r.number, r.supplier, r.status, r.lines, r.open_lines, r.next_due or "") for r in rows],
        as_csv=as_csv,
        numeric=("lines", "open lines"),
        empty="none",
    )


@app.command("show")
@handles_errors
def show(number: Annotated[str, typer.Argument(help="purchase order, e.g. PO-31012")]) -> None:
    """A purchase order and its lines: ordered, received, open, due, status."""
    with session() as s, s.begin():
        view = purchasing.purchase_view(s, number)
    print_purchase(view)


@app.command("confirm")
@handles_errors
def confirm(number: Annotated[str, typer.Argument(help="draft purchase order")]) -> None:
    """The supplier has the order: confirm a draft."""
    with session() as s:
        purchasing.confirm_purchase(s, number, author=author())
    console.print(esc(f"{number} confirmed"), highlight=False)


@app.command("ship")
@handles_errors
def ship(
    number: Annotated[str, typer.Argument(help="confirmed purchase order")],
    arrival: Annotated[
        date, typer.Option(parser=as_date, help="expected arrival (YYYY-MM-DD): the new due date")
    ],
    ship_date: Annotated[
        date | None, typer.Option("--ship-date", parser=as_date, help="YYYY-MM-DD; default: today")
    ] = None,
    line: LinesOption = None,
) -> None:
    """The supplier has shipped: the lines are in transit, due on arrival."""
    shipped_on = ship_date or clock.today()
    due = arrival
    with session() as s:
        shipped = purchasing.ship_purchase(
            s, number, ship_date=shipped_on, arrival=due, lines=line or None, author=author()
        )
    console.print(
        esc(
            f"{number} line{'s' if len(shipped) > 1 else ''} "
            f"{', '.join(map(str, shipped))} in transit, arriving {due.isoformat()}"
        ),
        highlight=False,
    )


@app.command("receive")
@handles_errors
def receive(
    number: Annotated[str, typer.Argument(help="confirmed purchase order")],
    quantities: Annotated[
        list[str] | None, typer.Argument(help="LINE=QTY pairs; default: everything open")
    ] = None,
    location: Annotated[str, typer.Option(help="where the goods go")] = "main",
) -> None:
    """Receive goods, fully or partly; all lines or none. Goods bought for a sales order go
    into its reservation."""
    wanted = _receipts(quantities) if quantities else None
    with session() as s:
        received = purchasing.receive_purchase(
            s, number, quantities=wanted, location=location, author=author()
        )
        view = purchasing.purchase_view(s, number)
    by_line = {line.line: line for line in view.lines}
    emit(
        f"Received on {number} at {location.strip()}",
        ("line", "item", "received now", "received", "ordered", "status"),
        [
            (n, by_line[n].item, qty, by_line[n].received_qty, by_line[n].qty, by_line[n].status)
            for n, qty in received.items()
        ],
        numeric=("line", "received now", "received", "ordered"),
    )
    console.print(esc(f"{number} is {view.status}"), highlight=False)


@app.command("cancel")
@handles_errors
def cancel(
    number: Annotated[str, typer.Argument(help="draft or confirmed purchase order")],
    line: LinesOption = None,
) -> None:
    """Nothing more is coming on these lines (default: every open line)."""
    with session() as s:
        cancelled = purchasing.cancel_purchase(s, number, lines=line or None, author=author())
        status = purchasing.purchase_view(s, number).status
    lines = f"line{'s' if len(cancelled) > 1 else ''} {', '.join(map(str, cancelled))}"
    console.print(esc(f"{number}: cancelled {lines}; the order is {status}"), highlight=False)

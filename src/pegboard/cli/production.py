"""``pegboard mo``: production orders on the shop floor."""

from __future__ import annotations

from collections.abc import Sequence
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
    parse_qty,
    session,
)
from pegboard.cli._deferred import deferred
from pegboard.cli.release_options import FromOption, UntilOption, WindowOption, window_name
from pegboard.cli.stock import CsvOption, author, styled_table

if TYPE_CHECKING:
    from pegboard.db import Session
    from pegboard.services import inventory as _inventory
    from pegboard.services import production
    from pegboard.services import wording as _wording
    from pegboard.services.board_move import LateLine
    from pegboard.services.firm_pin import FirmMoveAnswer, FirmPinAnswer
    from pegboard.services.production import ComponentStatus, ProductionView
else:
    _inventory = deferred("pegboard.services.inventory")
    _wording = deferred("pegboard.services.wording")
    production = deferred("pegboard.services.production")

app = typer.Typer(
    help="Production orders: firm from the plan, release, issue, complete, scrap, close.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


SequenceArg = Annotated[int, typer.Argument(help="operation (its routing sequence)")]
StartArg = Annotated[date, typer.Argument(parser=as_date, help="the day it is to start")]
WorkCenterOption = Annotated[
    str | None, typer.Option(help="another work center to run it on (default: its own)")
]
"""An operation as op-start, op-finish, op-move and firm-pin take it, and (for a move) the
day and the work center it is to start on."""


def _issues(pairs: list[str]) -> dict[str, float]:
    wanted: dict[str, float] = {}
    for pair in pairs:
        item, sep, qty = pair.partition("=")
        item = item.strip()
        if not sep or not item or not qty.strip():
            raise BadInput(f"quantities are ITEM=QTY, not {pair!r}")
        if item in wanted:
            raise BadInput(f"quantities: {item} is given twice")
        wanted[item] = parse_qty(qty, f"{item} qty")
    return wanted


def print_components(title: str, components: Sequence[ComponentStatus]) -> None:
    """The component report; short lines in red, and what is short said underneath."""
    if not components:
        console.print(f"[bold]{esc(title)}[/]: [dim]no components[/]")
        return
    console.print(
        styled_table(
            title,
            ("item", "required", "issued", "outstanding", "reserved", "available", "short"),
            [
                (
                    c.item,
                    c.required,
                    c.issued,
                    c.outstanding,
                    c.reserved,
                    c.available,
                    c.short if c.short > _inventory.EPS else "",
                )
                for c in components
            ],
            numeric=("required", "issued", "outstanding", "reserved", "available", "short"),
            styles=["bold red" if c.short > _inventory.EPS else "" for c in components],
        )
    )
    short = [c for c in components if c.short > _inventory.EPS]
    if short:
        console.print(
            "[bold red]short:[/] " + esc(", ".join(f"{c.item} {fmt(c.short)}" for c in short)),
            highlight=False,
        )


def _header(view: ProductionView) -> str:
    parts = [f"[bold]{esc(view.number)}[/] {esc(view.item)} × {fmt(view.qty)} ({view.status})"]
    dates = f"due {view.due_date.isoformat()}"
    if view.start_date:
        dates = f"start {view.start_date.isoformat()}, " + dates
    parts.append(dates)
    if view.sales_order:
        parts.append(f"for {esc(view.sales_order)}")
    if view.parent:
        parts.append(f"feeds {esc(view.parent)}")
    parts.append(f"completed {fmt(view.completed)}, scrapped {fmt(view.scrapped)}")
    return "; ".join(parts)


def _progress(view: ProductionView) -> str:
    return (
        f"{view.number}: {fmt(view.completed)} of {fmt(view.qty)} completed"
        + (f", {fmt(view.scrapped)} scrapped" if view.scrapped else "")
        + f" ({view.status})"
    )


@app.command("firm")
@handles_errors
def firm(
    planned: Annotated[
        list[str] | None, typer.Argument(help="planned make orders (PL-…); default: all unfirmed")
    ] = None,
    until: UntilOption = None,
    since: FromOption = None,
    window: WindowOption = None,
) -> None:
    """Turn planned make orders of the current plan into firm production orders, and print
    them: those named, or every unfirmed one released from --from to --until or in
    --window (every unfirmed one when none is given)."""
    with session() as s:
        numbers = production.firm_productions(
            s,
            planned=planned or None,
            since=since,
            until=until,
            window=window_name(window),
            author=author(),
        )
        print_created(s, numbers)


def print_created(s: Session, numbers: Sequence[str]) -> None:
    """One row per production order a firm created: item, quantity, dates, what it feeds."""
    views = [production.production_view(s, n) for n in numbers]
    emit(
        f"Production orders created ({len(views)})",
        ("production order", "item", "qty", "start", "due", "sales order", "feeds"),
        [
            (v.number, v.item, v.qty, v.start_date or "", v.due_date, v.sales_order, v.parent)
            for v in views
        ],
        numeric=("qty",),
    )


@app.command("list")
@handles_errors
def list_(
    status: Annotated[
        str | None,
        typer.Option(help="planned, released, in_progress, done, closed or cancelled"),
    ] = None,
    sales_order: Annotated[
        str | None, typer.Option("--sales-order", help="only this order's")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="at most this many")] = 200,
    as_csv: CsvOption = False,
) -> None:
    """Production orders by due date."""
    with session() as s, s.begin():
        rows = production.list_productions(s, status=status, sales_order=sales_order, limit=limit)
    emit(
        f"Production orders ({len(rows)})",
        ("production order", "item", "qty", "completed", "status", "start", "due", "sales order"),
        [
            (
                r.number,
                r.item,
                r.qty,
                r.completed,
                r.status,
                r.start_date or "",
                r.due_date,
                r.sales_order,
            )
            for r in rows
        ],
        as_csv=as_csv,
        numeric=("qty", "completed"),
        empty="none",
    )


@app.command("show")
@handles_errors
def show(number: Annotated[str, typer.Argument(help="production order, e.g. MO-2201")]) -> None:
    """A production order and its components: required, issued, outstanding, reserved,
    available and short."""
    with session() as s, s.begin():
        view = production.production_view(s, number)
    console.print(_header(view), highlight=False)
    print_components(f"Components of {view.number}", view.components)
    print_operations(view.number)


@app.command("release")
@handles_errors
def release(number: Annotated[str, typer.Argument(help="planned production order")]) -> None:
    """Release to the shop floor: components reserved as far as stock allows; what is short
    is shown in red (the order is released anyway)."""
    with session() as s:
        report = production.release_production(s, number, author=author())
    console.print(esc(f"{number} released"), highlight=False)
    print_components(f"Components of {number}", sorted(report, key=lambda c: c.item))


@app.command("issue")
@handles_errors
def issue(
    number: Annotated[str, typer.Argument(help="released production order")],
    quantities: Annotated[
        list[str] | None, typer.Argument(help="ITEM=QTY pairs; default: everything outstanding")
    ] = None,
    location: Annotated[
        str | None, typer.Option(help="take from this location only; default: any")
    ] = None,
) -> None:
    """Issue components to the order; all of them or none (a shortage is named)."""
    wanted = _issues(quantities) if quantities else None
    with session() as s:
        issued = production.issue_components(
            s, number, quantities=wanted, location=location, author=author()
        )
    emit(f"Issued to {number}", ("item", "qty"), list(issued.items()), numeric=("qty",))


@app.command("complete")
@handles_errors
def complete(
    number: Annotated[str, typer.Argument(help="released production order")],
    qty: Annotated[float, typer.Argument(parser=as_number, help="finished units")],
    location: Annotated[str, typer.Option(help="where the finished units go")] = "main",
    backflush: Annotated[
        bool,
        typer.Option(
            "--backflush/--no-backflush", help="issue what the units consumed and was not issued"
        ),
    ] = True,
) -> None:
    """Report finished units into stock (reserved for the parent order or the sales order
    they were made for)."""
    amount = qty
    with session() as s:
        production.complete_production(
            s, number, amount, location=location, backflush=backflush, author=author()
        )
        view = production.production_view(s, number)
    console.print(esc(_progress(view)), highlight=False)


@app.command("scrap")
@handles_errors
def scrap(
    number: Annotated[str, typer.Argument(help="started production order")],
    qty: Annotated[float, typer.Argument(parser=as_number, help="units lost")],
    reason: Annotated[str, typer.Option(help="why (required)")],
    backflush: Annotated[
        bool,
        typer.Option("--backflush/--no-backflush", help="issue what the lost units consumed"),
    ] = True,
) -> None:
    """Units lost in production: they consumed components and must be made again."""
    amount = qty
    with session() as s:
        production.scrap_production(
            s, number, amount, reason=reason, backflush=backflush, author=author()
        )
        view = production.production_view(s, number)
    console.print(esc(_progress(view)), highlight=False)


@app.command("close")
@handles_errors
def close(number: Annotated[str, typer.Argument(help="started or done production order")]) -> None:
    """Nothing more will be made on this order; reserved components go back."""
    with session() as s:
        production.close_production(s, number, author=author())
    console.print(esc(f"{number} closed"), highlight=False)


@app.command("cancel")
@handles_errors
def cancel(
    number: Annotated[str, typer.Argument(help="planned or released production order")],
) -> None:
    """Drop an order nothing was issued to yet; its reservations are given back."""
    with session() as s:
        production.cancel_production(s, number, author=author())
    console.print(esc(f"{number} cancelled"), highlight=False)


def print_operations(number: str) -> None:
    """The order's operations with what the shop floor reported (one table)."""
    from pegboard.services import shop_floor

    with session() as s, s.begin():
        progress = shop_floor.order_progress(s, number)
    emit(
        f"Operations of {number}: {progress.summary}",
        ("op", "work center", "description", "planned h", "status", "worked h", "by"),
        [
            (
                op.sequence,
                op.work_center,
                op.description,
                f"{op.planned_hours:.2f}",
                op.status,
                "" if op.hours_worked is None else str(op.hours_worked),
                op.finished_by or op.started_by,
            )
            for op in progress.operations
        ],
        numeric=("op", "planned h", "worked h"),
        empty=f"{number} follows no routing",
    )


@app.command("ops")
@handles_errors
def ops(number: Annotated[str, typer.Argument(help="production order, e.g. MO-2201")]) -> None:
    """The order's operations: planned hours, started/finished, hours worked, by whom."""
    print_operations(number)


@app.command("op-start")
@handles_errors
def op_start(
    number: Annotated[str, typer.Argument(help="released production order")],
    sequence: SequenceArg,
    note: Annotated[str, typer.Option(help="a remark for the record")] = "",
) -> None:
    """Start an operation on the shop floor (the order goes in progress)."""
    from pegboard.services import shop_floor

    with session() as s:
        shop_floor.start_operation(s, number, sequence, author=author(), note=note)
    console.print(esc(f"{number} operation {sequence} started"), highlight=False)


@app.command("op-finish")
@handles_errors
def op_finish(
    number: Annotated[str, typer.Argument(help="production order")],
    sequence: SequenceArg,
    hours: Annotated[str, typer.Option(help="hours worked on it in all, e.g. 2.25")],
    note: Annotated[str, typer.Option(help="a remark for the record")] = "",
) -> None:
    """Finish a started operation, confirming the hours worked (what costing uses)."""
    from pegboard.services import shop_floor

    with session() as s:
        done = shop_floor.finish_operation(s, number, sequence, hours, author=author(), note=note)
    console.print(
        esc(f"{number} operation {sequence} finished: {done.hours_worked} h worked"),
        highlight=False,
    )
    print_operations(number)


@app.command("op-move")
@handles_errors
def op_move(
    number: Annotated[str, typer.Argument(help="planned or released production order")],
    sequence: SequenceArg,
    start: StartArg,
    work_center: WorkCenterOption = None,
    save: Annotated[
        bool, typer.Option("--save", help="save (pin) the move when it is accepted")
    ] = False,
) -> None:
    """Move one operation to start on another day (or work center), as the planning board
    does: checked for sequence, free hours, material and the lines it makes late; with
    --save an accepted move is pinned there, and later schedules keep it until unpinned."""
    from pegboard.services import operation_move

    with session() as s:
        if save:
            answer = operation_move.move_operation(
                s, number, sequence, start, work_center=work_center, author=author(), dry_run=False
            )
        else:
            with s.begin():
                answer = operation_move.move_operation(
                    s, number, sequence, start, work_center=work_center, author=author()
                )
    where = (
        f"{answer.work_center_after} {answer.start_after.isoformat()} to "
        f"{answer.end_after.isoformat()} (was {answer.work_center_before} "
        f"{answer.start_before.isoformat()} to {answer.end_before.isoformat()})"
    )
    if answer.saved:
        console.print(esc(f"{number} operation {sequence} moved: {where}; {answer.saved_note}"))
    elif answer.accepted:
        console.print(esc(f"{number} operation {sequence} can move: {where} (--save to pin it)"))
    else:
        console.print(esc(f"{number} operation {sequence} cannot move: {where}"), style="red")
    for line in answer.reasons + [_late_words(late) for late in answer.late_lines]:
        console.print(esc(f"  {line}"), highlight=False)


@app.command("firm-pin")
@handles_errors
def firm_pin(
    planned: Annotated[str, typer.Argument(help="planned make order of the current plan (PL-…)")],
    sequence: SequenceArg,
    start: StartArg,
    work_center: WorkCenterOption = None,
    save: Annotated[
        bool, typer.Option("--save", help="firm the order and pin the move when it is accepted")
    ] = False,
) -> None:
    """Move an operation of a planned make order, as dragging it on the planning board
    does: checked like a production order's operation; with --save the planned order is
    firmed into a production order and the operation pinned there, in one go."""
    from pegboard.services import firm_pin as service

    with session() as s:
        answer = service.firm_and_pin(
            s, planned, sequence, start, work_center=work_center, author=author(), dry_run=not save
        )
    _print_firmed(answer)


@app.command("firm-move")
@handles_errors
def firm_move(
    planned: Annotated[str, typer.Argument(help="planned make order of the current plan (PL-…)")],
    finish: Annotated[date, typer.Argument(parser=as_date, help="the day it is to finish")],
    save: Annotated[
        bool, typer.Option("--save", help="firm the order and save the move when accepted")
    ] = False,
) -> None:
    """Move a planned make order to finish on another day, as dragging an order on the
    planning board does: checked for material and free hours; with --save the planned
    order is firmed into a production order with those dates, in one go."""
    from pegboard.services import firm_pin as service

    with session() as s:
        answer = service.firm_and_move(s, planned, finish, author=author(), dry_run=not save)
    _print_firmed(answer)


def _print_firmed(answer: FirmPinAnswer | FirmMoveAnswer) -> None:
    """A planned order's move, as firm-pin and firm-move answer it: what was done (or
    would be, with --save, or why not, in red), then each sales-order line it makes late."""
    style = None if answer.accepted else "red"
    hint = "" if answer.saved or not answer.accepted else " (--save to do it)"
    console.print(esc(answer.message + hint), style=style, highlight=False)
    for late in answer.move.late_lines:
        console.print(esc(f"  {_late_words(late)}"), highlight=False)


def _late_words(late: LateLine) -> str:
    """A sales-order line a move makes late, and by how many days."""
    return f"makes {late.line} {_wording.plural(late.days_late, 'day')} late"


@app.command("pins")
@handles_errors
def pins_command(
    number: Annotated[
        str | None, typer.Argument(help="one production order (default: all)")
    ] = None,
    as_csv: CsvOption = False,
) -> None:
    """Operations pinned on the planning board: the finite schedule keeps each on its work
    center and days until it is unpinned (a done, closed or cancelled order's are ignored)."""
    from pegboard.services import pins

    with session() as s, s.begin():
        rows = pins.list_pins(s, number)
    emit(
        "Pinned operations",
        ("order", "op", "work center", "start", "end", "by", "note"),
        [
            (
                p.number,
                p.sequence,
                p.work_center,
                p.start.isoformat(),
                p.end.isoformat(),
                p.author,
                f"ignored: order {p.status}"
                if p.ignored
                else "ignored: before the planning date (unpin or move it)"
                if p.past
                else "",
            )
            for p in rows
        ],
        as_csv=as_csv,
        numeric=("op",),
        empty="no operation is pinned",
    )


@app.command("unpin")
@handles_errors
def unpin(
    number: Annotated[str, typer.Argument(help="production order")],
    sequence: Annotated[int, typer.Argument(help="pinned operation (its routing sequence)")],
) -> None:
    """Unpin an operation: the next finite schedule places it from its routing again."""
    from pegboard.services import pins

    with session() as s:
        pin = pins.unpin_operation(s, number, sequence, author=author())
    console.print(
        esc(
            f"{number} operation {sequence} unpinned (was {pin.work_center} "
            f"{pin.start.isoformat()} to {pin.end.isoformat()}): the next 'pegboard schedule' "
            "places it from its routing"
        ),
        highlight=False,
    )

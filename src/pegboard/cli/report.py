"""``pegboard report …``: the current plan as tables, trees, or CSV (``--csv``)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer
from rich.tree import Tree

from pegboard import clock
from pegboard.cli import xlsx_file
from pegboard.cli._common import (
    console,
    emit,
    err_console,
    esc,
    fmt,
    handles_errors,
    session,
)
from pegboard.cli._deferred import deferred
from pegboard.cli.release_options import (
    FromOption,
    UntilOption,
    WindowOption,
    window_name,
)
from pegboard.cli.xlsx_file import XlsxOption

if TYPE_CHECKING:
    from pegboard.db import Session
    from pegboard.services import plan_age as _plan_age
    from pegboard.services import release_windows as _windows
    from pegboard.services import reports
    from pegboard.services import wording as _wording
    from pegboard.services.reports import ExceptionRow, LineStatus, PegNode, PlannedRow, UseNode
else:
    _plan_age = deferred("pegboard.services.plan_age")
    _windows = deferred("pegboard.services.release_windows")
    _wording = deferred("pegboard.services.wording")
    reports = deferred("pegboard.services.reports")

app = typer.Typer(help="Reports on the current plan.", no_args_is_help=True, rich_markup_mode=None)

CsvOption = Annotated[bool, typer.Option("--csv", help="write CSV to stdout instead of a table")]


@contextmanager
def plan_session(*, warn: bool = True) -> Iterator[Session]:
    """A read of the current plan; first one warning line (on stderr) when the plan is
    older than today, and one when it is older than changes made since it ran, unless
    ``warn`` is off (``--csv``: the output is data for another program). With no plan at
    all the report says so itself."""
    with session() as s, s.begin():
        age = _plan_age.plan_age(s, clock.today())
        if warn and age.stale and age.planning_date is not None:
            advice = (
                "run `pegboard plan` to plan as of today"
                if age.replan_catches_up
                else "the company's planning_date setting keeps new plans on that day"
            )
            days = age.days_behind
            err_console.print(
                f"warning: the plan is as of {age.planning_date.isoformat()}, {days} "
                f"{'day' if days == 1 else 'days'} before today "
                f"({age.today.isoformat()}); {advice}",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
        if warn and age.changes:
            said = age.changes_sentence()
            err_console.print(
                f"warning: {said[:1].lower()}{said[1:]} Run `pegboard plan`.",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
        yield s


def print_late(
    lines: Sequence[LineStatus], *, as_csv: bool = False, total: int | None = None
) -> None:
    """Each late line with the chain of supplies that sets its date, as a tree (or CSV rows)."""
    total = len(lines) if total is None else total
    shown = f"first {len(lines)} of {total:,}" if total > len(lines) else f"{total:,}"
    title = f"Late sales-order lines ({shown})"
    if as_csv or not lines:
        rows = [
            (
                line.demand,
                line.item,
                line.qty,
                line.due,
                line.projected,
                line.late_days,
                " <- ".join(
                    f"{n.item} {n.supply} {n.available.isoformat()}"
                    + (f" (late: {n.held})" if n.held else "")
                    for n in _chain(line)
                ),
            )
            for line in lines
        ]
        header = ("order line", "item", "qty", "due", "projected", "days late", "chain")
        emit(title, header, rows, as_csv=as_csv, empty="none: every line is projected on time")
        return
    root = Tree(f"[bold]{title}[/]")
    for line in lines:
        branch = root.add(
            f"[bold]{esc(line.demand)}[/] {esc(line.item)} × {fmt(line.qty)}: "
            f"due {line.due.isoformat()}, "
            f"projected [red]{line.projected.isoformat()}[/] "
            f"({_wording.plural(line.late_days, 'day')} late)"
        )
        for node in _chain(line):
            branch = branch.add(
                f"{esc(node.item)} ← {node.supply_type.replace('_', ' ')} "
                f"[cyan]{esc(node.supply)}[/], "
                f"ready {node.available.isoformat()}"
                + (f" [red]late: {esc(node.held)}[/]" if node.held else "")
            )
    console.print(root)


def _chain(line: LineStatus) -> list[PegNode]:
    return reports.critical_chain(_latest(line)) if line.supplies else []


def _latest(line: LineStatus) -> PegNode:
    return max(line.supplies, key=lambda n: (n.available, n.supply))


def print_exceptions(title: str, rows: Sequence[ExceptionRow], *, as_csv: bool = False) -> None:
    emit(
        title,
        ("kind", "item", "order", "date", "sales order", "message"),
        [(r.kind, r.item, r.order, r.date, r.sales_order, r.message) for r in rows],
        as_csv=as_csv,
    )


def print_planned(title: str, rows: Sequence[PlannedRow], *, by: str, as_csv: bool = False) -> None:
    first = "supplier" if by == "supplier" else "item"
    emit(
        title,
        (
            first,
            "item" if by == "supplier" else "description",
            "qty",
            "uom",
            "release",
            "due",
            "sales order",
            "late",
            "order",
        ),
        [
            (
                (r.supplier or "—") if by == "supplier" else r.item,
                r.item if by == "supplier" else r.description,
                r.qty,
                r.uom,
                r.release,
                r.due,
                r.sales_order,
                r.late,
                r.number,
            )
            for r in rows
        ],
        as_csv=as_csv,
        numeric=("qty",),
    )


@app.command()
@handles_errors
def late(as_csv: CsvOption = False, xlsx: XlsxOption = None) -> None:
    """Each late sales-order line, its projected completion and the chain that makes it late."""
    xlsx_file.refuse_both(as_csv, xlsx)
    if xlsx is not None:
        with plan_session() as s:
            # openpyxl and the cost model load only for an export: a report starts fast
            from pegboard.services import xlsx_reports

            data = xlsx_reports.late_xlsx(s)
        xlsx_file.save(xlsx, data)
        return
    with plan_session(warn=not as_csv) as s:
        print_late(reports.late_orders(s), as_csv=as_csv)


@app.command()
@handles_errors
def shortages(
    sales_order: Annotated[
        str | None, typer.Option("--sales-order", help="only this order")
    ] = None,
    as_csv: CsvOption = False,
) -> None:
    """Per sales order, what stock and open orders do not cover: still to buy or make."""
    with plan_session(warn=not as_csv) as s:
        rows = reports.shortages(s, sales_order=sales_order)
    print_exceptions(f"Shortages ({len(rows)})", rows, as_csv=as_csv)


@app.command()
@handles_errors
def buy(
    until: UntilOption = None,
    since: FromOption = None,
    window: WindowOption = None,
    as_csv: CsvOption = False,
) -> None:
    """Planned purchases to release, grouped by supplier (from --from to --until, or in
    --window)."""
    since, until = _windows.release_days(
        clock.today(), since=since, until=until, window=window_name(window)
    )
    with plan_session(warn=not as_csv) as s:
        rows = reports.buy_list(s, until=until, since=since)
    print_planned("Planned purchases", rows, by="supplier", as_csv=as_csv)


@app.command()
@handles_errors
def make(
    until: UntilOption = None,
    since: FromOption = None,
    window: WindowOption = None,
    as_csv: CsvOption = False,
) -> None:
    """Planned production to release, grouped by item (from --from to --until, or in --window)."""
    since, until = _windows.release_days(
        clock.today(), since=since, until=until, window=window_name(window)
    )
    with plan_session(warn=not as_csv) as s:
        rows = reports.make_list(s, until=until, since=since)
    print_planned("Planned production", rows, by="item", as_csv=as_csv)


@app.command()
@handles_errors
def actions(as_csv: CsvOption = False) -> None:
    """Open orders to expedite, defer or cancel, and master-schedule weeks short inside
    the time fence."""
    with plan_session(warn=not as_csv) as s:
        rows = reports.actions(s)
    print_exceptions(f"Actions on open orders ({len(rows)})", rows, as_csv=as_csv)


@app.command()
@handles_errors
def exceptions(as_csv: CsvOption = False) -> None:
    """Every planning exception of the current plan."""
    with plan_session(warn=not as_csv) as s:
        rows = reports.all_exceptions(s)
    print_exceptions(f"Exceptions ({len(rows)})", rows, as_csv=as_csv)


def _peg_label(node: PegNode) -> str:
    return (
        f"[bold]{esc(node.item)}[/] {fmt(node.qty)} ← {node.supply_type.replace('_', ' ')} "
        f"[cyan]{esc(node.supply)}[/] (available {node.available.isoformat()})"
    )


def _add_peg(tree: Tree, node: PegNode) -> None:
    branch = tree.add(_peg_label(node))
    for child in node.children:
        _add_peg(branch, child)


def _flatten(node: PegNode, depth: int, out: list[tuple[object, ...]], demand: str) -> None:
    out.append((demand, depth, node.item, node.qty, node.supply_type, node.supply, node.available))
    for child in node.children:
        _flatten(child, depth + 1, out, node.supply)


@app.command()
@handles_errors
def pegging(
    sales_order: Annotated[str, typer.Argument(help="sales order id, e.g. SO-1042")],
    as_csv: CsvOption = False,
) -> None:
    """The tree of supplies serving a sales order, down to the last purchased component."""
    with plan_session(warn=not as_csv) as s:
        lines = reports.sales_order_pegging(s, sales_order)
    if as_csv:
        rows: list[tuple[object, ...]] = []
        for line in lines:
            for node in line.supplies:
                _flatten(node, 1, rows, line.demand)
        emit(
            "",
            ("demand", "level", "item", "qty", "supply_type", "supply", "available"),
            rows,
            as_csv=True,
        )
        return
    root = Tree(f"[bold]{esc(sales_order)}[/]")
    for line in lines:
        state = "[red]late[/]" if line.projected > line.due else "[green]on time[/]"
        branch = root.add(
            f"line {esc(line.demand)} [bold]{esc(line.item)}[/] × {fmt(line.qty)}, "
            f"due {line.due.isoformat()}, "
            f"projected {line.projected.isoformat()} {state}"
        )
        for node in line.supplies:
            _add_peg(branch, node)
    console.print(root)


def _add_use(tree: Tree, node: UseNode) -> None:
    kind = node.demand_type.replace("_", " ")
    branch = tree.add(f"{fmt(node.qty)} of {esc(node.item)} → {kind} [cyan]{esc(node.demand)}[/]")
    for parent in node.parents:
        _add_use(branch, parent)


@app.command("where-used-supply")
@handles_errors
def where_used_supply(item: Annotated[str, typer.Argument(help="item id")]) -> None:
    """Every supply of an item and the orders it feeds, up to the sales orders."""
    with plan_session() as s:
        supplies = reports.where_used_supply(s, item)
    root = Tree(f"[bold]{esc(item)}[/]: supplies and the sales orders they feed")
    for supply_type, ref, qty, uses in supplies:
        branch = root.add(f"{supply_type.replace('_', ' ')} [cyan]{esc(ref)}[/] {fmt(qty)}")
        for use in uses:
            _add_use(branch, use)
    console.print(root)

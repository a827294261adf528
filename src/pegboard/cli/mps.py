"""``pegboard mps``: the master production schedule of common, stocked items."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape as esc

from pegboard.cli._common import as_date, as_number, console, emit, handles_errors, session
from pegboard.cli._deferred import deferred
from pegboard.config import get_settings

if TYPE_CHECKING:
    from pegboard.services import mps, mps_fence, wording
else:
    mps = deferred("pegboard.services.mps")
    mps_fence = deferred("pegboard.services.mps_fence")
    wording = deferred("pegboard.services.wording")

app = typer.Typer(
    help="The master production schedule: items made to a weekly schedule.", no_args_is_help=True
)

CsvFlag = Annotated[bool, typer.Option("--csv", help="CSV on stdout instead of a table")]
MAX_WEEKS = 104
"""The service's ``mps.MAX_WEEKS``, written here so that ``--help`` loads no service
(issue #18, start-up); tests/cli/test_startup.py holds the two equal."""
Weeks = Annotated[int, typer.Option(help="how many weeks from this one", min=1, max=MAX_WEEKS)]


@app.command("item")
@handles_errors
def item_command(
    item: str,
    on: Annotated[
        bool, typer.Option("--on/--off", help="put on (or take off) the schedule")
    ] = True,
) -> None:
    """Put a made item on the master schedule, or take it off."""
    with session() as s:
        mps.set_mps_item(s, item, on, author=get_settings().user)
    console.print(f"{esc(item)} {'is on' if on else 'is off'} the master schedule")


@app.command("fence")
@handles_errors
def fence_command(
    days: Annotated[
        int | None,
        typer.Argument(help="the new fence in whole days (0: none); without it, show it"),
    ] = None,
) -> None:
    """Show or set the planning time fence: inside it the plan adds no supply of a
    scheduled item and asks no change of its lines, and a line changes only with --force."""
    with session() as s:
        if days is not None:
            mps_fence.set_fence_days(s, days, author=get_settings().user)
        shown = mps_fence.fence_setting(s)
    note = "; re-plan to apply it" if days is not None else ""
    console.print(f"planning time fence: {wording.plural(shown, 'day')}{note}")


@app.command("set")
@handles_errors
def set_command(
    item: str,
    week: Annotated[str, typer.Argument(help="any day of the week, YYYY-MM-DD")],
    qty: str,
    force: Annotated[bool, typer.Option(help="change a week within the time fence")] = False,
) -> None:
    """Schedule QTY of ITEM in a week (0 removes the week's line)."""
    with session() as s:
        number = mps.set_mps(
            s, item, as_date(week), as_number(qty), author=get_settings().user, force=force
        )
    console.print(f"{esc(number or 'nothing scheduled')}: {esc(qty)} of {esc(item)}")


def _figure(value: float) -> str:
    return f"{value:,.6f}".rstrip("0").rstrip(".")


@app.command("show")
@handles_errors
def show(item: str, weeks: Weeks = 12, as_csv: CsvFlag = False) -> None:
    """The MPS record of ITEM per week: backlog, schedule, projected available balance,
    available to promise (ATP) and its running total."""
    with session() as s:
        view = mps.mps_record(s, item, weeks=weeks)
    planned = view.planned_on.isoformat() if view.planned_on else "no plan yet"
    emit(
        f"MPS of {view.item}: on hand {_figure(view.on_hand)}, safety stock "
        f"{_figure(view.safety_stock)}, backlog from the plan of {planned}, time fence until "
        f"{view.fence_end.isoformat()}",
        ["week of", "backlog", "MPS", "other", "projected", "ATP", "cum. ATP", "fence"],
        [
            (
                w.start,
                w.backlog,
                w.mps,
                w.receipts,
                w.pab,
                w.atp,
                w.cumulative_atp,
                "yes" if w.in_fence else "",
            )
            for w in view.weeks
        ],
        as_csv=as_csv,
        numeric=["backlog", "MPS", "other", "projected", "ATP", "cum. ATP"],
    )
    if view.short_weeks and not as_csv:
        console.print(
            f"[red]short[/]: the projected balance falls below zero in "
            f"{', '.join(w.label for w in view.short_weeks)}",
            highlight=False,
        )


@app.command("propose")
@handles_errors
def propose_command(
    item: str,
    weeks: Weeks = 12,
    minimum: Annotated[str, typer.Option("--min", help="at least this much a week")] = "0",
    maximum: Annotated[str | None, typer.Option("--max", help="at most this much a week")] = None,
    accept: Annotated[bool, typer.Option(help="write the proposal as the schedule")] = False,
) -> None:
    """Propose a levelled schedule beyond the time fence (the same quantity each week,
    the smallest that keeps the balance at the safety stock); --accept writes it."""
    with session() as s:
        schedule = mps.propose(
            s,
            item,
            weeks=weeks,
            minimum=as_number(minimum),
            maximum=as_number(maximum) if maximum is not None else None,
        )
        if accept:
            mps.accept(s, item, schedule, author=get_settings().user)
    emit(
        f"Proposal for {item}" + (", written" if accept else " (--accept writes it)"),
        ["week of", "qty"],
        schedule,
        numeric=["qty"],
        empty="no week beyond the time fence",
    )


@app.command("rough-cut")
@handles_errors
def rough_cut_command(
    item: Annotated[str | None, typer.Argument(help="one scheduled item (default: all)")] = None,
    weeks: Weeks = 12,
    as_csv: CsvFlag = False,
    over: Annotated[
        bool, typer.Option(help="only the weeks over capacity (the schedule's or the total)")
    ] = False,
) -> None:
    """Rough-cut capacity: the hours the master schedule asks of each key work center per
    week (its items' routings and their made components'), against the hours it has, and
    next to the hours the load's other orders ask (the total, and whether it is over)."""
    from pegboard.services import mps_rough_cut

    with session() as s:
        check = mps_rough_cut.rough_cut(s, item, weeks=weeks)
    rows = [
        (
            center.work_center,
            week.start,
            week.required,
            week.available,
            "" if week.percent is None else f"{week.percent:.0f}",
            "over" if week.over else "",
            week.other,
            week.total,
            "over" if week.total_over else "",
        )
        for center in check.centers
        for week in center.weeks
        if week.over or week.total_over or not over
    ]
    emit(
        f"Rough-cut capacity of the master schedule ({', '.join(check.items) or 'no item'})",
        [
            "work center",
            "week of",
            "hours",
            "available",
            "load %",
            "over",
            "other orders",
            "total",
            "total over",
        ],
        rows,
        as_csv=as_csv,
        numeric=["hours", "available", "load %", "other orders", "total"],
        empty="no scheduled item has a routing" if not check.centers else "no week over capacity",
    )
    late = [f"{c.work_center} {', '.join(c.over_weeks)}" for c in check.centers if c.over_weeks]
    if late and not as_csv:
        console.print(f"[red]over capacity[/]: {'; '.join(late)}", highlight=False)
    with_other = [
        f"{c.work_center} {', '.join(w.label for w in c.weeks if w.total_over)}"
        for c in check.centers
        if any(w.total_over for w in c.weeks)
    ]
    if with_other and not as_csv:
        console.print(
            f"[red]over capacity with the other orders[/]: {'; '.join(with_other)}",
            highlight=False,
        )


@app.command("lines")
@handles_errors
def lines_command(item: str, as_csv: CsvFlag = False) -> None:
    """The open schedule lines of ITEM, by week (as GET /api/mps/ITEM/lines)."""
    from pegboard.services import mps_schedule

    with session() as s:
        lines = mps_schedule.schedule_lines(s, item)
    emit(
        f"Schedule lines of {item}",
        ["line", "week", "due", "qty", "status"],
        [(line.number, line.label, line.due, line.qty, line.status.value) for line in lines],
        as_csv=as_csv,
        numeric=["qty"],
        empty="nothing scheduled",
    )


@app.command("save")
@handles_errors
def save_command(
    item: str,
    weeks: Annotated[
        list[str], typer.Argument(help="WEEK=QTY, any day of the week (0 removes its line)")
    ],
    replace: Annotated[
        bool, typer.Option(help="the schedule becomes these weeks: other open lines go")
    ] = False,
    force: Annotated[bool, typer.Option(help="change weeks within the time fence")] = False,
) -> None:
    """Save several weeks of ITEM's schedule at once, all or nothing (as the web's grid
    and PATCH/PUT /api/mps/ITEM/lines): a refusal names every refused week."""
    from pegboard.services import mps_schedule

    cells: dict[str, str | float] = {}
    for cell in weeks:
        week, sep, qty = cell.partition("=")
        if not sep:
            raise typer.BadParameter(f"{cell!r}: write WEEK=QTY, e.g. 2027-01-04=30")
        cells[week.strip()] = qty
    save = mps_schedule.replace_schedule if replace else mps_schedule.save_weeks
    with session() as s:
        numbers = save(s, item, cells, author=get_settings().user, force=force)
    console.print(f"{esc(item)}: {wording.plural(len(numbers), 'week')} scheduled", highlight=False)

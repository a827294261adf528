"""``pegboard capacity``: work centers, routings, and the load the orders put on them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape as esc
from rich.text import Text

from pegboard.cli._common import (
    BadInput,
    as_date,
    as_number,
    console,
    emit,
    handles_errors,
    session,
)
from pegboard.cli._deferred import deferred
from pegboard.config import get_settings

if TYPE_CHECKING:
    from pegboard.services import capacity, load
    from pegboard.services import wording as _wording
else:
    _wording = deferred("pegboard.services.wording")
    capacity = deferred("pegboard.services.capacity")
    load = deferred("pegboard.services.load")

app = typer.Typer(help="Work centers, routings and the load on them.", no_args_is_help=True)
closed_app = typer.Typer(help="Days a work center does not work.", no_args_is_help=True)
routing_app = typer.Typer(help="The operations of a make item.", no_args_is_help=True)
app.add_typer(closed_app, name="closed-day")
app.add_typer(routing_app, name="routing")

CsvFlag = Annotated[bool, typer.Option("--csv", help="CSV on stdout instead of a table")]
BAR = 10


@app.command("work-centers")
@handles_errors
def work_centers(as_csv: CsvFlag = False) -> None:
    """Every work center: hours a day, units, efficiency, cost rate, closed days."""
    with session() as s:
        rows = capacity.list_work_centers(s)
    emit(
        "Work centers",
        ["code", "description", "hours/day", "units", "efficiency %", "rate/h", "closed days"],
        [
            (
                w.code,
                w.description,
                w.hours_text,
                w.units,
                f"{w.efficiency_pct:g}",
                w.cost_rate,
                " ".join(d.isoformat() for d in w.closed_days),
            )
            for w in rows
        ],
        as_csv=as_csv,
        numeric=["units", "efficiency %", "rate/h"],
        empty="none yet (pegboard capacity work-center CODE --hours 8)",
    )


@app.command("work-center")
@handles_errors
def work_center(
    code: str,
    hours: Annotated[
        str | None, typer.Option(help="hours one unit works a day", metavar="HOURS")
    ] = None,
    weekday_hours: Annotated[
        str | None,
        typer.Option(help="per weekday instead: mon=8,tue=8,wed=8,thu=8,fri=6"),
    ] = None,
    units: Annotated[int | None, typer.Option(help="machines or people in parallel")] = None,
    efficiency: Annotated[str | None, typer.Option(help="in %, e.g. 85")] = None,
    rate: Annotated[str | None, typer.Option(help="cost per hour, e.g. 48.50")] = None,
    description: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Create a work center, or change the fields given."""
    with session() as s:
        saved = capacity.save_work_center(
            s,
            code=code,
            author=get_settings().user,
            hours_per_day=as_number(hours) if hours is not None else None,
            weekday_hours=(
                capacity.parse_weekday_hours(weekday_hours) if weekday_hours is not None else None
            ),
            units=units,
            efficiency_pct=as_number(efficiency) if efficiency is not None else None,
            cost_rate=rate,
            description=description,
        )
    console.print(
        f"work center {esc(saved.code)}: {esc(saved.hours_text)} h × {saved.units} at "
        f"{saved.efficiency_pct:g} %, {saved.cost_rate}/h",
        highlight=False,
    )


@closed_app.command("add")
@handles_errors
def closed_add(code: str, day: str, description: Annotated[str, typer.Option()] = "") -> None:
    """Close a work center on a day the plant works."""
    when = as_date(day)
    with session() as s:
        capacity.add_closed_day(s, code, when, description, author=get_settings().user)
    console.print(f"{esc(code)} closed on {when.isoformat()}")


@closed_app.command("remove")
@handles_errors
def closed_remove(code: str, day: str) -> None:
    """Open a work center again on a day it was closed."""
    when = as_date(day)
    with session() as s:
        capacity.remove_closed_day(s, code, when, author=get_settings().user)
    console.print(f"{esc(code)} works on {when.isoformat()} again")


@routing_app.command("show")
@handles_errors
def routing_show(
    item: str,
    order_bom: Annotated[
        str | None, typer.Option(help="the order routing of this order BOM")
    ] = None,
    as_csv: CsvFlag = False,
) -> None:
    """The operations a production order of ITEM follows."""
    with session() as s:
        routing = capacity.routing_of(s, item, order_bom=order_bom)
    emit(
        f"{routing.number} ({routing.item})",
        ["seq", "work center", "setup h", "run h/unit", "queue days", "move days", "description"],
        [
            (
                o.sequence,
                o.work_center,
                o.setup_hours,
                o.run_hours,
                o.queue_days,
                o.move_days,
                o.description,
            )
            for o in routing.operations
        ],
        as_csv=as_csv,
        numeric=["seq", "setup h", "run h/unit", "queue days", "move days"],
    )


def _operation(text: str) -> capacity.OperationIn:
    """``SEQ:WORK_CENTER:SETUP_H:RUN_H[:QUEUE_DAYS[:MOVE_DAYS]]``."""
    parts = text.split(":")
    if not 4 <= len(parts) <= 6:
        raise BadInput(
            f"operation {text!r}: SEQ:WORK_CENTER:SETUP_HOURS:RUN_HOURS[:QUEUE_DAYS[:MOVE_DAYS]]"
        )
    try:
        numbers = [float(p) for p in parts[2:4]]
        whole = [int(p) for p in [parts[0], *parts[4:]]]
    except ValueError:
        raise BadInput(f"operation {text!r}: the hours and days must be numbers") from None
    queue, move = [*whole[1:], 0, 0][:2]
    return capacity.OperationIn(
        sequence=whole[0],
        work_center=parts[1],
        setup_hours=numbers[0],
        run_hours=numbers[1],
        queue_days=queue,
        move_days=move,
    )


@routing_app.command("set")
@handles_errors
def routing_set(
    item: str,
    op: Annotated[
        list[str],
        typer.Option(help="SEQ:WORK_CENTER:SETUP_HOURS:RUN_HOURS[:QUEUE_DAYS[:MOVE_DAYS]]"),
    ],
    order_bom: Annotated[str | None, typer.Option(help="set this order BOM's routing")] = None,
) -> None:
    """Replace ITEM's routing with the operations given (--op once per operation)."""
    operations = [_operation(o) for o in op]
    with session() as s:
        routing = capacity.set_routing(
            s, item, operations, author=get_settings().user, order_bom=order_bom
        )
    console.print(f"{esc(routing.number)}: {_wording.plural(len(routing.operations), 'operation')}")


def _bar(percent: float | None) -> Text:
    """The load as a bar of ``BAR`` cells, red past 100 %."""
    if percent is None:
        return Text("")
    filled = min(BAR, round(BAR * percent / 100))
    bar = Text("█" * filled, style="red" if percent > 100 else "green")
    bar.append("·" * (BAR - filled), style="dim")
    return bar


@app.command("load")
@handles_errors
def load_command(
    work_center: Annotated[str | None, typer.Option(help="only this work center")] = None,
    days: Annotated[bool, typer.Option("--days", help="per day instead of per week")] = False,
    overloaded: Annotated[bool, typer.Option(help="only the periods over capacity")] = False,
    as_csv: CsvFlag = False,
) -> None:
    """Hours the open and planned production orders need against the hours each work
    center has, per week (or day), with the orders behind each overload."""
    with session() as s:
        report = load.capacity_load(s, work_center=work_center)
    periods = report.days if days else report.weeks
    if overloaded:
        periods = [p for p in periods if p.over]
    rows = [
        (
            p.work_center,
            p.start,
            round(p.required, 2),
            round(p.available, 2),
            "" if p.percent is None else f"{p.percent:.0f}",
            *([] if as_csv else [_bar(p.percent)]),
            ", ".join(p.orders[:6]) + (f" … (+{len(p.orders) - 6})" if len(p.orders) > 6 else "")
            if p.over
            else "",
        )
        for p in periods
    ]
    emit(
        f"Load per {'day' if days else 'week'}"
        + (f" on {work_center}" if work_center else "")
        + f" ({sum(1 for p in periods if p.over)} over capacity)",
        [
            "work center",
            "day" if days else "week of",
            "required h",
            "available h",
            "load %",
            *([] if as_csv else [""]),
            "why: orders over capacity",
        ],
        rows,
        as_csv=as_csv,
        numeric=["required h", "available h", "load %"],
        empty="nothing over capacity"
        if overloaded
        else "no operations (no routings, or nothing to make)",
    )


@app.command("weeks")
@handles_errors
def weeks_command(
    search: Annotated[
        str, typer.Option("--search", help="only work centers with this in code or name")
    ] = "",
    start: Annotated[
        date | None,
        typer.Option("--from", parser=as_date, help="the window's first week (default: this week)"),
    ] = None,
    weeks: Annotated[int, typer.Option(min=1, max=26, help="weeks in the window")] = 12,
    page: Annotated[int, typer.Option(min=1, help="which page of work centers")] = 1,
    per_page: Annotated[int, typer.Option(min=1, max=50, help="work centers a page")] = 12,
    overloaded: Annotated[
        bool, typer.Option(help="only work centers over capacity in the window")
    ] = False,
    as_csv: CsvFlag = False,
) -> None:
    """The capacity page's load: a page of work centers, the most hours over capacity in
    the window first, their loaded weeks with the orders asking most (as the page and
    GET /api/capacity/load/weeks)."""
    from pegboard import clock
    from pegboard.services import load_weeks

    with session() as s:
        got = load_weeks.load_page(
            s,
            today=clock.today(),
            search=search,
            start=start,
            weeks=weeks,
            page=page,
            per_page=per_page,
            overloaded_only=overloaded,
        )
    end = got.start + timedelta(weeks=got.weeks, days=-1)
    emit(
        f"Load per week {got.start.isoformat()} to {end.isoformat()}, most over capacity "
        + (
            f"first: work centers {got.offset + 1}-{got.offset + len(got.centers)} of "
            f"{got.matching}, page {got.page} of {got.pages}"
            if got.centers
            else "first: no work center matches"
            if not got.matching
            else f"first: page {got.page} is past the last ({got.pages})"
        ),
        ["work center", "week of", "required h", "available h", "load %", "orders", "most"],
        [
            (
                c.code,
                w.start,
                round(w.required, 2),
                round(w.available, 2),
                "" if w.percent is None else f"{w.percent:.0f}",
                w.orders,
                ", ".join(f"{o} {h:.2f} h" for o, h in w.top)
                + (f" and {w.more} more" if w.more else ""),
            )
            for c in got.centers
            for w in c.weeks
            if w.required > 0
        ],
        as_csv=as_csv,
        numeric=["required h", "available h", "load %", "orders"],
        empty="no work center loaded in these weeks",
    )


@app.command("dispatch")
@handles_errors
def dispatch_command(
    work_center: Annotated[str, typer.Argument(help="work center code, e.g. POWDER")],
    today: Annotated[
        str | None, typer.Option(help="the day material must be there by (default: today)")
    ] = None,
    as_csv: CsvFlag = False,
) -> None:
    """What the work center should run next, in schedule order, with each operation's
    material status (from the current plan's pegging)."""
    from pegboard import clock
    from pegboard.services import dispatch

    day = as_date(today) if today else clock.today()
    with session() as s, s.begin():
        listed = dispatch.dispatch_list(s, work_center, today=day)
    emit(
        f"Dispatch list of {listed.work_center} ({listed.order_source} order)",
        ["#", "order", "op", "item", "hours", "start", "end", "due", "status", "material"],
        [
            (
                r.rank,
                r.order,
                r.sequence,
                r.item,
                f"{r.hours:.2f}",
                r.start.isoformat(),
                r.end.isoformat(),
                r.due.isoformat(),
                (r.status if r.order_status != "planned" else "not released")
                + (", pinned" if r.pinned else ""),
                r.material.text,
            )
            for r in listed.rows
        ],
        as_csv=as_csv,
        numeric=["#", "op", "hours"],
        empty=f"nothing to run on {work_center}",
    )

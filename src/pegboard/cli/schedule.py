"""``pegboard schedule``: the finite, material-aware schedule of the current plan."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from pegboard.cli._common import console, emit, handles_errors, session
from pegboard.config import get_settings

app = typer.Typer()

CsvFlag = Annotated[bool, typer.Option("--csv", help="CSV on stdout instead of tables")]
LISTED = 20


@app.command("schedule")
@handles_errors
def schedule(
    work_center: Annotated[
        str | None,
        typer.Option("--work-center", help="then list this work center's operations in order"),
    ] = None,
    limit: Annotated[int, typer.Option(help="rows listed per table", min=1)] = LISTED,
    as_csv: CsvFlag = False,
) -> None:
    """Schedule the current plan's production orders at finite capacity and give the order
    lines the dates it sets.

    Operations go onto their work centers without exceeding their hours on any day, in
    sequence, never before their material: released orders first, then by sales-order
    priority and due date. Prints the orders it completes late and the work center that
    held each back.
    """
    from pegboard.services.schedule_run import run_schedule

    with session() as s:
        summary = run_schedule(s, author=get_settings().user)
    if not as_csv:
        print_summary(summary.as_result())
    show(work_center=work_center, limit=limit, as_csv=as_csv)


def print_summary(result: dict[str, object]) -> None:
    """The schedule's counts, as a table (``pegboard plan --finite`` prints it too)."""
    emit(
        f"Finite schedule of plan run {result['plan_run_id']} ({result['planning_date']})",
        ("", "count"),
        [
            ("production orders", result["orders"]),
            ("operations", result["operations"]),
            ("orders completing late", result["late_orders"]),
            ("order lines late", result["late_lines"]),
            ("pinned operations", len(_texts(result.get("pinned")))),
            ("seconds", f"{float(str(result['seconds'])):.2f}"),
        ],
        numeric=("count",),
    )
    for title, key in (
        ("Days pins load past their hours", "pin_overloads"),
        ("Pins ignored", "pins_ignored"),
        ("Pinned operations out of sequence", "pins_out_of_sequence"),
    ):
        if rows := _texts(result.get(key)):
            emit(f"{title} ({len(rows)})", ("",), [(row,) for row in rows])


def _texts(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def show(*, work_center: str | None = None, limit: int = LISTED, as_csv: bool = False) -> None:
    """The late orders with what held them back, and one work center's operations."""
    from pegboard.services import schedule as sched

    with session() as s, s.begin():
        late = sched.scheduled_orders(s, late_only=True, limit=limit)
        late_count = sched.late_count(s)
        ops = sched.scheduled_operations(s, work_center, limit=limit) if work_center else []
    emit(
        f"Orders the schedule completes late ({late_count})",
        ("order", "item", "due", "completion", "late", "why"),
        [
            (
                o.order,
                o.item,
                o.due,
                o.completion,
                o.late_days,
                _why(o.bottleneck, o.cause, o.held_from, o.held_to),
            )
            for o in late
        ],
        as_csv=as_csv,
        numeric=("late",),
        empty="none: every order completes by its due date",
    )
    if work_center is None:
        return
    if not as_csv:
        console.print()
    emit(
        f"Operations on {work_center} in schedule order",
        ("start", "end", "order", "item", "seq", "hours", "waited: full"),
        [
            (
                o.start,
                o.end,
                o.order,
                o.item,
                o.sequence,
                f"{o.hours:.2f}",
                "pinned by a planner" if o.pinned else _days(o.held_from, o.held_to),
            )
            for o in ops
        ],
        as_csv=as_csv,
        numeric=("seq", "hours"),
        empty="none scheduled",
    )


def _why(work_center: str | None, cause: str | None, first: date | None, last: date | None) -> str:
    """ "POWDER full 2027-01-11 … 2027-01-22": what set a late order's date, when the
    schedule did (empty when its lead time or the plan did)."""
    from pegboard.services.schedule import held_note

    if not (work_center and cause and first and last):
        return ""
    return held_note(work_center, cause, first, last)


def _days(first: date | None, last: date | None) -> str:
    if first is None or last is None:
        return ""
    return first.isoformat() if first == last else f"{first.isoformat()} … {last.isoformat()}"
